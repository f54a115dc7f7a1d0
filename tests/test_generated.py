"""Generated tests over the whole settings space (tests/strategies.py) crossed with every dataset kind.

Each example goes through what a student's session does, with the store on (a real SQLite store in a temp
folder, the store hooks as the app subscribes them): start, tick, pause, resume, step, reset, train to the
end; then a fresh Session restores the runs from the store.  Around it: the run label, the link round trip,
diagnose(), every figure builder the pages call, the .npz round trip and the store round trip.

The examples are a fixed sample under the "ci" profile (tests/conftest.py) and a longer random search under
DNN_HYPOTHESIS_PROFILE=long.  A failing example is printed by Hypothesis: paste it into the bug report.
"""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import example, given, note
from hypothesis import settings as hsettings
from hypothesis import strategies as hst

import dnn
import store as store_lib
from dnn.diagnose import Diagnosis, check_saliency, diagnose, divergence_trace
from store import Limits, open_store
from store.records import LABEL_MAX
from ui import learning, pacing, plots_curves, plots_graph, plots_train, settings, toy_link
from ui import plots_inspect as pi
from ui.controller import Controller
from ui.session import Session
from ui.store_hooks import RESTORE_HISTORY, StoreState, first_run, observe

import strategies as gen
from conftest_shared import needs_data

MAX_TICKS = 500  # far more than a run of RUN_ITERATIONS needs: a run that does not end within it is a bug


class FrozenClock:
    """The store hooks' clock: never advances, so saves happen on the events that must save (no timing)."""

    def __call__(self) -> float:
        return 1000.0


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('generated') / 'store.sqlite3'}", Limits())
    yield s
    s.close()


def test_every_settings_row_is_a_trainconfig_field_and_has_a_strategy():
    """A row the engine lacks fails here, loudly; every row gets its extremes and its options drawn."""
    gen.check_rows()
    for row in settings.SETTINGS:
        ends = gen.extremes(row)
        assert ends and all(row.in_range(v) for v in ends), row.name
        if row.kind == "choice":
            assert set(ends) == set(row.options), row.name
    assert set(gen.row_strategies()) == {row.name for row in settings.SETTINGS}


# ----- helpers ---------------------------------------------------------------------------------
def new_session(store, ds, key: str, config: dnn.TrainConfig, owner: str) -> tuple[Controller, StoreState]:
    """A tab as app.py makes it: a Session, its controller and the store observer subscribed."""
    s = Session(dataset=ds, data_key=key, config=config, max_iterations_per_tick=gen.TICK_ITERATIONS)
    ctl = Controller(s, pacing.TrainingBoard())
    state = StoreState(owner=owner)
    clock = FrozenClock()
    ctl.subscribe(lambda event, sess: observe(store, state, event, sess, clock))
    return ctl, state


def assert_plain_message(text: object, *words: str) -> None:
    """A message a student can read: one short paragraph, no traceback or repr, naming what to change."""
    assert isinstance(text, str) and text.strip(), text
    assert "Traceback" not in text and "\n" not in text and len(text) < 400, text
    for word in words:
        assert word in text, (word, text)


def train_to_the_end(ctl: Controller) -> None:
    for _ in range(MAX_TICKS):
        if not ctl.s.running:
            return
        ctl.tick()
    raise AssertionError(f"the run is still {ctl.status} after {MAX_TICKS} ticks at iteration {ctl.s.run.iteration}")


def lifecycle(ctl: Controller) -> None:
    """Start, a tick, pause, resume, one step, reset, then a run trained to its end."""
    s = ctl.s
    assert ctl.start(), s.error
    ctl.tick()
    ctl.pause()
    assert not s.running
    assert ctl.start(), s.error  # Resume (or Train again when the run already ended)
    ctl.pause()
    assert ctl.step() is not None, s.error
    ctl.reset()
    assert s.run is not None and s.run.iteration == 0 and ctl.status == "ready"
    assert ctl.start(), s.error
    train_to_the_end(ctl)
    assert ctl.status in ("done", "diverged"), ctl.status
    assert s.run.done


