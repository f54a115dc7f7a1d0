"""One BLAS thread per server process, however the server was started.

All sessions share one Python process, a training slice is many small matrix
products, and the browser often runs on the same two cores.  A multi-threaded
OpenBLAS then spins against everything else: measured here, a 0.2 s slice of the
five-layer course run did 12-230 iterations with two BLAS threads instead of
330-620 with one, and alone the engine is as fast with one thread as with two.

OPENBLAS_NUM_THREADS cannot do this from app.py: Streamlit has imported NumPy
(and started OpenBLAS's threads) before the app's first line runs.  So the count
is set on the OpenBLAS library NumPy has already loaded.
"""
from __future__ import annotations

import ctypes
from functools import cache
from pathlib import Path

import numpy as np

# NumPy's wheels ship OpenBLAS with a symbol prefix and suffix; other builds use the plain names.
_NAMES = ("scipy_openblas{}_num_threads64_", "openblas{}_num_threads")


@cache  # app.py calls this on every full rerun; the library never changes in a process
def _openblas() -> ctypes.CDLL | None:
    """NumPy's own OpenBLAS (dlopen of a loaded library returns that same library), or None."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    paths = sorted(libs.glob("*openblas*.so*"))
    return ctypes.CDLL(str(paths[0])) if paths else None


def _function(lib: ctypes.CDLL, verb: str):
    for pattern in _NAMES:
        fn = getattr(lib, pattern.format(f"_{verb}"), None)
        if fn is not None:
            return fn
    return None


def set_blas_threads(n: int) -> int | None:
    """Make NumPy's OpenBLAS use ``n`` threads; returns the count before (to restore it), or None
    when NumPy is not linked to a bundled OpenBLAS (nothing is changed then)."""
    if n < 1:
        raise ValueError(f"BLAS needs at least one thread, got {n}.")
    lib = _openblas()
    setter, getter = (None, None) if lib is None else (_function(lib, "set"), _function(lib, "get"))
    if setter is None or getter is None:
        return None
    before = int(getter())
    setter(ctypes.c_int(n))
    return before
