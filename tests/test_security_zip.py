"""Hostile photo zips (issue 9): a pixel budget over the whole zip, a stoppable loop, clear refusals."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dnn.zipdata import MAX_ZIP_PIXELS, load_photo_zip

import hostile


def _png(colour, size=(20, 12)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def _classes(n: int = 3) -> dict[str, bytes]:
    files = {f"cats/{i}.png": _png((200, 10, i)) for i in range(n)}
    files.update({f"dogs/{i}.png": _png((10, 200, i)) for i in range(n)})
    return files


def test_zip_of_many_tiny_big_canvas_pngs_stops_at_the_pixel_budget():
    data = hostile.zip_of_big_canvases(n=2000, side=7000)
    assert len(data) < 2 * 2**20
    calls = []
    with pytest.raises(ValueError, match=f"more than {MAX_ZIP_PIXELS / 1e6:,.0f} megapixels") as info:
        load_photo_zip(data, progress=lambda done, total: calls.append((done, total)))
    # It stopped after about MAX_ZIP_PIXELS / 49 M photos, not after 2,000.
    assert len(calls) <= MAX_ZIP_PIXELS // (7000 * 7000) + 1
    assert calls[0] == (0, 2000)
    assert "'a/" in str(info.value)


class _Stop(BaseException):
    """Stands in for Streamlit's StopException / RerunException, which derive from BaseException."""


def test_progress_is_called_before_each_photo_and_at_the_end():
    calls = []
    d = load_photo_zip(hostile.photo_zip(_classes()), num_px=8,
                       progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 6) for i in range(7)] and d.m_train + d.m_test == 6


def test_a_base_exception_from_progress_ends_the_loop_untouched():
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 2:
            raise _Stop()

    with pytest.raises(_Stop):
        load_photo_zip(hostile.photo_zip(_classes()), num_px=8, progress=progress)
    assert seen == [0, 1, 2]


def test_encrypted_zip_says_so():
    with pytest.raises(ValueError, match="encrypted"):
        load_photo_zip(hostile.encrypted_zip(_classes()))


def test_a_zip_holding_only_another_zip_says_so():
    inner = hostile.photo_zip(_classes())
    with pytest.raises(ValueError, match=r"holds only another zip \(photos\.zip\)"):
        load_photo_zip(hostile.photo_zip({"photos.zip": inner}))


def test_memory_guard_refuses_from_the_file_count_before_decoding(monkeypatch):
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "1")
    calls = []
    with pytest.raises(ValueError, match=r"This zip \(4 training and 2 test images of 12,288 values\)"):
        load_photo_zip(hostile.photo_zip(_classes()), progress=lambda d, t: calls.append(d))
    assert calls == []  # refused before the first photo
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "2048")
    d = load_photo_zip(hostile.photo_zip(_classes()), num_px=8, hidden=(3,), dtype="float32")
    assert d.train_x_orig.shape == (4, 8, 8, 3)


def test_big_jpegs_in_a_zip_cost_their_drafted_size_only():
    files = {f"{c}/{i}.jpg": hostile.jpeg(4000, 3000, colour) for c, colour in (("a", (250, 0, 0)), ("b", (0, 0, 250)))
             for i in range(2)}
    d = load_photo_zip(hostile.photo_zip(files), num_px=16, test_fraction=0.5)
    red = d.train_x_orig[..., 0].mean(axis=(1, 2)) > 150
    np.testing.assert_array_equal(red, d.train_y[0] == 0)
