"""Class boards under attack: the teacher's secret, join PINs, one entry per run, look-alike names, per-address
and global caps, identities the server mints (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from stores import Clock, small_entry_summary

import store
import store.schema
from store import BoardClosed, Limits, NotFound, QuotaExceeded, open_store
from store.boards import BoardCaps, BoardStore
from store.identities import IdentityCaps, IdentityStore, mint, origin_of, server_secret, verify

from pg import pg_url, postgres_server  # noqa: F401  fixtures

TEACHER, ALICE, BOB = "teacher-browser-token-01", "alice-browser-token-0001", "bob-browser-token-000002"
SECRET = b"s" * 32


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make(url, clock):
    opened = []

    def build(caps: BoardCaps | None = None, **limits) -> tuple[store.Store, BoardStore]:
        s = open_store(url, Limits(**limits), clock=clock)
        opened.append(s)
        return s, BoardStore(s.engine, s.boards.limits, clock, caps or BoardCaps())

    yield build
    for s in opened:
        s.close()


@pytest.fixture(scope="module")
def summary() -> store.EntrySummary:
    return small_entry_summary(seed=1, iterations=20)


def test_the_teachers_power_is_the_admin_secret_not_the_browser_cookie(make, summary, clock):
    _, boards = make()
    board, admin = boards.open_class(TEACHER, "Lab 3")
    assert boards.is_teacher(board.code, admin) and not boards.is_teacher(board.code, TEACHER)
    for who in (TEACHER, ALICE, "", None, admin[:-1] + ("A" if admin[-1] != "A" else "B")):
        assert not boards.is_teacher(board.code, who)
        with pytest.raises(NotFound, match="Only the teacher"):
            boards.set_open(board.code, who or "x" * 20, False)
    first = boards.submit(board.code, ALICE, "Ada", summary, run_id="a1")
    clock.now += 60
    boards.submit(board.code, BOB, "Bo", summary, run_id="b1")
    boards.submit(board.code, BOB, "Bo", summary, run_id="b2")
    assert boards.remove_since(board.code, admin, clock.now) == 2
    assert [e.id for e in boards.entries(board.code)] == [first]
    boards.submit(board.code, BOB, "Bo", summary, run_id="b3")
    assert boards.remove_named(board.code, admin, "\u0410DA") == 1  # a look-alike of the name removes it too
    assert [e.display_name for e in boards.entries(board.code)] == ["Bo"]
    assert not boards.set_open(board.code, admin, False).is_open
    with pytest.raises(BoardClosed):
        boards.submit(board.code, ALICE, "Ada", summary)
    assert [b.code for b in boards.of_teacher(TEACHER)] == [board.code]


def test_a_join_pin_is_needed_to_join_and_submit(make, summary):
    _, boards = make()
    board, _ = boards.open_class(TEACHER, "Lab", pin="4711")
    assert boards.needs_pin(board.code)
    for wrong in (None, "", "4712", "47111", "abcd", "4711 or 1=1"):
        with pytest.raises(NotFound, match="join PIN"):
            boards.join(board.code, wrong)
        with pytest.raises(NotFound, match="join PIN"):
            boards.submit(board.code, ALICE, "Ada", summary, pin=wrong)
    assert boards.join(board.code.lower(), "4711") == board
    boards.submit(board.code, ALICE, "Ada", summary, pin="4711")
    with pytest.raises(ValueError, match="4 to 8 digits"):
        boards.open_class(TEACHER, "Lab", pin="12")


def test_one_entry_per_run_with_its_dataset_and_test_set_size(make, summary):
    _, boards = make()
    board, _ = boards.open_class(TEACHER, "Lab")
    for _ in range(5):
        last = boards.submit(board.code, ALICE, "Ada", summary, run_id="r1", test_size=50)
    [entry] = boards.entries(board.code)
    assert entry.id == last and entry.dataset == "toy:moons" and entry.test_size == 50


def test_a_name_another_browser_uses_or_a_look_alike_is_refused(make, summary):
    _, boards = make()
    board, _ = boards.open_class(TEACHER, "Lab")
    boards.submit(board.code, ALICE, "Ada", summary, run_id="a1")
    boards.submit(board.code, ALICE, "ada", summary, run_id="a2")  # the same browser may keep its name
    for fake in ("Ada", "\u0410da", "A\u200bda", "A d a", "\uff21da", "ADA."):
        with pytest.raises((QuotaExceeded, ValueError), match="looks like|character"):
            boards.submit(board.code, BOB, fake, summary, run_id="b1")
    boards.submit(board.code, BOB, "Bob", summary, run_id="b1")


def test_sixty_fresh_identities_from_one_address_put_at_most_thirty_entries_on_a_board(make, summary, clock):
    s, boards = make(entries_per_board=300)
    ids = IdentityStore(s.engine, IdentityCaps(), clock)
    board, _ = boards.open_class(TEACHER, "Lab")
    attacker, classmate = origin_of("10.0.0.66", SECRET), origin_of("10.0.0.7", SECRET)
    accepted = 0
    for i in range(60):
        token = mint(SECRET)
        ids.register(token, attacker)
        try:
            boards.submit(board.code, token, f"Student {i}", summary, run_id=f"r{i}", origin=attacker)
            accepted += 1
        except QuotaExceeded as exc:
            assert "from one address" in str(exc)
    assert accepted == 30
    with pytest.raises(QuotaExceeded, match="new browsers"):
        ids.register(mint(SECRET), attacker)
    friend = mint(SECRET)
    ids.register(friend, classmate)  # another address is not affected
    boards.submit(board.code, friend, "Friend", summary, origin=classmate)
    clock.now += 3601
    ids.register(mint(SECRET), attacker)  # an hour later the address may start new browsers again


def test_a_class_of_thirty_on_one_address_is_never_refused(make, summary):
    s, boards = make(entries_per_board=300)
    ids = IdentityStore(s.engine, IdentityCaps(), s.boards._clock)
    board, _ = boards.open_class(TEACHER, "Lab")
    nat = origin_of("192.168.1.1", SECRET)
    for i in range(30):
        token = mint(SECRET)
        ids.register(token, nat)
        boards.submit(board.code, token, f"Student {i}", summary, run_id=f"r{i}", origin=nat)
    assert len(boards.entries(board.code)) == 30


def test_identities_cannot_be_minted_offline(tmp_path):
    token = mint(SECRET)
    assert verify(token, SECRET) and len(token) == 44
    assert not verify(token, b"t" * 32)  # another server's secret
    forged = [token[:22] + "A" * 22, "a" * 44, "alice-browser-token-0001", token[:-1] + "x", token + "A", None, 44]
    for bad in forged:
        assert not verify(bad, SECRET) or bad == token
    secret = server_secret({"DNN_DATA_HOME": str(tmp_path)})
    assert secret == server_secret({"DNN_DATA_HOME": str(tmp_path)}) and len(secret) >= 32
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
    assert server_secret({"DNN_SECRET_KEY": "k" * 40}) == b"k" * 40
    with pytest.raises(ValueError, match="at least 32"):
        server_secret({"DNN_SECRET_KEY": "short"})


def test_known_identities_include_browsers_from_before_signing(make, summary):
    s, boards = make()
    ids = IdentityStore(s.engine, IdentityCaps(), s.boards._clock)
    assert not ids.known(ALICE)
    board, _ = boards.open_class(TEACHER, "Lab")
    boards.submit(board.code, ALICE, "Ada", summary)
    assert ids.known(ALICE) and ids.known(TEACHER) and not ids.known(BOB) and not ids.known("../x")


def test_global_caps_on_boards_and_entries(make, summary):
    _, boards = make(BoardCaps(boards_total=2, board_entries_total=3, boards_per_address_day=5))
    a, _ = boards.open_class(TEACHER, "A")
    boards.open_class(ALICE, "B")
    with pytest.raises(QuotaExceeded, match="server holds 2 class boards"):
        boards.open_class(BOB, "C")
    for i, who in enumerate((TEACHER, ALICE, BOB)):
        boards.submit(a.code, who, f"N{i}", summary)
    with pytest.raises(QuotaExceeded, match="server's class boards are full"):
        boards.submit(a.code, "carol-browser-token-003", "Carol", summary)


def test_boards_per_address_per_day(make, clock):
    _, boards = make(BoardCaps(boards_per_address_day=2), boards_per_teacher=100)
    home = origin_of("10.1.1.1", SECRET)
    boards.open_class(TEACHER, "A", origin=home)
    boards.open_class(ALICE, "B", origin=home)
    with pytest.raises(QuotaExceeded, match="opened 2 class boards today"):
        boards.open_class(BOB, "C", origin=home)
    clock.now += 86_401
    boards.open_class(BOB, "C", origin=home)


def test_caps_from_the_environment():
    assert BoardCaps.from_env({"DNN_BOARDS_TOTAL": "5"}).boards_total == 5
    assert IdentityCaps.from_env({"DNN_IDENTITIES_PER_ADDRESS_HOUR": "7"}).identities_per_address_hour == 7
    for bad in ("0", "-1", "x", "1.5"):
        with pytest.raises(ValueError, match="DNN_ENTRIES_PER_ADDRESS"):
            BoardCaps.from_env({"DNN_ENTRIES_PER_ADDRESS": bad})


def test_runs_per_address_and_what_the_store_accepts(make, clock):
    s, _ = make()
    ids = IdentityStore(s.engine, IdentityCaps(runs_per_address_hour=2), clock)
    home = origin_of("10.2.2.2", SECRET)
    with s.engine.begin() as conn:
        for i in range(2):
            conn.execute(store.schema.runs.insert().values(
                id=f"{i:032x}", owner="o", label="l", dataset="d", config="{}", history="{}", size=0,
                status="done", iteration=0, created_at=clock.now, updated_at=clock.now, origin=home))
    ids.check_new_run(origin_of("10.2.2.3", SECRET))
    ids.check_new_run(None)
    with pytest.raises(QuotaExceeded, match="started 2 runs"):
        ids.check_new_run(home)
    clock.now += 3601
    ids.check_new_run(home)
    token = mint(SECRET)
    assert ids.accepts(token, SECRET) and not ids.accepts(ALICE, SECRET) and not ids.accepts(token, b"x" * 32)
