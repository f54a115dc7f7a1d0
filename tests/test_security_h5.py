"""Hostile course .h5 uploads (issue 9): refused from links and headers, before any data is read.

Cases that could crash the interpreter if a check regressed (virtual datasets) run in a
subprocess, in test_security_subprocess.py; everything here is refused before h5py reads data.
"""
from __future__ import annotations

import io

import h5py
import numpy as np
import pytest

from dnn.data import MAX_DATASET_VALUES, load_catvnoncat_files
from dnn.memory import upload_memory_bytes

import hostile


def _test_file() -> bytes:
    return hostile.h5_file("test")


def _refused(train: bytes, test: bytes | None = None, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        load_catvnoncat_files(train, _test_file() if test is None else test, **kwargs)
    return str(info.value)


def test_a_clean_small_upload_still_loads():
    x, y, sx, sy, classes = load_catvnoncat_files(hostile.h5_file("train"), _test_file())
    assert x.shape == (4, 8, 8, 3) and y.shape == (1, 4) and sx.shape == (4, 8, 8, 3)
    assert list(classes) == [b"non-cat", b"cat"]


def test_external_raw_storage_is_refused_naming_the_key(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"TOP-SECRET-MARKER " * 100)
    for target in ("/etc/passwd", str(secret), "secret.txt"):
        message = _refused(hostile.h5_external_storage("train", target))
        assert "'train_set_x'" in message and "external files" in message
        assert "MARKER" not in message and "root:" not in message


def test_external_storage_on_list_classes_alone_is_refused():
    def build(f):
        del f["list_classes"]
        f.create_dataset("list_classes", shape=(2,), dtype="S64", external=[("/etc/passwd", 0, h5py.h5f.UNLIMITED)])
    message = _refused(hostile.h5_file("train", build))
    assert "'list_classes'" in message and "external" in message


def test_external_link_is_refused_naming_the_key():
    message = _refused(hostile.h5_external_link("train", "/etc/passwd"))
    assert "'train_set_x' is an external link" in message


def test_soft_link_loop_and_plain_soft_link_are_refused():
    assert "'train_set_x' is a soft link" in _refused(hostile.h5_soft_link_loop("train"))

    def alias(f):
        f["real_y"] = np.arange(4) % 2
        del f["train_set_y"]
        f["train_set_y"] = h5py.SoftLink("/real_y")
    assert "'train_set_y' is a soft link" in _refused(hostile.h5_file("train", alias))


def test_a_group_or_a_datatype_instead_of_a_dataset_is_refused():
    def group(f):
        del f["train_set_y"]
        f.create_group("train_set_y")
    assert "'train_set_y' is not a dataset" in _refused(hostile.h5_file("train", group))

    def datatype(f):
        del f["list_classes"]
        f["list_classes"] = np.dtype("S7")
    assert "'list_classes' is not a dataset" in _refused(hostile.h5_file("train", datatype))


@pytest.mark.parametrize("n", [250_000_000, 10_000_000_000])  # 1.9 GiB and 80 GB of int64 labels
def test_declared_huge_labels_are_refused_from_the_header(n):
    data = hostile.h5_huge_labels("train", n=n)
    assert len(data) < 100_000
    message = _refused(data)
    assert "4 images but" in message and f"{n} labels" in message


def test_declared_huge_class_list_is_refused():
    message = _refused(hostile.h5_huge_classes("train"))
    assert "exactly two classes" in message and "100000000" in message


def test_long_or_non_text_class_names_are_refused():
    def long_names(f):
        del f["list_classes"]
        f.create_dataset("list_classes", data=np.array([b"a" * 5000, b"b"]))
    assert "at most 256 bytes" in _refused(hostile.h5_file("train", long_names))

    def references(f):
        del f["list_classes"]
        f.create_dataset("list_classes", data=[f["train_set_y"].ref, f["train_set_y"].ref], dtype=h5py.ref_dtype)
    assert "list_classes must hold text" in _refused(hostile.h5_file("train", references))


def test_float64_images_under_the_value_cap_are_refused_before_reading():
    data = hostile.h5_float_x("train", m=16_000)
    assert 16_000 * 64 * 64 * 3 < MAX_DATASET_VALUES
    message = _refused(data)
    assert "uint8" in message and "float64" in message


def test_non_integer_and_compound_labels_are_refused():
    def compound(f):
        del f["train_set_y"]
        f.create_dataset("train_set_y", data=np.zeros(4, dtype=[("a", "i4"), ("b", "f8")]))
    assert "integer labels" in _refused(hostile.h5_file("train", compound))


def test_chunks_larger_than_the_data_are_refused():
    message = _refused(hostile.h5_big_chunks("train"))
    assert "'train_set_y'" in message and "chunks" in message


def test_unknown_compression_filter_is_refused():
    def build(f):
        del f["train_set_y"]
        # 32001 is Blosc: HDF5 would look for a plugin library to decode it.
        f.create_dataset("train_set_y", data=np.arange(4) % 2, chunks=(4,), compression=32001,
                         allow_unknown_filter=True)
    message = _refused(hostile.h5_file("train", build))
    assert "'train_set_y'" in message and "filter" in message


def test_damaged_file_is_a_value_error_naming_the_file():
    good = bytearray(hostile.h5_file("train"))
    good[len(good) // 2:] = bytes(len(good) - len(good) // 2)  # zero the second half: data and heaps
    message = _refused(bytes(good))
    assert "The train file" in message


def test_file_names_appear_in_messages():
    upload = io.BytesIO(hostile.h5_external_link("train"))
    upload.name = "train_catvnoncat.h5"
    assert "The train file (train_catvnoncat.h5)" in _refused(upload)


def test_memory_guard_counts_the_largest_legal_upload_from_its_header(monkeypatch):
    """13,000 + 3,000 blank 64x64 images: under the value cap; checked from the header against the budget."""
    train, test = hostile.h5_blank_images("train", 13_000), hostile.h5_blank_images("test", 3_000)
    assert len(train) + len(test) < 25 * 2**20
    need = upload_memory_bytes(13_000, 3_000, 12288)
    originals = 16_000 * 12288  # a set this large keeps only its uint8 pixels (dnn.pixels)
    assert originals < need < originals + 128 * 2**20  # plus the trainer's converted blocks and work arrays
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "256")
    message = _refused(train, test)
    assert "13,000 training and 3,000 test images" in message and "MiB" in message and "256 MiB" in message
    monkeypatch.delenv("DNN_MEMORY_BUDGET_MB")  # the default 2,048 MiB holds it
    x, *_ = load_catvnoncat_files(train, test)
    assert x.shape == (13_000, 64, 64, 3)


def test_memory_guard_counts_the_chosen_network(monkeypatch):
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "64")
    train, test = hostile.h5_blank_images("train", 400), hostile.h5_blank_images("test", 100)
    message = _refused(train, test, hidden=(2000, 500), dtype="float64")
    assert "[12288, 2000, 500, 1]" in message
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "2048")
    x, *_ = load_catvnoncat_files(train, test, hidden=(4,), dtype="float32")
    assert x.shape == (400, 64, 64, 3) and not x.any()
