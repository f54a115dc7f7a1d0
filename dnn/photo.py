"""Turn an uploaded photo into the network's input, safely.

Pipeline: size checks -> open (restricted formats, header only) -> pixel-count check ->
first frame -> decode fully -> EXIF orientation -> RGB -> centre square crop -> resize.
Resizing uses Image.LANCZOS: the sharpest of Pillow's filters when shrinking large photos
to 64x64, which keeps the small details (ears, eyes) the network sees. An image already
num_px x num_px is not resampled at all, so dataset images round-trip exactly.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from dnn.data import flatten_images

MAX_PHOTO_BYTES = 20 * 1024 * 1024  # 20 MB: far above any phone photo, small enough to hold in memory
MAX_PIXELS = 50_000_000  # 50 megapixels, checked from the header before any pixel is decoded
ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")
MAX_NUM_PX = 1024

class _PhotoError(ValueError):
    """Our own, already readable, refusals (as opposed to Pillow's internal ValueErrors)."""


PhotoSource = Union[bytes, bytearray, str, os.PathLike, BinaryIO]


def _read_bytes(source: PhotoSource) -> bytes:
    """Bytes of the photo, refusing anything over MAX_PHOTO_BYTES without reading it all."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"There is no file at {path}. Check the path.")
        if path.stat().st_size > MAX_PHOTO_BYTES:
            raise ValueError(_too_big_message(path.stat().st_size))
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read(MAX_PHOTO_BYTES + 1)
    else:
        raise ValueError(f"A photo must be bytes, a path or a binary file object, not {type(source).__name__}.")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValueError(_too_big_message(len(data)))
    if len(data) == 0:
        raise ValueError("The file is empty (0 bytes). Choose a JPEG, PNG, GIF, BMP, WebP or TIFF photo.")
    return data


def _too_big_message(size: int) -> str:
    return f"The file is {size / 1e6:.1f} MB; photos over {MAX_PHOTO_BYTES / 1e6:.0f} MB are refused. Use a smaller photo."


def _check_pixels(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise _PhotoError(f"The image has no pixels ({width}x{height}).")
    if width * height > MAX_PIXELS:
        raise _PhotoError(
            f"The image is {width}x{height} pixels, over the {MAX_PIXELS / 1e6:.0f} megapixel limit "
            "(it may be a decompression bomb). Resize it and try again."
        )


def _decode(data: bytes) -> Image.Image:
    """Open, check the declared size, then decode the first frame with EXIF orientation applied."""
    with warnings.catch_warnings():
        # Pillow only warns between 89 and 179 megapixels; treat that as the bomb it may be.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except UnidentifiedImageError as exc:
            raise _PhotoError(f"This is not an image Pillow can read as {', '.join(ALLOWED_FORMATS)}.") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _PhotoError(f"The image declares too many pixels (a decompression bomb?): {exc}") from exc
        _check_pixels(*img.size)
        img.seek(0)  # animated GIF/WebP/TIFF: the first frame
        img.load()  # force a full decode now so truncated files fail here
        img = ImageOps.exif_transpose(img)
    _check_pixels(*img.size)
    return img


def _safe_decode(data: bytes) -> Image.Image:
    try:
        return _decode(data)
    except _PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"The image declares too many pixels (a decompression bomb?): {exc}") from exc
    except Exception as exc:
        # Malformed files make Pillow's parsers raise many types (OSError, SyntaxError,
        # struct.error, IndexError, ...); to the user they all mean the same thing.
        raise ValueError(f"The image is damaged or truncated and cannot be decoded ({type(exc).__name__}: {exc}).") from exc


def _rescale_to_uint8(values: np.ndarray, full_scale: float) -> np.ndarray:
    if full_scale <= 0:
        return np.zeros(values.shape, dtype=np.uint8)
    return np.clip(np.rint(values * (255.0 / full_scale)), 0, 255).astype(np.uint8)


def _high_depth_to_l(img: Image.Image) -> Image.Image:
    """16/32-bit integer or float greyscale -> 8-bit "L", rescaled rather than clipped.

    I;16*: full scale 65535. I: full scale 255 if max <= 255, 65535 if max <= 65535, else its max.
    F: full scale 1.0 if max <= 1, else its max. Negative values become black.
    """
    values = np.asarray(img, dtype=np.float64)
    values = np.where(np.isfinite(values), values, 0.0).clip(min=0)
    peak = float(values.max(initial=0.0))
    if img.mode.startswith("I;16"):
        full = 65535.0
    elif img.mode == "F":
        full = 1.0 if peak <= 1.0 else peak
    else:
        full = next((s for s in (255.0, 65535.0) if peak <= s), peak)
    return Image.fromarray(_rescale_to_uint8(values, full), mode="L")


def _to_rgb(img: Image.Image) -> Image.Image:
    """Any Pillow mode -> "RGB"; transparent pixels are composited over white."""
    if img.mode.startswith("I") or img.mode == "F":
        img = _high_depth_to_l(img)
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if has_alpha:
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
        img = img.resize((num_px, num_px), Image.LANCZOS)
    return img


def prepare_photo(source: PhotoSource, num_px: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Photo (bytes, path or binary file object) -> (image, x).

    image: (num_px, num_px, 3) uint8, centre-cropped and resized.
    x: (num_px * num_px * 3, 1) float64 in [0, 1], equal to ``flatten_images(image[None])``.
    Raises ValueError with a readable message for anything that is not a usable photo.
    """
    if not isinstance(num_px, (int, np.integer)) or not 1 <= num_px <= MAX_NUM_PX:
        raise ValueError(f"num_px must be a whole number between 1 and {MAX_NUM_PX}; got {num_px!r}.")
    img = _safe_decode(_read_bytes(source))
    try:
        img = _square_resize(_to_rgb(img), int(num_px))
    except Exception as exc:
        raise ValueError(f"This image's colour format ({img.mode}) cannot be converted to RGB ({exc}).") from exc
    image = np.asarray(img, dtype=np.uint8).copy()
    return image, flatten_images(image[None])
