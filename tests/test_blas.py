"""The app's BLAS thread limit reaches the OpenBLAS NumPy has already loaded."""
import pytest

from ui.blas import set_blas_threads


def test_thread_count_is_set_on_the_loaded_library_and_restored():
    original = set_blas_threads(1)
    if original is None:
        pytest.skip("this NumPy is not linked to a bundled OpenBLAS")
    try:
        assert set_blas_threads(2) == 1  # the library reports what the previous call set
        assert set_blas_threads(1) == 2
    finally:
        set_blas_threads(original)


def test_zero_threads_is_refused():
    with pytest.raises(ValueError, match="at least one thread"):
        set_blas_threads(0)
