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
import re
import os
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Union

import numpy as np

from .activations import HIDDEN_ACTIVATIONS as ACTIVATIONS

FORMAT_VERSION = 1
MAX_MODEL_BYTES = 200 * 1024 * 1024  # a [12288, 20, 7, 5, 1] model is about 2 MB
ModelSource = Union[str, os.PathLike, bytes, bytearray, BinaryIO]



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
                f"{key} has shape {value.shape} but layer_dims {list(layer_dims)} needs {shape}; the layers do not chain."
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


def _meta_json(hidden_activation: str, hyperparameters: dict[str, Any]) -> str:
    try:
        return json.dumps({"hidden_activation": hidden_activation, "hyperparameters": dict(hyperparameters)})
    except (TypeError, ValueError) as exc:
        raise ValueError(f"hyperparameters must hold only numbers, strings, booleans or None ({exc}).") from exc


def save_model(
    target: str | os.PathLike | BinaryIO,
    parameters: dict[str, np.ndarray],
    *,
    layer_dims,
    hidden_activation: str,
    hyperparameters: dict[str, float | int | str],
    classes,
    cost_iterations,
    costs,
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
    arrays = {key: np.asarray(value) for key, value in parameters.items()}
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
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        if not Path(source).is_file():
            raise ValueError(f"There is no model file at {source}. Check the path.")
        data = Path(source).read_bytes()[: MAX_MODEL_BYTES + 1]
    elif hasattr(source, "read"):
        data = source.read(MAX_MODEL_BYTES + 1)
    else:
        raise ValueError(f"A model must be a path, bytes or a binary file object, not {type(source).__name__}.")
    if len(data) > MAX_MODEL_BYTES:
        raise ValueError(f"The model file is over {MAX_MODEL_BYTES // (1024 * 1024)} MB; that is not a model this app saved.")
    return data


def _open_npz(data: bytes) -> np.lib.npyio.NpzFile:
    if not data.startswith(b"PK"):
        raise ValueError("This is not a saved model: expected a .npz file (a zip archive of arrays).")
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"This .npz model file is damaged and cannot be read ({exc}).") from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError("This is not a saved model: expected a .npz file (a zip archive of arrays).")
    return archive


def _get(archive: np.lib.npyio.NpzFile, key: str) -> np.ndarray:
    if key not in archive.files:
        raise ValueError(f"The model file has no '{key}' array; it was not saved by this app or is incomplete.")
    try:
        return archive[key]
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise ValueError(
                f"The model file stores '{key}' as pickled Python objects, which this app refuses to load "
                "for safety (pickles can run code). Save the model again with this app."
            ) from exc
        raise ValueError(f"The '{key}' array in the model file is damaged ({exc}).") from exc
    except Exception as exc:
        # zlib.error, BadZipFile, EOFError...: a damaged member, whatever the exact cause.
        raise ValueError(f"The '{key}' array in the model file is damaged ({type(exc).__name__}: {exc}).") from exc


def _parse_meta(raw: np.ndarray) -> tuple[str, dict[str, Any]]:
    if raw.shape != () or raw.dtype.kind != "U":
        raise ValueError("The model's 'meta' entry must be a single JSON text.")
    try:
        meta = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise ValueError(f"The model's settings are not valid JSON ({exc}).") from exc
    if not isinstance(meta, dict) or not isinstance(meta.get("hyperparameters"), dict):
        raise ValueError("The model's settings must be a JSON object with a 'hyperparameters' object.")
    activation = meta.get("hidden_activation")
    _check_activation(activation)
    return activation, meta["hyperparameters"]


def _parse_dims(raw: np.ndarray) -> tuple[int, ...]:
    if raw.ndim != 1 or not np.issubdtype(raw.dtype, np.integer):
        raise ValueError(f"layer_dims must be a 1-D array of whole numbers; got dtype {raw.dtype}, shape {raw.shape}.")
    dims = tuple(int(n) for n in raw)
    _check_dims(dims)
    return dims


def _check_version(raw: np.ndarray) -> None:
    if raw.shape != () or not np.issubdtype(raw.dtype, np.integer) or int(raw) != FORMAT_VERSION:
        raise ValueError(f"Unsupported model format version {raw!r}; this app reads version {FORMAT_VERSION}.")


def load_model(source: ModelSource) -> SavedModel:
    """Read a model written by :func:`save_model` from a path, bytes or binary file object.

    Every array is checked: shapes must chain along layer_dims, values must be finite,
    the activation must be known. Anything else raises ValueError.
    """
    with _open_npz(_read_source(source)) as archive:
        _check_version(_get(archive, "format_version"))
        dims = _parse_dims(_get(archive, "layer_dims"))
        activation, hyper = _parse_meta(_get(archive, "meta"))
        # Every W{l}/b{l} in the file, so stray extra layers are refused rather than ignored.
        parameters = {k: _get(archive, k) for k in archive.files if re.fullmatch(r"[Wb][0-9]+", k)}
        _check_parameters(parameters, dims)
        classes = _get(archive, "classes")
        iterations, costs = _get(archive, "cost_iterations"), _get(archive, "costs")
    _check_history(iterations, costs)
    if classes.ndim != 1 or classes.dtype.kind != "U":
        raise ValueError("The model's classes must be a 1-D array of text labels.")
    return SavedModel(parameters, dims, activation, hyper, tuple(str(c) for c in classes), iterations, costs)
