"""Class board: a teacher opens a class under a short code (with a link and a QR code, and optionally a join
PIN); students join it once per session and submit their current run under a display name; everyone sees
the dataset, architecture, parameters and Train's accuracies, sortable and updating live.  The teacher,
holding the class's teacher link (an admin secret, never the browser cookie), removes entries one at a time,
everything since a time or by name, and closes or reopens the class.

Names and titles are shown literally: in a table (never Markdown, in a bidirectional isolate, formula
starts neutralised for the CSV export) or through ui.text.literal.
"""
from __future__ import annotations

import datetime as dt
import time

import streamlit as st

from store import StoreError
from store.records import NAME_MAX, TITLE_MAX
from ui import board_link, identity, store_hooks
from ui.board_link import percent_value
from ui.controller import controller
from ui.session import BOARD_CLOSE as CLOSE
from ui.session import BOARD_CODE as CODE
from ui.session import BOARD_JOIN as JOIN
from ui.session import BOARD_LINK
from ui.session import BOARD_MINE as MY_BOARDS
from ui.session import BOARD_NAME as NAME
from ui.session import BOARD_OPEN as OPEN_BOARD
from ui.session import BOARD_REMOVE as REMOVE
from ui.session import BOARD_REMOVE_CHOICE as REMOVE_CHOICE
from ui.session import BOARD_REOPEN as REOPEN
from ui.session import BOARD_SUBMIT as SUBMIT
from ui.session import BOARD_TABLE as TABLE
from ui.session import BOARD_TITLE as TITLE
from ui.share import fallback_page_url, qr_png, render_copy_link, share_url, sibling_url
from ui.text import isolate, literal, safe_rows

URL_PATH = "board"  # this page's url_path in app.py
BOARD_PARAM, TEACHER_PARAM = "board", "teacher"
REFRESH_SECONDS = 3.0

# This page's own widget keys (beyond ui.session's).
PIN, JOIN_PIN, LEAVE = "board_pin", "board_join_pin", "board_leave"
SINCE, REMOVE_SINCE, REMOVE_NAME, REMOVE_NAMED = ("board_since", "board_remove_since", "board_remove_name",
                                                  "board_remove_named")
TEACHER_KEY, TEACHER_USE = "board_teacher_key", "board_teacher_use"
SINCE_CHOICES = {5: "the last 5 minutes", 15: "the last 15 minutes", 60: "the last hour", 24 * 60: "the last day"}


def page_url() -> str:
    if st.context.url:
        return sibling_url(st.context.url, URL_PATH, URL_PATH)
    return fallback_page_url(st.get_option("server.address"), st.get_option("server.port"), URL_PATH,
                             st.get_option("server.baseUrlPath"))


def _arch(summary) -> str:
    return f"{list(summary.layer_dims)} {summary.hidden_activation} lr={summary.learning_rate:g}"


def rows(entries) -> list[dict]:
    """One table row per entry (a damaged entry says so instead of failing the board); accuracies are the
    numbers Train showed, to its one decimal; every text cell is safe to open in a spreadsheet."""
    out = []
    for e in entries:
        s = e.summary
        when = dt.datetime.fromtimestamp(e.created_at, dt.UTC).strftime("%H:%M:%S")
        row = {"#": e.id, "name": isolate(e.display_name), "dataset": getattr(e, "dataset", "") or None,
               "test examples": getattr(e, "test_size", None), "architecture": e.problem, "layers": None,
               "parameters": None, "train acc": None, "test acc": None, "iterations": None, "cost": [],
               "submitted": when}
        if s is not None:
            row.update({"dataset": row["dataset"] or s.dataset, "architecture": _arch(s),
                        "layers": len(s.layer_dims) - 1, "parameters": s.parameter_count,
                        "train acc": percent_value(s.train_acc), "test acc": percent_value(s.test_acc),
                        "iterations": s.iteration, "cost": list(s.costs)})
        out.append(row)
    return safe_rows(out)


COLUMNS = {
    "#": st.column_config.NumberColumn("#", width="small"),
    "name": st.column_config.TextColumn("Name"),
    "dataset": st.column_config.TextColumn("Data", help="the dataset the run trained on"),
    "test examples": st.column_config.NumberColumn("Test set", help="examples the test accuracy is measured on"),
    "architecture": st.column_config.TextColumn("Architecture"),
    "layers": st.column_config.NumberColumn("L", help="layers with weights"),
    "parameters": st.column_config.NumberColumn("Parameters", format="localized"),
    "train acc": st.column_config.NumberColumn("Train acc", format="%.1f%%"),
    "test acc": st.column_config.NumberColumn("Test acc", format="%.1f%%"),
    "iterations": st.column_config.NumberColumn("Iterations"),
    "cost": st.column_config.LineChartColumn("Cost"),
    "submitted": st.column_config.TextColumn("Submitted (UTC)"),
}


