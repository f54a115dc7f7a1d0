"""A scripted client with a fresh (or forged) dnn_browser cookie per "student" (issue 22.1): every identity it
gets is one the server minted and counted for its address, and a board takes at most 30 entries from it."""
from __future__ import annotations

import secrets

import pytest
from stores import small_entry_summary, sqlite_store

import store
from store import QuotaExceeded
from store.identities import IdentityCaps, IdentityStore, mint, origin_of, verify
from ui import identity

KEY = b"q" * 32


@pytest.fixture
def opened(tmp_path):
    with sqlite_store(tmp_path) as s:
        yield s


@pytest.fixture(scope="module")
def summary() -> store.EntrySummary:
    return small_entry_summary(seed=2, iterations=10)


def _cookie(kind: str) -> dict[str, str]:
    if kind == "none":
        return {}
    if kind == "random":
        return {identity.COOKIE: secrets.token_urlsafe(24)}
    if kind == "forged-shape":  # 44 characters like a signed one, signature made up
        return {identity.COOKIE: secrets.token_urlsafe(16) + secrets.token_urlsafe(16)}
    return {identity.COOKIE: mint(b"z" * 32)}  # signed with another server's secret


def test_sixty_fresh_cookies_from_one_address_get_minted_identities_and_thirty_entries(opened, summary):
    ids = IdentityStore(opened.engine, IdentityCaps())
    board, _ = opened.boards.open_class("teacher-browser-token-01", "Lab")
    where = origin_of(identity.client_address(None, {"X-Real-IP": "10.0.0.66"}), KEY)
    kinds = ["none", "random", "forged-shape", "other-server"]
    entries, refused_identities = 0, 0
    for i in range(60):
        came = identity.from_cookies(_cookie(kinds[i % 4]), KEY)
        assert not came.returning, "no cookie the client made up is taken as an identity"
        me = identity.settle(came, ids, where)
        if me.refused:
            refused_identities += 1
            assert not verify(me.token, KEY)
            continue
        assert verify(me.token, KEY)
        try:
            opened.boards.submit(board.code, me.token, f"Student {i}", summary, run_id=f"{i:032x}", origin=where)
            entries += 1
        except QuotaExceeded:
            pass
    assert entries == 30 and refused_identities == 0
    more = identity.settle(identity.from_cookies({}, KEY), ids, where)
    assert "new browsers" in more.refused and not verify(more.token, KEY), "the 61st in an hour is not minted"
    honest = identity.settle(identity.from_cookies({}, KEY), ids, origin_of("10.0.0.7", KEY))
    assert not honest.refused and verify(honest.token, KEY)


def test_an_unsigned_cookie_the_store_knows_stays_this_browsers(opened, summary):
    ids = IdentityStore(opened.engine, IdentityCaps())
    old = "legacy-browser-token-0001"
    board, _ = opened.boards.open_class("teacher-browser-token-01", "Lab")
    opened.boards.submit(board.code, old, "Ada", summary)
    me = identity.settle(identity.from_cookies({identity.COOKIE: old}, KEY), ids, None)
    assert me == identity.Identity(old, True)
    stranger = identity.settle(identity.from_cookies({identity.COOKIE: "never-seen-token-000001"}, KEY), ids, None)
    assert stranger.token != "never-seen-token-000001" and not stranger.returning


def test_an_uncreatable_data_folder_leaves_identities_working(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DNN_DATA_HOME", str(blocker / "home"))
    monkeypatch.delenv("DNN_SECRET_KEY", raising=False)
    identity.secret.clear()
    try:
        key = identity.secret()
        assert len(key) >= 32
        me = identity.from_cookies({})
        assert verify(me.token, key)
    finally:
        identity.secret.clear()
