"""Build a two-class photo Dataset in memory, Teachable-Machine style.

A ``DatasetDraft`` is immutable: every edit (``add``, ``remove``, ``rename``, ``with_positive``...)
returns a new draft, so the app can keep it in session state and undo is free. Photos are decoded
once, when added, by ``dnn.photo.prepare_photo`` (same limits and messages as every other upload)
and only the num_px x num_px version the network sees is kept: nothing is written to disk.

Classes live in two slots (0 and 1) whose names the user types. ``positive`` names the slot that
becomes label 1, the class P(...) is about; the built ``Dataset.classes`` is therefore
``(negative name, positive name)``. ``build`` makes a seeded per-class train/test split and can
augment the training part only (horizontal flips, small crops). ``export_zip`` writes the draft
in the zip import format of ``dnn.zipdata.load_photo_zip`` (one wrapping folder, two class
folders of PNGs), so a built set can be downloaded and loaded back exactly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from dnn.data import Dataset
from dnn.memory import DEFAULT_HIDDEN, check_upload_memory
from dnn.photo import PhotoSource, prepare_photo
from dnn.split import check_test_fraction, split_sizes
from dnn.zipdata import MAX_ZIP_FILES

NUM_CLASSES = 2
MAX_PHOTOS_PER_CLASS = MAX_ZIP_FILES // NUM_CLASSES  # an exported set always loads back
MIN_PHOTOS_PER_CLASS = 2  # one to train on, one to test on
ADVISED_PHOTOS_PER_CLASS = 20
MAX_BALANCE_RATIO = 2.0  # larger class / smaller class above this is "badly unbalanced"
FEW_TEST_PHOTOS = 3
MAX_NAME_CHARS = 40
AUGMENTATIONS = ("flip", "crop")
CROP_RANGE = (0.8, 0.92)  # side of a random crop, as a fraction of the image side
DEFAULT_NAMES = ("Class 1", "Class 2")
_SAFE_STEM = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, eq=False)
class DraftPhoto:
    """One photo of a class: ``image`` (num_px, num_px, 3) uint8, read-only; ``id`` unique in its draft."""

    id: int
    name: str
    image: np.ndarray
    digest: str


@dataclass(frozen=True)
class DraftClass:
    name: str
    photos: tuple[DraftPhoto, ...] = ()


@dataclass(frozen=True)
class Advice:
    """Guidance for the user. ``level`` is "error" (cannot build) or "warning" (can build, but...)."""

    level: str
    text: str


def _check_slot(cls: int) -> int:
    if isinstance(cls, bool) or not isinstance(cls, (int, np.integer)) or not 0 <= cls < NUM_CLASSES:
        raise ValueError(f"A class is chosen by its slot, 0 or 1; got {cls!r}.")
    return int(cls)


def _is_control(char: str) -> bool:
    # Format characters (Cf) stay allowed, since emoji sequences need the zero-width joiner,
    # except the bidirectional overrides that can make a name display as another.
    category = unicodedata.category(char)
    bidi = "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069"
    return (category.startswith("C") and category != "Cf") or bidi


def clean_class_name(name: str) -> str:
    """A class name as typed, checked: it becomes a folder in the exported zip and the P(...) label.

    Strips surrounding spaces; refuses empty names, names over MAX_NAME_CHARS characters,
    path characters (/ \\ :), control characters and a leading dot (zip tools hide those folders).
    """
    if not isinstance(name, str):
        raise ValueError(f"A class name must be text, not {type(name).__name__}.")
    name = name.strip()
    if not name:
        raise ValueError("A class name cannot be empty: type a name such as 'cat'.")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"A class name can have at most {MAX_NAME_CHARS} characters; this one has {len(name)}.")
    if any(c in "/\\:" or _is_control(c) for c in name):
        raise ValueError("A class name cannot contain / \\ : or control characters (it names a folder in the zip).")
    if name.startswith("."):
        raise ValueError("A class name cannot start with a dot (zip tools treat such folders as hidden).")
    return name


def _photo(photo_id: int, name: str, image: np.ndarray) -> DraftPhoto:
    image = np.array(image, dtype=np.uint8, copy=True)
    image.flags.writeable = False
    return DraftPhoto(photo_id, name, image, hashlib.sha1(image.tobytes()).hexdigest())


def _display_name(name: str) -> str:
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1].strip()  # folder uploads send relative paths
    return name[:80] or "photo"


@dataclass(frozen=True)
class DatasetDraft:
    """Two named classes of photos, the positive class and the image size.

    Edits return a new draft. ``positive`` is the slot (0 or 1) whose class is label 1.
    """

    classes: tuple[DraftClass, ...] = tuple(DraftClass(n) for n in DEFAULT_NAMES)
    positive: int = 0
    num_px: int = 64
    name: str = "My photos"
    next_id: int = 0

    def __post_init__(self) -> None:
        if len(self.classes) != NUM_CLASSES:
            raise ValueError(f"A draft has exactly {NUM_CLASSES} classes; got {len(self.classes)}.")
        _check_slot(self.positive)
        px = self.num_px
        if isinstance(px, bool) or not isinstance(px, (int, np.integer)) or not 8 <= px <= 256:
            raise ValueError(f"num_px must be a whole number between 8 and 256; got {self.num_px!r}.")

    # --- reading -------------------------------------------------------------------------
    @property
    def class_names(self) -> tuple[str, str]:
        """Names in slot order (as the user typed them)."""
        return self.classes[0].name, self.classes[1].name  # two slots: __post_init__ checks it

    @property
    def positive_name(self) -> str:
        return self.classes[self.positive].name

    @property
    def negative_name(self) -> str:
        return self.classes[1 - self.positive].name

    @property
    def counts(self) -> tuple[int, int]:
        """Photos per slot."""
        return len(self.classes[0].photos), len(self.classes[1].photos)

    def photos(self, cls: int) -> tuple[DraftPhoto, ...]:
        return self.classes[_check_slot(cls)].photos

    def _find(self, digest: str) -> int | None:
        for slot, c in enumerate(self.classes):
            if any(p.digest == digest for p in c.photos):
                return slot
        return None

    # --- editing -------------------------------------------------------------------------
    def _with_class(self, slot: int, new: DraftClass, **changes: Any) -> DatasetDraft:
        classes = tuple(new if i == slot else c for i, c in enumerate(self.classes))
        return dataclasses.replace(self, classes=classes, **changes)

    def add_image(self, cls: int, name: str, image: np.ndarray) -> DatasetDraft:
        """Add an already prepared (num_px, num_px, 3) uint8 image to slot ``cls``.

        Raises ValueError when the class is full or the same picture is already in the draft.
        """
        slot = _check_slot(cls)
        image = np.asarray(image)
        if image.shape != (self.num_px, self.num_px, 3) or image.dtype != np.uint8:
            raise ValueError(f"An image must be ({self.num_px}, {self.num_px}, 3) uint8; "
                             f"got {image.shape} {image.dtype}.")
        current = self.classes[slot]
        if len(current.photos) >= MAX_PHOTOS_PER_CLASS:
            raise ValueError(f"'{current.name}' already has {MAX_PHOTOS_PER_CLASS} photos, the most a class can hold.")
        photo = _photo(self.next_id, _display_name(name), image)
        where = self._find(photo.digest)
        if where is not None:
            raise ValueError(f"{photo.name}: the same picture is already in '{self.classes[where].name}'.")
        return self._with_class(slot, DraftClass(current.name, current.photos + (photo,)), next_id=self.next_id + 1)

    def add(self, cls: int, name: str, data: PhotoSource) -> DatasetDraft:
        """Decode photo ``data`` (bytes or a file object) and add it to slot ``cls`` under file ``name``.

        Raises ValueError, prefixed with the file name, for anything that is not a usable photo
        (the messages of dnn.photo), a full class or a duplicate.
        """
        _check_slot(cls)
        try:
            image, _ = prepare_photo(data, self.num_px)
        except ValueError as exc:
            raise ValueError(f"{_display_name(name)}: {exc}") from exc
        return self.add_image(cls, name, image)

    def add_many(self, cls: int, files: Iterable[tuple[str, PhotoSource]]) -> tuple[DatasetDraft, tuple[str, ...]]:
        """Add several photos; returns (new draft, one message per file that was not added)."""
        _check_slot(cls)
        draft, problems = self, []
        for name, data in files:
            if len(draft.classes[cls].photos) >= MAX_PHOTOS_PER_CLASS:
                problems.append(f"{_display_name(name)}: '{draft.classes[cls].name}' is full "
                                f"({MAX_PHOTOS_PER_CLASS} photos); not added.")
                continue
            try:
                draft = draft.add(cls, name, data)
            except ValueError as exc:
                problems.append(str(exc))
        return draft, tuple(problems)

    def remove(self, cls: int, photo_id: int) -> DatasetDraft:
        """Without photo ``photo_id``; an id already gone (a double click) leaves the draft as it is."""
        slot = _check_slot(cls)
        current = self.classes[slot]
        kept = tuple(p for p in current.photos if p.id != photo_id)
        return self if len(kept) == len(current.photos) else self._with_class(slot, DraftClass(current.name, kept))

    def clear(self, cls: int) -> DatasetDraft:
        slot = _check_slot(cls)
        return self._with_class(slot, DraftClass(self.classes[slot].name))

    def rename(self, cls: int, new_name: str) -> DatasetDraft:
        """Slot ``cls`` renamed; ValueError for an invalid name or the other class's name (any case)."""
        slot = _check_slot(cls)
        name = clean_class_name(new_name)
        other = self.classes[1 - slot].name
        if name.casefold() == other.casefold():
            raise ValueError(f"Both classes would be called '{name}': give them different names.")
        return self._with_class(slot, DraftClass(name, self.classes[slot].photos))

    def with_positive(self, cls: int) -> DatasetDraft:
        """Slot ``cls`` becomes the positive class (label 1, what P(...) is about)."""
        return dataclasses.replace(self, positive=_check_slot(cls))

    def with_name(self, name: str) -> DatasetDraft:
        name = str(name).strip()[:MAX_NAME_CHARS] or "My photos"
        return dataclasses.replace(self, name=name)

    # --- using ---------------------------------------------------------------------------
    def split(self, test_fraction: float = 0.2) -> tuple[tuple[int, int], tuple[int, int]]:
        """((n_train, n_test) of slot 0, (n_train, n_test) of slot 1), before augmentation."""
        first, second = self.counts
        return split_sizes(first, test_fraction), split_sizes(second, test_fraction)

    def advice(self, test_fraction: float = 0.2) -> tuple[Advice, ...]:
        return advise(self.class_names, self.counts, test_fraction)

    def build(self, seed: int = 0, test_fraction: float = 0.2, augment: Iterable[str] = (), *,
              hidden: Sequence[int] = DEFAULT_HIDDEN, dtype: str = "float64") -> Dataset:
        """The Dataset (kind "images"): label 1 is the positive class, classes = (negative, positive).

        Each class is split on its own (seeded): ``test_fraction`` of its photos, at least one, are
        test photos, at least one stays for training. ``augment`` ("flip", "crop") adds one
        transformed copy of every training photo per choice; test photos are never augmented.
        Refused (ValueError) when the set and a run of ``[n_x, *hidden, 1]`` in ``dtype`` would not fit
        the memory budget (dnn.memory, DNN_MEMORY_BUDGET_MB), before any copy is made.
        train_x_orig (m_train, num_px, num_px, 3) uint8, train_y (1, m_train) int64.
        """
        augment = _check_augment(augment)
        check_test_fraction(test_fraction)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
            raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1; got {seed!r}.")
        blocking = [a.text for a in self.advice(test_fraction) if a.level == "error"]
        if blocking:
            raise ValueError(" ".join(blocking))
        sizes = self.split(test_fraction)
        m_train = sum(n for n, _ in sizes) * (1 + len(augment))
        check_upload_memory(m_train, sum(n for _, n in sizes), self.num_px * self.num_px * 3, hidden=hidden,
                            dtype=dtype, what="This photo set")
        rng = np.random.RandomState(seed)
        parts: dict[str, tuple[list[np.ndarray], list[int]]] = {"train": ([], []), "test": ([], [])}
        for label, slot in enumerate((1 - self.positive, self.positive)):
            images = [p.image for p in self.classes[slot].photos]
            n_train, _ = split_sizes(len(images), test_fraction)
            order = rng.permutation(len(images))
            for part, idx in (("train", order[:n_train]), ("test", order[n_train:])):
                parts[part][0].extend(images[i] for i in idx)
                parts[part][1].extend([label] * len(idx))
        test = _mixed(*parts["test"], rng)
        # Augmentation draws from its own stream, so switching it on leaves the split and test set as they are.
        train = _mixed(*_augment(*parts["train"], augment, np.random.RandomState([seed, 1])), rng)
        classes = np.array([self.negative_name, self.positive_name])
        notes = self._notes(augment, len(parts["train"][1]))
        return Dataset(self.name, *train, *test, classes, kind="images", notes=notes)

    def _notes(self, augment: tuple[str, ...], n_train: int) -> tuple[str, ...]:
        notes = [positive_note(self.negative_name, self.positive_name)]
        if augment:
            made = " and ".join({"flip": "a mirrored", "crop": "a slightly cropped"}[a] for a in augment)
            notes.append(f"Training set augmented: each of the {n_train} training photos also appears as {made} copy "
                         f"({n_train * (1 + len(augment))} training images); test photos are used as they are.")
        return tuple(notes)


