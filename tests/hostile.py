"""Hostile upload files, generated at test time, small on disk and cheap to build.

Every builder returns bytes. The big-canvas images are written by hand with a streaming
zlib encoder, so building a 49-megapixel PNG or float TIFF never holds its pixels in memory.
"""
from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable

import h5py
import numpy as np
from PIL import Image

CLASSES = np.array([b"non-cat", b"cat"])


# ----- course .h5 files -------------------------------------------------------------
def h5_file(role: str, build: Callable[[h5py.File], None] | None = None, m: int = 4, px: int = 8,
            skip: tuple[str, ...] = ()) -> bytes:
    """A valid small course file for ``role``, then ``build(f)`` replaces or adds what it wants."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        rng = np.random.RandomState(0)
        good = {f"{role}_set_x": rng.randint(0, 256, (m, px, px, 3)).astype(np.uint8),
                f"{role}_set_y": np.arange(m) % 2, "list_classes": CLASSES}
        for key, value in good.items():
            if key not in skip:
                f.create_dataset(key, data=value)
        if build is not None:
            build(f)
    return buf.getvalue()


def _replace(key: str, make: Callable[[h5py.File, str], None]) -> Callable[[h5py.File], None]:
    def build(f: h5py.File) -> None:
        if key in f:
            del f[key]
        make(f, key)
    return build


def h5_external_storage(role: str = "train", target: str = "/etc/passwd") -> bytes:
    """train_set_x and list_classes stored as external raw data in ``target`` (a server file)."""
    def x(f, key):
        f.create_dataset(key, shape=(1, 8, 8, 3), dtype=np.uint8, external=[(target, 0, h5py.h5f.UNLIMITED)])

    def classes(f, key):
        f.create_dataset(key, shape=(2,), dtype="S64", external=[(target, 0, h5py.h5f.UNLIMITED)])

    def build(f):
        _replace(f"{role}_set_x", x)(f)
        _replace("list_classes", classes)(f)
        del f[f"{role}_set_y"]
        f.create_dataset(f"{role}_set_y", data=np.array([1]))
    return h5_file(role, build)


def h5_virtual(role: str = "train", source: str = ".") -> bytes:
    """train_set_x as a virtual dataset over ``source`` ("." = this very file: infinite recursion)."""
    def make(f, key):
        layout = h5py.VirtualLayout(shape=(4, 8, 8, 3), dtype=np.uint8)
        layout[:] = h5py.VirtualSource(source, key, shape=(4, 8, 8, 3))
        f.create_virtual_dataset(key, layout, fillvalue=0)
    return h5_file(role, _replace(f"{role}_set_x", make))


def h5_external_link(role: str = "train", target: str = "/etc/passwd") -> bytes:
    return h5_file(role, _replace(f"{role}_set_x", lambda f, key: f.__setitem__(key, h5py.ExternalLink(target, "/x"))))


def h5_soft_link_loop(role: str = "train") -> bytes:
    def build(f):
        del f[f"{role}_set_x"]
        f[f"{role}_set_x"] = h5py.SoftLink("/loop_b")
        f["loop_b"] = h5py.SoftLink(f"/{role}_set_x")
    return h5_file(role, build)


def h5_huge_labels(role: str = "train", n: int = 250_000_000, m: int = 4) -> bytes:
    """Labels declared n long (chunked, never written: a few kB on disk)."""
    return h5_file(role, _replace(f"{role}_set_y", lambda f, key: f.create_dataset(
        key, shape=(n,), dtype=np.int64, chunks=(1 << 16,))), m=m)


def h5_huge_classes(role: str = "train", n: int = 100_000_000) -> bytes:
    return h5_file(role, _replace("list_classes", lambda f, key: f.create_dataset(
        key, shape=(n,), dtype="S64", chunks=(1 << 14,))))


def h5_float_x(role: str = "train", m: int = 16_000) -> bytes:
    """m float64 64x64x3 images (under the value cap, 1.5 GiB as float64), never written."""
    return h5_file(role, _replace(f"{role}_set_x", lambda f, key: f.create_dataset(
        key, shape=(m, 64, 64, 3), dtype=np.float64, chunks=(1, 64, 64, 3))), m=m)


def h5_big_chunks(role: str = "train") -> bytes:
    """Ten labels in an unlimited dataset whose one chunk holds 100 M values."""
    return h5_file(role, _replace(f"{role}_set_y", lambda f, key: f.create_dataset(
        key, data=np.arange(4) % 2, maxshape=(None,), chunks=(100_000_000,))))


def h5_blank_images(role: str, m: int, px: int = 64) -> bytes:
    """A legal course file of m blank px x px images (chunked, never written: tiny on disk)."""
    def build(f):
        del f[f"{role}_set_x"], f[f"{role}_set_y"]
        f.create_dataset(f"{role}_set_x", shape=(m, px, px, 3), dtype=np.uint8, chunks=(16, px, px, 3),
                         compression="gzip")
        f.create_dataset(f"{role}_set_y", data=np.arange(m) % 2)
    return h5_file(role, build)


# ----- .npz models ----------------------------------------------------------------
def npy_header(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    """A .npy version 1.0 header declaring ``shape`` and ``dtype``."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()  # magic string included


