"""Draw the app's static pictures with Pillow, reproducibly: `python assets/make_assets.py [out_dir]`.

- image_to_vector.png: how a 64x64 colour picture becomes the 12,288-number column x the network reads;
- home_overview.png: what the app shows, for a first-time student on Home.

Every picture comes from the embedded synthetic cats and fixed seeds (no course data is committed),
with Pillow's built-in font, so the same Pillow draws the same PNGs.
"""
from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dnn.synthetic import make_synthetic_cats  # noqa: E402

OUT = Path(__file__).resolve().parent
INK, GREY, BLUE, ORANGE, GREEN = (30, 30, 30), (120, 120, 120), (0, 114, 178), (230, 97, 0), (0, 158, 115)
CHANNELS = ((213, 60, 60), (60, 160, 60), (60, 90, 210))


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def example_images() -> tuple[np.ndarray, np.ndarray]:
    """The synthetic training images and labels (seed 0), (m, 64, 64, 3) uint8 and (m,)."""
    x, y, *_ = make_synthetic_cats(seed=0)
    return x, y.ravel()


def first_cat(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return images[int(np.flatnonzero(labels == 1)[0])]


def arrow(d: ImageDraw.ImageDraw, x0: int, x1: int, y: int, text: str = "") -> None:
    d.line([(x0, y), (x1 - 12, y)], fill=INK, width=4)
    d.polygon([(x1, y), (x1 - 16, y - 10), (x1 - 16, y + 10)], fill=INK)
    if text:
        d.text(((x0 + x1) // 2, y - 12), text, fill=GREY, font=font(15), anchor="md")


def image_to_vector(images: np.ndarray, labels: np.ndarray) -> Image.Image:
    """A picture -> its 3 colour channels -> one column of 12,288 numbers in [0, 1]."""
    cat = first_cat(images, labels)
    canvas = Image.new("RGB", (980, 360), "white")
    d = ImageDraw.Draw(canvas)
    canvas.paste(Image.fromarray(cat).resize((192, 192), Image.NEAREST), (20, 70))
    d.text((116, 40), "one picture", fill=INK, font=font(20), anchor="mm")
    d.text((116, 285), "64 x 64 pixels", fill=GREY, font=font(16), anchor="mm")
    arrow(d, 225, 295, 166)
    for k, (name, tint) in enumerate(zip("RGB", CHANNELS, strict=True)):
        plane = cat[..., k].astype(float) / 255
        rgb = (255 - (255 - np.array(tint)) * plane[..., None]).astype(np.uint8)
        x0, y0 = 305 + 26 * k, 62 + 26 * k
        canvas.paste(Image.fromarray(rgb).resize((150, 150), Image.NEAREST), (x0, y0))
        d.rectangle([x0, y0, x0 + 149, y0 + 149], outline=INK)
        d.text((x0 + 160, y0 + 8), name, fill=tint, font=font(18))
    d.text((405, 40), "3 colour channels", fill=INK, font=font(20), anchor="mm")
    d.text((405, 285), "64 x 64 x 3 = 12,288 numbers 0-255", fill=GREY, font=font(16), anchor="mm")
    arrow(d, 560, 690, 166, "flatten, / 255")
    column(d, cat.reshape(-1) / 255)
    return canvas


def column(d: ImageDraw.ImageDraw, x: np.ndarray) -> None:
    """The vector as a tall column of cells: its first values, a gap, its last values."""
    left, top, cell = 720, 40, 22
    shown = [(i, x[i]) for i in range(5)] + [None] + [(i, x[i]) for i in range(x.size - 3, x.size)]
    y = top
    for item in shown:
        if item is None:
            d.text((left + 30, y + 14), "...", fill=INK, font=font(22), anchor="mm")
            y += 34
            continue
        i, v = item
        shade = int(255 - 200 * v)
        d.rectangle([left, y, left + 60, y + cell], fill=(shade, shade, shade) if v < 0.6 else (230, 230, 230),
                    outline=INK)
        d.text((left + 30, y + cell // 2), f"{v:.2f}", fill=INK if v < 0.6 else INK, font=font(14), anchor="mm")
        d.text((left + 70, y + cell // 2), f"x[{i:,}]", fill=GREY, font=font(13), anchor="lm")
        y += cell
    d.text((left + 30, y + 24), "x: (12288, 1)", fill=INK, font=font(20), anchor="mm")
    d.text((left + 30, y + 50), "m pictures side by side: X (12288, m)", fill=GREY, font=font(15), anchor="mm")


def home_overview(images: np.ndarray, labels: np.ndarray) -> Image.Image:
    """Three steps side by side: data -> a network that trains (graph and curves) -> what it learned."""
    canvas = Image.new("RGB", (1000, 330), "white")
    d = ImageDraw.Draw(canvas)
    titles = ("1. Pick data", "2. Build it, watch it learn", "3. See what it learned")
    for k, title in enumerate(titles):
        x0 = 10 + 330 * k
        d.rounded_rectangle([x0, 10, x0 + 310, 320], radius=14, outline=(200, 200, 200), width=2)
        d.text((x0 + 155, 34), title, fill=INK, font=font(20), anchor="mm")
    picks = list(np.flatnonzero(labels == 1)[:4]) + list(np.flatnonzero(labels == 0)[:4])
    for j, i in enumerate(picks):
        r, c = divmod(j, 4)
        canvas.paste(Image.fromarray(images[i]).resize((66, 66)), (28 + 70 * c, 70 + 70 * r))
    d.text((165, 230), "cats and non-cats", fill=GREY, font=font(15), anchor="mm")
    d.text((165, 255), "(or 2-D points, or your photos)", fill=GREY, font=font(15), anchor="mm")
    network(d, 350, 60)
    curve(d, 370, 220)
    verdict(canvas, d, images[picks[0]], 680)
    return canvas


def network(d: ImageDraw.ImageDraw, x0: int, y0: int) -> None:
    rng = np.random.RandomState(3)
    layers = (3, 5, 4, 1)
    pos = [[(x0 + 40 + 75 * l, y0 + 70 + (k - (n - 1) / 2) * 30) for k in range(n)] for l, n in enumerate(layers)]
    for a, b in itertools.pairwise(pos):
        for p in a:
            for q in b:
                w = rng.randn()
                d.line([p, q], fill=BLUE if w > 0 else ORANGE, width=1 + int(min(3, abs(w) * 2)))
    for l, column_pos in enumerate(pos):
        for p in column_pos:
            fill = GREEN if l == len(layers) - 1 else (235, 240, 250)
            d.rectangle([p[0] - 11, p[1] - 11, p[0] + 11, p[1] + 11], fill=fill, outline=INK)


def curve(d: ImageDraw.ImageDraw, x0: int, y0: int) -> None:
    d.line([(x0, y0), (x0, y0 + 80), (x0 + 270, y0 + 80)], fill=INK, width=2)
    t = np.linspace(0, 1, 60)
    cost = 0.75 * np.exp(-3.2 * t) + 0.08
    test = 0.75 * np.exp(-2.4 * t) + 0.22
    points = {name: [(x0 + 5 + 260 * a, y0 + 78 - 90 * c) for a, c in zip(t, ys, strict=True)]
              for name, ys in (("train", cost), ("test", test))}
    d.line(points["train"], fill=BLUE, width=3)
    for k in range(0, len(t) - 1, 4):  # the test curve dashed, as in the app
        d.line(points["test"][k:k + 3], fill=BLUE, width=3)
    d.text((x0 + 262, y0 + 12), "cost: train, test (dashed)", fill=GREY, font=font(14), anchor="rm")


def verdict(canvas: Image.Image, d: ImageDraw.ImageDraw, image: np.ndarray, x0: int) -> None:
    canvas.paste(Image.fromarray(image).resize((128, 128), Image.NEAREST), (x0 + 20, 70))
    grey = image.astype(float).mean(axis=-1)
    edges = np.hypot(*np.gradient(grey))
    heat = (255 * edges / max(edges.max(), 1e-9)).astype(np.uint8)
    tinted = np.stack([heat, (heat * 0.7).astype(np.uint8), heat // 5], -1)
    canvas.paste(Image.fromarray(tinted).resize((128, 128)), (x0 + 160, 70))
    d.text((x0 + 84, 215), "P(cat) = 0.93", fill=GREEN, font=font(18), anchor="mm")
    d.text((x0 + 224, 215), "which pixels", fill=GREY, font=font(15), anchor="mm")
    d.text((x0 + 155, 255), "mistakes, layers, gradients,", fill=GREY, font=font(15), anchor="mm")
    d.text((x0 + 155, 278), "your own photo", fill=GREY, font=font(15), anchor="mm")


PICTURES = {"image_to_vector.png": image_to_vector, "home_overview.png": home_overview}


def main(out_dir: Path = OUT) -> list[Path]:
    images, labels = example_images()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in PICTURES.items():
        path = out_dir / name
        draw(images, labels).save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(p)
