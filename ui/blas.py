"""One BLAS thread per server process, however the server was started.

All sessions share one Python process, a training slice is many small matrix
products, and the browser often runs on the same two cores.  A multi-threaded
OpenBLAS then spins against everything else: measured here, a 0.2 s slice of the
five-layer course run did 12-230 iterations with two BLAS threads instead of
330-620 with one, and alone the engine is as fast with one thread as with two.

OPENBLAS_NUM_THREADS (set by run.sh) only works when it is set before NumPy is
imported, which a server started another way may not do; threadpoolctl sets the
limit on the BLAS library NumPy has already loaded, through its public API.
"""
from __future__ import annotations

from functools import cache

from threadpoolctl import threadpool_limits


@cache  # once per process: app.py calls this on every full rerun
def one_blas_thread() -> threadpool_limits:
    """Limit NumPy's BLAS to one thread for the rest of the process (the returned limiter is kept alive
    by the cache; calling its ``restore_original_limits`` undoes it)."""
    return threadpool_limits(1, user_api="blas")
