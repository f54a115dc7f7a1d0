"""How much memory an image dataset costs once the app has built a run on it, checked before loading.

The app keeps, for a dataset of m_train + m_test images of n_x = px * px * 3 values:
- the uint8 originals (``Dataset.train_x_orig``, ``test_x_orig``): 1 byte per value;
- for a set whose float64 features fit ``dnn.pixels.FLOAT_COPY_MAX_BYTES`` (the course's, every built
  or zipped photo set), the float64 features (``Dataset.X_train``, ``X_test``): 8 bytes per value;
  a larger set keeps no features: X_train is a ``Pixels`` view of the originals;
and the trainer its parameters, gradients and activations, which ``dnn.config.estimate_memory_bytes``
counts, with X and X_test: in float32 its own copies, in float64 the Dataset's features themselves
(already laid out as the run wants, so the Trainer shares them), and for pixels its converted blocks.
Uploads are refused from their declared shapes, before a single pixel is read.
"""
from __future__ import annotations

from collections.abc import Sequence

from . import config
from .pixels import float_copy_is_small
from .units import fmt_bytes

DEFAULT_HIDDEN = (20, 7, 5)  # the course's five-layer [12288, 20, 7, 5, 1]
ORIGINAL_BYTES = 1  # uint8 pixel
FEATURE_BYTES = 8  # float64 feature (Dataset.X_train / X_test)


def keeps_pixels(m_train: int, m_test: int, n_x: int) -> bool:
    """Whether a Dataset of this size keeps only its pixels (``Dataset.keeps_pixels``)."""
    return not float_copy_is_small((m_train + m_test) * n_x)


def dataset_memory_bytes(m_train: int, m_test: int, n_x: int) -> int:
    """Bytes the Dataset itself keeps: uint8 originals, plus float64 X_train and X_test unless it keeps pixels."""
    per_value = ORIGINAL_BYTES + (0 if keeps_pixels(m_train, m_test, n_x) else FEATURE_BYTES)
    return (m_train + m_test) * n_x * per_value


def _trainer_bytes(layer_dims: Sequence[int], m_train: int, m_test: int, dtype: str) -> int:
    """The trainer's arrays; a float64 run shares the Dataset's features instead of copying them."""
    pixels = keeps_pixels(m_train, m_test, layer_dims[0])
    shared = layer_dims[0] * (m_train + m_test) * FEATURE_BYTES if dtype == "float64" and not pixels else 0
    return config.estimate_memory_bytes(layer_dims, m_train, dtype, m_test=m_test, pixels=pixels) - shared


def upload_memory_bytes(m_train: int, m_test: int, n_x: int, *, hidden: Sequence[int] = DEFAULT_HIDDEN,
                        dtype: str = "float64") -> int:
    """Bytes for the dataset and a run of ``[n_x, *hidden, 1]`` on it, all copies counted."""
    layer_dims = (int(n_x), *(int(n) for n in hidden), 1)
    return dataset_memory_bytes(m_train, m_test, n_x) + _trainer_bytes(layer_dims, m_train, m_test, dtype)


def check_upload_memory(m_train: int, m_test: int, n_x: int, *, hidden: Sequence[int] = DEFAULT_HIDDEN,
                        dtype: str = "float64", budget: int | None = None, what: str = "This dataset") -> int:
    """The estimate in bytes, or a ValueError naming it when it exceeds the budget (DNN_MEMORY_BUDGET_MB)."""
    budget = config.memory_budget_bytes() if budget is None else budget
    need = upload_memory_bytes(m_train, m_test, n_x, hidden=hidden, dtype=dtype)
    if need > budget:
        dims = [int(n_x), *(int(n) for n in hidden), 1]
        raise ValueError(
            f"{what} ({m_train:,} training and {m_test:,} test images of {n_x:,} values) would need about "
            f"{fmt_bytes(need)} with the network {dims} in {dtype}, more than the {fmt_bytes(budget)} allowed. "
            "Use fewer or smaller images."
        )
    return need
