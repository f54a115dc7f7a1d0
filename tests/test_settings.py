"""The settings table: one row per hyperparameter drives links, labels, ranges and presets."""
from __future__ import annotations

import dataclasses

import pytest

import dnn
from ui import settings
from ui.settings import SETTINGS, Setting


def test_every_row_names_a_config_field_with_its_default_and_a_unique_link_key():
    fields = {f.name for f in dataclasses.fields(dnn.TrainConfig)}
    rows = settings.available()
    assert rows and all(row.name in fields for row in rows)
    links = [row.link for row in SETTINGS]
    assert len(set(links)) == len(links) and not {settings.DATA_LINK, settings.HIDDEN_LINK} & set(links)
    for row in rows:
        assert row.default == getattr(dnn.TrainConfig(), row.name)
        assert row.in_range(row.default), row.name
        assert row.widget in ("select_slider", "number_input", "selectbox", "radio"), row.name
        assert row.parse(row.format(row.default)) == row.default, row.name


def test_the_link_round_trips_every_setting():
    cfg = settings.make_config(12288, (20, 7, 5), {"init": "he", "learning_rate": 0.0123, "num_iterations": 777,
                                                    "seed": 9, "dtype": "float32", "hidden_activation": "tanh"})
    query = settings.to_link(cfg, "course")
    assert set(query) == {"data", "hidden", "init", "lr", "iters", "seed", "dtype", "act"}, "only what differs"
    link = settings.parse_link(query)
    assert link.warnings == () and link.data == "course" and link.config == cfg


def _extreme_values(row: Setting) -> list:
    """Every value a row's widget offers that is not its default: its choices, or its stops and its ends."""
    if row.kind == "choice":
        values = list(row.options)
    else:
        ends = [row.low if not row.low_open else None, row.high if not row.high_open else None]
        values = [*row.options, *(v for v in ends if v is not None)]
        values = [int(v) if row.kind == "int" and v is not None else v for v in values]
    return [v for v in values if v != row.default and row.in_range(v)]


@pytest.mark.parametrize("row", settings.available(), ids=lambda r: r.name)
def test_a_short_link_round_trips_every_value_of_every_row(row):
    """A link carries only what differs; parse_link of it gives back the same config, for every row."""
    values = _extreme_values(row)
    assert values, row.name
    for data, n_x in (("course", settings.IMAGE_N_X), ("moons", 2), (None, settings.IMAGE_N_X)):
        for value in values:
            try:
                cfg = settings.make_config(n_x, (20, 7, 5), {row.name: value})
            except ValueError:
                continue  # a value that needs another setting to fit (TrainConfig says which)
            query = settings.to_link(cfg, data)
            assert set(query) == ({"data"} if data else set()) | {"hidden", row.link}, (row.name, value)
            link = settings.parse_link(query)
            assert link.warnings == () and link.config == cfg and link.data == data, (row.name, value)
    default = settings.make_config(2, (), {})
    assert settings.to_link(default, "moons") == {"data": "moons", "hidden": "none"}
    assert settings.parse_link(settings.to_link(default, "moons")).config == default


def test_a_float_that_twelve_digits_would_round_out_of_range_round_trips_exactly():
    beta1 = settings.setting("beta1")
    assert beta1.format(0.9) == "0.9" and beta1.format(1e-08) == "1e-08"
    assert beta1.parse(beta1.format(0.9999999999999999)) == 0.9999999999999999, "not '1', which is out of range"
    cfg = settings.make_config(2, (3,), {"optimizer": "adam", "beta1": 0.9999999999999999})
    assert settings.parse_link(settings.to_link(cfg, "moons")).config == cfg


def test_a_link_with_every_option_at_once_is_short_and_round_trips():
    from urllib.parse import urlencode

    chosen = {r.name: _extreme_values(r)[-1] for r in settings.available()}
    try:
        cfg = settings.make_config(settings.IMAGE_N_X, (20, 7, 5), chosen)
    except ValueError:
        chosen.pop("batch_size", None)
        cfg = settings.make_config(settings.IMAGE_N_X, (20, 7, 5), chosen)
    assert settings.parse_link(settings.to_link(cfg, "course")).config == cfg
    course = settings.preset_config("five_layer", settings.IMAGE_N_X)
    assert len(urlencode(settings.to_link(course, "course"))) < 90, "the course preset's link is short"


def test_parse_link_keeps_good_values_and_names_bad_ones():
    link = settings.parse_link({"hidden": "20,7", "lr": "1e400", "seed": "x", "act": "relu"})
    assert link.config.layer_dims == (12288, 20, 7, 1)
    assert link.config.learning_rate == dnn.TrainConfig().learning_rate
    assert [(key, raw) for key, raw, _ in link.warnings] == [("lr", "1e400"), ("seed", "x")]
    assert settings.parse_link({"data": "moons", "hidden": "none"}).config.layer_dims == (2, 1)


@pytest.mark.parametrize("key,raw", [("lr", "nan"), ("lr", "-1"), ("lr", "0"), ("lr", "101"), ("iters", "0"),
                                     ("iters", "10001"), ("iters", "2.5"), ("seed", "-1"), ("act", "RELU"),
                                     ("init", ""), ("dtype", "float16"), ("hidden", "0,-3"),
                                     ("hidden", "1,1,1,1,1,1,1"), ("hidden", "1000001")])
