"""ui/learning: pace (time left, speed), diagnoses and traces cached per run state, curves, graph pacing."""
import numpy as np
import pytest

import dnn
from dnn import TrainConfig, Trainer
from ui import learning, pacing, plots_graph


@pytest.fixture(scope="module")
def flower():
    return dnn.toy_dataset("flower")


def test_time_left_from_the_recent_pace():
    samples = [(0.0, 0), (1.0, 100), (2.0, 200), (3.0, 300)]
    assert learning.eta_seconds(samples, 600) == pytest.approx(6.0)
    assert learning.eta_seconds(samples[:1], 600) is None
    assert learning.eta_seconds([(0.0, 5), (1.0, 5)], 600) is None, "no progress: no estimate"
    assert learning.eta_seconds(samples, 0) == 0.0
    # Slowed down to narrate: the last seconds count, not the fast start.
    slowed = [(0.0, 0), (1.0, 1000), (5.0, 1004), (6.0, 1005), (7.0, 1006)]
    assert learning.eta_seconds(slowed, 10, window=3.0) == pytest.approx(10.0)
    assert [learning.format_duration(s) for s in (None, 0.4, 42, 600, 9000)] == ["—", "< 1 s", "42 s", "10 min",
                                                                                 "2.5 h"]


def test_a_new_run_restarts_the_pace_record():
    state = learning.ViewState()
    learning.note_progress(state, 500, 1.0)
    learning.note_progress(state, 0, 2.0)
    assert list(state.samples) == [(2.0, 0)]


def test_speed_choices_become_a_per_tick_cap():
    assert learning.speed_label(learning.FULL_SPEED) == "Full speed" and learning.speed_label(20) == "20 it/s"
    assert pacing.budget_for_speed(learning.speed_cap(learning.FULL_SPEED), 0.2) is None
    assert pacing.budget_for_speed(learning.speed_cap(20), 0.2) == 4


def test_diagnoses_and_trace_are_computed_once_per_run_state(flower):
    run = Trainer(TrainConfig(layer_dims=(2, 8, 8, 1), learning_rate=10.0, init="he", num_iterations=50),
                  flower.X_train, flower.train_y)
    state = learning.ViewState()
    assert learning.run_diagnoses(state, run, ("red", "blue")) == [], "nothing while it has not run"
    run.advance(50)
    found = learning.run_diagnoses(state, run, ("red", "blue"))
    assert found[0].kind == "diverged"
    assert learning.run_diagnoses(state, run, ("red", "blue")) is found, "cached"
    its, costs = learning.explosion(state, run)
    assert its[-1] == run.iteration and learning.explosion(state, run)[0] is its


def test_curve_runs_name_every_run_once_by_its_label_the_current_run_first(flower):
    """One naming everywhere (issue 20 item 3): the legend, the table and the tags all use the run's label;
    a current run not yet archived gets the label archive() will give it."""
    from ui import settings
    from ui.session import RunRecord
    runs = []
    for lr in (0.1, 0.5, 0.05):
        r = Trainer(TrainConfig(layer_dims=(2, 4, 1), learning_rate=lr, num_iterations=20), flower.X_train,
                    flower.train_y)
        r.advance(20)
        runs.append(r)
    one, two = (settings.run_label(k + 1, runs[k].config) for k in (0, 1))
    assert one == "#1 [4] act=relu init=sqrt lr=0.1 iters=20"
    records = [RunRecord(one, runs[0].config, "flower", "done", runs[0].history, 0.5, 0.5),
               RunRecord(two, runs[1].config, "flower", "done", runs[1].history, 0.5, 0.5)]
    labels, curves, history = learning.curve_runs((runs[1], "flower"), records)
    assert labels == [two, one] and history == [one, two]
    assert curves[0].history is runs[1].history and len(curves) == 2
    labels, curves, _ = learning.curve_runs(None, records, hidden=[0])
    assert labels == [two]
    labels, _, _ = learning.curve_runs((runs[2], "flower"), records[1:])  # #1 deleted: #3 is not given twice
    assert labels == ["#3 [4] act=relu init=sqrt lr=0.05 iters=20", two]


