"""Build a two-class image Dataset from a user's zip of photos, entirely in memory.

Expected layout: exactly two folders, one per class, optionally inside one wrapping folder::

    photos.zip: cats/1.jpg cats/2.png ... other/1.jpg ...       (or my_photos/cats/..., my_photos/other/...)

Labels follow the folder names in alphabetical order: the first folder is label 0, the
second label 1 (``Dataset.classes`` and ``Dataset.notes`` say which is which). Loose files
beside the class folders and system clutter (``__MACOSX/``, hidden files) are ignored;
folders nested inside a class folder are refused, so nothing is silently dropped.
Files that are not usable images are skipped and listed in ``Dataset.notes``.

Limits, all checked before the work they bound: the zip's size, its number of files, the sizes
its entries declare (in total and as a compression ratio), the memory the dataset and a run on
it would need (from the file count alone), and the pixels decoded across the whole zip (from
each photo's header, before decoding it). ``progress(done, total)`` is called before each photo;
whatever it raises (a UI's stop or rerun signal) ends the loop untouched.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import numpy as np

from dnn.bounded import read_bounded
from dnn.data import Dataset
from dnn.memory import DEFAULT_HIDDEN, check_upload_memory
from dnn.photo import MAX_PHOTO_BYTES, PixelBudgetExceeded, load_photo
from dnn.split import check_test_fraction, split_sizes
from dnn.units import MiB, fmt_bytes

MAX_ZIP_BYTES = 200 * MiB  # the zip file itself
MAX_ZIP_FILES = 2000  # image members
MAX_UNCOMPRESSED_BYTES = 500 * MiB  # sum of declared (and of actually read) member sizes
MAX_COMPRESSION_RATIO = 200  # members over 1 MiB that shrank more than this are treated as zip bombs
MAX_ZIP_PIXELS = 500_000_000  # pixels decoded across the whole zip (after JPEG draft reduction)
_RATIO_MIN_SIZE = MiB
Member = tuple[tuple[str, ...], zipfile.ZipInfo]  # a file's path parts and its zip entry
Named = tuple[str, zipfile.ZipInfo]  # a file's path in the zip and its entry
ZipSource = str | os.PathLike[str] | bytes | bytearray | BinaryIO
Progress = Callable[[int, int], None]


def _open_zip(source: ZipSource) -> tuple[zipfile.ZipFile, str | None]:
    """The archive, opened over an in-memory copy, plus a name hint for the dataset."""
    name = None
    if isinstance(source, (str, os.PathLike)):
        name = Path(source).stem
    elif not isinstance(source, (bytes, bytearray, memoryview)):
        name = Path(str(getattr(source, "name", ""))).stem or None
    data = read_bounded(source, MAX_ZIP_BYTES, "zip file", "Upload a zip of two folders of photos, one per "
                        "class.")
    try:
        return zipfile.ZipFile(io.BytesIO(data)), name
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ValueError("This is not a zip file. Zip two folders of photos (one per class) and upload that.") from exc


def _parts(info: zipfile.ZipInfo) -> tuple[str, ...]:
    """Path components of a member; refuses absolute paths and '..' (path traversal)."""
    raw = info.filename.replace("\\", "/")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise ValueError(f"The zip contains an absolute path ({info.filename!r}); refusing the whole zip for safety.")
    parts = tuple(p for p in PurePosixPath(raw).parts if p not in ("", "."))
    if ".." in parts:
        raise ValueError(f"The zip contains a '..' path ({info.filename!r}); refusing the whole zip for safety.")
    return parts


def _is_clutter(parts: tuple[str, ...]) -> bool:
    # Finder and Explorer add these; they are never photos.
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or parts[-1].lower() in ("thumbs.db", "desktop.ini")


def _members(archive: zipfile.ZipFile) -> list[Member]:
    """(path parts, info) of every regular file, after the safety and size checks."""
    members = []
    for info in archive.infolist():
        parts = _parts(info)
        if info.is_dir() or not parts or _is_clutter(parts):
            continue
        if info.flag_bits & 0x1:
            raise ValueError("The zip is encrypted (password-protected). "
                             "Zip the photo folders again without a password.")
        members.append((parts, info))
    if members and all(parts[-1].lower().endswith(".zip") for parts, _ in members):
        inner = ", ".join("/".join(parts) for parts, _ in members[:3])
        raise ValueError(f"The zip holds only another zip ({inner}), not photos. Upload the inner zip itself, "
                         "or zip the two photo folders directly.")
    if len(members) > MAX_ZIP_FILES:
        raise ValueError(f"The zip holds {len(members)} files; at most {MAX_ZIP_FILES} are accepted.")
    _check_sizes([info for _, info in members])
    return sorted(members, key=lambda item: item[0])


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ValueError(
            f"The zip unpacks to {fmt_bytes(total)}, over the {fmt_bytes(MAX_UNCOMPRESSED_BYTES)} limit "
            "(it may be a zip bomb). Use fewer or smaller photos."
        )
    for info in infos:
        if info.file_size > _RATIO_MIN_SIZE and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ValueError(
                f"{info.filename!r} is compressed {info.file_size // max(info.compress_size, 1)}:1, "
                "far more than any photo; refusing a likely zip bomb."
            )


def _strip_wrapper(members: list[Member]) -> tuple[list[Member], str | None]:
    """Drop one folder that wraps everything, if the class folders are inside it."""
    firsts = {parts[0] for parts, _ in members}
    if len(firsts) == 1 and all(len(parts) >= 3 for parts, _ in members):
        return [(parts[1:], info) for parts, info in members], firsts.pop()
    return members, None


def _group(members: list[Member]) -> tuple[dict[str, list[Named]], list[str]]:
    """Class folder -> [(name, info)], plus loose top-level file names (ignored)."""
    groups: dict[str, list[Named]] = {}
    loose = []
    for parts, info in members:
        if len(parts) == 1:
            loose.append(parts[0])
        elif len(parts) > 2:
            raise ValueError(
                f"{'/'.join(parts)!r} is in a nested folder. Put the photos directly inside the two class "
                "folders (no sub-folders)."
            )
        else:
            groups.setdefault(parts[0], []).append(("/".join(parts), info))
    if len(groups) != 2:
        found = ", ".join(sorted(groups)) or "none"
        raise ValueError("The zip must hold exactly two folders of photos, one per class; "
                         f"found {len(groups)} ({found}).")
    return groups, loose


class _Budget:
    """What the whole zip may still unpack (bytes) and decode (pixels)."""

    def __init__(self) -> None:
        self.bytes, self.pixels = MAX_UNCOMPRESSED_BYTES, MAX_ZIP_PIXELS


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    """Bounded read: never more than one photo's worth, nor past the zip's total budget."""
    with archive.open(info) as handle:
        data = handle.read(MAX_PHOTO_BYTES + 1)
    budget.bytes -= len(data)
    if budget.bytes < 0:
        raise ValueError(f"The zip unpacks to more than {fmt_bytes(MAX_UNCOMPRESSED_BYTES)}; "
                         "refusing a likely zip bomb.")
    return data


def _decode_member(archive: zipfile.ZipFile, name: str, info: zipfile.ZipInfo, num_px: int,
                   budget: _Budget) -> np.ndarray | None:
    """The member's (num_px, num_px, 3) image, or None when it is not a usable image."""
    try:
        photo = load_photo(_read_member(archive, info, budget), num_px, preview_px=None, pixel_budget=budget.pixels)
    except PixelBudgetExceeded:
        raise ValueError(f"The photos in the zip add up to more than {MAX_ZIP_PIXELS / 1e6:,.0f} megapixels to "
                         f"decode (reached at {name!r}); use fewer or smaller photos.") from None
    except ValueError as exc:
        if "zip bomb" in str(exc):
            raise
        return None
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError):
        # Damaged, encrypted or exotically compressed members: skip like any unreadable file.
        return None
    budget.pixels -= photo.decoded_pixels
    return photo.image