# ----- which board this session has joined ---------------------------------------------------
def _set_code(code: str | None) -> None:
    controller().s.board_code = code
    if code:
        st.query_params[BOARD_PARAM] = code
    elif BOARD_PARAM in st.query_params:
        del st.query_params[BOARD_PARAM]


def _admins() -> dict[str, str]:
    admins = board_link.link(controller().s).admins
    assert admins is not None, "board_link.link() always fills admins with a dict"
    return admins


def _pins() -> dict[str, str]:
    pins = board_link.link(controller().s).pins
    assert pins is not None, "board_link.link() always fills pins with a dict"
    return pins


def _notice(kind: str, text: str) -> None:
    store_hooks.state_of(controller().s).notice(kind, text)


def _open_board(store, owner: str) -> None:
    try:
        board, admin = store.boards.open_class(owner, st.session_state.get(TITLE, ""),
                                               pin=st.session_state.get(PIN) or None, origin=identity.origin())
    except (StoreError, ValueError) as exc:
        _notice("error", str(exc))
        return
    _admins()[board.code] = admin
    if st.session_state.get(PIN):
        _pins()[board.code] = st.session_state[PIN].strip()
    _set_code(board.code)


def _join(store, offered: str | None = None) -> None:
    code = (st.session_state.get(CODE) or "").strip() or offered or ""
    pin = st.session_state.get(JOIN_PIN) or None
    try:
        board = store.boards.join(code, pin)
    except StoreError as exc:
        _notice("error", str(exc))
        return
    if pin:
        _pins()[board.code] = pin.strip()
    _set_code(board.code)


def _use_teacher_key(store, code: str, key: str | None = None) -> None:
    key = (key or st.session_state.get(TEACHER_KEY) or "").strip()
    if store.boards.is_teacher(code, key):
        _admins()[code] = key
    else:
        _notice("error", "That is not this class's teacher key.")


def adopt_teacher_link(store) -> None:
    """A teacher link (``?board=CODE&teacher=KEY``): keep the key in this session, then drop it from the
    address bar so that it is not projected or copied on."""
    key = st.query_params.get(TEACHER_PARAM)
    if key is None:
        return
    del st.query_params[TEACHER_PARAM]
    code = st.query_params.get(BOARD_PARAM)
    if code and store.boards.is_teacher(code, key):
        _admins()[store.boards.get(code).code] = key
        _set_code(store.boards.get(code).code)
    else:
        st.error("This teacher link is not valid (the class may have expired).")


def current_code() -> tuple[str | None, str | None]:
    """(the board this session joined, a code the address brings that it has not joined yet)."""
    joined = controller().s.board_code
    offered = st.query_params.get(BOARD_PARAM)
    if joined:
        if offered != joined:
            st.query_params[BOARD_PARAM] = joined  # the joined board stays in the page's link
        return joined, None
    return None, offered


# ----- the panels ------------------------------------------------------------------------------
def join_panel(store, offered: str | None) -> None:
    with st.container(border=True):
        st.markdown("**Learn:** join a class")
        if offered:
            st.caption(f"Your teacher's link brings class {literal(offered, limit=12)}.")
        st.text_input("Class code", key=CODE, max_chars=8, placeholder="K7WQ3M", value=offered or "")
        st.text_input("Join PIN (if your teacher set one)", key=JOIN_PIN, max_chars=8, type="password")
        st.button("Join", key=JOIN, on_click=_join, args=(store, offered), type="primary")


def teach_panel(store, owner: str) -> None:
    st.text_input("Class title", key=TITLE, max_chars=TITLE_MAX,
                  placeholder="Lab 3: best test accuracy, at most 3 layers")
    st.text_input("Join PIN (optional, 4 to 8 digits)", key=PIN, max_chars=8)
    st.button("Open a class", key=OPEN_BOARD, on_click=_open_board, args=(store, owner))
    mine = store.boards.of_teacher(owner)
    if mine:
        names = {b.code: f"{b.code} · {b.title}{'' if b.is_open else ' (closed)'}" for b in mine}
        pick = st.selectbox("Your classes", list(names), format_func=names.__getitem__, key=MY_BOARDS, index=None)
        if pick and pick != controller().s.board_code:
            _set_code(pick)


def choose_board(store, owner: str, offered: str | None) -> None:
    """Join a class by code (first, for a visitor who came with one), or open one as a teacher."""
    if offered:
        join_panel(store, offered)
        with st.expander("Teach: open a class board"):
            teach_panel(store, owner)
        return
    teach, join = st.columns(2)
    with teach.container(border=True):
        st.markdown("**Teach:** open a class board")
        teach_panel(store, owner)
    with join:
        join_panel(store, None)


