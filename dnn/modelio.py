"""Save and load trained models as plain .npz archives, never with pickle.

Archive layout (all arrays, loaded with ``allow_pickle=False``):
- ``format_version``: 0-d int, FORMAT_VERSION;
- ``W1``, ``b1``, ... ``WL``, ``bL``: float parameters, W{l} (n_l, n_{l-1}), b{l} (n_l, 1);
- ``layer_dims``: 1-D int64 [n_x, n_1, ..., n_L];
- ``meta``: 0-d unicode array holding JSON {"hidden_activation": str, "hyperparameters": {...}};
- ``classes``: 1-D unicode array; ``cost_iterations``: 1-D int64; ``costs``: 1-D float64.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any, BinaryIO, Literal, NamedTuple, NoReturn

import numpy as np

from .activations import HIDDEN_ACTIVATIONS as ACTIVATIONS
from .bounded import read_bounded
from .finite import output_bound, output_limit, precision_of
from .units import MiB, fmt_bytes

FORMAT_VERSION = 1
MAX_MODEL_BYTES = 200 * MiB  # the file; a [12288, 20, 7, 5, 1] model is about 2 MiB
MAX_UNPACKED_BYTES = 200 * MiB  # all entries once inflated, checked from their headers first
MAX_MEMBERS = 2 * 64 + 8  # W{l} and b{l} for up to MAX_LAYERS layers, plus six other arrays
MAX_LAYERS = 64
MAX_NPY_HEADER = 10_000  # NumPy's own default cap on a .npy header
MAX_META_CHARS = 64 * 1024
MAX_META_DEPTH = 4  # {"hyperparameters": {"keep_prob": [...]}} is 3 deep
MAX_TEXT_CHARS = 256  # a class name or a text setting
MAX_CLASSES = 64
MAX_HISTORY = 10**7  # one cost per iteration of the longest run TrainConfig allows
_KIND_NAMES = {"iu": "whole numbers", "U": "text", "f": "floating-point numbers"}
# A header check: refuses an entry from its (shape, dtype) before its data is inflated.
HeaderCheck = Callable[[tuple[int, ...], np.dtype], None]
ModelSource = str | os.PathLike[str] | bytes | bytearray | BinaryIO

class SavedModel(NamedTuple):
    """A model read back by :func:`load_model`."""

    parameters: dict[str, np.ndarray]
    layer_dims: tuple[int, ...]
    hidden_activation: str
    hyperparameters: dict[str, Any]
    classes: tuple[str, ...]
    cost_iterations: np.ndarray
    costs: np.ndarray


def _class_str(c: Any) -> str:
    return c.decode("utf-8", "replace") if isinstance(c, bytes) else str(c)


def _check_activation(name: str) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown hidden activation {name!r}; expected one of: {', '.join(ACTIVATIONS)}.")


def _check_dims(layer_dims: tuple[int, ...]) -> None:
    if len(layer_dims) < 2 or any(n < 1 for n in layer_dims):
        raise ValueError(f"layer_dims must list at least two positive sizes [n_x, ..., n_L]; got {list(layer_dims)}.")


def _check_parameters(parameters: dict[str, np.ndarray], layer_dims: tuple[int, ...]) -> None:
    """W{l} must be (n_l, n_{l-1}) and b{l} (n_l, 1) for l = 1..L, all finite; nothing extra."""
    L = len(layer_dims) - 1
    expected = {f"W{l}": (layer_dims[l], layer_dims[l - 1]) for l in range(1, L + 1)}
    expected.update({f"b{l}": (layer_dims[l], 1) for l in range(1, L + 1)})
    missing = sorted(set(expected) - set(parameters))
    if missing:
        raise ValueError(f"The model is missing parameters {missing} for layer_dims {list(layer_dims)}.")
    for key, shape in expected.items():
        value = np.asarray(parameters[key])
        if value.shape != shape:
            raise ValueError(
                f"{key} has shape {value.shape} but layer_dims {list(layer_dims)} needs {shape}; "
                "the layers do not chain."
            )
        if not np.issubdtype(value.dtype, np.floating) or not np.all(np.isfinite(value)):
            raise ValueError(f"{key} must hold finite floating-point numbers (found NaN, inf or a non-float type).")
    extra = sorted(k for k in parameters if k not in expected)
    if extra:
        raise ValueError(f"Unexpected parameters {extra} for a network with {L} layers.")


def _check_history(cost_iterations: np.ndarray, costs: np.ndarray) -> None:
    if cost_iterations.ndim != 1 or costs.shape != cost_iterations.shape:
        raise ValueError(
            f"cost_iterations and costs must be 1-D and of equal length; got {cost_iterations.shape} and {costs.shape}."
        )
    if not np.issubdtype(cost_iterations.dtype, np.integer):
        raise ValueError("cost_iterations must be whole numbers.")
    if not np.issubdtype(costs.dtype, np.floating) or not np.all(np.isfinite(costs)):
        raise ValueError("costs must be finite floating-point numbers.")


def _meta_json(hidden_activation: str, hyperparameters: Mapping[str, Any]) -> str:
    try:
        return json.dumps({"hidden_activation": hidden_activation, "hyperparameters": dict(hyperparameters)})
    except (TypeError, ValueError) as exc:
        raise ValueError(f"hyperparameters must hold only numbers, strings, booleans or None ({exc}).") from exc


def save_model(
    target: str | os.PathLike[str] | IO[bytes],
    parameters: dict[str, np.ndarray],
    *,
    layer_dims: Sequence[int],
    hidden_activation: str,
    hyperparameters: Mapping[str, Any],
    classes: Iterable[Any],
    cost_iterations: Sequence[int] | np.ndarray,
    costs: Sequence[float] | np.ndarray,
) -> None:
    """Write a trained model to ``target`` (a path, written exactly as named, or a binary file object).

    parameters: W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) for l = 1..L, consistent with layer_dims.
    The model is validated first, so a file that saves always loads.
    """
    dims = tuple(int(n) for n in layer_dims)
    _check_dims(dims)
    _check_activation(hidden_activation)
    _check_parameters(parameters, dims)
    iterations = np.asarray(cost_iterations, dtype=np.int64).reshape(-1)
    history = np.asarray(costs, dtype=np.float64).reshape(-1)
    _check_history(iterations, history)
    arrays: dict[str, Any] = {key: np.asarray(value) for key, value in parameters.items()}
    arrays.update(
        format_version=np.array(FORMAT_VERSION, dtype=np.int64),
        layer_dims=np.array(dims, dtype=np.int64),
        meta=np.array(_meta_json(hidden_activation, hyperparameters)),
        classes=np.array([_class_str(c) for c in classes], dtype=str),
        cost_iterations=iterations,
        costs=history,
    )
    if isinstance(target, (str, os.PathLike)):
        # Through a file handle, because np.savez would silently append ".npz" to a bare path.
        with open(target, "wb") as handle:
            np.savez_compressed(handle, **arrays)
    else:
        np.savez_compressed(target, **arrays)


def _read_source(source: ModelSource) -> bytes:
    return read_bounded(source, MAX_MODEL_BYTES, "model file", "Upload a .npz model file this app saved.")


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(b"PK"):
        raise ValueError("This is not a saved model: expected a .npz file (a zip archive of arrays).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, but also ValueError/OSError/EOFError on crafted directories
        raise ValueError("This .npz model file is damaged and cannot be read.") from exc
    infos = archive.infolist()
    if not infos or len(infos) > MAX_MEMBERS:
        raise ValueError(f"This is not a saved model: it holds {len(infos)} entries "
                         f"(a model has at most {MAX_MEMBERS}).")
    if any(info.flag_bits & 0x1 for info in infos):
        raise ValueError("This model file is encrypted; save the model again with this app.")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise ValueError(f"The model file unpacks to {fmt_bytes(declared)}, over the "
                         f"{fmt_bytes(MAX_UNPACKED_BYTES)} any model of this app needs; refused.")
    return archive


class _Member(NamedTuple):
    """One .npy entry's header, read without inflating its data."""

    shape: tuple[int, ...]
    fortran: bool
    dtype: np.dtype
    info: zipfile.ZipInfo