def npz(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, data in entries.items():
            z.writestr(name + ".npy", data)
    return buf.getvalue()


def npy(value: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, value, allow_pickle=False)
    return buf.getvalue()


def npz_entries(model: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(model)) as z:
        return {info.filename[:-4]: z.read(info) for info in z.infolist()}


def _deflate_raw(data: bytes) -> bytes:
    encoder = zlib.compressobj(9, zlib.DEFLATED, -15)
    return encoder.compress(data) + encoder.flush()


def _zeros_deflated(prefix: bytes, n_zero: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, crc32, size) of prefix + n_zero zeros, built from one repeated 1 MiB unit."""
    block = bytes(1 << 20)
    encoder = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = encoder.compress(prefix) + encoder.flush(zlib.Z_FULL_FLUSH)
    unit = encoder.compress(block) + encoder.flush(zlib.Z_FULL_FLUSH)  # no history: repeatable as is
    count, rest = divmod(n_zero, len(block))
    tail = encoder.compress(bytes(rest)) + encoder.flush()
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(bytes(rest), crc)
    return head + unit * count + tail, crc, len(prefix) + n_zero


def raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand from (name, raw deflate stream, crc32, uncompressed size); sizes under 4 GiB."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, stream, crc, size in entries:
        offset, encoded = out.tell(), name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(stream), size)
        out.write(b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + stream)
        directory.write(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                        + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start, listing = out.tell(), directory.getvalue()
    end = struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(listing), start, 0)
    out.write(listing + b"PK\x05\x06" + end)
    return out.getvalue()


def npz_deflate_bomb(model: bytes, key: str = "format_version", n_bytes: int = 3 * 2**30) -> bytes:
    """A valid model whose ``key`` entry is n_bytes of deflated zeros behind an honest .npy header."""
    entries = [(name + ".npy", _deflate_raw(data), zlib.crc32(data), len(data))
               for name, data in npz_entries(model).items() if name != key]
    stream, crc, size = _zeros_deflated(npy_header((n_bytes // 8,), "<i8"), n_bytes)
    return raw_zip(entries + [(key + ".npy", stream, crc, size)])


def with_meta(model: bytes, text: str) -> bytes:
    entries = npz_entries(model)
    entries["meta"] = npy(np.array(text))
    return npz(entries)


def with_hyper(model: bytes, **changes) -> bytes:
    entries = npz_entries(model)
    meta = json.loads(str(np.load(io.BytesIO(entries["meta"]))))
    meta["hyperparameters"].update(changes)
    entries["meta"] = npy(np.array(json.dumps(meta)))
    return npz(entries)


# ----- images -----------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_canvas(width: int, height: int, colour_type: int = 6) -> bytes:
    """A blank PNG of width x height (colour type 0 grey, 2 RGB, 6 RGBA), encoded row by row."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    row = bytes(1 + width * channels)
    encoder = zlib.compressobj(9)
    parts = [encoder.compress(row) for _ in range(height)]
    idat = b"".join(parts) + encoder.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def tiff_float(width: int, height: int) -> bytes:
    """A blank 32-bit float greyscale TIFF, one deflated strip, written by hand."""
    encoder = zlib.compressobj(9)
    row = bytes(4 * width)
    strip = b"".join(encoder.compress(row) for _ in range(height)) + encoder.flush()
    tags = [(256, 4, width), (257, 4, height), (258, 3, 32), (259, 3, 8), (262, 3, 1), (273, 4, 0),
            (277, 3, 1), (278, 4, height), (279, 4, len(strip)), (339, 3, 3)]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(tags) + 4
    ifd = struct.pack("<H", len(tags))
    for tag, kind, value in tags:
        value = data_offset if tag == 273 else value
        field = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        packed = struct.pack("<HHI", tag, kind, 1) + field
        ifd += packed
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_offset) + ifd + strip