def draw_every_figure(ctl: Controller) -> None:
    """What each page draws for this run, through the same helpers (no Streamlit)."""
    s, run = ctl.s, ctl.s.run
    ds, cfg = s.dataset, run.config
    classes = [str(c) for c in ds.class_names]
    state = learning.ViewState()
    # Train: the curves of this run and the history, the network graph or the decision boundary, the numbers
    labels, runs, _ = learning.curve_runs((run, ds.name), s.runs, [])
    runs[0] = plots_curves.CurveRun(runs[0].label, run.history, learning.explosion(state, run))
    data = plots_curves.curves_data(runs)
    for log_y in (False, True):
        for presenter in (False, True):
            plots_curves.with_config(plots_curves.cost_spec(cfg.num_iterations, labels, log_y, height=185), presenter)
            plots_curves.with_config(plots_curves.accuracy_spec(cfg.num_iterations, labels, height=160), presenter)
    assert len(data) >= 1
    plots_curves.run_labels([r.config for r in s.runs])
    learning.run_diagnoses(state, run, classes)
    probe = learning.probe_for(state, ds, s.data_key)
    layout = plots_graph.graph_layout(cfg.layer_dims, probe, max_units=6,
                                      px_per_unit=learning.graph_unit_px(cfg, 480, 330, 6))
    tables = learning.graph_tables(state, layout, learning.graph_key(run, cfg), lambda: run.parameters,
                                   cfg.hidden_activation, training=False)
    plots_graph.graph_spec(layout, tables, plots_graph.label_font_size(layout, 12))
    # Inspect's units tab: more units per layer, larger
    units = plots_graph.graph_layout(cfg.layer_dims, probe, max_units=10,
                                     px_per_unit=learning.graph_unit_px(cfg, 820, 560, 10, largest=90))
    plots_graph.graph_spec(units, plots_graph.graph_data(run.parameters, cfg.hidden_activation, probe, units))
    # Model: the network at iteration 0 and the shapes
    if learning.can_preview(cfg):
        initial = learning.initial_parameters(cfg)
        plots_graph.graph_spec(layout, plots_graph.graph_data(initial, cfg.hidden_activation, probe, layout))
    plots_train.shape_table(cfg.layer_dims, ds.m_train)
    if ds.kind == "toy":
        for discrete in (False, True):
            plots_train.decision_boundary_data(ds.X_train, ds.train_y, run.predict_proba, resolution=50,
                                               X_test=ds.X_test, Y_test=ds.test_y, discrete=discrete)
        extent = plots_train.boundary_extent(ds.X_train, 50)
        plots_train.decision_boundary_spec(classes, extent, 250)
        plots_train.toy_scatter_figure(ds.X_train, ds.train_y, classes)
    # Inspect: one example, the batch, the units, the gradients
    m = min(64, run.X.shape[1])
    batch = run.snapshot(run.X[:, :m], run.Y[:, :m])
    Zs, As = pi.layer_values(batch.AL, batch.caches)
    ranges = pi.layer_ranges(Zs, As)
    one = run.snapshot(run.X[:, [0]], run.Y[:, [0]])
    pi.forward_pass_figure(*pi.layer_values(one.AL, one.caches), ranges=ranges)
    pi.batch_heatmap_figure(As)
    pi.histograms_figure([{f"Z{l}": Z, f"A{l}": A} for l, (Z, A) in enumerate(zip(Zs, As, strict=True), 1)])
    [pi.dead_fraction(Z) for Z in Zs[:-1]]
    g = batch.grads
    pi.histograms_figure([{f"dW{l}": g[f"dW{l}"], f"db{l}": g[f"db{l}"], f"dA{l - 1}": g[f"dA{l - 1}"]}
                          for l in range(1, cfg.L + 1)])
    h = run.history
    if h.norm_iterations:
        pi.grad_norms_figure(h.norm_iterations, h.grad_norms)
    # Results: confusion, mistakes, one mistake's saliency; Your photo's saliency check
    X, Y = (run.X_test, run.Y_test) if run.X_test is not None else (run.X, run.Y)
    probs = run.predict_proba(X)
    assert probs.shape == (1, X.shape[1])
    pi.confusion_figure(pi.confusion_counts(Y, probs > 0.5), ds.class_names)
    order = pi.mislabeled_order(probs, Y)
    i = order[0] if order else 0
    snap = run.snapshot(X[:, [i]], Y[:, [i]])
    check_saliency(snap.grads["dA0"], snap.AL)
    if ds.kind == "images":
        heat = pi.saliency(snap.grads["dA0"], ds.num_px)
        images = ds.test_x_orig if run.X_test is not None else ds.train_x_orig
        pi.enlarge(pi.overlay(images[i], heat))
        pi.weight_tiles(run.parameters["W1"], ds.num_px) if cfg.L > 1 else None
    divergence_trace(run)


def assert_same_run(restored: dnn.Trainer, run: dnn.Trainer, what: str) -> None:
    assert settings.same_model(restored.config, run.config), what
    assert restored.iteration == run.iteration, what
    for key, value in run.parameters.items():
        np.testing.assert_array_equal(restored.parameters[key], value, err_msg=f"{what}: {key}")


def check_label(config: dnn.TrainConfig, numbers=(1, 30, 999)) -> None:
    """A run's label fits the store (which refuses longer ones) whatever the settings."""
    for number in numbers:
        label = settings.run_label(number, config)
        assert 0 < len(label) <= LABEL_MAX, \
            f"run label of {len(label)} characters (the store takes {LABEL_MAX}): {label}"
        assert label.startswith(f"#{number} ")


