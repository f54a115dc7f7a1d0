"""Loading the course's cat vs non-cat data and the shared ``Dataset`` container.

Shapes follow the course: images are ``(m, num_px, num_px, 3)`` uint8, labels are
``(1, m)`` int64, and the network input is ``(num_px * num_px * 3, m)`` float64 in [0, 1].
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, TypeVar

import h5py
import numpy as np
from h5py import h5d, h5z
from numpy.typing import DTypeLike

from .memory import DEFAULT_HIDDEN, check_upload_memory
from .pixels import Pixels, float_copy_is_small

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
DATA_DIR_ENV = "DNN_DATA_DIR"
# Refuse uploads whose image arrays would hold more values than this (about 200 MB as
# uint8, 1.6 GB once flattened to float64): far beyond any sensible course-style dataset.
MAX_DATASET_VALUES = 200_000_000
MAX_CLASS_NAME_BYTES = 256
MAX_CHUNK_VALUES = 2**22  # a chunk may exceed its (small) dataset's shape up to 4 Mi values
_LAYOUTS = (h5d.CONTIGUOUS, h5d.CHUNKED, h5d.COMPACT)  # data inside this file, never VIRTUAL
_FILTERS = (h5z.FILTER_DEFLATE, h5z.FILTER_SHUFFLE, h5z.FILTER_FLETCHER32, h5z.FILTER_LZF,
            h5z.FILTER_SZIP, h5z.FILTER_NBIT, h5z.FILTER_SCALEOFFSET)  # built in: no plugin is loaded

T = TypeVar("T")
Source = str | os.PathLike[str] | bytes | bytearray | BinaryIO
DataTuple = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def flatten_images(images: np.ndarray, dtype: DTypeLike = np.float64) -> np.ndarray:
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

    ``kind == "images"``: ``train_x_orig`` is (m_train, px, px, 3) uint8, and X_train its features:
    the float64 array ``flatten_images`` gives, or, for a set whose float64 features would exceed
    ``dnn.pixels.FLOAT_COPY_MAX_BYTES``, a ``Pixels`` view of the same values over the uint8 images
    (kept once, converted a block at a time by the Trainer).
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

    @property
    def keeps_pixels(self) -> bool:
        """Whether X_train and X_test are ``Pixels`` (a large image set) rather than float64 arrays."""
        return self.kind != "toy" and not float_copy_is_small(self.train_x_orig.size + self.test_x_orig.size)

    def _features(self, x: np.ndarray) -> np.ndarray | Pixels:
        # Toy data is stored in network layout already; images need flattening.
        if self.keeps_pixels:
            return Pixels(x)
        features = x if self.kind == "toy" else flatten_images(x)
        features.flags.writeable = False  # computed once and shared by every run on this dataset
        return features

    @cached_property
    def X_train(self) -> np.ndarray | Pixels:
        """(n_x, m_train) float64, read-only (``Pixels`` for a large image set)."""
        return self._features(self.train_x_orig)

    @cached_property
    def X_test(self) -> np.ndarray | Pixels:
        """(n_x, m_test) float64, read-only (``Pixels`` for a large image set)."""
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


def _candidate_dirs(directory: str | os.PathLike[str] | None) -> list[Path]:
    candidates = []
    if directory is not None:
        candidates.append(Path(directory))
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        candidates.append(Path(env))
    candidates.append(Path.cwd() / "data")
    candidates.append(Path(__file__).resolve().parents[1] / "data")
    return candidates


def find_data_dir(directory: str | os.PathLike[str] | None = None) -> Path | None:
    """First of: ``directory``, $DNN_DATA_DIR, ./data, <repo>/data holding both .h5 files."""
    for candidate in _candidate_dirs(directory):
        if (candidate / TRAIN_FILE).is_file() and (candidate / TEST_FILE).is_file():
            return candidate
    return None


def load_catvnoncat(directory: str | os.PathLike[str] | None = None) -> DataTuple:
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


def catvnoncat_dataset(directory: str | os.PathLike[str] | None = None) -> Dataset:
    """The course dataset wrapped in a ``Dataset`` named "Course cat vs non-cat"."""
    train_x, train_y, test_x, test_y, classes = load_catvnoncat(directory)
    return Dataset("Course cat vs non-cat", train_x, train_y, test_x, test_y, classes)


def _label(source: Source, role: str) -> str:
    """How messages name the file: its name when known, else its role."""
    name = Path(source).name if isinstance(source, (str, os.PathLike)) else getattr(source, "name", None)
    return f"The {role} file" + (f" ({Path(str(name)).name})" if name else "")


def _as_h5_input(source: Source, role: str, label: str) -> str | BinaryIO:
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ValueError(f"{label} is empty (0 bytes). Upload the course's {role}_catvnoncat.h5.")
        return io.BytesIO(bytes(source))
    if isinstance(source, (str, os.PathLike)):
        if not Path(source).is_file():
            raise ValueError(f"The {role} file {source} does not exist. Check the path.")
        return str(source)
    if hasattr(source, "read") and hasattr(source, "seek"):
        source.seek(0)  # the file is opened twice: once for its header, once for its data
        return source
    raise ValueError(f"The {role} data must be a path, bytes or a binary file object, not {type(source).__name__}.")


class _Refusal(ValueError):
    """A readable refusal of ours, passed through the catch-all around h5py."""


def _plain_dataset(f: h5py.File, key: str, label: str) -> h5py.Dataset:
    """``f[key]`` once it is known to be a dataset stored inside this file, reached by a hard link.

    Soft and external links, external raw storage and virtual datasets would make HDF5 follow
    paths chosen by the uploader: to other files on the server, or back into this one forever.
    """
    link = f.get(key, getlink=True)
    if link is None:
        raise _Refusal(f"{label} has no '{key}' dataset (it has: {sorted(f.keys())}). "
                       "Is this really the course's file?")
    if not isinstance(link, h5py.HardLink):
        kind = {h5py.SoftLink: "a soft link", h5py.ExternalLink: "an external link"}.get(type(link), "a link")
        raise _Refusal(f"{label}: '{key}' is {kind}, not a plain dataset; links are refused for safety.")
    ds = f[key]
    if not isinstance(ds, h5py.Dataset):
        raise _Refusal(f"{label}: '{key}' is not a dataset (it is a {type(ds).__name__.lower()}).")
    if ds.is_virtual:
        raise _Refusal(f"{label}: '{key}' is a virtual dataset (its data lives elsewhere); refused for safety.")
    if ds.external:
        raise _Refusal(f"{label}: '{key}' keeps its data in external files; refused for safety.")
    _check_storage(ds, key, label)
    return ds


def _check_storage(ds: h5py.Dataset, key: str, label: str) -> None:
    plist = ds.id.get_create_plist()
    if plist.get_layout() not in _LAYOUTS:
        raise _Refusal(f"{label}: '{key}' uses an unsupported storage layout; refused for safety.")
    for index in range(plist.get_nfilters()):
        if plist.get_filter(index)[0] not in _FILTERS:
            # Unknown filters would make HDF5 look for a plugin library to decode them.
            raise _Refusal(f"{label}: '{key}' is compressed with an unsupported filter; save it with gzip or none.")
    if ds.chunks is not None and _count(ds.chunks) > max(_count(ds.shape), MAX_CHUNK_VALUES):
        # With unlimited dimensions a chunk may be far larger than the data it holds.
        raise _Refusal(f"{label}: '{key}' declares chunks {ds.chunks} larger than its shape {ds.shape}.")


def _count(shape: tuple[int, ...]) -> int:
    return math.prod(int(n) for n in shape)


def _x_header(ds: h5py.Dataset, role: str, label: str) -> tuple[int, ...]:
    """The images' shape (m, px, px, 3), checked on the header before reading."""
    shape = tuple(int(n) for n in ds.shape)
    if ds.dtype != np.uint8 or len(shape) != 4 or shape[3] != 3 or shape[1] != shape[2]:
        raise _Refusal(f"{label}: {role}_set_x must be uint8 images shaped (m, px, px, 3) (square RGB); "
                       f"got dtype {ds.dtype} and shape {shape}.")
    if shape[0] == 0 or shape[1] == 0:
        raise _Refusal(f"{label}: {role}_set_x holds no images (shape {shape}).")
    if _count(shape) > MAX_DATASET_VALUES:
        raise _Refusal(f"{label}: the {role} images have shape {shape}, more than {MAX_DATASET_VALUES:,} values. "
                       "That is far too large for this app; use a smaller dataset.")
    return shape


