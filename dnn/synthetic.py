"""An embedded, download-free stand-in for the cat vs non-cat dataset.

Cartoon cat faces (head, two pointed ears, eyes, nose, whiskers) versus other shapes
(plain discs, ear-less faces, round-eared "bear" faces, squares, triangles, stars, blobs),
drawn with pure NumPy on cluttered, noisy backgrounds. Every shape is rasterised from a
signed distance on a coordinate grid, so each image costs a handful of array operations.

The difficulty is tuned so that the course's five-layer network ([12288, 20, 7, 5, 1],
relu, 1/sqrt(n) init, lr 0.0075, 2500 iterations) reaches roughly 75-95 % test accuracy
(measured: 82 % for seed 0, 88 % seed 1, 82 % seed 2):
learnable, but with hard cases (occluded or low-contrast cats, ear-less faces, bears).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from dnn.data import Dataset, DataTuple

CLASSES = np.array([b"non-cat", b"cat"])
# Natural fur colours: most cats, and some other objects, use them.
FUR = np.array(
    [[230, 140, 50], [130, 130, 135], [45, 40, 40], [235, 232, 225], [140, 90, 50], [220, 190, 140]],
    dtype=np.float64,
)
EYES = np.array([[120, 200, 60], [230, 200, 40], [90, 160, 230], [200, 140, 40]], dtype=np.float64)
NON_CAT_KINDS = ("disc", "earless", "bear", "square", "triangle", "star", "blob")


class _Frame:
    """Object-local coordinates: u right, v down, in units of the head radius ``r`` (pixels)."""

    def __init__(self, xx: np.ndarray, yy: np.ndarray, cx: float, cy: float, r: float, angle: float):
        c, s = np.cos(angle), np.sin(angle)
        dx, dy = xx - cx, yy - cy
        self.u = (c * dx + s * dy) / r
        self.v = (-s * dx + c * dy) / r
        self.r = r

    def alpha(self, sd: np.ndarray) -> np.ndarray:
        """Signed distance (local units, negative inside) -> soft 1-pixel-wide coverage."""
        return np.clip(0.5 - sd * self.r, 0.0, 1.0)


def _ellipse_sd(f: _Frame, cu: float, cv: float, a: float, b: float) -> np.ndarray:
    # Scaled radial distance: exact for circles, close enough for mild ellipses.
    sd: np.ndarray = (np.hypot((f.u - cu) / a, (f.v - cv) / b) - 1.0) * min(a, b)
    return sd


def _convex_sd(f: _Frame, verts: np.ndarray) -> np.ndarray:
    """Max of edge half-plane distances of a convex polygon ``verts`` (k, 2), any winding."""
    verts = np.asarray(verts, dtype=np.float64)
    centre = verts.mean(axis=0)
    sd = np.full(f.u.shape, -np.inf)
    for p, q in zip(verts, np.roll(verts, -1, axis=0), strict=True):
        edge = q - p
        normal = np.array([edge[1], -edge[0]]) / np.hypot(*edge)
        # Orient each normal outwards so the winding of ``verts`` does not matter.
        if (centre - p) @ normal > 0:
            normal = -normal
        sd = np.maximum(sd, (f.u - p[0]) * normal[0] + (f.v - p[1]) * normal[1])
    return sd


def _segment_sd(f: _Frame, p_xy: tuple[float, float], q_xy: tuple[float, float], width: float) -> np.ndarray:
    p, q = np.asarray(p_xy, float), np.asarray(q_xy, float)
    d = q - p
    t = np.clip(((f.u - p[0]) * d[0] + (f.v - p[1]) * d[1]) / (d @ d), 0.0, 1.0)
    sd: np.ndarray = np.hypot(f.u - p[0] - t * d[0], f.v - p[1] - t * d[1]) - width
    return sd


def _radial_sd(f: _Frame, radius_fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    rho, theta = np.hypot(f.u, f.v), np.arctan2(f.v, f.u)
    sd: np.ndarray = rho - radius_fn(theta)
    return sd


def _paint(img: np.ndarray, alpha: np.ndarray, colour: np.ndarray) -> None:
    img *= 1.0 - alpha[..., None]
    img += alpha[..., None] * colour


def _random_colour(rng: np.random.RandomState, p_fur: float) -> np.ndarray:
    """A fur colour with probability ``p_fur``, else any colour; (3,) float64."""
    if rng.rand() < p_fur:
        fur: np.ndarray = np.clip(FUR[rng.randint(len(FUR))] + rng.normal(0, 15, 3), 0, 255)
        return fur
    any_colour: np.ndarray = rng.uniform(0, 255, 3)
    return any_colour


def _background(rng: np.random.RandomState, xx: np.ndarray, yy: np.ndarray, high: float) -> np.ndarray:
    """A random linear gradient with channels in [0, high]; (num_px, num_px, 3) float64."""
    c0, c1 = rng.uniform(0, high, 3), rng.uniform(0, high, 3)
    angle = rng.uniform(0, 2 * np.pi)
    t = (np.cos(angle) * xx + np.sin(angle) * yy) / xx.shape[0]
    t = (t - t.min()) / max(np.ptp(t), 1e-9)
    shade: np.ndarray = c0 + t[..., None] * (c1 - c0)
    return shade


def _clutter(rng: np.random.RandomState, img: np.ndarray, xx: np.ndarray, yy: np.ndarray, most: int) -> None:
    """Semi-transparent background discs, bars and lines so the object is not alone."""
    n = xx.shape[0]
    for _ in range(rng.randint(1, most + 1)):
        f = _Frame(xx, yy, rng.uniform(0, n), rng.uniform(0, n), rng.uniform(3, n / 4), rng.uniform(0, np.pi))
        shape = rng.randint(3)
        if shape == 0:
            sd = _ellipse_sd(f, 0, 0, 1, rng.uniform(0.4, 1))
        elif shape == 1:
            sd = np.maximum(np.abs(f.u) - 1, np.abs(f.v) - rng.uniform(0.1, 0.5))
        else:
            sd = _segment_sd(f, (-2, 0), (2, 0), rng.uniform(0.05, 0.15))
        _paint(img, f.alpha(sd) * rng.uniform(0.3, 0.9), rng.uniform(0, 255, 3))


def _draw_face(rng: np.random.RandomState, img: np.ndarray, f: _Frame, fur: np.ndarray, ears: str) -> None:
    """Head with ``ears`` in {"pointed", "round", "none"}, eyes, nose and (for cats) whiskers."""
    sides = (-1, 1)
    if ears == "pointed":
        tilt = rng.uniform(-0.15, 0.15)
        ears_sd = [_convex_sd(f, np.array([[0.85, -0.25], [0.2, -0.8], [0.8 + tilt, -1.45]]) * [s, 1]) for s in sides]
        _paint(img, f.alpha(np.minimum(*ears_sd)), fur)
    elif ears == "round":
        _paint(img, f.alpha(np.minimum(*[_ellipse_sd(f, 0.7 * s, -0.75, 0.35, 0.35) for s in sides])), fur)
    _paint(img, f.alpha(_ellipse_sd(f, 0, 0, 1.0, rng.uniform(0.8, 0.95))), fur)
    eye = np.clip(EYES[rng.randint(len(EYES))] + rng.normal(0, 10, 3), 0, 255)
    # Symmetric parts are painted together (min of distances): half the full-image passes.
    _paint(img, f.alpha(np.minimum(*[_ellipse_sd(f, 0.38 * s, -0.1, 0.17, 0.22) for s in sides])), eye)
    _paint(img, f.alpha(np.minimum(*[_ellipse_sd(f, 0.38 * s, -0.1, 0.05, 0.18) for s in sides])), np.zeros(3))
    _paint(img, f.alpha(_convex_sd(f, np.array([[-0.12, 0.18], [0.12, 0.18], [0, 0.32]]))), np.array([230, 120, 140.0]))
    if ears == "pointed":
        whisker = np.full(3, 255.0) if fur.mean() < 128 else np.full(3, 30.0)
        lines = [_segment_sd(f, (0.25 * s, 0.32), (1.25 * s, 0.3 + dv), 0.02)
                 for s in sides for dv in (-0.1, 0.05, 0.2)]
        _paint(img, 0.8 * f.alpha(np.min(lines, axis=0)), whisker)


def _draw_shape(rng: np.random.RandomState, img: np.ndarray, f: _Frame, fur: np.ndarray, kind: str) -> None:
    """A non-cat object of the given ``kind`` (one of NON_CAT_KINDS)."""
    if kind in ("earless", "bear"):
        _draw_face(rng, img, f, fur, "none" if kind == "earless" else "round")
        return
    if kind == "disc":
        sd = _ellipse_sd(f, 0, 0, 1.0, rng.uniform(0.7, 1.0))
    elif kind == "square":
        sd = np.maximum(np.abs(f.u), np.abs(f.v)) - 0.95
    elif kind == "triangle":
        sd = _convex_sd(f, np.array([[-1.1, 0.8], [1.1, 0.8], [0, -1.3]]))
    elif kind == "star":
        points, phase = rng.randint(4, 7), rng.uniform(0, np.pi)
        sd = _radial_sd(f, lambda t: 0.8 + 0.4 * np.cos(points * t + phase))
    else:
        amps, phases = rng.uniform(0, 0.2, 4), rng.uniform(0, 2 * np.pi, 4)
        waves = list(enumerate(zip(amps, phases, strict=True)))
        sd = _radial_sd(f, lambda t: 1 + sum(a * np.cos((k + 2) * t + p) for k, (a, p) in waves))
    _paint(img, f.alpha(sd), fur)


def _occlude(rng: np.random.RandomState, img: np.ndarray, xx: np.ndarray, yy: np.ndarray, cx: float, cy: float) -> None:
    """A bar across part of the object: one of the hard cases."""
    f = _Frame(xx, yy, cx + rng.uniform(-8, 8), cy + rng.uniform(-8, 8), rng.uniform(4, 8), rng.uniform(0, np.pi))
    _paint(img, f.alpha(np.maximum(np.abs(f.u) - 3, np.abs(f.v) - 1)), rng.uniform(0, 255, 3))


def _render(rng: np.random.RandomState, label: int, num_px: int, difficulty: Mapping[str, Any]) -> np.ndarray:
    """One (num_px, num_px, 3) uint8 image of a cat (label 1) or something else (label 0)."""
    yy, xx = np.mgrid[0:num_px, 0:num_px] + 0.5
    img = _background(rng, xx, yy, difficulty["bg_high"])
    _clutter(rng, img, xx, yy, difficulty["clutter"])
    scale = num_px / 64.0
    cx, cy = (num_px / 2 + rng.uniform(-1, 1, 2) * difficulty["shift"] * scale)
    radius = rng.uniform(*difficulty["radius"]) * scale
    frame = _Frame(xx, yy, cx, cy + 0.2 * radius, radius, rng.uniform(-1, 1) * difficulty["angle"])
    # Like real photos, cats mostly come in fur colours while other things can be any colour.
    fur = _random_colour(rng, difficulty["fur_cat"] if label == 1 else difficulty["fur_other"])
    if rng.rand() < difficulty["low_contrast"]:
        # Hard case: the object blends into the background.
        fur = np.clip(img[int(cy) % num_px, int(cx) % num_px] + rng.normal(0, 20, 3), 0, 255)
    if label == 1:
        _draw_face(rng, img, frame, fur, "pointed")
    else:
        _draw_shape(rng, img, frame, fur, NON_CAT_KINDS[rng.randint(len(NON_CAT_KINDS))])
    if rng.rand() < difficulty["occlusion"]:
        _occlude(rng, img, xx, yy, cx, cy)
    img += rng.normal(0, difficulty["noise"], img.shape)
    image: np.ndarray = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    return image


# Tuned by training the course's five-layer net: fully connected layers on raw pixels need
# the face roughly centred and upright, so variety comes from colours, clutter and hard cases.
DIFFICULTY = MappingProxyType({
    "shift": 2.0, "radius": (14.0, 16.0), "angle": 0.15,  # pixels, pixels, radians
    "low_contrast": 0.1, "occlusion": 0.15, "noise": 6.0,  # probabilities; noise std in grey levels
    "fur_cat": 0.9, "fur_other": 0.5, "bg_high": 160.0, "clutter": 3,
})  # read-only: no module-level mutable state


def _balanced_labels(rng: np.random.RandomState, m: int) -> np.ndarray:
    labels = np.zeros(m, dtype=np.int64)
    labels[: (m + 1) // 2] = 1
    return rng.permutation(labels)


def _check_sizes(m_train: int, m_test: int, num_px: int) -> None:
    if m_train < 2 or m_test < 2:
        raise ValueError(f"Need at least 2 training and 2 test images; got m_train={m_train}, m_test={m_test}.")
    if not 16 <= num_px <= 256:
        raise ValueError(f"num_px must be between 16 and 256 pixels; got {num_px}.")
    if (m_train + m_test) * num_px * num_px > 50_000_000:
        raise ValueError("That many synthetic images would use too much memory; ask for fewer or smaller images.")


def make_synthetic_cats(seed: int = 0, m_train: int = 209, m_test: int = 50, num_px: int = 64) -> DataTuple:
    """Synthetic cartoon cats, in the same format as :func:`dnn.data.load_catvnoncat`.

    Returns train_x_orig (m_train, num_px, num_px, 3) uint8, train_y (1, m_train) int64,
    test_x_orig (m_test, num_px, num_px, 3) uint8, test_y (1, m_test) int64,
    classes [b'non-cat', b'cat']. Each split is half cats (rounded up), in shuffled order.
    The same seed always gives the same images.
    """
    _check_sizes(m_train, m_test, num_px)
    rng = np.random.RandomState(seed)
    splits = []
    for m in (m_train, m_test):
        y = _balanced_labels(rng, m)
        x = np.stack([_render(rng, int(label), num_px, DIFFICULTY) for label in y])
        splits += [x, y.reshape(1, m)]
    return splits[0], splits[1], splits[2], splits[3], CLASSES.copy()


def synthetic_dataset(seed: int = 0) -> Dataset:
    """209 train / 50 test synthetic 64x64 images as a ``Dataset`` named "Synthetic cartoon cats"."""
    train_x, train_y, test_x, test_y, classes = make_synthetic_cats(seed)
    return Dataset("Synthetic cartoon cats", train_x, train_y, test_x, test_y, classes)
