"""Tests for dnn.photo.prepare_photo: real photos, odd formats, hostile files, fuzzing."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from dnn.data import flatten_images, load_catvnoncat
from dnn.photo import MAX_PHOTO_BYTES, MAX_PIXELS, prepare_photo

from conftest_shared import SHARED, needs_data, needs_photos

PHOTOS = ["kittens.jpg", "white_kitten.jpg", "lion.jpg", "tiger.jpg", "bird.jpg", "puppy.jpg"]


def _encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _check_valid(image: np.ndarray, x: np.ndarray, num_px: int = 64) -> None:
    assert image.shape == (num_px, num_px, 3) and image.dtype == np.uint8
    assert x.shape == (num_px * num_px * 3, 1) and x.dtype == np.float64
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(x, flatten_images(image[None]))


def _png_with_size(width: int, height: int) -> bytes:
    """A tiny real PNG whose IHDR is patched to declare width x height (CRC fixed)."""
    data = bytearray(_encode(Image.new("RGB", (8, 8), (10, 20, 30))))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@needs_photos
@pytest.mark.parametrize("name", PHOTOS)
def test_real_photos(name):
    path = SHARED / "photos" / name
    image, x = prepare_photo(path)
    _check_valid(image, x)
    assert image.std() > 5  # a real picture, not a flat fill
    same_from_bytes = prepare_photo(path.read_bytes())[0]
    with path.open("rb") as handle:
        same_from_file = prepare_photo(handle)[0]
    np.testing.assert_array_equal(image, same_from_bytes)
    np.testing.assert_array_equal(image, same_from_file)


@needs_data
def test_round_trip_with_course_dataset():
    _, _, test_x, _, _ = load_catvnoncat(SHARED / "data")
    for index in (0, 7):
        image, x = prepare_photo(_encode(Image.fromarray(test_x[index])))
        np.testing.assert_array_equal(image, test_x[index])
        np.testing.assert_array_equal(x, flatten_images(test_x)[:, [index]])


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"", "empty"),
        (np.random.RandomState(0).bytes(2000), "not an image"),
        (b"Dear diary, this is not a JPEG at all.\n" * 20, "not an image"),
        (_encode(Image.new("RGB", (8, 8)), "PDF"), "not an image"),
    ],
)
def test_rejects_non_images(payload, message):
    with pytest.raises(ValueError, match=message):
        prepare_photo(payload)


def test_rejects_text_file_named_jpg(tmp_path):
    path = tmp_path / "cat.jpg"
    path.write_text("I am a text file with a photo's name.")
    with pytest.raises(ValueError, match="not an image"):
        prepare_photo(path)


def test_rejects_truncated_jpeg():
    noisy = np.random.RandomState(1).randint(0, 256, (200, 200, 3), dtype=np.uint8)
    data = _encode(Image.fromarray(noisy), "JPEG", quality=95)
    with pytest.raises(ValueError, match="damaged or truncated"):
        prepare_photo(data[: len(data) // 2])


@pytest.mark.parametrize("side", [100_000, 10_000, 7_500])
def test_rejects_decompression_bombs_before_decoding(side):
    # 10^10 pixels: Pillow's own error; 10^8: Pillow's warning made an error; 5.6e7: our MAX_PIXELS.
    assert side * side > MAX_PIXELS
    with pytest.raises(ValueError, match="decompression bomb"):
        prepare_photo(_png_with_size(side, side))


def test_rejects_oversized_files(tmp_path):
    with pytest.raises(ValueError, match="MiB"):
        prepare_photo(b"\x89PNG" + bytes(MAX_PHOTO_BYTES))
    with pytest.raises(ValueError, match="no photo at"):
        prepare_photo(tmp_path / "missing.png")


def test_tiny_and_panorama_images():
    image, x = prepare_photo(_encode(Image.new("RGB", (1, 1), (200, 30, 40))))
    _check_valid(image, x)
    assert np.all(image == [200, 30, 40])
    pano = np.zeros((50, 10_000, 3), dtype=np.uint8)
    pano[:, 4975:5025] = [0, 255, 0]  # only the centre square is green
    image, x = prepare_photo(_encode(Image.fromarray(pano)))
    _check_valid(image, x)
    np.testing.assert_allclose(image.reshape(-1, 3).mean(axis=0), [0, 255, 0], atol=1)


@pytest.mark.parametrize("value, expected", [(0, 0), (32768, 128), (65535, 255)])
def test_16_bit_greyscale_is_rescaled_not_clipped(value, expected):
    img = Image.fromarray(np.full((4, 4), value, dtype=np.uint16))
    assert img.mode.startswith("I;16")
    reopened = Image.open(io.BytesIO(_encode(img)))
    assert reopened.mode.startswith("I")  # Pillow keeps 16 bits when reading it back
    image, _ = prepare_photo(_encode(img), num_px=4)
    assert np.all(image == expected)


def test_modes_l_p_cmyk():
    image, _ = prepare_photo(_encode(Image.new("L", (4, 4), 100)), num_px=4)
    assert np.all(image == 100)
    pal = Image.new("P", (4, 4), 1)
    pal.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    image, _ = prepare_photo(_encode(pal), num_px=4)
    assert np.all(image == [10, 200, 30])
    image, _ = prepare_photo(_encode(Image.new("CMYK", (16, 16), (0, 0, 0, 0)), "JPEG"), num_px=16)
    np.testing.assert_allclose(image.astype(float), 255, atol=3)
    image, _ = prepare_photo(_encode(Image.new("1", (4, 4), 1)), num_px=4)
    assert np.all(image == 255)


def test_transparency_is_composited_over_white():
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = [255, 0, 0, 0]  # fully transparent red -> white
    rgba[0, 1] = [0, 0, 0, 255]  # opaque black stays black
    rgba[1, :] = [0, 0, 0, 128]  # half-transparent black -> mid grey
    image, _ = prepare_photo(_encode(Image.fromarray(rgba)), num_px=2)
    assert image[0, 0].tolist() == [255, 255, 255]
    assert image[0, 1].tolist() == [0, 0, 0]
    np.testing.assert_allclose(image[1].astype(float), 127, atol=1)
    pal = Image.new("P", (2, 2), 0)
    pal.putpalette([0, 0, 255, 0, 255, 0] + [0] * 762)
    image, _ = prepare_photo(_encode(pal, transparency=0), num_px=2)
    assert np.all(image == 255)
    la = Image.new("LA", (2, 2), (0, 0))
    assert np.all(prepare_photo(_encode(la), num_px=2)[0] == 255)


def test_animated_gif_uses_first_frame():
    frames = [Image.new("RGB", (8, 8), c) for c in [(255, 0, 0), (0, 0, 255)]]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image, _ = prepare_photo(data, num_px=8)
    np.testing.assert_allclose(image.reshape(-1, 3).mean(axis=0), [255, 0, 0], atol=2)


def test_exif_orientation_is_honoured():
    wide = np.zeros((20, 40, 3), dtype=np.uint8)
    wide[:, :20] = [255, 0, 0]
    wide[:, 20:] = [0, 0, 255]
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    data = _encode(Image.fromarray(wide), "JPEG", quality=95, exif=exif.tobytes())
    image, _ = prepare_photo(data, num_px=20)
    # Displayed upright the photo is tall: red on top, blue below.
    assert image[2, 10, 0] > 200 and image[2, 10, 2] < 60
    assert image[17, 2, 2] > 200 and image[17, 2, 0] < 60
    unrotated, _ = prepare_photo(_encode(Image.fromarray(wide), "JPEG", quality=95), num_px=20)
    assert unrotated[17, 2, 0] > 200  # without the tag, the same pixel is red


def test_bad_num_px():
    with pytest.raises(ValueError, match="num_px"):
        prepare_photo(_encode(Image.new("RGB", (4, 4))), num_px=0)


_SEED_IMAGE = np.random.RandomState(2).randint(0, 256, (12, 16, 3), dtype=np.uint8)
_VALID = [_encode(Image.fromarray(_SEED_IMAGE), fmt) for fmt in ("PNG", "JPEG", "GIF", "BMP")]


@st.composite
def _mutated(draw):
    data = bytearray(draw(st.sampled_from(_VALID)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "insert"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=512), _mutated()))
def test_fuzz_valid_or_value_error(payload):
    try:
        image, x = prepare_photo(payload, num_px=8)
    except ValueError:
        return
    _check_valid(image, x, num_px=8)
