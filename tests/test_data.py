"""Tests for dnn.data: finding, loading and validating the cat vs non-cat files."""

from __future__ import annotations

import hashlib
import io

import h5py
import numpy as np
import pytest

from dnn.data import (
    MAX_DATASET_VALUES,
    Dataset,
    catvnoncat_dataset,
    find_data_dir,
    flatten_images,
    load_catvnoncat,
    load_catvnoncat_files,
)

from conftest_shared import DATA_DIR as SHARED_DATA
from conftest_shared import needs_data

TRAIN_SHA = "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242"


def _h5_bytes(role: str, x, y, classes=(b"non-cat", b"cat"), skip: str | None = None) -> bytes:
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        items = {f"{role}_set_x": x, f"{role}_set_y": y, "list_classes": np.array(classes)}
        for key, value in items.items():
            if key != skip:
                f.create_dataset(key, data=value)
    return buf.getvalue()


def _pair(m_train=6, m_test=4, px=8, seed=0):
    rng = np.random.RandomState(seed)
    tx = rng.randint(0, 256, (m_train, px, px, 3)).astype(np.uint8)
    ty = np.arange(m_train) % 2
    sx = rng.randint(0, 256, (m_test, px, px, 3)).astype(np.uint8)
    sy = np.arange(m_test) % 2
    return tx, ty, sx, sy


def test_flatten_images_matches_course_formula():
    images = np.random.RandomState(1).randint(0, 256, (5, 4, 4, 3)).astype(np.uint8)
    flat = flatten_images(images)
    assert flat.shape == (48, 5) and flat.dtype == np.float64
    np.testing.assert_array_equal(flat, images.reshape(5, -1).T / 255.0)
    # Column j is image j, row-major over (row, col, channel).
    np.testing.assert_allclose(flat[:3, 2], images[2, 0, 0] / 255.0)


def test_flatten_images_float32_and_bad_input():
    images = np.full((2, 2, 2, 3), 255, dtype=np.uint8)
    assert flatten_images(images, dtype=np.float32).dtype == np.float32
    np.testing.assert_allclose(flatten_images(images), 1.0)
    with pytest.raises(ValueError, match="shaped"):
        flatten_images(np.zeros(3))


def test_load_files_from_bytes_and_file_objects():
    tx, ty, sx, sy = _pair()
    train = _h5_bytes("train", tx, ty)
    test = _h5_bytes("test", sx, sy)
    a = load_catvnoncat_files(train, io.BytesIO(test))
    np.testing.assert_array_equal(a[0], tx)
    np.testing.assert_array_equal(a[1], ty.reshape(1, -1))
    assert a[1].dtype == np.int64 and a[3].shape == (1, 4)
    assert list(a[4]) == [b"non-cat", b"cat"]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda tx, ty: (tx.astype(np.float32), ty), "uint8"),
        (lambda tx, ty: (tx[:, :, :5], ty), "square"),
        (lambda tx, ty: (tx[..., :1], ty), r"\(m, px, px, 3\)"),
        (lambda tx, ty: (tx, ty[:-1]), "6 images but 5 labels"),
        (lambda tx, ty: (tx, ty + 1), "only 0"),
        (lambda tx, ty: (tx, ty.astype(np.float64)), "integer"),
        (lambda tx, ty: (tx, ty.reshape(1, -1)), "1-D"),
    ],
)
def test_load_files_rejects_bad_arrays(mutate, message):
    tx, ty, sx, sy = _pair()
    bad_x, bad_y = mutate(tx, ty)
    with pytest.raises(ValueError, match=message):
        load_catvnoncat_files(_h5_bytes("train", bad_x, bad_y), _h5_bytes("test", sx, sy))


