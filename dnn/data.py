"""Loading the course's cat vs non-cat data and the shared ``Dataset`` container.

Shapes follow the course: images are ``(m, num_px, num_px, 3)`` uint8, labels are
``(1, m)`` int64, and the network input is ``(num_px * num_px * 3, m)`` float64 in [0, 1].
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Union

import h5py
import numpy as np

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
DATA_DIR_ENV = "DNN_DATA_DIR"
# Refuse uploads whose image arrays would hold more values than this (about 200 MB as
# uint8, 1.6 GB once flattened to float64): far beyond any sensible course-style dataset.
MAX_DATASET_VALUES = 200_000_000

Source = Union[str, os.PathLike, bytes, bytearray, BinaryIO]
DataTuple = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def flatten_images(images: np.ndarray, dtype=np.float64) -> np.ndarray:
    """(m, px, px, 3) uint8 images -> (px * px * 3, m) array scaled to [0, 1].

    Identical to the course's ``images.reshape(m, -1).T / 255.``.
    """
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(
            f"flatten_images expects a stack of images shaped (m, px, px, 3); got shape {images.shape}."
        )
    flat = images.reshape(images.shape[0], -1).T / 255.0
    return flat.astype(dtype, copy=False)


@dataclass(frozen=True)
class Dataset:
    """A train/test split ready for the network.

    ``kind == "images"``: ``train_x_orig`` is (m_train, px, px, 3) uint8.
    ``kind == "toy"``: ``train_x_orig`` is already (2, m_train) float64.
    Labels are (1, m) int64 of 0/1; ``classes[k]`` names label k.
    ``notes`` carries human-readable remarks (e.g. files skipped while loading).
    """

    name: str
    train_x_orig: np.ndarray
    train_y: np.ndarray
    test_x_orig: np.ndarray
    test_y: np.ndarray
    classes: np.ndarray
    kind: str = "images"
    notes: tuple[str, ...] = ()

    def _features(self, x: np.ndarray) -> np.ndarray:
        # Toy data is stored in network layout already; images need flattening.
        features = x if self.kind == "toy" else flatten_images(x)
        features.flags.writeable = False  # computed once and shared by every run on this dataset
        return features

    @cached_property
    def X_train(self) -> np.ndarray:
        """(n_x, m_train) float64, read-only."""
        return self._features(self.train_x_orig)

    @cached_property
    def X_test(self) -> np.ndarray:
        """(n_x, m_test) float64, read-only."""
        return self._features(self.test_x_orig)

    @property
    def m_train(self) -> int:
        return int(self.train_y.shape[1])

    @property
    def m_test(self) -> int:
        return int(self.test_y.shape[1])

    @property
    def num_px(self) -> int | None:
        """Image side in pixels, or None for toy (2-D point) data."""
        return None if self.kind == "toy" else int(self.train_x_orig.shape[1])

    @property
    def n_x(self) -> int:
        """Number of input features (rows of X_train)."""
        if self.kind == "toy":
            return int(self.train_x_orig.shape[0])
        return int(np.prod(self.train_x_orig.shape[1:]))

    @property
    def class_names(self) -> tuple[str, ...]:
        """Classes as plain strings (bytes decoded as UTF-8)."""
        return tuple(c.decode("utf-8", "replace") if isinstance(c, bytes) else str(c) for c in self.classes)


def _candidate_dirs(directory: str | os.PathLike | None) -> list[Path]:
    candidates = []
    if directory is not None:
        candidates.append(Path(directory))
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        candidates.append(Path(env))
    candidates.append(Path.cwd() / "data")
    candidates.append(Path(__file__).resolve().parents[1] / "data")
    return candidates


def find_data_dir(directory: str | os.PathLike | None = None) -> Path | None:
    """First of: ``directory``, $DNN_DATA_DIR, ./data, <repo>/data holding both .h5 files."""
    for candidate in _candidate_dirs(directory):
        if (candidate / TRAIN_FILE).is_file() and (candidate / TEST_FILE).is_file():
            return candidate
    return None


def load_catvnoncat(directory: str | os.PathLike | None = None) -> DataTuple:
    """Like the course's ``load_data()``.

    Returns train_x_orig (209, 64, 64, 3) uint8, train_y (1, 209) int64,
    test_x_orig (50, 64, 64, 3) uint8, test_y (1, 50) int64, classes [b'non-cat', b'cat'].
    """
    found = find_data_dir(directory)
    if found is None:
        looked = ", ".join(str(p) for p in _candidate_dirs(directory))
        raise ValueError(
            f"Could not find {TRAIN_FILE} and {TEST_FILE}. Looked in: {looked}. "
            f"Put both files in a data/ folder or set the {DATA_DIR_ENV} environment variable "
            "to the folder that holds them."
        )
    return load_catvnoncat_files(found / TRAIN_FILE, found / TEST_FILE)


def catvnoncat_dataset(directory: str | os.PathLike | None = None) -> Dataset:
    """The course dataset wrapped in a ``Dataset`` named "Course cat vs non-cat"."""
    train_x, train_y, test_x, test_y, classes = load_catvnoncat(directory)
    return Dataset("Course cat vs non-cat", train_x, train_y, test_x, test_y, classes)


def _as_h5_input(source: Source, role: str):
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ValueError(f"The {role} file is empty (0 bytes). Upload the course's {role}_catvnoncat.h5.")
        return io.BytesIO(bytes(source))
    if isinstance(source, (str, os.PathLike)):
        if not Path(source).is_file():
            raise ValueError(f"The {role} file {source} does not exist. Check the path.")
        return str(source)
    if hasattr(source, "read"):
        return source
    raise ValueError(f"The {role} data must be a path, bytes or a binary file object, not {type(source).__name__}.")


def _read_key(f: h5py.File, key: str, role: str) -> np.ndarray:
    if key not in f or not isinstance(f[key], h5py.Dataset):
        raise ValueError(
            f"The {role} file has no '{key}' dataset (it has: {sorted(f.keys())}). "
            f"Is this really the course's {role}_catvnoncat.h5?"
        )
    if key.endswith("_x"):
        _check_x_header(f[key], role)
    return f[key][()]


def _check_x_header(ds: h5py.Dataset, role: str) -> None:
    # Checked on the header before reading, so a huge upload is refused without loading it.
    if int(np.prod(ds.shape, dtype=np.int64)) > MAX_DATASET_VALUES:
        raise ValueError(
            f"The {role} images have shape {ds.shape}, more than {MAX_DATASET_VALUES:,} values. "
            "That is far too large for this app; use a smaller dataset."
        )


def _read_h5(source: Source, role: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    handle = _as_h5_input(source, role)
    try:
        with h5py.File(handle, "r") as f:
            x = _read_key(f, f"{role}_set_x", role)
            y = _read_key(f, f"{role}_set_y", role)
            classes = _read_key(f, "list_classes", role)
    except OSError as exc:
        raise ValueError(
            f"The {role} file is not a readable HDF5 file ({exc}). Upload the course's {role}_catvnoncat.h5."
        ) from exc
    return x, y, classes


def _validate_xy(x: np.ndarray, y: np.ndarray, role: str) -> None:
    if x.dtype != np.uint8 or x.ndim != 4 or x.shape[3] != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(
            f"{role}_set_x must be uint8 images shaped (m, px, px, 3) (square RGB); "
            f"got dtype {x.dtype} and shape {x.shape}."
        )
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{role}_set_x holds no images (shape {x.shape}).")
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{role}_set_y must be a 1-D array of integer labels; got dtype {y.dtype} and shape {y.shape}.")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"{role} has {x.shape[0]} images but {y.shape[0]} labels; they must match one to one.")
    bad = np.setdiff1d(np.unique(y), [0, 1])
    if bad.size:
        raise ValueError(f"{role}_set_y must contain only 0 (non-cat) and 1 (cat); found also {bad[:5].tolist()}.")


def load_catvnoncat_files(train_source: Source, test_source: Source) -> DataTuple:
    """Same as :func:`load_catvnoncat` but from paths, bytes or binary file objects (uploads)."""
    train_x, train_y, classes = _read_h5(train_source, "train")
    test_x, test_y, _ = _read_h5(test_source, "test")
    _validate_xy(train_x, train_y, "train")
    _validate_xy(test_x, test_y, "test")
    if train_x.shape[1:] != test_x.shape[1:]:
        raise ValueError(
            f"Train images are {train_x.shape[1:]} but test images are {test_x.shape[1:]}; "
            "both sets must use the same image size."
        )
    if classes.ndim != 1 or classes.shape[0] != 2:
        raise ValueError(f"list_classes must name exactly two classes; got shape {classes.shape}.")
    if train_x.size + test_x.size > MAX_DATASET_VALUES:
        raise ValueError(f"The dataset holds more than {MAX_DATASET_VALUES:,} pixel values; use a smaller one.")
    return (
        train_x,
        train_y.astype(np.int64).reshape(1, -1),
        test_x,
        test_y.astype(np.int64).reshape(1, -1),
        np.asarray(classes),
    )