def _y_header(ds: h5py.Dataset, m: int, role: str, label: str) -> None:
    """Labels: (m,) integers of at most 8 bytes, so at most 8 m bytes."""
    dtype = ds.dtype
    if len(ds.shape) != 1 or dtype.kind not in "iu" or dtype.itemsize > 8:
        raise _Refusal(f"{label}: {role}_set_y must be a 1-D array of integer labels; "
                       f"got dtype {dtype} and shape {ds.shape}.")
    if ds.shape[0] != m:
        raise _Refusal(f"{label}: {role} has {m} images but {ds.shape[0]} labels; they must match one to one.")


def _classes_header(ds: h5py.Dataset, label: str) -> None:
    """list_classes: two byte strings (fixed-length, or variable-length text), each short."""
    fixed = ds.dtype.kind == "S" and ds.dtype.itemsize <= MAX_CLASS_NAME_BYTES
    text = h5py.check_string_dtype(ds.dtype)
    if not (fixed or (ds.dtype.kind == "O" and text is not None and text.length is None)):
        raise _Refusal(f"{label}: list_classes must hold text of at most {MAX_CLASS_NAME_BYTES} bytes; "
                       f"got dtype {ds.dtype}.")
    if ds.shape != (2,):
        raise _Refusal(f"{label}: list_classes must name exactly two classes; got shape {ds.shape}.")


