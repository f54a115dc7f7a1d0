"""Model: choose the network and the training settings; see its shapes, size and memory."""
from __future__ import annotations

from typing import Any

import streamlit as st

import dnn
from dnn.diagnose import check_duration, estimate_seconds
from dnn.units import fmt_bytes
from ui import learning, nav, plots_graph, plots_train, session, settings, widgets
from ui.controller import Controller, controller
from ui.session import CLIP_MODEL, N_HIDDEN, NETWORK_CHART
from ui.settings import Setting
from ui.theme import is_dark

DEFAULT_UNITS = 5


def seed_widgets(cfg: dnn.TrainConfig) -> None:
    """Widgets start from the current config (their keys vanish while another page is open)."""
    hidden = settings.hidden_units(cfg)
    st.session_state.setdefault(N_HIDDEN, len(hidden))
    for k in range(1, settings.MAX_HIDDEN_LAYERS + 1):
        st.session_state.setdefault(session.units_key(k), hidden[k - 1] if k <= len(hidden) else DEFAULT_UNITS)
    for row in settings.available():
        st.session_state.setdefault(session.setting_key(row), getattr(cfg, row.name))


def units_problem(k: int, value: Any) -> str | None:
    """Why a typed unit count cannot be used (the range said), or None."""
    if value is None or not float(value).is_integer() or not 1 <= value <= settings.MAX_UNITS:
        shown = "nothing" if value is None else f"{value:,}"
        return f"Units in layer {k} must be a whole number from 1 to {settings.MAX_UNITS:,}; got {shown}."
    return None


def layer_controls() -> list[int] | None:
    """The hidden layers' sizes, or None (with the range said) when a typed size is out of range: the
    widgets take any number so a typed 0 or 2,000,000 is answered instead of silently put back."""
    n_hidden = st.slider("Hidden layers", 0, settings.MAX_HIDDEN_LAYERS, key=N_HIDDEN,
                         help="0 hidden layers is logistic regression, the course's first model.")
    units, problems = [], []
    cols = st.columns(3)
    for k in range(1, n_hidden + 1):
        value = cols[(k - 1) % 3].number_input(f"Units in layer {k}", min_value=None, max_value=None, step=1,
                                               key=session.units_key(k),
                                               help=f"From 1 to {settings.MAX_UNITS:,} units.")
        problems.append(units_problem(k, value))
        units.append(value)
    found = [p for p in problems if p]
    if found:
        st.error(" ".join(found) + " The previous model is kept.")
        return None
    return [int(u) for u in units]


def _options(row: Setting, current: Any) -> list:
    """The row's choices plus the current value (a link or a loaded model may hold another one)."""
    if row.kind == "choice":
        return list(row.options)
    values = {*row.options, current} - {None}
    return ([None] if row.nullable else []) + sorted(values)


def setting_widget(row: Setting) -> Any:
    """The widget the table row asks for, bound to its key."""
    key = session.setting_key(row)
    help_text = (row.help + (" Changes reach a running run at once." if row.live else "")).strip() or None
    if row.widget == "select_slider":
        return st.select_slider(row.label, _options(row, st.session_state[key]), key=key, help=help_text,
                                format_func=row.display)
    if row.widget == "number_input":
        kind = int if row.kind == "int" else float
        assert row.low is not None and row.high is not None, f"{row.name}: a number row has its bounds"
        return st.number_input(row.label, kind(row.low), kind(row.high), step=kind(row.step or 1), key=key,
                               help=help_text)
    if row.widget == "selectbox":
        return st.selectbox(row.label, _options(row, st.session_state[key]), key=key, help=help_text,
                            format_func=row.display)
    if row.widget == "radio":
        return st.radio(row.label, row.options, key=key, help=help_text, captions=row.captions or None,
                        horizontal=not row.captions)
    raise ValueError(f"Unknown widget {row.widget!r} for the setting {row.name}.")


def section_controls(section: str, cfg: dnn.TrainConfig, chosen: dict[str, Any]) -> dict[str, Any]:
    """The section's widgets; a row that does not matter for the chosen values (momentum's β without
    momentum) is not shown and keeps its value."""
    values: dict[str, Any] = {}
    for row in settings.available():
        if row.section != section:
            continue
        if row.shown_if is not None:
            other, wanted = row.shown_if
            if {**settings.values(cfg), **chosen, **values}.get(other) not in wanted:
                continue
        values[row.name] = setting_widget(row)
    return values


