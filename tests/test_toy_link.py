"""Tests for ui/toy_link.py: the toy sets' points, noise, train share and seed, checked and carried in links."""
from __future__ import annotations

import numpy as np
import pytest

from dnn.toy import toy_dataset
from ui import toy_link
from ui.toy_link import DEFAULT_OPTIONS, ToyOptions


def test_defaults_give_the_plain_toy_set():
    for name in ("flower", "moons"):
        a, b = toy_link.make(name, DEFAULT_OPTIONS), toy_dataset(name)
        np.testing.assert_array_equal(a.X_train, b.X_train)
        np.testing.assert_array_equal(a.test_y, b.test_y)


def test_options_shape_the_set():
    ds = toy_link.make("circles", ToyOptions(points=200, noise=0.0, train_pct=50, seed=9))
    assert (ds.m_train, ds.m_test) == (100, 100)
    radius = np.hypot(*np.hstack([ds.X_train, ds.X_test]))
    np.testing.assert_allclose(np.sort(np.unique(np.round(radius, 9))), [0.5, 1.0])
    assert (toy_link.make("xor", ToyOptions(points=20, train_pct=90)).m_test) == 2


def test_regenerate_is_a_new_seed_and_reproducible():
    first = ToyOptions(points=100, noise=0.3, train_pct=70, seed=5)
    again = first.regenerated()
    assert again == ToyOptions(points=100, noise=0.3, train_pct=70, seed=6)
    assert not np.array_equal(toy_link.make("moons", first).X_train, toy_link.make("moons", again).X_train)
    assert ToyOptions(seed=2**32 - 1).regenerated().seed == 0


def test_link_round_trip():
    options = ToyOptions(points=250, noise=0.35, train_pct=60, seed=42)
    link = toy_link.to_link(options)
    assert link == {"points": "250", "noise": "0.35", "train": "60", "dseed": "42"}
    assert toy_link.parse(link) == (options, ())
    assert toy_link.parse(toy_link.to_link(DEFAULT_OPTIONS)) == (DEFAULT_OPTIONS, ())
    assert "noise" not in toy_link.to_link(DEFAULT_OPTIONS)  # the dataset's own default noise
    assert toy_link.parse({"points": ["100", "300"]})[0].points == 300  # a repeated key: the last one


def test_tampered_link_values_keep_their_defaults_with_a_warning():
    options, warnings = toy_link.parse({"points": "99999999", "noise": "nan", "train": "5", "dseed": "-1"})
    assert options == DEFAULT_OPTIONS
    assert [w[0] for w in warnings] == ["points", "noise", "train", "dseed"]
    assert warnings[0] == ("points", "99999999", "a whole number from 20 to 2000")
    options, warnings = toy_link.parse({"points": "[x](https://evil.example)", "noise": "0.5", "train": "12.5"})
    assert options == ToyOptions(noise=0.5) and len(warnings) == 2
    assert warnings[0][1] == "[x](https://evil.example)"  # quoted as given: the app shows it with literal()


@pytest.mark.parametrize("bad", [ToyOptions(points=10), ToyOptions(noise=2.0), ToyOptions(noise=float("nan")),
                                 ToyOptions(train_pct=95), ToyOptions(seed=-3), ToyOptions(points=50.5)])
def test_make_checks_the_options(bad):
    with pytest.raises(ValueError, match="toy set's"):
        toy_link.make("moons", bad)


def test_options_of_a_session():
    from types import SimpleNamespace

    assert toy_link.options_of(SimpleNamespace(toy_options=None)) is DEFAULT_OPTIONS
    mine = ToyOptions(points=60)
    assert toy_link.options_of(SimpleNamespace(toy_options=mine)) is mine


def test_link_for_a_session_and_from_a_link():
    from types import SimpleNamespace

    mine = ToyOptions(points=60, noise=0.5, train_pct=50, seed=3)
    toy = SimpleNamespace(link_data="spiral", toy_options=mine)
    assert toy_link.link_for(toy) == {"points": "60", "noise": "0.5", "train": "50", "dseed": "3"}
    photos = SimpleNamespace(link_data=None, toy_options=mine)
    assert toy_link.link_for(photos) == {}  # the options of an earlier toy set do not travel with other data
    options, dataset, warnings = toy_link.from_link("spiral", {**toy_link.link_for(toy), "train": "x"})
    assert options == ToyOptions(points=60, noise=0.5, train_pct=80, seed=3) and len(warnings) == 1
    assert (dataset.m_train, dataset.m_test) == (48, 12)