def _check_augment(augment: Iterable[str]) -> tuple[str, ...]:
    if isinstance(augment, str):
        augment = (augment,)
    chosen = tuple(dict.fromkeys(augment))
    unknown = [a for a in chosen if a not in AUGMENTATIONS]
    if unknown:
        raise ValueError(f"Unknown augmentation {unknown[0]!r}; choose from: {', '.join(AUGMENTATIONS)}.")
    return tuple(a for a in AUGMENTATIONS if a in chosen)  # a fixed order keeps a seed's result stable


def flip(image: np.ndarray) -> np.ndarray:
    """(px, px, 3) -> the same picture mirrored left-right."""
    return np.ascontiguousarray(image[:, ::-1])


def small_crop(image: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """(px, px, 3) uint8 -> a random square crop of CROP_RANGE of its side, resized back to px."""
    px = image.shape[0]
    side = int(round(px * rng.uniform(*CROP_RANGE)))
    top, left = rng.randint(0, px - side + 1, size=2)
    crop = Image.fromarray(image[top:top + side, left:left + side])
    return np.asarray(crop.resize((px, px), Image.Resampling.LANCZOS), dtype=np.uint8)


def _mixed(images: list[np.ndarray], labels: list[int], rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """(m, px, px, 3) images and (1, m) int64 labels in a seeded order that interleaves the classes."""
    mix = rng.permutation(len(labels))
    return np.stack(images)[mix], np.asarray(labels, dtype=np.int64)[mix].reshape(1, -1)


def _augment(images: list[np.ndarray], labels: list[int], augment: tuple[str, ...],
             rng: np.random.RandomState) -> tuple[list[np.ndarray], list[int]]:
    out_x, out_y = list(images), list(labels)
    for kind in augment:
        for image, label in zip(images, labels, strict=True):
            out_x.append(flip(image) if kind == "flip" else small_crop(image, rng))
            out_y.append(label)
    return out_x, out_y


def advise(class_names: Sequence[str], counts: Sequence[int], test_fraction: float = 0.2) -> tuple[Advice, ...]:
    """Honest guidance on a two-class set from its photo counts (before augmentation).

    Errors: a class with fewer than MIN_PHOTOS_PER_CLASS photos (nothing to train or test on).
    Warnings: fewer than ADVISED_PHOTOS_PER_CLASS photos in a class; one class more than
    MAX_BALANCE_RATIO times the other; fewer than FEW_TEST_PHOTOS test photos in a class.
    """
    out = []
    for name, n in zip(class_names, counts, strict=True):
        if n < MIN_PHOTOS_PER_CLASS:
            out.append(Advice("error", f"'{name}' has {n} photo{'s' * (n != 1)}; each class needs at least "
                                       f"{MIN_PHOTOS_PER_CLASS} (one to train on, one to test on)."))
        elif n < ADVISED_PHOTOS_PER_CLASS:
            out.append(Advice("warning", f"'{name}' has only {n} photos. With fewer than about "
                                         f"{ADVISED_PHOTOS_PER_CLASS} per class the network mostly memorises "
                                         "them; expect test results to be a matter of luck."))
    small, large = min(counts), max(counts)
    if small >= MIN_PHOTOS_PER_CLASS and large > MAX_BALANCE_RATIO * small:
        big = class_names[int(np.argmax(counts))]
        share = large / (small + large)
        out.append(Advice("warning", f"The classes are badly unbalanced ({counts[0]} vs {counts[1]}): a network that "
                                     f"always answers '{big}' is already right {share:.0%} of the time. "
                                     "Add photos to the smaller class."))
    if small >= MIN_PHOTOS_PER_CLASS:
        n_test = min(split_sizes(n, test_fraction)[1] for n in counts)
        if n_test < FEW_TEST_PHOTOS:
            step = 1 / sum(split_sizes(n, test_fraction)[1] for n in counts)
            out.append(Advice("warning", f"Only {n_test} test photo{'s' * (n_test != 1)} in a class: test "
                                         f"accuracy moves in steps of {step:.0%}, so read it with care."))
    return tuple(out)


def dataset_advice(dataset: Dataset) -> tuple[Advice, ...]:
    """``advise`` for an already loaded two-class image Dataset (e.g. an imported zip)."""
    labels = np.concatenate([dataset.train_y.ravel(), dataset.test_y.ravel()])
    counts = tuple(int(np.sum(labels == k)) for k in range(NUM_CLASSES))
    fraction = dataset.m_test / max(1, dataset.m_train + dataset.m_test)
    return advise(dataset.class_names, counts, min(0.5, max(0.05, fraction)))


def positive_note(negative: str, positive: str) -> str:
    return f"Positive class (label 1, what P(...) means) = '{positive}'; label 0 = '{negative}'."


def set_positive_class(dataset: Dataset, positive: str) -> Dataset:
    """The same two-class Dataset with class ``positive`` as label 1 (labels flipped if needed).

    Drops the loader's "Label 0 = ..." note, which would now be wrong, and adds positive_note.
    """
    names = dataset.class_names
    if len(names) != NUM_CLASSES or positive not in names:
        raise ValueError(f"The positive class must be one of {list(names)}; got {positive!r}.")
    notes = tuple(n for n in dataset.notes if not n.startswith(("Label 0 =", "Positive class")))
    if names[1] == positive:
        return dataclasses.replace(dataset, notes=(positive_note(names[0], positive),) + notes)
    return dataclasses.replace(
        dataset,
        train_y=(1 - dataset.train_y).astype(np.int64),
        test_y=(1 - dataset.test_y).astype(np.int64),
        classes=np.asarray(dataset.classes)[::-1].copy(),
        notes=(positive_note(names[1], positive),) + notes,
    )


def draft_from_dataset(dataset: Dataset, positive: str | None = None) -> DatasetDraft:
    """A draft holding every photo (train and test) of a two-class image Dataset, to edit further.

    ``positive`` defaults to the Dataset's label-1 class. Augmented copies are not told apart.
    """
    names = dataset.class_names
    if dataset.kind != "images" or len(names) != NUM_CLASSES:
        raise ValueError("Only a two-class photo dataset can be edited in the builder.")
    num_px = int(dataset.train_x_orig.shape[1])  # dataset.num_px, known an int for images
    draft = DatasetDraft(classes=tuple(DraftClass(clean_class_name(n)) for n in names),
                         positive=1 if positive is None else names.index(positive), num_px=num_px,
                         name=dataset.name[:MAX_NAME_CHARS] or "My photos")
    labels = np.concatenate([dataset.train_y.ravel(), dataset.test_y.ravel()])
    images = np.concatenate([dataset.train_x_orig, dataset.test_x_orig])
    for k, (image, label) in enumerate(zip(images, labels, strict=True)):
        try:
            draft = draft.add_image(int(label), f"photo_{k + 1:04d}.png", image)
        except ValueError:
            continue  # a duplicate picture: kept once
    return draft


def _zip_stem(name: str) -> str:
    return _SAFE_STEM.sub("_", name.rsplit(".", 1)[0]).strip("_")[:40] or "photo"


def export_zip(draft: DatasetDraft) -> bytes:
    """The draft as zip bytes in the import format: ``<set>/<class name>/<nnnn>_<photo>.png``.

    PNG keeps the num_px images exact, so ``load_photo_zip`` gives back the same pictures.
    The positive class is not stored (the zip format has no place for it): choose it again
    after loading.
    """
    if min(draft.counts) == 0:
        raise ValueError("Both classes need photos before the set can be downloaded.")
    wrapper = _zip_stem(draft.name) or "my_photos"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for c in draft.classes:
            for k, photo in enumerate(c.photos):
                png = io.BytesIO()
                Image.fromarray(photo.image).save(png, format="PNG")
                archive.writestr(f"{wrapper}/{c.name}/{k + 1:04d}_{_zip_stem(photo.name)}.png", png.getvalue())
    return buffer.getvalue()
