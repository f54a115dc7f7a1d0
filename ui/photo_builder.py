"""The Data page's photo-set builder, Teachable-Machine style, and the positive-class choice.

Two classes named by the user; photos added by multi-file upload, folder upload or camera shots one
after another; 64x64 thumbnails (what the network sees) with a remove button; the positive class
(what P(...) means everywhere); a visible seeded train/test split; augmentation off by default.
The draft (``dnn.builder.DatasetDraft``, immutable) and the builder's options live in the Session's
``builder`` field; nothing is written to disk. Widgets change it through callbacks, so
an upload or a camera shot is taken in exactly once, then its widget is emptied (a new key).
Text the user typed is shown with ``ui.text.literal``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dnn.builder import (
    AUGMENTATIONS,
    DatasetDraft,
    draft_from_dataset,
    export_zip,
    flip,
    set_positive_class,
    small_crop,
)
from dnn.data import Dataset
from ui import logs
from ui.controller import controller

# Widget keys (ui/session.py; per slot / photo / generation by its *_key functions).
from ui.session import BUILDER_CAMERA as CAMERA
from ui.session import BUILDER_CAMERA_ON as CAMERA_ON
from ui.session import BUILDER_CAMERA_TARGET as CAMERA_TARGET
from ui.session import BUILDER_CROP as CROP
from ui.session import BUILDER_DOWNLOAD as DOWNLOAD
from ui.session import BUILDER_FLIP as FLIP
from ui.session import BUILDER_POSITIVE as POSITIVE
from ui.session import BUILDER_SEED as SPLIT_SEED
from ui.session import BUILDER_TEST_PCT as TEST_PCT
from ui.session import BUILDER_USE as USE
from ui.session import (
    DATASET_CHOICE,
    ZIP_POSITIVE,
    Session,
    clear_key,
    count_key,
    folder_key,
    name_key,
    remove_key,
    session,
    upload_key,
)
from ui.text import isolate, literal, safe_rows

BUILT_KEY = "upload:built"  # the data key of a set built here (a link cannot carry it)
PHOTO_TYPES = ["jpg", "jpeg", "png", "gif", "bmp", "webp", "tiff"]
THUMBS_SHOWN = 24  # per class; the rest are counted, not drawn (hundreds of buttons slow the page)
THUMB_COLUMNS = 6


@dataclass(frozen=True)
class BuilderState:
    """The builder of one session. ``generation`` renames the upload widgets, which empties them."""

    draft: DatasetDraft = DatasetDraft()
    generation: int = 0
    test_pct: int = 20
    seed: int = 0
    flip: bool = False
    crop: bool = False
    shots: int = 0
    problems: tuple[str, ...] = ()

    @property
    def augment(self) -> tuple[str, ...]:
        return tuple(a for a, on in zip(AUGMENTATIONS, (self.flip, self.crop), strict=True) if on)

    @property
    def test_fraction(self) -> float:
        return self.test_pct / 100


def state(s: Session | None = None) -> BuilderState:
    s = s or session()
    return s.builder if s.builder is not None else BuilderState()


def _save(new: BuilderState) -> None:
    session().builder = new


def _update(**changes) -> None:
    _save(dataclasses.replace(state(), **changes))


# ----- callbacks (run before the script, so the page then shows the new draft) ----------
def _take_uploads(slot: int, key: str) -> None:
    files = st.session_state.get(key) or []
    files = files if isinstance(files, list) else [files]
    current = state()
    draft, problems = current.draft.add_many(slot, [(f.name, f.getvalue()) for f in files])
    if problems:  # the count only: a problem's sentence names the file
        logs.refused_upload("photo", f"{len(problems)} of {len(files)} photo(s) refused", session().id)
    _save(dataclasses.replace(current, draft=draft, problems=problems, generation=current.generation + 1))


def _take_shot() -> None:
    shot = st.session_state.get(CAMERA)
    current = state()
    if shot is None:  # "Clear photo": the camera is ready for the next shot
        return
    slot = int(st.session_state.get(CAMERA_TARGET, 0))
    number = current.shots + 1
    problems: tuple[str, ...] = ()
    try:
        draft = current.draft.add(slot, f"camera_{number}.jpg", shot.getvalue())
    except ValueError as exc:
        logs.refused_upload("photo", "camera shot refused", session().id)
        draft, problems = current.draft, (str(exc),)
    _save(dataclasses.replace(current, draft=draft, problems=problems, shots=number))


def _rename(slot: int) -> None:
    current = state()
    try:
        _save(dataclasses.replace(current, draft=current.draft.rename(slot, st.session_state[name_key(slot)]),
                                  problems=()))
    except ValueError as exc:
        _save(dataclasses.replace(current, problems=(str(exc),)))


def _remove(slot: int, photo_id: int) -> None:
    current = state()
    _save(dataclasses.replace(current, draft=current.draft.remove(slot, photo_id), problems=()))


def _clear(slot: int) -> None:
    current = state()
    _save(dataclasses.replace(current, draft=current.draft.clear(slot), problems=()))


def _set_positive() -> None:
    current = state()
    _save(dataclasses.replace(current, draft=current.draft.with_positive(int(st.session_state[POSITIVE]))))


def _set_options() -> None:
    _update(test_pct=int(st.session_state[TEST_PCT]), seed=int(st.session_state[SPLIT_SEED]),
            flip=bool(st.session_state[FLIP]), crop=bool(st.session_state[CROP]))


def _use() -> None:
    current, config = state(), session().config
    try:
        dataset = current.draft.build(current.seed, current.test_fraction, current.augment,
                                      hidden=config.layer_dims[1:-1], dtype=config.dtype)
    except ValueError as exc:
        _update(problems=(str(exc),))
        return
    controller().switch_dataset(dataset, BUILT_KEY)
    _update(problems=())


def edit(dataset: Dataset) -> None:
    """Callback: copy a loaded photo set into the builder and open it there."""
    _save(dataclasses.replace(state(), draft=draft_from_dataset(dataset), problems=()))
    st.session_state[DATASET_CHOICE] = "build"


# ----- rendering --------------------------------------------------------------------------
def _show(key: str, value) -> None:
    # Widgets start every run from the builder's state (their callbacks keep it current), so a draft changed
    # elsewhere (loaded from a zip, a refused name) is what they show.
    st.session_state[key] = value


def class_panel(slot: int, current: BuilderState) -> None:
    draft = current.draft
    name = draft.class_names[slot]
    _show(name_key(slot), name)
    st.text_input(f"Class {slot + 1} name", key=name_key(slot), on_change=_rename, args=(slot,), max_chars=40)
    role = "positive: P(…) is about this class" if slot == draft.positive else "negative"
    st.container(key=count_key(slot)).caption(f"{draft.counts[slot]} photo{'s' * (draft.counts[slot] != 1)} · {role}")
    up, folder = upload_key(slot, current.generation), folder_key(slot, current.generation)
    st.file_uploader(f"Add photos to {literal(name)}", type=PHOTO_TYPES, accept_multiple_files=True, key=up,
                     on_change=_take_uploads, args=(slot, up))
    st.file_uploader(f"Or add a whole folder to {literal(name)}", type=PHOTO_TYPES,
                     accept_multiple_files="directory", key=folder, on_change=_take_uploads, args=(slot, folder))
    thumbnails(slot, draft)


def thumbnails(slot: int, draft: DatasetDraft) -> None:
    photos = draft.photos(slot)
    if not photos:
        return
    shown = photos[-THUMBS_SHOWN:]
    cols = st.columns(THUMB_COLUMNS)
    first = len(photos) - len(shown) + 1
    for k, photo in enumerate(shown):
        with cols[k % THUMB_COLUMNS]:
            st.image(photo.image, width=64, alt=f"{draft.class_names[slot]}, photo {first + k}")
            st.button("✕", key=remove_key(photo.id), on_click=_remove, args=(slot, photo.id),
                      help=f"Remove {literal(photo.name)}")
    if len(photos) > len(shown):
        st.caption(f"The last {len(shown)} of {len(photos)} photos are shown.")
    st.button("Remove all", key=clear_key(slot), on_click=_clear, args=(slot,), type="tertiary")


def camera_panel(current: BuilderState) -> None:
    if not st.toggle("Add photos with the camera", key=CAMERA_ON,
                     help="Off by default so the browser does not ask for the camera until you want it."):
        return
    names = current.draft.class_names
    if CAMERA_TARGET not in st.session_state:
        st.session_state[CAMERA_TARGET] = 0
    st.radio("Shots go to", [0, 1], format_func=lambda i: literal(names[i]), key=CAMERA_TARGET, horizontal=True)
    # One widget for every shot: remounting the camera after each one (a new key) left Chromium's video
    # paused now and then, so the next shot is one "Clear photo" click away instead.
    st.camera_input("Take a photo (it goes to the class chosen above), then “Clear photo” for the next one",
                    key=CAMERA, on_change=_take_shot)


def positive_panel(current: BuilderState) -> None:
    names = current.draft.class_names
    _show(POSITIVE, current.draft.positive)
    st.radio("Positive class: the network's output is P(…) of this class", [0, 1],
             format_func=lambda i: literal(names[i]), key=POSITIVE, on_change=_set_positive, horizontal=True)


def split_panel(current: BuilderState) -> None:
    draft = current.draft
    _show(TEST_PCT, current.test_pct)
    _show(SPLIT_SEED, current.seed)
    _show(FLIP, current.flip)
    _show(CROP, current.crop)
    left, right = st.columns(2)
    left.slider("Test photos per class (%)", 5, 50, step=5, key=TEST_PCT, on_change=_set_options,
                help="Kept aside, never trained on: the test accuracy says how well the network generalises.")
    right.number_input("Split seed", 0, 2**32 - 1, step=1, key=SPLIT_SEED, on_change=_set_options,
                       help="Which photos go to the test set; the same seed always gives the same split.")
    st.checkbox("Augment: add a mirrored copy of each training photo", key=FLIP, on_change=_set_options)
    st.checkbox("Augment: add a slightly zoomed-in crop (80–92 %) of each training photo", key=CROP,
                on_change=_set_options)
    st.caption("Augmentation is off by default. It only touches the training photos; test photos stay as "
               "they are, so the test accuracy remains an honest measure.")
    augmentation_preview(current)
    copies = 1 + len(current.augment)
    rows = []
    for slot, (n_train, n_test) in enumerate(draft.split(current.test_fraction)):
        rows.append({"class": isolate(draft.class_names[slot]), "label": int(slot == draft.positive),
                     "photos": draft.counts[slot], "train": n_train, "training images": n_train * copies,
                     "test": n_test})
    st.dataframe(pd.DataFrame(safe_rows(rows)), hide_index=True)  # a dataframe shows the names as plain text


def augmentation_preview(current: BuilderState) -> None:
    """The first photo with the copies augmentation adds, as the network will see them."""
    firsts = [(c.name, c.photos[0]) for c in current.draft.classes if c.photos][:1]
    if not current.augment or not firsts:
        return
    class_name, image = firsts[0][0], firsts[0][1].image
    extra = {"flip": ("mirrored copy", flip(image)),
             "crop": ("cropped copy (one random crop)", small_crop(image, np.random.RandomState(current.seed)))}
    shown = [("a training photo", image)] + [extra[a] for a in current.augment]
    labels = [label for label, _ in shown]
    st.image([picture for _, picture in shown], caption=labels, width=96,
             alt=[f"{class_name}, photo 1: {label}" for label in labels])


def guidance(current: BuilderState) -> bool:
    """Show the advice; True when the set can be built."""
    ok = True
    for advice in current.draft.advice(current.test_fraction):
        if advice.level == "error":
            ok = False
            st.error(literal(advice.text, limit=1000), icon=":material/block:")
        else:
            st.warning(literal(advice.text, limit=1000), icon=":material/warning:")
    return ok


def actions(current: BuilderState, can_build: bool) -> None:
    draft = current.draft
    left, right = st.columns(2)
    left.button("Use this dataset", key=USE, on_click=_use, type="primary", disabled=not can_build,
                help="Build the train and test sets from these photos and make them the active data.")
    if min(draft.counts) > 0:
        right.download_button("Download as zip", data=lambda: export_zip(draft), key=DOWNLOAD,
                              file_name="my_photos.zip", mime="application/zip",
                              help="Two class folders of 64×64 PNGs: load it back with the zip option. "
                                   "The zip does not record the positive class: choose it again after loading.")


def render() -> None:
    """The whole builder."""
    current = state()
    st.caption("Name two classes and add photos to each: upload several at once, a whole folder, or take camera "
               "shots one after another. The thumbnails are the 64×64 pictures the network will see. "
               "Nothing is saved on the server: download the zip to keep your set.")
    cols = st.columns(2)
    for slot in (0, 1):
        with cols[slot]:
            class_panel(slot, current)
    camera_panel(current)
    for problem in current.problems:
        st.error(literal(problem, limit=1000))
    positive_panel(current)
    split_panel(current)
    actions(current, guidance(current))
    s = session()
    if s.data_key == BUILT_KEY:
        st.caption("The active data is a set built here; press “Use this dataset” again to apply later changes.")


# ----- the positive class of an imported zip ------------------------------------------------
def zip_positive_choice(dataset: Dataset, key: str) -> None:
    """Radio to choose which class of a loaded photo set is label 1; switching relabels the data."""
    names = dataset.class_names
    if dataset.kind != "images" or len(names) != 2:
        return
    st.session_state[ZIP_POSITIVE] = names[1]
    st.radio("Positive class: the network's output is P(…) of this class", list(names),
             format_func=literal, key=ZIP_POSITIVE, on_change=_relabel, args=(key,), horizontal=True)


def _relabel(key: str) -> None:
    ctl = controller()
    chosen = st.session_state[ZIP_POSITIVE]
    if chosen != ctl.s.dataset.class_names[1]:
        ctl.switch_dataset(set_positive_class(ctl.s.dataset, chosen), key)