def test_load_files_rejects_missing_key_not_hdf5_and_size_mismatch(tmp_path):
    tx, ty, sx, sy = _pair()
    good_test = _h5_bytes("test", sx, sy)
    with pytest.raises(ValueError, match="no 'train_set_y'"):
        load_catvnoncat_files(_h5_bytes("train", tx, ty, skip="train_set_y"), good_test)
    with pytest.raises(ValueError, match="not a readable HDF5"):
        load_catvnoncat_files(b"hello, I am text", good_test)
    with pytest.raises(ValueError, match="empty"):
        load_catvnoncat_files(b"", good_test)
    with pytest.raises(ValueError, match="does not exist"):
        load_catvnoncat_files(tmp_path / "nope.h5", good_test)
    _, _, sx16, sy16 = _pair(px=16)
    with pytest.raises(ValueError, match="same image size"):
        load_catvnoncat_files(_h5_bytes("train", tx, ty), _h5_bytes("test", sx16, sy16))


def test_load_files_refuses_absurd_sizes_from_header():
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        side = int(np.sqrt(MAX_DATASET_VALUES / 3)) + 10
        # A chunked, never-written dataset: tiny on disk, enormous once read.
        f.create_dataset("train_set_x", shape=(1, side, side, 3), dtype=np.uint8, chunks=(1, 64, 64, 3))
        f.create_dataset("train_set_y", data=np.array([1]))
        f.create_dataset("list_classes", data=np.array([b"non-cat", b"cat"]))
    tx, ty, sx, sy = _pair()
    with pytest.raises(ValueError, match="far too large"):
        load_catvnoncat_files(buf.getvalue(), _h5_bytes("test", sx, sy))


def test_find_data_dir_order(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    for d in (first, second):
        d.mkdir()
        (d / "train_catvnoncat.h5").write_bytes(b"x")
        (d / "test_catvnoncat.h5").write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DNN_DATA_DIR", str(second))
    assert find_data_dir(first) == first
    assert find_data_dir() == second
    half = tmp_path / "half"
    half.mkdir()
    (half / "train_catvnoncat.h5").write_bytes(b"x")
    monkeypatch.setenv("DNN_DATA_DIR", str(half))
    # The half-filled directory is skipped; ./data does not exist in tmp_path.
    found = find_data_dir(tmp_path / "missing")
    assert found is None or found.name == "data"


def test_load_catvnoncat_error_says_where_and_how(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DNN_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setattr("dnn.data.find_data_dir", lambda directory=None: None)
    with pytest.raises(ValueError, match="DNN_DATA_DIR") as info:
        load_catvnoncat(tmp_path / "given")
    assert str(tmp_path / "given") in str(info.value) and "data/" in str(info.value)


@needs_data
def test_load_catvnoncat_matches_course():
    assert hashlib.sha256((SHARED_DATA / "train_catvnoncat.h5").read_bytes()).hexdigest() == TRAIN_SHA
    train_x, train_y, test_x, test_y, classes = load_catvnoncat(SHARED_DATA)
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3)
    assert train_y.shape == (1, 209) and train_y.dtype == np.int64 and test_y.shape == (1, 50)
    assert list(classes) == [b"non-cat", b"cat"]
    assert int(train_y.sum()) == 72 and int(test_y.sum()) == 33


@needs_data
def test_catvnoncat_dataset_properties():
    d = catvnoncat_dataset(SHARED_DATA)
    assert d.name == "Course cat vs non-cat" and d.kind == "images" and d.notes == ()
    assert (d.m_train, d.m_test, d.num_px, d.n_x) == (209, 50, 64, 12288)
    assert d.X_train.shape == (12288, 209) and d.X_test.shape == (12288, 50)
    np.testing.assert_array_equal(d.X_train, d.train_x_orig.reshape(209, -1).T / 255.0)
    assert d.class_names == ("non-cat", "cat")


def test_dataset_toy_kind_passes_features_through():
    X = np.arange(10, dtype=np.float64).reshape(2, 5)
    d = Dataset("t", X, np.zeros((1, 5), np.int64), X[:, :2], np.ones((1, 2), np.int64), np.array(["a", "b"]),
                kind="toy")
    assert d.X_train is X and d.n_x == 2 and d.num_px is None and d.m_test == 2
    with pytest.raises(AttributeError):
        d.name = "other"  # frozen