class _Archive:
    """A model .npz read entry by entry: every header checked before its data is inflated."""

    def __init__(self, archive: zipfile.ZipFile):
        self.zip = archive
        self.infos = {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}
        if not self.infos:
            raise ValueError("This is not a saved model: expected a .npz file (a zip archive of arrays).")

    @property
    def files(self) -> list[str]:
        return list(self.infos)

    def header(self, key: str) -> _Member:
        info = self.infos.get(key)
        if info is None:
            raise ValueError(f"The model file has no '{key}' array; it was not saved by this app or is incomplete.")
        with self.zip.open(info) as handle:
            shape, fortran, dtype = _npy_header(handle, key)
        return _Member(shape, fortran, dtype, info)

    def read(self, key: str, check: HeaderCheck | None = None) -> np.ndarray:
        """The array ``key``; ``check(shape, dtype)`` may refuse it from its header alone."""
        member = self.header(key)
        if check is not None:
            check(member.shape, member.dtype)
        nbytes = math.prod(member.shape) * member.dtype.itemsize
        if nbytes > MAX_UNPACKED_BYTES or member.info.file_size > nbytes + MAX_NPY_HEADER:
            raise ValueError(f"The '{key}' array declares {nbytes:,} bytes of data in an entry of "
                             f"{member.info.file_size:,} bytes; the model file is damaged or forged.")
        try:
            with self.zip.open(member.info) as handle:
                _npy_header(handle, key)
                raw = handle.read(nbytes)  # never more than declared: zipfile stops at the entry's size
                handle.read(1)  # reach the end so that zipfile checks the CRC
        except ValueError:
            raise
        except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError...: a damaged entry
            raise ValueError(f"The '{key}' array in the model file is damaged.") from exc
        if len(raw) != nbytes:
            raise ValueError(f"The '{key}' array in the model file is truncated.")
        order: Literal["F", "C"] = "F" if member.fortran else "C"
        array: np.ndarray = np.frombuffer(raw, dtype=member.dtype).reshape(member.shape, order=order).copy()
        return array