def test_each_bad_value_falls_back_to_its_default_with_a_warning(key, raw):
    link = settings.parse_link({key: raw})
    assert [(k, r) for k, r, _ in link.warnings] == [(key, raw)]
    assert link.config == settings.make_config(settings.IMAGE_N_X, settings.hidden_units(settings.DEFAULT))


def test_a_repeated_key_uses_its_last_value():
    assert settings.parse_link({"lr": ["abc", "0.05"]}).config.learning_rate == 0.05


def test_make_config_uses_replace_so_no_field_is_dropped():
    base = dataclasses.replace(settings.DEFAULT, record_every=7, seed=42)
    cfg = settings.with_inputs(base, 2)
    assert cfg.layer_dims == (2, 20, 7, 5, 1) and cfg.seed == 42 and cfg.record_every == 7
    made = settings.make_config(2, (3,), {"learning_rate": 0.5}, base=base)
    assert made.seed == 42 and made.learning_rate == 0.5 and made.layer_dims == (2, 3, 1)


def test_recording_intervals_give_about_100_cost_points():
    assert settings.recording_intervals(2500) == (25, 100)
    assert settings.recording_intervals(300) == (3, 12)
    assert settings.recording_intervals(5) == (1, 1)
    assert settings.recording_intervals(10**6) == (100, 100)


def test_run_labels_name_the_architecture_and_what_differs_from_the_defaults():
    cfg = settings.make_config(12288, (7,), {"init": "course", "seed": 3})
    assert settings.run_label(2, cfg) == "#2 [7] act=relu init=course lr=0.0075 seed=3"


def test_out_of_range_names_what_the_widgets_cannot_show_and_clip_is_explicit():
    fine = settings.make_config(12288, (20, 7, 5))
    assert settings.out_of_range(fine) == [] and settings.clip(fine) == fine
    wild = dnn.TrainConfig(layer_dims=(12288, *([3] * 8), 1), num_iterations=10_000_000, learning_rate=0.3)
    problems = settings.out_of_range(wild)
    assert len(problems) == 2 and "8 hidden layers" in problems[0] and "10000000" in problems[1]
    clipped = settings.clip(wild)
    assert clipped.num_iterations == settings.MAX_ITERATIONS and clipped.learning_rate == 0.3
    assert settings.hidden_units(clipped) == (3,) * settings.MAX_HIDDEN_LAYERS
    assert settings.out_of_range(clipped) == []


def test_presets_are_the_course_networks():
    two = settings.preset_config("two_layer", 12288)
    five = settings.preset_config("five_layer", 12288)
    assert two.layer_dims == (12288, 7, 1) and two.init == "course"
    assert five.layer_dims == (12288, 20, 7, 5, 1) and five.init == "sqrt"
    for cfg in (two, five):
        assert (cfg.seed, cfg.learning_rate, cfg.num_iterations, cfg.dtype) == (1, 0.0075, 2500, "float64")


@dataclasses.dataclass(frozen=True)
class DemoConfig(dnn.TrainConfig):
    """dnn's side of a new hyperparameter: one more field (its use in training is not needed here)."""

    momentum_demo: float = 0.0


def test_a_new_hyperparameter_is_one_row(monkeypatch):
    row = Setting("momentum_demo", "Demo momentum", "float", "mom", "number_input", low=0.0, high=0.99,
                  step=0.01, section=settings.REGULARISATION)
    monkeypatch.setattr(settings, "DEFAULT", DemoConfig())
    monkeypatch.setattr(settings, "_CONFIG_FIELDS", {f.name: f for f in dataclasses.fields(DemoConfig)})
    monkeypatch.setattr(settings, "SETTINGS", SETTINGS + (row,))
    assert row in settings.available() and "mom" in settings.link_keys()
    link = settings.parse_link({"mom": "0.9", "hidden": "7"})
    assert link.warnings == () and link.config.momentum_demo == 0.9
    assert settings.to_link(link.config, None)["mom"] == "0.9"
    assert settings.parse_link(settings.to_link(link.config, None)).config == link.config
    assert "mom=0.9" in settings.run_label(1, link.config)
    assert "mom" not in settings.run_label(1, settings.make_config(12288, (7,))), "defaults stay out of labels"
    assert settings.parse_link({"mom": "1.5"}).warnings[0][:2] == ("mom", "1.5")
    assert settings.out_of_range(dataclasses.replace(link.config, momentum_demo=5.0))[0].startswith("Demo momentum")


def test_live_changes_only_for_live_fields(monkeypatch):
    monkeypatch.setattr(settings, "LIVE_FIELDS", ("learning_rate",))
    a = settings.make_config(12288, (7,))
    assert settings.live_changes(a, dataclasses.replace(a, learning_rate=0.1)) == {"learning_rate": 0.1}
    assert settings.live_changes(a, dataclasses.replace(a, learning_rate=0.1, seed=2)) is None
    assert settings.live_changes(a, a) is None
    assert settings.live_changes(a, dataclasses.replace(a, record_every=3)) is None