@st.fragment(run_every=REFRESH_SECONDS)
def live_board(store, code: str) -> None:
    """The board itself, re-read every few seconds."""
    admin = _admins().get(code)
    try:
        board = store.boards.get(code)
        entries = store.boards.entries(board.code)
        teacher = admin is not None and store.boards.is_teacher(board.code, admin)
    except StoreError as exc:
        st.error(literal(str(exc), limit=600))
        return
    st.subheader(f"{literal(board.title)} · class {board.code}")
    count = "1 entry" if len(entries) == 1 else f"{len(entries)} entries"
    st.caption(f"{'Open' if board.is_open else 'Closed'} · {count} · updates every {REFRESH_SECONDS:g} s; "
               "click a column title to sort. Accuracies are the ones Train showed, on each row's test set.")
    st.dataframe(rows(entries), column_config=COLUMNS, hide_index=True, key=TABLE, width="stretch")
    if teacher and admin is not None:  # teacher implies admin is not None; says so to the type checker
        teacher_tools(store, board, entries, admin)


def _remove_since(store, code: str, admin: str) -> None:
    minutes = st.session_state.get(SINCE) or 5
    try:
        n = store.boards.remove_since(code, admin, time.time() - 60 * minutes)
    except StoreError as exc:
        _notice("error", str(exc))
        return
    _notice("info", f"Removed {n} entr{'y' if n == 1 else 'ies'} from {SINCE_CHOICES[minutes]}.")


def _remove_named(store, code: str, admin: str) -> None:
    try:
        n = store.boards.remove_named(code, admin, st.session_state.get(REMOVE_NAME, ""))
    except StoreError as exc:
        _notice("error", str(exc))
        return
    _notice("info", f"Removed {n} entr{'y' if n == 1 else 'ies'} under that name or a look-alike.")


def _teacher_action(action, *args) -> None:
    try:
        action(*args)
    except StoreError as exc:
        _notice("error", str(exc))


def teacher_tools(store, board, entries, admin: str) -> None:
    with st.container(border=True):
        st.markdown("**Teacher**")
        if entries:
            names = {e.id: f"#{e.id} {e.display_name}" for e in entries}
            pick = st.selectbox("Entry", list(names), format_func=names.__getitem__, key=REMOVE_CHOICE)  # plain text
            st.button("Remove entry", key=REMOVE, on_click=_teacher_action,
                      args=(store.boards.remove, board.code, admin, pick))
            since, by_name = st.columns(2)
            since.selectbox("Remove every entry from", list(SINCE_CHOICES), format_func=SINCE_CHOICES.__getitem__,
                            key=SINCE)
            since.button("Remove them", key=REMOVE_SINCE, on_click=_remove_since, args=(store, board.code, admin))
            by_name.text_input("Remove every entry named", key=REMOVE_NAME, max_chars=NAME_MAX)
            by_name.button("Remove by name", key=REMOVE_NAMED, on_click=_remove_named,
                           args=(store, board.code, admin))
        if board.is_open:
            st.button("Close the class", key=CLOSE, on_click=_teacher_action,
                      args=(store.boards.set_open, board.code, admin, False))
        else:
            st.button("Reopen the class", key=REOPEN, on_click=_teacher_action,
                      args=(store.boards.set_open, board.code, admin, True))
        link = share_url(page_url(), {BOARD_PARAM: board.code})
        render_copy_link(link, key=BOARD_LINK)
        st.image(qr_png(link, px=360), caption=f"Class {board.code}: scan to join", width="content")
        with st.expander("Teacher link (private: do not project it)"):
            st.caption("Open it in another browser or after a restart to manage this class. Anyone holding it "
                       "can remove entries and close the class.")
            st.code(share_url(page_url(), {BOARD_PARAM: board.code, TEACHER_PARAM: admin}), language=None)


def submit_form(store, code: str) -> None:
    with st.container(border=True):
        st.markdown("**Submit your current run**")
        st.text_input("Display name (shown to the class)", key=NAME, max_chars=NAME_MAX,
                      value=board_link.link(controller().s).name)
        st.button("Submit to the board", key=SUBMIT, on_click=_submit, args=(store, code))


def _submit(store, code: str) -> None:
    try:
        board_link.submit_run(store, controller().s, code, st.session_state.get(NAME, ""))
    except (StoreError, ValueError) as exc:
        _notice("warning" if "Train a run" in str(exc) else "error", str(exc))
        return
    _notice("info", "Your run is on the board.")


def leave_and_manage(store, code: str) -> None:
    left, right = st.columns(2)
    left.button("Leave this class", key=LEAVE, on_click=_set_code, args=(None,))
    if code not in _admins():
        with right.expander("I am this class's teacher"):
            st.text_input("Teacher key (from your teacher link)", key=TEACHER_KEY, type="password")
            st.button("Manage the class", key=TEACHER_USE, on_click=_use_teacher_key, args=(store, code))


def main() -> None:
    st.title("Class board")
    found, problem = store_hooks.current_store()
    if found is None:
        st.error(literal(f"Class boards need the run store: {problem}", limit=600))
        return
    owner = store_hooks.state_of(controller().s).owner
    adopt_teacher_link(found)
    joined, offered = current_code()
    if not joined:
        choose_board(found, owner, offered)
        st.info("Join with the code your teacher shows, or open a class as a teacher.")
        return
    submit_form(found, joined)
    live_board(found, joined)
    leave_and_manage(found, joined)


main()