def _load_classes(archive: zipfile.ZipFile, groups: dict[str, list[Named]], num_px: int, progress: Progress | None,
                  skipped: list[str]) -> list[list[np.ndarray]]:
    """Every class's images, in class order; ``progress(done, total)`` before each member."""
    budget, total, done = _Budget(), sum(len(files) for files in groups.values()), 0
    per_class = []
    for files in groups.values():
        images = []
        for name, info in files:
            if progress is not None:
                progress(done, total)  # a UI stop/rerun raised here is a BaseException: let it through
            image = _decode_member(archive, name, info, num_px, budget)
            images.append(image) if image is not None else skipped.append(name)
            done += 1
        per_class.append(images)
    if progress is not None:
        progress(done, total)
    return per_class


def _split(rng: np.random.RandomState, n: int, test_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) of one class: at least one of each."""
    order = rng.permutation(n)
    n_test = split_sizes(n, test_fraction)[1]
    return order[n_test:], order[:n_test]


def _assemble(per_class: list[list[np.ndarray]], test_fraction: float, seed: int) -> list[np.ndarray]:
    rng = np.random.RandomState(seed)
    xs: dict[str, list[np.ndarray]] = {"train": [], "test": []}
    ys: dict[str, list[int]] = {"train": [], "test": []}
    for label, images in enumerate(per_class):
        for part, idx in zip(("train", "test"), _split(rng, len(images), test_fraction), strict=True):
            xs[part] += [images[i] for i in idx]
            ys[part] += [label] * len(idx)
    out = []
    for part in ("train", "test"):
        mix = rng.permutation(len(ys[part]))  # interleave the classes
        out += [np.stack(xs[part])[mix], np.array(ys[part], dtype=np.int64)[mix].reshape(1, -1)]
    return out


def _check_args(num_px: int, test_fraction: float) -> None:
    if not isinstance(num_px, (int, np.integer)) or not 8 <= num_px <= 256:
        raise ValueError(f"num_px must be a whole number between 8 and 256; got {num_px!r}.")
    check_test_fraction(test_fraction)


def _notes(classes: list[str], skipped: list[str], loose: list[str]) -> tuple[str, ...]:
    notes = [f"Label 0 = '{classes[0]}', label 1 = '{classes[1]}' (folders in alphabetical order)."]
    if skipped:
        notes.append(f"Skipped {len(skipped)} file(s) that are not usable images: {', '.join(skipped[:10])}"
                     + (" ..." if len(skipped) > 10 else ""))
    if loose:
        notes.append(f"Ignored {len(loose)} file(s) outside the class folders: {', '.join(loose[:10])}")
    return tuple(notes)


def _check_memory(groups: dict[str, list[Named]], num_px: int, test_fraction: float, hidden: Sequence[int],
                  dtype: str) -> None:
    """Refuse from the file count alone, before decoding, if all of them could not fit with the network."""
    counts = [split_sizes(len(files), test_fraction) for files in groups.values()]
    check_upload_memory(sum(c[0] for c in counts), sum(c[1] for c in counts), num_px * num_px * 3,
                        hidden=hidden, dtype=dtype, what="This zip")


def load_photo_zip(source: ZipSource, num_px: int = 64, test_fraction: float = 0.2, seed: int = 0, *,
                   progress: Progress | None = None, hidden: Sequence[int] = DEFAULT_HIDDEN,
                   dtype: str = "float64") -> Dataset:
    """A zip of two class folders -> Dataset (kind "images") with a seeded stratified split.

    train_x_orig (m_train, num_px, num_px, 3) uint8, train_y (1, m_train) int64; test likewise.
    Every class keeps at least one test and one training image. Named after the zip (or its
    wrapping folder), else "Your photos". The dataset plus a run of ``[n_x, *hidden, 1]`` in
    ``dtype`` must fit the memory budget (checked from the file count, before decoding).
    ``progress(done, total)`` is called before each photo and once at the end.
    """
    _check_args(num_px, test_fraction)
    archive, name = _open_zip(source)
    with archive:
        members, wrapper = _strip_wrapper(_members(archive))
        groups, loose = _group(members)
        groups = {c: groups[c] for c in sorted(groups)}
        _check_memory(groups, int(num_px), test_fraction, hidden, dtype)
        skipped: list[str] = []
        per_class = _load_classes(archive, groups, int(num_px), progress, skipped)
    classes = list(groups)
    _check_counts(classes, per_class, skipped, sum(len(g) for g in groups.values()))
    train_x, train_y, test_x, test_y = _assemble(per_class, test_fraction, seed)
    return Dataset(wrapper or name or "Your photos", train_x, train_y, test_x, test_y,
                   np.array(classes), kind="images", notes=_notes(classes, skipped, loose))


def _check_counts(classes: list[str], per_class: list[list[np.ndarray]], skipped: list[str], total: int) -> None:
    if len(skipped) * 2 > total:
        raise ValueError(f"{len(skipped)} of {total} files are not usable images; check that the zip holds photos.")
    for name, images in zip(classes, per_class, strict=True):
        if len(images) < 2:
            raise ValueError(f"Folder '{name}' has {len(images)} usable image(s); each class needs at least 2.")