def _npy_header(handle: IO[bytes], key: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        version = np.lib.format.read_magic(handle)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = reader(handle, max_header_size=MAX_NPY_HEADER)
    except Exception as exc:  # ValueError, SyntaxError, zlib.error... from a forged header
        raise ValueError(f"The '{key}' array in the model file is damaged.") from exc
    if dtype.hasobject:
        raise ValueError(
            f"The model file stores '{key}' as pickled Python objects, which this app refuses to load "
            "for safety (pickles can run code). Save the model again with this app."
        )
    return tuple(int(n) for n in shape), bool(fortran), dtype


def _expect(key: str, ndim: int, kinds: str, max_items: int, max_itemsize: int = 8) -> HeaderCheck:
    """A header check: ndim dimensions, a dtype kind among ``kinds``, at most ``max_items`` items."""

    def check(shape: tuple[int, ...], dtype: np.dtype) -> None:
        if dtype.kind == "U" == kinds and dtype.itemsize > max_itemsize:
            raise ValueError(f"The model's '{key}' holds text {dtype.itemsize // 4:,} characters long; at most "
                             f"{max_itemsize // 4:,} are accepted.")
        if len(shape) != ndim or dtype.kind not in kinds or dtype.itemsize > max_itemsize:
            raise ValueError(f"The model's '{key}' must be a {ndim}-D array of {_KIND_NAMES[kinds]}; "
                             f"got dtype {dtype}, shape {shape}.")
        if math.prod(shape) > max_items:
            raise ValueError(f"The model's '{key}' holds {math.prod(shape):,} items, more than the "
                             f"{max_items:,} a model of this app can have.")

    return check


def _parameter_check(key: str, shape_needed: tuple[int, int]) -> HeaderCheck:
    def check(shape: tuple[int, ...], dtype: np.dtype) -> None:
        if shape != shape_needed:
            raise ValueError(f"{key} has shape {shape} but the model's layer_dims need {shape_needed}; "
                             "the layers do not chain.")
        if dtype.kind != "f" or dtype.itemsize > 8:
            raise ValueError(f"{key} must hold finite floating-point numbers (found dtype {dtype}).")

    return check


def _json_depth(text: str) -> int:
    """Deepest nesting of [ and { in a JSON text, outside strings (checked before json.loads)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"The model's settings contain {name}, which is not a number this app accepts.")


def _check_json_value(key: str, value: Any) -> None:
    """A hyperparameter is a JSON scalar or a flat list of them."""
    items = value if isinstance(value, list) else [value]
    if not all(item is None or isinstance(item, (bool, int, float, str)) for item in items):
        raise ValueError(f"The model's setting {key!r} must be a number, text, true/false, null or a flat list "
                         f"of those; got {type(value).__name__}.")
    if any(isinstance(item, str) and len(item) > MAX_TEXT_CHARS for item in items):
        raise ValueError(f"The model's setting {key!r} holds text over {MAX_TEXT_CHARS} characters.")


def _parse_meta(raw: np.ndarray) -> tuple[str, dict[str, Any]]:
    text = str(raw)
    if len(text) > MAX_META_CHARS:
        raise ValueError(f"The model's settings are {len(text):,} characters long; "
                         f"at most {MAX_META_CHARS:,} are accepted.")
    if _json_depth(text) > MAX_META_DEPTH:
        raise ValueError(f"The model's settings are nested deeper than {MAX_META_DEPTH} levels; refused.")
    try:
        meta = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"The model's settings are not valid JSON ({exc}).") from exc
    if not isinstance(meta, dict) or not isinstance(meta.get("hyperparameters"), dict):
        raise ValueError("The model's settings must be a JSON object with a 'hyperparameters' object.")
    activation = meta.get("hidden_activation")
    if not isinstance(activation, str):
        raise ValueError(f"The model's hidden_activation must be text; got {type(activation).__name__}.")
    _check_activation(activation)
    for key, value in meta["hyperparameters"].items():
        _check_json_value(key, value)
    return activation, meta["hyperparameters"]


def _parse_dims(raw: np.ndarray) -> tuple[int, ...]:
    dims = tuple(int(n) for n in raw)
    _check_dims(dims)
    count = sum(dims[l] * dims[l - 1] + dims[l] for l in range(1, len(dims)))
    if count * 8 > MAX_UNPACKED_BYTES:
        raise ValueError(f"layer_dims {list(dims)} means {count:,} parameters, more than a model of this app "
                         f"can have ({fmt_bytes(MAX_UNPACKED_BYTES)}); refused.")
    return dims


def _check_version(raw: np.ndarray) -> None:
    if int(raw) != FORMAT_VERSION:
        raise ValueError(f"Unsupported model format version {int(raw)}; this app reads version {FORMAT_VERSION}.")


def _read_parameters(archive: _Archive, dims: tuple[int, ...]) -> dict[str, np.ndarray]:
    L = len(dims) - 1
    present = {k for k in archive.files if re.fullmatch(r"[Wb][0-9]+", k)}
    expected = {f"W{l}": (dims[l], dims[l - 1]) for l in range(1, L + 1)}
    expected.update({f"b{l}": (dims[l], 1) for l in range(1, L + 1)})
    missing = sorted(set(expected) - present)
    if missing:
        raise ValueError(f"The model is missing parameters {missing} for layer_dims {list(dims)}.")
    extra = sorted(present - set(expected))
    if extra:
        raise ValueError(f"Unexpected parameters {extra} for a network with {L} layers.")
    parameters = {key: archive.read(key, _parameter_check(key, shape)) for key, shape in expected.items()}
    _check_parameters(parameters, dims)
    return parameters


def check_output(parameters: dict[str, np.ndarray], layer_dims: tuple[int, ...], hidden_activation: str,
                 precision: str = "float64") -> None:
    """ValueError when some input in [-INPUT_BOUND, INPUT_BOUND] could give a non-finite Z in the precision
    the model runs in (float32 when its settings or any parameter say so): such a model answers "P = nan"
    (finite but huge weights, e.g. forged)."""
    dtype = precision_of(parameters, precision)
    limit = output_limit(dtype)
    bound = output_bound(parameters, layer_dims, hidden_activation)
    if not bound <= limit:
        raise ValueError(
            f"This model's weights are so large that its output is not a finite number for some inputs "
            f"(|Z| could reach {bound:.3g}, over the {limit:.3g} that {dtype} numbers can hold): it would answer "
            "P = nan. It was not loaded; train the model again with a smaller learning rate.")


def load_model(source: ModelSource, *, finite_output: bool = True) -> SavedModel:
    """Read a model written by :func:`save_model` from a path, bytes or binary file object.

    Every entry's zip size and .npy header are checked before its data is inflated (nothing
    larger than the model could need is ever unpacked); shapes must chain along layer_dims,
    values must be finite, the settings must be short, shallow, plain JSON; with ``finite_output``
    (the default) its output must be finite for every input in [-INPUT_BOUND, INPUT_BOUND]
    (:func:`check_output`). Anything else raises ValueError.  The run store passes
    ``finite_output=False``: a diverged run's last parameters are kept as they were, to be shown.
    """
    with _open_zip(_read_source(source)) as raw_archive:
        archive = _Archive(raw_archive)
        _check_version(archive.read("format_version", _expect("format_version", 0, "iu", 1)))
        dims = _parse_dims(archive.read("layer_dims", _expect("layer_dims", 1, "iu", MAX_LAYERS + 1)))
        meta = archive.read("meta", _expect("meta", 0, "U", 1, 4 * MAX_META_CHARS))
        activation, hyper = _parse_meta(meta)
        parameters = _read_parameters(archive, dims)
        classes = archive.read("classes", _expect("classes", 1, "U", MAX_CLASSES, 4 * MAX_TEXT_CHARS))
        iterations = archive.read("cost_iterations", _expect("cost_iterations", 1, "iu", MAX_HISTORY))
        costs = archive.read("costs", _expect("costs", 1, "f", MAX_HISTORY))
    _check_history(iterations, costs)
    if finite_output:
        check_output(parameters, dims, activation, str(hyper.get("dtype", "float64")))
    return SavedModel(parameters, dims, activation, hyper, tuple(str(c) for c in classes), iterations, costs)