def _checked(f: h5py.File, role: str, label: str) -> tuple[h5py.Dataset, h5py.Dataset, h5py.Dataset]:
    """The three datasets, every link, storage, dtype and shape checked; nothing read yet."""
    x, y, classes = (_plain_dataset(f, key, label) for key in (f"{role}_set_x", f"{role}_set_y", "list_classes"))
    m = _x_header(x, role, label)[0]
    _y_header(y, m, role, label)
    _classes_header(classes, label)
    return x, y, classes


def _header(f: h5py.File, role: str, label: str) -> tuple[int, ...]:
    return tuple(_checked(f, role, label)[0].shape)


def _arrays(f: h5py.File, role: str, label: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, y, classes = _checked(f, role, label)
    values = x[()], y[()], classes[()]
    if values[2].dtype.kind == "O":
        values = values[0], values[1], np.array([_as_bytes(c)[:MAX_CLASS_NAME_BYTES] for c in values[2]])
    return values


def _as_bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _with_h5(source: Source, role: str, action: Callable[[h5py.File, str, str], T]) -> T:
    """``action(f, role, label)`` on the opened file; every h5py failure becomes a ValueError naming the file."""
    label = _label(source, role)
    handle = _as_h5_input(source, role, label)
    try:
        f = h5py.File(handle, "r")
    except Exception as exc:  # h5py raises OSError, but also others on hostile superblocks
        raise ValueError(f"{label} is not a readable HDF5 file. "
                         f"Upload the course's {role}_catvnoncat.h5.") from exc
    try:
        with f:
            return action(f, role, label)
    except _Refusal:
        raise
    except Exception as exc:  # KeyError, RuntimeError, OSError, MemoryError... from a crafted file
        raise ValueError(f"{label} is damaged or malformed and cannot be read. "
                         f"Upload the course's {role}_catvnoncat.h5.") from exc


def _validate_labels(y: np.ndarray, role: str) -> None:
    bad = np.setdiff1d(np.unique(y), [0, 1])
    if bad.size:
        raise ValueError(f"{role}_set_y must contain only 0 (non-cat) and 1 (cat); found also {bad[:5].tolist()}.")


def load_catvnoncat_files(train_source: Source, test_source: Source, *, hidden: Sequence[int] = DEFAULT_HIDDEN,
                          dtype: str = "float64") -> DataTuple:
    """Same as :func:`load_catvnoncat` but from paths, bytes or binary file objects (uploads).

    Both files' headers are checked first (links, storage, dtypes, shapes), and the dataset plus a
    run of ``[n_x, *hidden, 1]`` in ``dtype`` must fit the memory budget, before any pixel is read.
    """
    train_shape = _with_h5(train_source, "train", _header)
    test_shape = _with_h5(test_source, "test", _header)
    if train_shape[1:] != test_shape[1:]:
        raise ValueError(f"Train images are {train_shape[1:]} but test images are {test_shape[1:]}; "
                         "both sets must use the same image size.")
    if _count(train_shape) + _count(test_shape) > MAX_DATASET_VALUES:
        raise ValueError(f"The dataset holds more than {MAX_DATASET_VALUES:,} pixel values; use a smaller one.")
    check_upload_memory(train_shape[0], test_shape[0], _count(train_shape[1:]), hidden=hidden, dtype=dtype,
                        what="This dataset")
    train_x, train_y, classes = _with_h5(train_source, "train", _arrays)
    test_x, test_y, _ = _with_h5(test_source, "test", _arrays)
    if train_x.shape != train_shape or test_x.shape != test_shape:
        raise ValueError("The files changed while they were read; upload them again.")
    _validate_labels(train_y, "train")
    _validate_labels(test_y, "test")
    return (
        train_x,
        train_y.astype(np.int64).reshape(1, -1),
        test_x,
        test_y.astype(np.int64).reshape(1, -1),
        np.asarray(classes),
    )
