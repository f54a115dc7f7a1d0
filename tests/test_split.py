"""One split formula and one accepted test-fraction range for the builder, the zip loader and the toy sets."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from dnn import builder, toy, zipdata
from dnn.split import MAX_TEST_FRACTION, MIN_TEST_FRACTION, check_test_fraction, split_sizes


@pytest.mark.parametrize("n, fraction, expected", [(400, 0.2, (320, 80)), (400, 0.5, (200, 200)), (10, 0.05, (9, 1)),
                                                   (10, 0.95, (1, 9)), (2, 0.05, (1, 1)), (2, 0.95, (1, 1)),
                                                   (1, 0.5, (1, 0)), (0, 0.5, (0, 0)), (7, 0.3, (5, 2))])
def test_split_sizes_round_and_keep_one_of_each(n, fraction, expected):
    assert split_sizes(n, fraction) == expected


@pytest.mark.parametrize("bad", [0.0, 0.049, 0.951, 1.0, -0.2, float("nan"), float("inf"), "half", None])
def test_every_entry_point_refuses_the_same_fractions(bad):
    for call in (lambda: split_sizes(10, bad), lambda: check_test_fraction(bad),
                 lambda: toy.toy_dataset("xor", m=40, test_fraction=bad),
                 lambda: builder.advise(["a", "b"], [10, 10], test_fraction=bad),
                 lambda: zipdata.load_photo_zip(_zip(), test_fraction=bad)):
        with pytest.raises(ValueError, match="test_fraction must be from 0.05 to 0.95"):
            call()


@pytest.mark.parametrize("fraction", [MIN_TEST_FRACTION, 0.2, 0.5, MAX_TEST_FRACTION])
def test_every_entry_point_accepts_the_same_fractions_and_splits_alike(fraction):
    ds = toy.toy_dataset("xor", m=40, test_fraction=fraction)
    assert (ds.m_train, ds.m_test) == split_sizes(40, fraction)
    ds = zipdata.load_photo_zip(_zip(6), num_px=8, test_fraction=fraction)
    assert (ds.m_train, ds.m_test) == tuple(2 * v for v in split_sizes(6, fraction))
    assert toy.split_sizes is split_sizes and builder.split_sizes is split_sizes


def _zip(per_class: int = 3) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("cat", "other"):
            for i in range(per_class):
                png = io.BytesIO()
                Image.fromarray(np.full((8, 8, 3), 40 * i, dtype=np.uint8)).save(png, "PNG")
                z.writestr(f"{name}/{i}.png", png.getvalue())
    return buf.getvalue()
