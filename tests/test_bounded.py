"""The one bounded reader of uploads (dnn/bounded.py) and the one byte formatter (dnn/units.py), behind
photos, photo zips and model files alike."""
from __future__ import annotations

import io

import pytest

from dnn import modelio, photo, zipdata
from dnn.bounded import read_bounded
from dnn.units import MiB, fmt_bytes

READERS = [(photo.prepare_photo, photo.MAX_PHOTO_BYTES, "photo"),
           (zipdata.load_photo_zip, zipdata.MAX_ZIP_BYTES, "zip file"),
           (modelio.load_model, modelio.MAX_MODEL_BYTES, "model file")]


class Endless(io.RawIOBase):
    """A stream that never ends and counts what was asked of it: a hostile upload's file object."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        assert n is not None and n >= 0, "an unbounded read of an upload"
        self.given += n
        return b"\0" * n


@pytest.mark.parametrize("load, limit, what", READERS, ids=[r[2] for r in READERS])
def test_every_upload_reader_stops_at_its_bound(load, limit, what):
    stream = Endless()
    with pytest.raises(ValueError, match=f"^The {what} is over {fmt_bytes(limit)}, the most this app reads"):
        load(stream)
    assert stream.given == limit + 1


@pytest.mark.parametrize("load, limit, what", READERS, ids=[r[2] for r in READERS])
def test_a_big_path_is_refused_from_its_size_and_a_missing_one_named(load, limit, what, tmp_path):
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(limit + 1)  # sparse: the size is declared, nothing is written
    with pytest.raises(ValueError, match=f"is over {fmt_bytes(limit)}"):
        load(big)
    with pytest.raises(ValueError, match=f"There is no {what} at"):
        load(tmp_path / "missing")


@pytest.mark.parametrize("source", [b"", bytearray(), memoryview(b""), io.BytesIO(b"")])
def test_an_empty_upload_says_so_and_what_to_send(source):
    with pytest.raises(ValueError, match=r"^The photo is empty \(0 bytes\)\. Choose"):
        read_bounded(source, 10, "photo", "Choose a photo.")


def test_the_bytes_come_back_whole_from_every_kind_of_source(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    for source in (b"abc", bytearray(b"abc"), memoryview(b"abc"), io.BytesIO(b"abc"), path, str(path)):
        assert read_bounded(source, 3, "photo", "") == b"abc"
    with pytest.raises(ValueError, match="must be bytes, a path or a binary file object, not int"):
        read_bounded(3, 3, "photo", "")  # type: ignore[arg-type]


@pytest.mark.parametrize("n, text", [(0, "0 bytes"), (1023, "1,023 bytes"), (1024, "1 KiB"), (1536, "1.5 KiB"),
                                     (20 * MiB, "20 MiB"), (int(233.7 * MiB), "233.7 MiB"), (3 * 2**30, "3 GiB")])
def test_one_byte_formatter(n, text):
    assert fmt_bytes(n) == text
