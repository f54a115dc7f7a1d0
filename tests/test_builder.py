"""Tests for dnn.builder: a two-class photo set built in memory, Teachable-Machine style."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from dnn import builder as b
from dnn.builder import Advice, DatasetDraft, advise, export_zip, set_positive_class
from dnn.photo import prepare_photo
from dnn.zipdata import load_photo_zip

from conftest_shared import PHOTOS_DIR, needs_photos


def _png(seed: int, size=(90, 70), fmt="PNG") -> bytes:
    """A distinct random photo (generated, nothing committed)."""
    pixels = np.random.RandomState(seed).randint(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue()


def _draft(n0: int, n1: int, names=("cat", "dog"), positive=0) -> DatasetDraft:
    draft = DatasetDraft().rename(0, names[0]).rename(1, names[1]).with_positive(positive)
    draft, problems = draft.add_many(0, [(f"a{i}.png", _png(i)) for i in range(n0)])
    draft, more = draft.add_many(1, [(f"b{i}.jpg", _png(1000 + i, fmt="JPEG")) for i in range(n1)])
    assert problems == () and more == ()
    return draft


def test_new_draft_has_two_named_empty_classes():
    d = DatasetDraft()
    assert d.class_names == ("Class 1", "Class 2") and d.counts == (0, 0) and d.positive == 0
    assert d.positive_name == "Class 1" and d.negative_name == "Class 2"


def test_add_decodes_with_prepare_photo_and_keeps_only_the_small_image():
    data = _png(3, size=(300, 200))
    d = DatasetDraft().add(1, "folder/sub/kitten.png", data)
    assert d.counts == (0, 1)
    photo = d.photos(1)[0]
    assert photo.name == "kitten.png"  # folder uploads send relative paths
    np.testing.assert_array_equal(photo.image, prepare_photo(data)[0])
    assert photo.image.shape == (64, 64, 3) and not photo.image.flags.writeable


def test_edits_are_immutable():
    d0 = DatasetDraft()
    d1 = d0.add(0, "x.png", _png(1))
    d2 = d1.rename(0, "cat")
    d3 = d2.with_positive(1)
    assert d0.counts == (0, 0) and d1.class_names[0] == "Class 1" and d2.positive == 0
    assert d3.positive_name == "Class 2" and d3.photos(0)[0] is d1.photos(0)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d3.positive = 0


def test_bad_photos_are_refused_with_the_file_name_and_the_photo_message():
    d = DatasetDraft()
    with pytest.raises(ValueError, match=r"^empty\.jpg: The photo is empty"):
        d.add(0, "empty.jpg", b"")
    with pytest.raises(ValueError, match=r"^notes\.jpg: This is not an image"):
        d.add(0, "notes.jpg", b"hello, not a photo")
    d2, problems = d.add_many(0, [("ok.png", _png(1)), ("bad.jpg", b"\xff\xd8\xff"), ("ok2.png", _png(2))])
    assert d2.counts == (2, 0) and len(problems) == 1 and problems[0].startswith("bad.jpg: ")


def test_duplicates_are_refused_even_across_classes():
    data = _png(5)
    d = DatasetDraft().rename(0, "cat").add(0, "a.png", data)
    with pytest.raises(ValueError, match="already in 'cat'"):
        d.add(1, "copy.png", data)
    d2, problems = d.add_many(0, [("a.png", data)])  # the same upload seen again on a rerun
    assert d2.counts == (1, 0) and "already in 'cat'" in problems[0]


def test_remove_and_clear():
    d = _draft(3, 2)
    ids = [p.id for p in d.photos(0)]
    assert len(set(ids + [p.id for p in d.photos(1)])) == 5  # ids unique across the draft
    d2 = d.remove(0, ids[1])
    assert [p.id for p in d2.photos(0)] == [ids[0], ids[2]] and d2.counts == (2, 2)
    assert d2.remove(0, ids[1]) is d2  # a double click removes nothing more
    assert d2.remove(1, ids[0]) is d2  # ids are per photo, not per position
    assert d2.clear(1).counts == (2, 0)
    assert d2.clear(1).class_names == d2.class_names


@pytest.mark.parametrize(
    "name, message",
    [("", "cannot be empty"), ("   ", "cannot be empty"), ("a" * 41, "at most 40"), ("cats/dogs", "cannot contain"),
     ("..\\evil", "cannot contain"), ("C:", "cannot contain"), ("tab\there", "cannot contain"),
     ("rtl\u202egnp", "cannot contain"), (".hidden", "start with a dot"), (None, "must be text")],
)
def test_rename_refuses_bad_names(name, message):
    with pytest.raises(ValueError, match=message):
        DatasetDraft().rename(0, name)


def test_rename_keeps_typed_text_and_refuses_the_other_name():
    d = DatasetDraft().rename(0, "  **bold** <img src=x> [cat](x.html) 🐈‍⬛ ")
    assert d.class_names[0] == "**bold** <img src=x> [cat](x.html) 🐈‍⬛"  # literal; the app escapes when showing it
    with pytest.raises(ValueError, match="different names"):
        d.rename(1, "**BOLD** <IMG SRC=X> [CAT](X.HTML) 🐈‍⬛")
    assert d.rename(0, d.class_names[0]).class_names == d.class_names  # renaming to itself is fine


@pytest.mark.parametrize("slot", [2, -1, True, "0", 0.0])
def test_slots_are_checked(slot):
    with pytest.raises(ValueError, match="slot"):
        DatasetDraft().add(slot, "x.png", _png(1))


def test_class_size_is_bounded(monkeypatch):
    assert 2 * b.MAX_PHOTOS_PER_CLASS <= b.MAX_ZIP_FILES  # an export always loads back
    monkeypatch.setattr(b, "MAX_PHOTOS_PER_CLASS", 3)
    d, problems = DatasetDraft().add_many(0, [(f"{i}.png", _png(i)) for i in range(5)])
    assert d.counts == (3, 0) and len(problems) == 2 and "full" in problems[0]


@pytest.mark.parametrize("positive", [0, 1])
def test_build_labels_follow_the_positive_class(positive):
    d = _draft(12, 8, names=("kitten", "puppy"), positive=positive)
    ds = d.build(seed=3)
    pos_name = ("kitten", "puppy")[positive]
    assert ds.class_names == (d.negative_name, pos_name) and ds.kind == "images"
    # Every positive photo carries label 1, train and test alike.
    pos_digests = {p.digest for p in d.photos(positive)}
    for x, y in ((ds.train_x_orig, ds.train_y), (ds.test_x_orig, ds.test_y)):
        for image, label in zip(x, y[0], strict=True):
            assert (b.hashlib.sha1(image.tobytes()).hexdigest() in pos_digests) == (label == 1)
    assert any(pos_name in note and "label 1" in note for note in ds.notes)


def test_build_split_is_per_class_seeded_and_adjustable():
    d = _draft(20, 10)
    assert d.split(0.2) == ((16, 4), (8, 2))
    ds = d.build(seed=1, test_fraction=0.2)
    assert (ds.m_train, ds.m_test) == (24, 6)
    assert int(ds.test_y.sum()) == 4 and int(ds.train_y.sum()) == 16  # slot 0 ("cat") is positive
    again = d.build(seed=1, test_fraction=0.2)
    np.testing.assert_array_equal(again.test_x_orig, ds.test_x_orig)
    other = d.build(seed=2, test_fraction=0.2)
    assert not np.array_equal(other.test_x_orig, ds.test_x_orig)
    half = d.build(seed=1, test_fraction=0.5)
    assert (half.m_train, half.m_test) == (15, 15)
    assert ds.train_x_orig.shape == (24, 64, 64, 3) and ds.train_y.shape == (1, 24)
    assert ds.train_y.dtype == np.int64 and ds.X_train.shape == (12288, 24)


@pytest.mark.parametrize("bad", [0.0, 0.04, 0.96, float("nan"), "x"])
def test_build_refuses_bad_fractions(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        _draft(3, 3).build(test_fraction=bad)


def test_build_refuses_a_class_with_fewer_than_two_photos():
    with pytest.raises(ValueError, match="'dog' has 1 photo; each class needs at least 2"):
        _draft(5, 1).build()
    with pytest.raises(ValueError, match="'cat' has 0 photos"):
        _draft(0, 5).build()


def test_augmentation_is_off_by_default_and_touches_training_only():
    d = _draft(10, 10)
    plain = d.build(seed=4)
    assert (plain.m_train, plain.m_test) == (16, 4) and len(plain.notes) == 1
    flipped = d.build(seed=4, augment=["flip"])
    both = d.build(seed=4, augment=("crop", "flip"))
    assert (flipped.m_train, flipped.m_test) == (32, 4) and (both.m_train, both.m_test) == (48, 4)
    np.testing.assert_array_equal(flipped.test_x_orig, plain.test_x_orig)
    np.testing.assert_array_equal(both.test_x_orig, plain.test_x_orig)
    assert np.bincount(flipped.train_y[0]).tolist() == [16, 16]
    originals = {im.tobytes() for im in plain.train_x_orig}
    mirrored = {np.ascontiguousarray(im[:, ::-1]).tobytes() for im in plain.train_x_orig}
    got = {im.tobytes() for im in flipped.train_x_orig}
    assert got == originals | mirrored
    assert "augmented" in flipped.notes[1] and "16 training photos" in flipped.notes[1]
    with pytest.raises(ValueError, match="Unknown augmentation 'rotate'"):
        d.build(augment=["rotate"])


def test_small_crop_is_a_small_zoom():
    rng = np.random.RandomState(0)
    # A smooth gradient: a crop of 80-92% resized back stays close to the original.
    ramp = np.linspace(0, 255, 64)
    image = np.stack([np.add.outer(ramp, ramp) / 2] * 3, axis=-1).astype(np.uint8)
    crops = [b.small_crop(image, rng) for _ in range(20)]
    for crop in crops:
        assert crop.shape == image.shape and crop.dtype == np.uint8
        assert 0 < np.abs(crop.astype(int) - image).mean() < 30
    assert len({c.tobytes() for c in crops}) > 10  # random offsets and sizes


def test_advice_small_and_unbalanced_sets():
    assert advise(("cat", "dog"), (25, 30)) == ()
    small = advise(("cat", "dog"), (4, 25))
    assert [a.level for a in small] == ["warning", "warning", "warning"]
    assert "'cat' has only 4 photos" in small[0].text and "about 20" in small[0].text
    assert "badly unbalanced (4 vs 25)" in small[1].text and "'dog' is already right 86%" in small[1].text
    assert "Only 1 test photo in a class" in small[2].text
    assert advise(("cat", "dog"), (20, 40)) == ()  # 2:1 is still acceptable
    unbalanced = advise(("cat", "dog"), (20, 41))
    assert len(unbalanced) == 1 and "unbalanced" in unbalanced[0].text
    errors = advise(("cat", "dog"), (1, 0))
    assert [a.level for a in errors] == ["error", "error"]
    want = "'dog' has 0 photos; each class needs at least 2 (one to train on, one to test on)."
    assert Advice("error", want) in errors


def test_dataset_advice_on_an_imported_zip_of_six_photos(tmp_path):
    ds = load_photo_zip(export_zip(_draft(3, 3)))
    texts = [a.text for a in b.dataset_advice(ds)]
    assert any("'cat' has only 3 photos" in t for t in texts) and any("'dog' has only 3" in t for t in texts)
    assert not list(tmp_path.iterdir())


def test_export_zip_loads_back_exactly():
    d = _draft(6, 5, names=("white kitten", "Ünïcode dog 🐕"), positive=0).with_name("Pets: mine")
    data = export_zip(d)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 11 and all(n.startswith("Pets_mine/") for n in names)
    assert {n.split("/")[1] for n in names} == {"white kitten", "Ünïcode dog 🐕"}
    loaded = load_photo_zip(data, test_fraction=0.2, seed=0)
    # Labels follow the folders' alphabetical order ...
    assert loaded.class_names == ("white kitten", "Ünïcode dog 🐕")
    # ... and the positive class choice puts the user's back.
    chosen = set_positive_class(loaded, "white kitten")
    assert chosen.class_names == ("Ünïcode dog 🐕", "white kitten")
    for slot, label in ((0, 1), (1, 0)):
        want = sorted(p.image.tobytes() for p in d.photos(slot))
        images = np.concatenate([chosen.train_x_orig[chosen.train_y[0] == label],
                                 chosen.test_x_orig[chosen.test_y[0] == label]])
        assert sorted(im.tobytes() for im in images) == want  # PNG: pixel-exact round trip
    assert not any(n.startswith("Label 0 =") for n in chosen.notes)
    assert chosen.notes[0].startswith("Positive class (label 1, what P(...) means) = 'white kitten'")


def test_export_needs_both_classes():
    with pytest.raises(ValueError, match="Both classes"):
        export_zip(_draft(3, 0))


def test_set_positive_class_keeps_or_flips():
    ds = _draft(4, 4, names=("cat", "dog"), positive=1).build(seed=0)
    assert ds.class_names == ("cat", "dog")
    same = set_positive_class(ds, "dog")
    np.testing.assert_array_equal(same.train_y, ds.train_y)
    flipped = set_positive_class(ds, "cat")
    np.testing.assert_array_equal(flipped.train_y, 1 - ds.train_y)
    np.testing.assert_array_equal(flipped.test_y, 1 - ds.test_y)
    assert flipped.class_names == ("dog", "cat") and flipped.train_y.dtype == np.int64
    assert sum("Positive class" in n for n in flipped.notes) == 1
    with pytest.raises(ValueError, match="one of"):
        set_positive_class(ds, "bird")


def test_draft_from_dataset_round_trip():
    d = _draft(5, 4, names=("cat", "dog"), positive=1)
    ds = d.build(seed=0)
    back = b.draft_from_dataset(ds)
    assert back.class_names == ("cat", "dog") and back.positive_name == "dog" and back.counts == (5, 4)
    assert {p.digest for p in back.photos(0)} == {p.digest for p in d.photos(0)}
    with pytest.raises(ValueError, match="two-class photo"):
        from dnn.toy import toy_dataset
        b.draft_from_dataset(toy_dataset("moons"))


def test_camera_shots_one_after_another():
    # A camera widget sends one JPEG per shot; each shot is one add.
    d = DatasetDraft().rename(0, "me").rename(1, "not me")
    for k in range(3):
        d = d.add(k % 2, f"camera_{k + 1}.jpg", _png(50 + k, size=(640, 480), fmt="JPEG"))
    assert d.counts == (2, 1) and [p.name for p in d.photos(0)] == ["camera_1.jpg", "camera_3.jpg"]


@needs_photos
def test_real_photos_from_shared():
    photos = PHOTOS_DIR
    cats = ["kittens.jpg", "white_kitten.jpg", "tiger.jpg", "lion.jpg"]
    d = DatasetDraft().rename(0, "cat").rename(1, "other")
    d, problems = d.add_many(0, [(n, (photos / n).read_bytes()) for n in cats])
    d, more = d.add_many(1, [(n, (photos / n).read_bytes()) for n in ("puppy.jpg", "bird.jpg")])
    assert problems == more == () and d.counts == (4, 2)
    ds = d.build(seed=0)
    assert ds.class_names == ("other", "cat") and (ds.m_train, ds.m_test) == (4, 2)


def test_build_respects_the_memory_budget(monkeypatch):
    d = _draft(6, 6)
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "1")  # 1 MiB: less than 12 photos and a run need
    with pytest.raises(ValueError, match=r"This photo set \(10 training and 2 test images of 12,288 values\)"):
        d.build()
    with pytest.raises(ValueError, match=r"30 training and 2 test images"):
        d.build(augment=("flip", "crop"))
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "2048")
    assert d.build(hidden=(3,), dtype="float32").m_train == 10


@pytest.mark.parametrize("kwargs, message", [({"num_px": 4}, "num_px"), ({"num_px": True}, "num_px"),
                                             ({"positive": 2}, "slot"),
                                             ({"classes": (b.DraftClass("a"),)}, "exactly 2 classes")])
def test_a_draft_checks_its_fields(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DatasetDraft(**kwargs)