def test_the_graph_is_rebuilt_when_due_and_never_shows_another_runs_weights(flower):
    state = learning.ViewState()
    state.probe = plots_graph.plane_probe(flower.X_train, side=6)
    layout = plots_graph.graph_layout((2, 4, 1), state.probe)
    params = dnn.initialize_parameters_deep((2, 4, 1), "he", 1)
    built = []

    def parameters():
        built.append(1)
        return params

    clock = iter([0.0, 0.1, 0.2, 0.21, 0.3, 5.0, 5.1]).__next__
    learning.graph_tables(state, layout, ("run", 0), parameters, "relu", training=True, clock=clock)
    state.graph_cost = 0.1  # a graph that took 0.1 s is redrawn at most every 0.57 s while training
    learning.graph_tables(state, layout, ("run", 5), parameters, "relu", training=True, clock=clock)
    assert len(built) == 1, "not due yet: the last tables are shown"
    learning.graph_tables(state, layout, ("other run", 0), parameters, "relu", training=True, clock=clock)
    assert len(built) == 2, "another run: redrawn at once"
    learning.graph_tables(state, layout, ("other run", 9), parameters, "relu", training=True, clock=clock)
    assert len(built) == 3 and state.graph_key == ("other run", 9)


def test_graph_units_fit_the_space():
    cfg = TrainConfig(layer_dims=(12288, 20, 7, 5, 1))
    px = learning.graph_unit_px(cfg, 480, 330, 6)
    layout = plots_graph.graph_layout(cfg.layer_dims, plots_graph.image_probe(np.zeros((9, 64, 64, 3), np.uint8)),
                                      max_units=6, px_per_unit=px)
    width, height = plots_graph.graph_size(layout)
    assert width <= 480 and height <= 330


def test_a_new_runs_first_iterations_reuse_the_initial_picture_of_the_same_network(flower):
    cfg = TrainConfig(layer_dims=(2, 4, 1), init="he", num_iterations=50)
    state = learning.ViewState()
    state.probe = plots_graph.plane_probe(flower.X_train, side=6)
    layout = plots_graph.graph_layout(cfg.layer_dims, state.probe)
    built = []

    def parameters():
        built.append(1)
        return learning.initial_parameters(cfg)

    clock = iter([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).__next__
    learning.graph_tables(state, layout, learning.graph_key(None, cfg), parameters, "relu", False, clock)
    run = Trainer(cfg, flower.X_train, flower.train_y)
    run.advance(3)
    learning.graph_tables(state, layout, learning.graph_key(run, cfg), parameters, "relu", True, clock)
    assert len(built) == 1, "the initial picture stands in until a redraw is due"
    learning.graph_tables(state, layout, learning.graph_key(run, cfg), parameters, "relu", False, clock)
    assert len(built) == 2, "paused (or stepped): the current weights at once"
    other = Trainer(cfg, flower.X_train, flower.train_y)
    learning.graph_tables(state, layout, learning.graph_key(other, cfg), parameters, "relu", True, clock)
    assert len(built) == 3, "another run is never shown with the old run's weights"


def test_a_run_about_to_finish_keeps_its_picture_until_the_end(flower):
    cfg = TrainConfig(layer_dims=(2, 4, 1), init="he", num_iterations=50)
    state = learning.ViewState()
    state.probe = plots_graph.plane_probe(flower.X_train, side=6)
    layout = plots_graph.graph_layout(cfg.layer_dims, state.probe)
    run = Trainer(cfg, flower.X_train, flower.train_y)
    built = []

    def parameters():
        built.append(1)
        return run.parameters

    clock = iter([0.0, 0.01, 10.0, 20.0, 20.01]).__next__
    learning.graph_tables(state, layout, learning.graph_key(run, cfg), parameters, "relu", True, clock)
    run.advance(10)
    learning.graph_tables(state, layout, learning.graph_key(run, cfg), parameters, "relu", True, clock, hold=True)
    assert len(built) == 1, "held: no redraw just before the end"
    run.advance(40)
    learning.graph_tables(state, layout, learning.graph_key(run, cfg), parameters, "relu", False, clock)
    assert len(built) == 2, "the end shows the final weights"


def test_a_preview_over_the_memory_budget_is_refused_with_a_plain_message():
    """[2, 1000000, 1] drew a 50 x 50 boundary before Start: about 19 GiB over the 2 GiB budget."""
    from ui import settings

    huge = settings.make_config(2, (1_000_000,))
    assert not learning.can_preview(huge)
    why = learning.preview_refusal(huge)
    assert why.startswith("This network is too big to draw before training.") and "allowed" in why
    with pytest.raises(ValueError, match="too big to draw"):
        learning.initial_parameters(huge)
    course = settings.make_config(64 * 64 * 3, (20, 7, 5))
    assert learning.can_preview(course) and learning.preview_refusal(course) is None
    assert learning.can_preview(settings.make_config(2, (50, 50)))