def gif_big_screen(width: int = 7000, height: int = 7000) -> bytes:
    """35 bytes: a width x height logical screen holding one 1x1 frame."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\xff\x00\x00\x00\x00\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + frame + b"\x3b"


def jpeg(width: int, height: int, colour=(200, 120, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, "JPEG")
    return buf.getvalue()


def heic_named_jpg() -> bytes:
    """The first bytes of an iPhone HEIC file (an ISO-BMFF 'ftyp' box, brand heic)."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + bytes(64)


# ----- photo zips ---------------------------------------------------------------------
def photo_zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression, compresslevel=9) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_of_big_canvases(n: int = 2000, side: int = 7000) -> bytes:
    """n tiny-file side x side grey PNGs in two class folders (the PNG is deflated once more)."""
    png = png_canvas(side, side, colour_type=0)
    return photo_zip({f"{'ab'[i % 2]}/{i}.png": png for i in range(n)})


def encrypted_zip(files: dict[str, bytes]) -> bytes:
    """A zip whose entries carry the 'encrypted' flag (the payload is not real ZipCrypto)."""
    data = bytearray(photo_zip(files, compression=zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (pos := data.find(signature, start)) >= 0:
            data[pos + offset] |= 0x1
            start = pos + 4
    return bytes(data)


# ----- running a dnn function in a fresh process ----------------------------------------
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]

_RUNNER = r"""
import importlib, json, sys
def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
module, name, paths, kwargs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
function = getattr(importlib.import_module(module), name)
args = [open(p, "rb").read() for p in paths]
import dnn, numpy, h5py, PIL.Image, zipfile  # everything imported before the baseline
before = peak_kib()
try:
    result = function(*args, **kwargs)
    outcome, text = "ok", repr(result)[:2000]
except ValueError as exc:
    outcome, text = "refused", str(exc)
print(json.dumps({"outcome": outcome, "text": text, "grew_mib": (peak_kib() - before) / 1024}))
"""


def run_measured(function: str, files: list, tmp_path, timeout: float = 120, env: dict | None = None,
                 **kwargs) -> dict:
    """Call ``module.function(*file_bytes, **kwargs)`` in a fresh Python; its outcome and peak RSS growth.

    ``files`` are bytes (written under tmp_path) or paths. A crash (a signal) or a hang fails the
    calling test instead of killing pytest. Returns {"outcome": "ok"|"refused", "text", "grew_mib"}.
    """
    import os
    import subprocess
    import sys

    paths = []
    for index, item in enumerate(files):
        if isinstance(item, (bytes, bytearray)):
            path = tmp_path / f"upload_{index}"
            path.write_bytes(item)
            item = path
        paths.append(str(item))
    module, name = function.rsplit(".", 1)
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]), **(env or {})}
    try:
        proc = subprocess.run([sys.executable, "-c", _RUNNER, module, name, json.dumps(paths), json.dumps(kwargs)],
                              capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env=full_env)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{function} did not finish within {timeout} s (a hang, or a blocked open)") from None
    if proc.returncode != 0:
        raise AssertionError(f"{function} crashed with exit code {proc.returncode}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def build_run_from_course_files(train: bytes, test: bytes) -> dict:
    """What the app does with an uploaded course pair: load, Dataset, features, a five-layer run.

    Run by run_measured to compare the real peak with dnn.memory's estimate.
    """
    import dnn
    from dnn.memory import upload_memory_bytes

    train_x, train_y, test_x, test_y, classes = dnn.load_catvnoncat_files(train, test)
    ds = dnn.Dataset("upload", train_x, train_y, test_x, test_y, classes)
    config = dnn.TrainConfig(layer_dims=(ds.n_x, 20, 7, 5, 1))
    run = dnn.Trainer(config, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    return {"estimate_mib": upload_memory_bytes(ds.m_train, ds.m_test, ds.n_x) / 2**20,
            "first_layer": type(run.first).__name__}
