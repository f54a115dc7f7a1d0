"""My runs: what the store keeps for this browser; open, share, unshare, delete, or forget them all."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dnn.units import fmt_bytes
from store import StoreError
from ui import logs, nav, store_hooks
from ui.controller import controller
from ui.session import (
    RUNS_CHOICE,
    RUNS_DELETE,
    RUNS_FORGET,
    RUNS_FORGET_CONFIRM,
    RUNS_OPEN,
    RUNS_SHARE,
    RUNS_SHARE_LINK,
    RUNS_TABLE,
    RUNS_UNSHARE,
)
from ui.share import qr_png, render_copy_link, share_url
from ui.text import literal


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _act(action, *args) -> None:
    """Run a store action from a button callback; its refusal becomes a notice."""
    s = controller().s
    try:
        action(*args)
    except StoreError as exc:
        store_hooks.state_of(s).notice("error", str(exc))
    except Exception as exc:  # a database fault or a bug: the page stays, the log says what (no user data)
        logs.store_failure(s.id, exc, "action on My runs")
        store_hooks.state_of(s).notice("error", store_hooks.problem_text(exc))


def _open(store, run_id: str) -> None:
    ctl = controller()
    state = store_hooks.state_of(ctl.s)
    store_hooks.adopt_stored(ctl, store, state, store.runs.load(run_id, state.owner), own=True)


def what_is_stored(store) -> None:
    lim = store.runs.limits
    kind = "PostgreSQL" if store.location.startswith("postgresql") else "SQLite"  # never the path or host
    st.caption(
        f"Stored in this server's {kind} database: each run's settings, dataset name, cost and accuracy history and "
        "trained parameters (no photos, no uploaded data), saved every few seconds while it trains, under a "
        f"random token kept in this browser's cookie. At most {lim.runs_per_owner} runs and "
        f"{fmt_bytes(lim.bytes_per_owner)} per browser (the oldest unshared runs make room), and "
        f"{fmt_bytes(lim.bytes_per_run)} per run (a bigger run stays in its page: download it); unshared runs "
        f"untouched for {lim.run_ttl_days:g} days are deleted, shared ones after {lim.shared_ttl_days:g} days.")


def run_actions(store, summaries, state) -> None:
    labels = {r.id: f"{r.label} · {r.dataset} · iteration {r.iteration} · {r.status}" for r in summaries}
    run_id = st.selectbox("Run", list(labels), format_func=lambda run_id: labels[run_id], key=RUNS_CHOICE)
    chosen = next(r for r in summaries if r.id == run_id)
    cols = st.columns(4)
    cols[0].button("Open", key=RUNS_OPEN, on_click=_act, args=(_open, store, run_id),
                   help="Make it the current run (Train, Inspect, Results and Your photo use it).")
    cols[1].button("Share", key=RUNS_SHARE, on_click=_act, args=(store.runs.share, run_id, state.owner),
                   disabled=chosen.shared, help="Make a read-only link to this run.")
    cols[2].button("Stop sharing", key=RUNS_UNSHARE, on_click=_act, args=(store.runs.unshare, run_id, state.owner),
                   disabled=not chosen.shared)
    cols[3].button("Delete", key=RUNS_DELETE, on_click=_act, args=(store.runs.delete, run_id, state.owner))
    if chosen.shared:
        link = share_url(nav.page_url(nav.TRAIN), {store_hooks.SHARE_PARAM: chosen.share_token})
        st.caption("Anyone with this link sees the run read-only (its curves, Inspect, Results, Your photo); "
                   "your copy never changes because of them.")
        render_copy_link(link, key=RUNS_SHARE_LINK)
        st.image(qr_png(link, px=320), caption="Scan to open the shared run", width="content")


def forget(store, state) -> None:
    st.header("Forget my runs")
    sure = st.checkbox("Yes, delete every run of this browser and its class board entries", key=RUNS_FORGET_CONFIRM)
    st.button("Forget my runs", key=RUNS_FORGET, type="primary", disabled=not sure,
              on_click=_act, args=(_forget, store, state))


def _forget(store, state) -> None:
    count = store.runs.forget(state.owner)
    state.run_id = None
    state.notice("info", f"Deleted {count} stored run(s) of this browser. What is open in this page stays "
                         "until you close it; new runs are saved again as you train.")


def main() -> None:
    st.title("My runs")
    found, problem = store_hooks.current_store()
    if found is None:
        st.error(literal(f"Runs are not being saved: {problem}", limit=600))
        return
    state = store_hooks.state_of(controller().s)
    try:
        summaries = found.runs.list(state.owner)
        count, size = found.runs.usage(state.owner)
    except StoreError as exc:
        st.error(literal(str(exc), limit=600))
        return
    what_is_stored(found)
    if not summaries:
        st.info("No stored runs yet: train one on the Train page and it appears here.")
    else:
        st.caption(f"{'1 run' if count == 1 else f'{count} runs'}, {fmt_bytes(size)} in the store.")
        st.dataframe([{"run": r.label, "data": r.dataset, "status": r.status, "iteration": r.iteration,
                       "shared": "yes" if r.shared else "", "saved": _when(r.updated_at),
                       "size": fmt_bytes(r.size)} for r in summaries], hide_index=True, key=RUNS_TABLE)
        run_actions(found, summaries, state)
    forget(found, state)


main()