def check_link(case: gen.Case, ds: dnn.Dataset, config: dnn.TrainConfig) -> None:
    """The drawn config (its real iteration count): in the widgets' ranges, and the link round trip."""
    assert settings.out_of_range(config) == [], "every drawn value is one the widgets offer"
    query = settings.to_link(config, case.data.link_data)
    if case.data.toy is not None:
        query.update(toy_link.to_link(case.data.toy))
        assert toy_link.parse(query) == (case.data.toy, ())
    parsed = settings.parse_link(query, default_n_x=ds.n_x)
    assert parsed.warnings == (), parsed.warnings
    assert parsed.data == case.data.link_data
    assert parsed.config == config, "to_link then parse_link gives the same config"


# ----- the generated tests -----------------------------------------------------------------------
TOY = toy_link.DEFAULT_OPTIONS
# Examples the generated search found once, kept so every run checks them (issue 18's hunt).
FOUND = [
    # the Model page's "zeros" initialisation: every weight 0, the graph's edge scale divided by 0
    gen.Case(gen.DataChoice("moons", TOY), (5, 3), {"init": "zeros"}),
    gen.Case(gen.DataChoice("flower", TOY), (), {"init": "zeros"}),
    # Adam with epsilon at the low end of its range: a zero gradient gives 0/0 = NaN weights, the run "done"
    gen.Case(gen.DataChoice("circles", TOY), (7, 9, 11, 11, 3, 3), {"init": "course", "optimizer": "adam",
                                                                 "epsilon": 5e-324, "num_iterations": 1}),
    # a diverged run keeps weights of 1e100: saved, but its .npz and its stored row cannot be loaded back
    gen.Case(gen.DataChoice("xor", TOY), (4, 8, 3, 10, 1, 7), {
        "hidden_activation": "leaky_relu", "init": "large", "seed": 4294967295, "learning_rate": 0.1, "lambd": 0.1,
        "l1": 0.0001, "keep_prob": 0.6, "batch_size": 3, "decay": "scheduled", "decay_rate": 0.01,
        "time_interval": 1000000}),
    # a toy set's noise that 12 significant digits round: the link does not give the same points back
    gen.Case(gen.DataChoice("circles", toy_link.ToyOptions(points=535, noise=2.372062359372733e-293, train_pct=78,
                                                            seed=0)), (20, 7, 5), {"keep_prob": 0.5}),
    # every option at once on the course's cats (the label that broke 15 of 16 pages)
    gen.Case(gen.DataChoice(gen.COURSE), (20, 7, 5), {
        "hidden_activation": "tanh", "init": "he", "learning_rate": 0.05, "seed": 7, "dtype": "float32",
        "lambd": 0.1, "l1": 0.001, "keep_prob": 0.9, "batch_size": 32, "optimizer": "adam", "beta": 0.95,
        "beta1": 0.95, "beta2": 0.99, "epsilon": 1e-6, "decay": "inverse", "decay_rate": 0.3, "time_interval": 10}),
]


def found_examples(test):
    for case in reversed(FOUND):
        test = example(case=case)(test)
    return test


@needs_data  # the course data and photos of ../shared: in CI they must be there (fail, never skip)
@hsettings(max_examples=gen.examples(50))
@given(case=gen.cases())
@found_examples
def test_a_session_over_the_settings_space_with_the_store_on(store, case):
    note(f"config: {case.config(case.data.load())}")
    session_example(store, case)


