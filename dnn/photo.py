"""Turn an uploaded photo into the network's input and a preview, safely and in one decode.

Pipeline: size checks -> open (restricted formats, header only) -> pixel-count and decode-cost
checks -> JPEG draft (decode at a reduced scale) -> first frame -> decode -> ``reduce`` to a
working size -> EXIF orientation -> RGB -> centre square crop -> Lanczos resize,
and the whole picture shrunk to fit the preview.

The decode cost is what Pillow really allocates: the canvas (for a GIF, its logical screen,
whatever the frame size) times the bytes per pixel of the decoded mode, plus one full-size
conversion for the modes ``reduce`` cannot shrink (palette, 1-bit, 16-bit, colour-keyed
transparency). Everything after ``reduce`` works on a small image, float work in float32.
Resizing uses Image.Resampling.LANCZOS: the sharpest of Pillow's filters when shrinking large photos,
which keeps the small details (ears, eyes) the network sees. An image already num_px x num_px
is not resampled at all, so dataset images round-trip exactly.
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO, NamedTuple

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from dnn.bounded import read_bounded
from dnn.data import flatten_images
from dnn.units import MiB, fmt_bytes

MAX_PHOTO_BYTES = 20 * MiB  # 20 MiB: far above any phone photo, small enough to hold in memory
MAX_PIXELS = 50_000_000  # 50 megapixels, checked from the header before any pixel is decoded
MAX_DECODE_BYTES = 200 * MiB  # what decoding may allocate: canvas x bytes per pixel (+ a conversion)
ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")
MAX_NUM_PX = 1024
MAX_PREVIEW_PX = 2048
# The working image keeps a short side of at least 2 * num_px and a long side of at least this many
# pixels. It depends on num_px alone, so the network's input never depends on the preview asked for.
WORKING_LONG_PX = 480
_CONVERSION_BYTES = 4  # a full-size RGBA, "I" or "L" copy, counted at the widest
_SMALL_MODES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}  # others: 4 bytes
_ISO_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"hevc": "HEIC", b"heim": "HEIC", b"heis": "HEIC",
               b"mif1": "HEIF", b"msf1": "HEIF", b"avif": "AVIF", b"avis": "AVIF"}
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


class _PhotoError(ValueError):
    """Our own, already readable, refusals (as opposed to Pillow's internal ValueErrors)."""


class PixelBudgetExceeded(_PhotoError):
    """The photo would decode more pixels than the caller's remaining budget (a zip's, say)."""


class Photo(NamedTuple):
    """A decoded photo: the network's view, its input column, a preview and what decoding cost."""

    image: np.ndarray  # (num_px, num_px, 3) uint8, centre-cropped and resized
    x: np.ndarray  # (num_px * num_px * 3, 1) float64 in [0, 1], flatten_images(image[None])
    preview: np.ndarray | None  # (h, w, 3) uint8, the whole picture upright, max(h, w) <= preview_px, min >= 1
    decoded_pixels: int  # the canvas Pillow decoded (after any draft reduction)


PhotoSource = bytes | bytearray | str | os.PathLike[str] | BinaryIO


def _read_bytes(source: PhotoSource) -> bytes:
    """Bytes of the photo, refusing anything over MAX_PHOTO_BYTES without reading it all."""
    return read_bounded(source, MAX_PHOTO_BYTES, "photo", "Choose a JPEG, PNG, GIF, BMP, WebP or TIFF photo.")


def _unsupported_container(data: bytes) -> str | None:
    """A readable refusal for formats phones produce that Pillow cannot read here (HEIC, HEIF, AVIF)."""
    if data[4:8] != b"ftyp":
        return None
    brand = _ISO_BRANDS.get(data[8:12])
    if brand is None:
        return None
    return (f"This is a {brand} photo (the iPhone's default format), whatever its name says; this app reads "
            "JPEG, PNG, GIF, BMP, WebP and TIFF. Convert it to JPEG first: on a Mac open it in Preview and "
            "choose File > Export > JPEG; on Windows open it in Photos and choose Save as > .jpg; or set "
            "the iPhone to Settings > Camera > Formats > Most Compatible.")


def _check_pixels(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise _PhotoError(f"The image has no pixels ({width}x{height}).")
    if width * height > MAX_PIXELS:
        raise _PhotoError(
            f"The image is {width}x{height} pixels, over the {MAX_PIXELS / 1e6:.0f} megapixel limit "
            "(it may be a decompression bomb). Resize it and try again."
        )


def _needs_full_conversion(img: Image.Image) -> bool:
    """Modes ``reduce`` cannot shrink, and colour-keyed transparency (lost by reduce), convert at full size."""
    return img.mode in ("1", "P") or img.mode.startswith("I;16") or (
        "transparency" in img.info and img.mode not in ("RGBA", "LA", "PA"))


def decode_cost_bytes(img: Image.Image) -> int:
    """Bytes decoding ``img`` (opened, not loaded) may allocate: canvas x bytes per pixel, plus a conversion."""
    per_pixel = _SMALL_MODES.get(img.mode, 4) + (_CONVERSION_BYTES if _needs_full_conversion(img) else 0)
    return img.size[0] * img.size[1] * per_pixel


def _check_cost(img: Image.Image) -> None:
    cost = decode_cost_bytes(img)
    if cost > MAX_DECODE_BYTES:
        width, height = img.size
        raise _PhotoError(
            f"The image is {width}x{height} pixels in mode {img.mode}; decoding it would take about "
            f"{fmt_bytes(cost)}, over the {fmt_bytes(MAX_DECODE_BYTES)} allowed per photo. "
            "Save it smaller or as a JPEG and try again."
        )


def _draft(img: Image.Image, needed_short: int, needed_long: int) -> None:
    """JPEG only: let libjpeg decode at 1/2, 1/4 or 1/8 scale while keeping the working size."""
    if img.format != "JPEG":
        return
    width, height = img.size
    scale = max(needed_short / min(width, height), needed_long / max(width, height))
    if scale < 0.5:
        img.draft(None, (max(1, int(width * scale) + 1), max(1, int(height * scale) + 1)))


def _open(data: bytes, needed_short: int, needed_long: int, pixel_budget: int | None) -> Image.Image:
    """Open and check the header: formats, megapixels, decode cost and the caller's pixel budget."""
    unsupported = _unsupported_container(data)
    if unsupported:
        raise _PhotoError(unsupported)
    try:
        img = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except UnidentifiedImageError as exc:
        raise _PhotoError(f"This is not an image Pillow can read as {', '.join(ALLOWED_FORMATS)}.") from exc
    except Image.DecompressionBombError as exc:
        raise _PhotoError("The image declares too many pixels (it may be a decompression bomb). "
                          f"At most {MAX_PIXELS / 1e6:.0f} megapixels are accepted.") from exc
    _check_pixels(*img.size)
    img.seek(0)  # animated GIF/WebP/TIFF: the first frame
    _draft(img, needed_short, needed_long)
    _check_cost(img)
    canvas = img.size[0] * img.size[1]
    if pixel_budget is not None and canvas > pixel_budget:
        raise PixelBudgetExceeded(f"Decoding this image ({img.size[0]}x{img.size[1]}) would exceed the pixel "
                                  f"budget left ({pixel_budget:,} pixels).")
    return img


class _Decoded(NamedTuple):
    img: Image.Image  # small now: about the working size
    canvas: int  # pixels Pillow decoded
    from_16_bit: bool  # full scale 65535 whatever the values


def _shrunk(img: Image.Image, needed_short: int, needed_long: int) -> Image.Image:
    """Decode, then ``reduce`` by the largest whole factor that keeps the working size."""
    orientation = img.getexif().get(ExifTags.Base.Orientation)
    img.load()  # a full decode now, so truncated files fail here
    if _needs_full_conversion(img):
        img = img.convert("RGBA" if "transparency" in img.info or img.mode == "PA" else
                          "I" if img.mode.startswith("I;16") else "L" if img.mode == "1" else "RGB")
    width, height = img.size
    factor = min(min(width, height) // needed_short, max(width, height) // needed_long)
    if factor >= 2:
        img = img.reduce(factor)
    return img.transpose(_TRANSPOSE[orientation]) if orientation in _TRANSPOSE else img


def _decode(data: bytes, needed_short: int, needed_long: int, pixel_budget: int | None) -> _Decoded:
    try:
        img = _open(data, needed_short, needed_long, pixel_budget)
        canvas, from_16_bit = img.size[0] * img.size[1], img.mode.startswith("I;16")
        img = _shrunk(img, needed_short, needed_long)
    except _PhotoError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValueError("The image declares too many pixels (it may be a decompression bomb).") from exc
    except Exception as exc:
        # Malformed files make Pillow's parsers raise many types (OSError, SyntaxError,
        # struct.error, IndexError, ...); to the user they all mean the same thing.
        raise ValueError("The image is damaged or truncated and cannot be decoded.") from exc
    _check_pixels(*img.size)
    return _Decoded(img, canvas, from_16_bit)


def _high_depth_to_l(img: Image.Image, from_16_bit: bool) -> Image.Image:
    """32-bit integer or float greyscale -> 8-bit "L", rescaled rather than clipped (in float32, in place).

    From 16-bit: full scale 65535. I: full scale 255 if max <= 255, 65535 if max <= 65535, else its max.
    F: full scale 1.0 if max <= 1, else its max. Negative and non-finite values become black.
    """
    values = np.array(img, dtype=np.float32)
    np.nan_to_num(values, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    np.maximum(values, 0.0, out=values)
    peak = float(values.max(initial=0.0))
    if from_16_bit:
        full = 65535.0
    elif img.mode == "F":
        full = 1.0 if peak <= 1.0 else peak
    else:
        full = next((s for s in (255.0, 65535.0) if peak <= s), peak)
    if full > 0:
        values *= np.float32(255.0 / full)
    np.rint(values, out=values)
    np.clip(values, 0, 255, out=values)
    return Image.fromarray(values.astype(np.uint8), mode="L")


def _to_rgb(img: Image.Image, from_16_bit: bool) -> Image.Image:
    """Any Pillow mode -> "RGB"; transparent pixels are composited over white."""
    if img.mode in ("I", "F"):
        img = _high_depth_to_l(img, from_16_bit)
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def _square_resize(img: Image.Image, num_px: int) -> Image.Image:
    width, height = img.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    img = img.crop((left, top, left + side, top + side))
    if side != num_px:
        img = img.resize((num_px, num_px), Image.Resampling.LANCZOS)
    return img


def _preview(img: Image.Image, preview_px: int) -> np.ndarray:
    """The whole picture fitted into preview_px x preview_px, never a side under 1 px."""
    width, height = img.size
    scale = min(1.0, preview_px / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size != img.size:
        img = img.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.uint8).copy()


def _check_size_arg(name: str, value: object, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= high:
        raise ValueError(f"{name} must be a whole number between 1 and {high}; got {value!r}.")


def load_photo(source: PhotoSource, num_px: int = 64, preview_px: int | None = 240, *,
               pixel_budget: int | None = None) -> Photo:
    """Photo (bytes, path or binary file object) -> Photo(image, x, preview, decoded_pixels), decoded once.

    image: (num_px, num_px, 3) uint8, centre-cropped and resized; x: (num_px * num_px * 3, 1) float64
    in [0, 1], equal to ``flatten_images(image[None])``, whatever the preview; preview: the whole upright
    picture fitted into preview_px x preview_px, from the working image (a long side of at least
    WORKING_LONG_PX, so larger previews may stay smaller), None when preview_px is None. ``pixel_budget`` refuses, with
    PixelBudgetExceeded, a photo whose decoded canvas is larger. Raises ValueError with a readable
    message for anything that is not a usable photo.
    """
    _check_size_arg("num_px", num_px, MAX_NUM_PX)
    if preview_px is not None:
        _check_size_arg("preview_px", preview_px, MAX_PREVIEW_PX)
    data = _read_bytes(source)
    decoded = _decode(data, 2 * int(num_px), max(2 * int(num_px), WORKING_LONG_PX), pixel_budget)
    try:
        rgb = _to_rgb(decoded.img, decoded.from_16_bit)
        image = np.asarray(_square_resize(rgb, int(num_px)), dtype=np.uint8).copy()
        preview = None if preview_px is None else _preview(rgb, int(preview_px))
    except Exception as exc:
        raise ValueError(f"This image's colour format ({decoded.img.mode}) cannot be converted to RGB.") from exc
    return Photo(image, flatten_images(image[None]), preview, decoded.canvas)


def prepare_photo(source: PhotoSource, num_px: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Photo (bytes, path or binary file object) -> (image, x), as :func:`load_photo` without a preview.

    image: (num_px, num_px, 3) uint8, centre-cropped and resized.
    x: (num_px * num_px * 3, 1) float64 in [0, 1], equal to ``flatten_images(image[None])``.
    Raises ValueError with a readable message for anything that is not a usable photo.
    """
    photo = load_photo(source, num_px, preview_px=None)
    return photo.image, photo.x
