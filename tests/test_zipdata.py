"""Tests for dnn.zipdata.load_photo_zip: zips of two class folders, read in memory."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from dnn.zipdata import MAX_ZIP_FILES, load_photo_zip


def _png(colour, size=(20, 12)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def _zip(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _classes(prefix="", n_a=5, n_b=4):
    files = {f"{prefix}zebra/{i}.png": _png((0, 0, 200 + i)) for i in range(n_b)}
    files.update({f"{prefix}apple/{i}.png": _png((200 + i, 0, 0)) for i in range(n_a)})
    return files


def test_labels_follow_alphabetical_folders_and_split_is_stratified():
    d = load_photo_zip(_zip(_classes()), num_px=16)
    assert list(d.classes) == ["apple", "zebra"] and d.kind == "images" and d.name == "Your photos"
    assert d.train_x_orig.shape == (7, 16, 16, 3) and d.test_x_orig.shape == (2, 16, 16, 3)
    assert sorted(d.test_y[0].tolist()) == [0, 1]  # one test image per class
    # Label 0 images are the red "apple" ones.
    red = d.train_x_orig[..., 0].mean(axis=(1, 2)) > 150
    np.testing.assert_array_equal(red, d.train_y[0] == 0)
    assert "Label 0 = 'apple'" in d.notes[0]


def test_split_deterministic_from_seed(tmp_path):
    data = _zip(_classes(n_a=12, n_b=12))
    a, b = load_photo_zip(data, seed=3), load_photo_zip(io.BytesIO(data), seed=3)
    np.testing.assert_array_equal(a.train_x_orig, b.train_x_orig)
    np.testing.assert_array_equal(a.test_y, b.test_y)
    c = load_photo_zip(data, seed=4)
    assert not np.array_equal(a.test_x_orig, c.test_x_orig)
    path = tmp_path / "pets.zip"
    path.write_bytes(data)
    assert load_photo_zip(path).name == "pets"


def test_wrapping_folder_clutter_and_skipped_files():
    files = _classes(prefix="holiday/")
    files["holiday/apple/notes.txt"] = b"not a photo"
    files["__MACOSX/holiday/apple/._0.png"] = b"resource fork"
    files["holiday/zebra/.DS_Store"] = b"x"
    d = load_photo_zip(_zip(files), num_px=8)
    assert d.name == "holiday" and list(d.classes) == ["apple", "zebra"]
    assert d.m_train + d.m_test == 9
    assert any("apple/notes.txt" in n for n in d.notes)


@pytest.mark.parametrize(
    "files, message",
    [
        ({"apple/1.png": _png((1, 2, 3)), "apple/2.png": _png((1, 2, 3))}, "exactly two folders"),
        ({**_classes(), "pear/1.png": _png((0, 255, 0))}, "exactly two folders"),
        ({**_classes(), "apple/deeper/1.png": _png((0, 255, 0))}, "nested"),
        ({**_classes(), "../evil.png": _png((0, 0, 0))}, r"'\.\.' path"),
        ({**_classes(), "/etc/evil.png": _png((0, 0, 0))}, "absolute path"),
        ({**_classes(n_b=1)}, "at least 2"),
        ({**_classes(n_a=2, n_b=2), **{f"zebra/{i}.txt": b"x" for i in range(5)}}, "5 of 9 files are not usable"),
    ],
)
def test_refuses_bad_layouts(files, message):
    with pytest.raises(ValueError, match=message):
        load_photo_zip(_zip(files))


def test_refuses_non_zip_and_bad_args():
    with pytest.raises(ValueError, match="not a zip"):
        load_photo_zip(b"plain text")
    with pytest.raises(ValueError, match="test_fraction"):
        load_photo_zip(_zip(_classes()), test_fraction=1.5)


def test_refuses_too_many_files():
    names = {f"apple/{i}.png": b"" for i in range(MAX_ZIP_FILES + 1)}
    with pytest.raises(ValueError, match="at most"):
        load_photo_zip(_zip(names, compression=zipfile.ZIP_STORED))


def test_refuses_zip_bomb_by_ratio():
    files = {**_classes(), "apple/bomb.png": bytes(30 * 1024 * 1024)}  # 30 MB of zeros -> ~30 kB
    with pytest.raises(ValueError, match="zip bomb"):
        load_photo_zip(_zip(files))
