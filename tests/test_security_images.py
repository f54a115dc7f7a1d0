"""Hostile photos (issue 9): the decode cost is bounded, one decode serves network and preview."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dnn.photo import MAX_DECODE_BYTES, MAX_PIXELS, PixelBudgetExceeded, decode_cost_bytes, load_photo, prepare_photo

import hostile


def _encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_decode_cost_counts_canvas_and_bytes_per_pixel():
    rgba = Image.open(io.BytesIO(hostile.png_canvas(7000, 7000, colour_type=6)))
    assert decode_cost_bytes(rgba) == 7000 * 7000 * 4
    gif = Image.open(io.BytesIO(hostile.gif_big_screen(7000, 7000)))
    assert gif.size == (7000, 7000)  # the logical screen, whatever the 1x1 frame
    assert decode_cost_bytes(gif) == 7000 * 7000 * (1 + 4)  # palette, then a full-size conversion


def test_big_canvas_gif_is_refused_from_its_header():
    data = hostile.gif_big_screen(7000, 7000)
    assert len(data) == 35
    with pytest.raises(ValueError, match=r"7000x7000 pixels in mode P; decoding it would take about 233.7 MiB"):
        load_photo(data)


def test_a_gif_canvas_under_the_cost_limit_decodes_to_a_sane_preview():
    photo = load_photo(hostile.gif_big_screen(3000, 2000), num_px=64, preview_px=240)
    assert photo.image.shape == (64, 64, 3) and photo.preview.shape == (160, 240, 3)
    assert photo.decoded_pixels == 3000 * 2000


def test_rgba_png_near_the_pixel_limit_is_decoded_within_its_cost():
    data = hostile.png_canvas(7000, 7000, colour_type=6)
    assert 7000 * 7000 < MAX_PIXELS and 7000 * 7000 * 4 <= MAX_DECODE_BYTES and len(data) < 300_000
    photo = load_photo(data)
    # Fully transparent: white once composited, for the network and the preview alike.
    assert np.all(photo.image == 255) and photo.preview.shape == (240, 240, 3) and np.all(photo.preview == 255)


def test_float_tiff_near_the_pixel_limit_is_decoded_in_float32():
    data = hostile.tiff_float(7000, 7000)
    assert len(data) < 400_000
    photo = load_photo(data, num_px=16, preview_px=32)
    assert photo.image.shape == (16, 16, 3) and np.all(photo.image == 0)


def test_rgb_png_over_the_cost_limit_is_refused():
    # 8,000 x 6,000 is under 50 megapixels, but decodes to 4 bytes per pixel: 183 MiB; grey with
    # colour-keyed transparency would need a full-size RGBA copy on top.
    ok = Image.open(io.BytesIO(hostile.png_canvas(8000, 6000, colour_type=2)))
    assert decode_cost_bytes(ok) <= MAX_DECODE_BYTES
    with pytest.raises(ValueError, match="decompression bomb"):
        load_photo(hostile.png_canvas(8000, 7000, colour_type=2))


def test_float_tiff_values_are_rescaled_with_nan_and_negatives_black():
    values = np.array([[0.0, 0.5, 1.0, np.nan], [-3.0, np.inf, 0.25, 1.0]], dtype=np.float32)
    photo = load_photo(_encode(Image.fromarray(values, mode="F"), "TIFF"), num_px=2, preview_px=4)
    np.testing.assert_array_equal(photo.preview[..., 0], [[0, 128, 255, 0], [0, 0, 64, 255]])


@pytest.mark.parametrize("width, height, preview", [(60000, 1, (1, 240)), (1, 60000, (240, 1)), (10, 5, (5, 10))])
def test_extreme_aspect_ratios_never_give_an_empty_preview(width, height, preview):
    photo = load_photo(hostile.jpeg(width, height), num_px=64, preview_px=240)
    assert photo.image.shape == (64, 64, 3)
    assert photo.preview.shape == (*preview, 3) and min(photo.preview.shape[:2]) >= 1
    np.testing.assert_allclose(photo.image.reshape(-1, 3).mean(axis=0), [200, 120, 40], atol=8)


def test_big_jpeg_is_drafted_not_decoded_in_full():
    photo = load_photo(hostile.jpeg(8000, 6000), num_px=64, preview_px=240)
    # libjpeg decodes at 1/8 scale: 1000 x 750 instead of 48 megapixels.
    assert photo.decoded_pixels == 1000 * 750
    np.testing.assert_allclose(photo.image.reshape(-1, 3).mean(axis=0), [200, 120, 40], atol=8)


def test_one_decode_gives_network_input_and_preview_consistently():
    rng = np.random.RandomState(0)
    picture = rng.randint(0, 256, (300, 400, 3), dtype=np.uint8)
    data = _encode(Image.fromarray(picture))
    photo = load_photo(data, num_px=64, preview_px=200)
    image, x = prepare_photo(data, num_px=64)
    np.testing.assert_array_equal(photo.image, image)
    np.testing.assert_array_equal(photo.x, x)
    assert photo.preview.shape == (150, 200, 3) and photo.decoded_pixels == 300 * 400
    assert load_photo(data, preview_px=None).preview is None


def test_exif_rotation_applies_to_the_preview_too():
    wide = np.zeros((20, 40, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = load_photo(_encode(Image.fromarray(wide), "JPEG", exif=exif.tobytes()), num_px=8, preview_px=40)
    assert photo.preview.shape == (40, 20, 3)


def test_pixel_budget_is_checked_from_the_header():
    with pytest.raises(PixelBudgetExceeded):
        load_photo(hostile.png_canvas(2000, 2000, colour_type=0), pixel_budget=1_000_000)


def test_heic_renamed_jpg_says_what_it_is_and_how_to_convert():
    with pytest.raises(ValueError) as info:
        load_photo(hostile.heic_named_jpg())
    message = str(info.value)
    assert "HEIC" in message and "Convert it to JPEG" in message and "Most Compatible" in message


def test_messages_use_mib_and_name_no_library_constants():
    messages = []
    hostile_images = (hostile.gif_big_screen(), bytes(21 * 2**20), b"GIF89a" + bytes(10),
                      hostile.png_canvas(10_000, 10_000, 0))
    for data in hostile_images:
        with pytest.raises(ValueError) as info:
            load_photo(data)
        messages.append(str(info.value))
    assert "MiB" in messages[0] and "MiB" in messages[1]
    for message in messages:
        assert "MAX_" not in message and "Error" not in message and "PIL" not in message, message


@pytest.mark.parametrize("bad", [0, -1, 10**6, 2.5, True])
def test_preview_size_is_checked(bad):
    with pytest.raises(ValueError, match="preview_px"):
        load_photo(hostile.jpeg(10, 10), preview_px=bad)
