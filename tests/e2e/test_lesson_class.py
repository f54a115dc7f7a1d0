"""A lesson taught to a class in Chromium: a teacher at 1280x720 (the projector) opens a class board and
teaches the XOR lesson; two students (one on a 390x844 phone) join, follow the step and predict; the
projector shows the histogram of their predictions, the teacher runs the step and the result appears beside
it on the projector and on both students' screens.  No request leaves the server."""
from __future__ import annotations

from .conftest import assert_no_exception, nav, open_class, wait_ready
from .screens_helpers import DESKTOP, PHONE, PHONE_CONTEXT, go, overflow, watch_requests

XOR_STEP = "No hidden layer"
COIN_FLIP, ALMOST = "no: about a coin flip", "yes, almost perfectly"


def _context(browser, viewport, phone=False):
    extra = PHONE_CONTEXT if phone else {}
    context = browser.new_context(viewport=viewport, **extra)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def _text(page, text: str, timeout_ms: int = 60_000) -> None:
    page.get_by_text(text).first.wait_for(timeout=timeout_ms)


def _join(page, base: str, code: str) -> None:
    page.goto(f"{base}/board")
    wait_ready(page)
    page.locator(".st-key-board_code_input input").first.fill(code.lower())
    page.locator(".st-key-board_code_input input").first.press("Enter")
    wait_ready(page)
    page.locator(".st-key-board_join button").first.click()
    wait_ready(page)
    go(page, "lesson")  # the navigation link, also from a phone's collapsed sidebar
    _text(page, XOR_STEP)


def _predict(page, option: str) -> None:
    page.locator(".st-key-lesson_choice").get_by_text(option, exact=True).first.click()
    wait_ready(page)
    page.locator(".st-key-lesson_lock button").first.click()
    wait_ready(page)
    _text(page, "You predicted")


def test_a_teacher_runs_a_lesson_for_two_students(browser, server, shot):
    base = server.base_url
    contexts = []
    try:
        context, teacher = _context(browser, DESKTOP)
        contexts.append(context)
        outside = watch_requests(teacher)
        code = open_class(teacher, f"{base}/board", "Lesson class")
        nav(teacher, "Lesson")
        teacher.locator(".st-key-lesson_teach_09_xor button").first.click()
        wait_ready(teacher)
        _text(teacher, XOR_STEP)
        _text(teacher, "0 predictions so far")

        context, ada = _context(browser, DESKTOP)
        contexts.append(context)
        context, bob = _context(browser, PHONE, phone=True)
        contexts.append(context)
        outside += watch_requests(ada) + watch_requests(bob)
        _join(ada, base, code)
        _join(bob, base, code)
        _predict(ada, COIN_FLIP)
        _predict(bob, ALMOST)
        _text(teacher, "2 predictions so far")  # the projector refreshes by itself
        shot(teacher, "projector-predictions")
        shot(bob, "phone-predicted")

        teacher.locator(".st-key-lesson_run button").first.click()
        _text(teacher, "1 of 2 predicted it", timeout_ms=120_000)
        shot(teacher, "projector-result")
        for student, mark in ((ada, "Right."), (bob, "Not this time.")):
            said = student.locator('[data-testid="stMarkdownContainer"]').filter(has_text="You said").first
            said.wait_for(timeout=30_000)
            assert mark in said.inner_text()
            assert_no_exception(student)
        shot(bob, "phone-result")
        assert_no_exception(teacher)
        assert [o for o in overflow(bob) if "page" in str(o[0])] == [], overflow(bob)
        assert outside == [], outside
    finally:
        for context in contexts:
            context.close()