def show_size(cfg: dnn.TrainConfig, m: int, m_test: int) -> bool:
    """Parameter count and memory; False (with an error) when the network would not fit."""
    options = settings.memory_settings(cfg)
    need = dnn.estimate_memory_bytes(cfg.layer_dims, m, cfg.dtype, m_test, **options)
    c1, c2 = st.columns(2)
    c1.metric("Parameters", f"{dnn.parameter_count(cfg.layer_dims):,}")
    c2.metric("Memory for training", fmt_bytes(need),
              help="The data, W, dW and optimiser state, and Z, A, dZ for every example.")
    try:
        dnn.check_memory(cfg.layer_dims, m, cfg.dtype, m_test=m_test, **options)
    except ValueError as exc:
        st.error(f"Too big to train: {exc}")
        return False
    return True


def read_only(ctl: Controller, problems: list[str]) -> None:
    """A model the widgets cannot show (a loaded one) is shown as it is, never clipped behind the user's back."""
    st.warning("This model's settings lie outside what the widgets offer, so they are shown as they are and "
               "cannot be edited here:\n\n" + "\n".join(f"- {p}" for p in problems))
    cfg = ctl.s.config
    st.dataframe([{"setting": "layer_dims", "value": str(list(cfg.layer_dims))}]
                 + [{"setting": row.label, "value": row.format(getattr(cfg, row.name))}
                    for row in settings.available()], hide_index=True)
    if st.button("Edit a copy within the widgets' ranges", key=CLIP_MODEL,
                 help="The current run stays as it is; the copy applies when you press Start on Train."):
        ctl.set_config(settings.clip(cfg))
        st.rerun()


def editable(ctl: Controller) -> dnn.TrainConfig:
    """The widgets, and the config they make (the previous one, with an error, when they do not fit)."""
    old, ds = ctl.s.config, ctl.s.dataset
    seed_widgets(old)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.header("Layers")
        units = layer_controls()
    with right:
        st.header(settings.TRAINING)
        chosen = section_controls(settings.TRAINING, old, {})
        if any(row.section == settings.REGULARISATION for row in settings.available()):
            with st.expander(settings.REGULARISATION):
                chosen.update(section_controls(settings.REGULARISATION, old, chosen))
    if units is None:
        return old
    try:
        cfg = settings.make_config(ds.n_x, units, chosen, base=old)
    except ValueError as exc:
        st.error(f"These settings do not make a valid model: {exc} The previous model is kept.")
        return old
    ctl.set_config(cfg)
    return ctl.s.config


def show_time(cfg: dnn.TrainConfig, m: int) -> None:
    """A warning before Start when training would take more than a minute on this machine."""
    slow = check_duration(estimate_seconds(cfg.layer_dims, m, cfg.num_iterations), cfg.num_iterations)
    if slow is not None:
        widgets.show_diagnosis(slow)


def show_network(ctl: Controller, cfg: dnn.TrainConfig) -> None:
    """The network at iteration 0 as the Train page draws it live: each unit a picture of what it computes."""
    if not learning.can_preview(cfg):
        st.caption("This network is too big to draw before training.")
        return
    state = learning.view_state(ctl.s)
    probe = learning.probe_for(state, ctl.s.dataset, ctl.s.data_key)
    px = learning.graph_unit_px(cfg, 820, 420, 6)
    layout = plots_graph.graph_layout(cfg.layer_dims, probe, max_units=6, px_per_unit=px)
    tables = learning.graph_tables(state, layout, learning.graph_key(None, cfg),
                                   lambda: learning.initial_parameters(cfg),
                                   cfg.hidden_activation, training=False)
    text = plots_graph.describe_graph(layout)
    st.vega_lite_chart(None, plots_graph.graph_spec(layout, tables, dark=is_dark(st.context.theme.type),
                                                    description=text),
                       key=NETWORK_CHART, width="content")
    st.caption("The network at iteration 0, as Train draws it while it learns: each square is a unit, a picture "
               "of what it computes; lines are the weights (blue > 0, orange < 0, thicker = larger). "
               "Point at or tap a unit to enlarge it.")


st.title("Model")
ctl = controller()
ds = ctl.s.dataset
problems = settings.out_of_range(ctl.s.config)
cfg = ctl.s.config if problems else editable(ctl)
if problems:
    read_only(ctl, problems)
if ctl.outdated:
    st.info("A run with the previous settings exists. Your changes apply when you press **Start** or **Reset** "
            "on the Train page; the old run then goes to the run history.")

st.header(f"layer_dims = {list(cfg.layer_dims)}  (L = {cfg.L})")
fits = show_size(cfg, ds.m_train, ds.m_test)
show_time(cfg, ds.m_train)
if fits:
    show_network(ctl, cfg)
st.markdown(f"**Shapes for the training set** (m = {ds.m_train}): `Z = W·A_prev + b`, one column per example.")
st.dataframe(plots_train.shape_table(cfg.layer_dims, ds.m_train), hide_index=True)
if fits:
    nav.link(nav.TRAIN, label="Train this network")