def session_example(store, case: gen.Case) -> None:
    """One generated example, start to restore (also called by the page tests' sample)."""
    ds = case.data.load()
    config = case.config(ds)
    check_label(config)

    run_config = gen.run_config(config)
    owner = store_lib.new_token()
    ctl, state = new_session(store, ds, case.data.key, run_config, owner)
    refused = gen.refusal(run_config, ds)
    if refused is not None:  # a mini-batch larger than the data, or over the memory budget: a plain refusal
        assert not ctl.start() and ctl.s.run is None and not ctl.s.running
        assert_plain_message(ctl.s.error, "batch_size" if refused == "batch_size" else "MiB")
        assert ctl.step() is None
        assert state.notices == [] and store.runs.list(owner) == []
        check_link(case, ds, config)
        return

    lifecycle(ctl)
    s, run = ctl.s, ctl.s.run
    assert state.notices == [], f"the store hooks left notices: {state.notices}"
    assert state.pending is None or state.pending.done()
    # The run is listed by the store: every run that trained is one row, the last one finished
    rows = store.runs.list(owner)
    assert len(rows) == len(s.runs), ([r.label for r in rows], [r.label for r in s.runs])
    if run.iteration == 0:  # diverged at its first iteration: nothing was trained, nothing is stored
        assert run.status == dnn.Status.DIVERGED and state.run_id is None
        latest = None
    else:
        [latest] = [r for r in rows if r.id == state.run_id]
        assert latest.iteration == run.iteration and latest.status == run.status.value
    # diagnose() speaks in sentences
    found = diagnose(run, [str(c) for c in ds.class_names])
    assert all(isinstance(d, Diagnosis) and d.title and d.message and d.next_step for d in found)
    if run.status == dnn.Status.DIVERGED:
        assert found, "a diverged run is explained"
    draw_every_figure(ctl)
    # The .npz round trip (Results' download and upload)
    buf = io.BytesIO()
    dnn.save_run(buf, run, ds.classes)
    buf.seek(0)
    loaded = dnn.load_run(buf, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    assert_same_run(loaded, run, ".npz round trip")
    if latest is None:
        check_link(case, ds, config)
        return
    # The store round trip
    stored = store.runs.load(latest.id, owner)
    assert_same_run(store_lib.restore_trainer(stored, ds.X_train, ds.train_y, ds.X_test, ds.test_y), run,
                    "store round trip")
    # A reload: a fresh Session of the same browser gets its runs back
    fresh, fresh_state = new_session(store, ds, case.data.key, settings.with_inputs(settings.DEFAULT, ds.n_x), owner)
    first_run(fresh, store, fresh_state, share_token=None, returning=True)
    assert [k for k, _ in fresh_state.notices] == ["info"], fresh_state.notices
    assert not fresh.s.running and fresh.status == run.status.value
    assert_same_run(fresh.s.run, run, "restored from the store")
    assert len(fresh.s.runs) == min(len(rows) - 1, RESTORE_HISTORY)
    assert [r.label for r in fresh.s.runs] == [r.label for r in rows[1:RESTORE_HISTORY + 1]][::-1] or fresh.s.runs
    check_link(case, ds, config)


@needs_data  # the course data and photos of ../shared: in CI they must be there (fail, never skip)
@hsettings(max_examples=gen.examples(30))
@given(data=gen.data_choices(), hidden=gen.huge_hidden_layers(), values=gen.any_values())
def test_a_million_units_is_refused_with_a_plain_message_or_fits(store, data, hidden, values):
    """The widgets' largest layer (1,000,000 units): over the memory budget (dnn.check_memory, the oracle in
    strategies.refusal) Start says why in a sentence and nothing is stored; a set small enough to fit (a few
    training points) trains like any other network, but Train never draws it before Start when that drawing
    would not fit (the 50 x 50 boundary grid)."""
    ds = data.load()
    config = gen.run_config(settings.make_config(ds.n_x, hidden, values))
    owner = store_lib.new_token()
    ctl, state = new_session(store, ds, data.key, config, owner)
    refused = gen.refusal(config, ds)
    note(f"refused: {refused}")
    if refused is not None:
        assert not ctl.start() and ctl.s.run is None and not ctl.s.running
        assert_plain_message(ctl.s.error)
        assert ctl.step() is None and ctl.s.run is None
        ctl.reset()
        assert ctl.s.run is None and state.notices == [] and store.runs.list(owner) == []
    check_link(gen.Case(data, hidden, values), ds, settings.make_config(ds.n_x, hidden, values))
    if learning.can_preview(config):
        # Before Start, Train draws the untrained network over the probe, and a 2-D set's decision boundary
        # over a 50 x 50 grid: one forward pass each, Z1 of (units, points) values.
        points = 50 * 50 if ds.kind == "toy" else 9
        preview = 8 * max(config.layer_dims[1:]) * points
        assert preview <= dnn.config.memory_budget_bytes(), (
            f"learning.can_preview lets Train draw {list(config.layer_dims)} before Start: its preview forward "
            f"pass holds {preview / 2**30:.1f} GiB, over the {dnn.config.memory_budget_bytes() / 2**30:.0f} GiB budget")


@needs_data  # the course data and photos of ../shared: in CI they must be there (fail, never skip)
@hsettings(max_examples=gen.examples(150))
@given(data=gen.data_choices(), hidden=gen.hidden_layers(), values=gen.setting_values(),
       number=hst.integers(1, 10**4))
def test_labels_and_links_of_every_setting_at_once(data, hidden, values, number):
    """Every row away from its default at once (the configuration that broke 15 of 16 pages): the label
    fits the store, the summary keeps every setting for display, and the link gives the config back."""
    ds = data.load()
    config = settings.make_config(ds.n_x, hidden, values)
    check_link(gen.Case(data, hidden, values), ds, config)
    check_label(config, (1, number))
    summary = settings.summary(config)
    for row in settings.available():
        value = getattr(config, row.name)
        if row.in_label or value != row.default:
            assert row.short(value) in summary, (row.name, summary)
    assert math.isfinite(len(summary))
