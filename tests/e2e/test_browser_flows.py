"""The main flows in a real headless Chromium against the real server: share link -> Model -> Train
(live) -> Results -> Your photo (good and bad uploads), all in one browser session."""
from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import (
    DATA_DIR,
    PHOTOS_DIR,
    assert_no_exception,
    metric,
    metric_locator,
    nav,
    needs_data,
    train_status,
    wait_ready,
)

# The course's two-layer model LINEAR->RELU->LINEAR->SIGMOID (randn x 0.01, seed 1) with 40 hidden units and
# 6000 iterations; the server trains at most ITERATIONS_PER_TICK per tick, so the run lasts at least 30 ticks.
HIDDEN, ITERS, LR, SEED = 40, 6000, 0.0075, 1
LINK = f"model?data=course&hidden={HIDDEN}&init=course&iters={ITERS}&lr={LR}&seed={SEED}"
KITTENS = PHOTOS_DIR / "kittens.jpg"



@pytest.fixture(scope="module")
def solo_run():
    """The same run in this process: what the page must display, digit for digit."""
    import os

    os.environ.setdefault("DNN_DATA_DIR", str(DATA_DIR))
    import dnn
    from dnn.data import catvnoncat_dataset
    from ui import settings

    ds = catvnoncat_dataset(DATA_DIR)
    cfg = settings.make_config(ds.n_x, (HIDDEN,), {"init": "course", "learning_rate": LR, "num_iterations": ITERS,
                                                   "seed": SEED})
    run = dnn.Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
    run.advance(ITERS)
    return ds, run


def test_first_page_interactive_after_health(browser, server, new_page, shot):
    cold = server.pages_opened == 0
    page = new_page()
    started = time.monotonic()
    page.goto(server.url(), wait_until="commit")
    wait_ready(page)
    button = page.locator(".st-key-preset_two_layer button")
    button.wait_for(state="visible")
    assert button.is_enabled()
    load_s = time.monotonic() - started
    since_health = time.monotonic() - server.health_ok_at
    shot(page, "home")
    print(f"\n[e2e] server start -> health ok: {server.startup_seconds:.2f} s; first page interactive "
          f"{load_s:.2f} s after goto ({'cold server' if cold else 'server already used'}), "
          f"{since_health:.2f} s after health ok")
    assert_no_exception(page)  # how fast is bench/bench_app.py's business; here: it is interactive


# One round trip per sample (the Iteration metric and the status word), so sampling keeps up with training.
_READ_LIVE = """() => {
  const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'Iteration');
  const status = [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
    .map(e => e.innerText).find(t => t.startsWith('Status:'));
  return [metric?.querySelector('[data-testid="stMetricValue"]')?.innerText ?? '',
          (status ?? '').replace('Status:', '').trim().split(/\\s+/)[0]];
}"""


def _sample_training(page, shoot, timeout_s: float = 180) -> list[tuple[float, int, str]]:
    """(seconds, Iteration metric, status) until the status is done; the samples show the live updates."""
    samples: list[tuple[float, int, str]] = []
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        value, status = page.evaluate(_READ_LIVE)
        if not value:
            continue
        samples.append((time.monotonic() - started, int(value.replace(",", "")), status))
        if status in ("done", "diverged"):
            return samples
        if len(samples) == 40 and status == "running":
            shoot()
        time.sleep(0.02)
    pytest.fail(f"training did not finish within {timeout_s} s; last samples {samples[-5:]}")


def cost_chart(page):
    """The live cost chart: `.st-key-cost_chart` per the contract, else the page's Vega-Lite chart
    (Streamlit 1.67 puts no st-key class on a keyed st.vega_lite_chart)."""
    keyed = page.locator('.st-key-cost_chart [data-testid="stVegaLiteChart"], '
                         '.st-key-cost_chart[data-testid="stVegaLiteChart"]')
    return keyed if keyed.count() else page.locator('[data-testid="stVegaLiteChart"]')


def _mislabeled_count(run) -> int:
    probs = run.predict_proba(run.X_test)[0]
    return int(((probs > 0.5) != (run.Y_test[0] > 0.5)).sum())


@needs_data
def test_link_train_live_results_photo_and_bad_upload(server, new_page, shot, solo_run, tmp_path):
    ds, solo = solo_run
    page = new_page()
    # A classroom LAN may have no internet, and students' browsers should not call third parties:
    # every request of the whole flow goes to this server (or is data the page made itself).
    outside: list[str] = []
    page.on("request", lambda r: None if re.match(r"(https?|wss?)://127\.0\.0\.1:\d+/|(data|blob):", r.url)
            else outside.append(r.url))

    # 1. A shareable link opens Model with its architecture.
    page.goto(server.url(LINK))
    wait_ready(page)
    page.get_by_text(f"layer_dims = [12288, {HIDDEN}, 1]").first.wait_for()
    shot(page, "model-from-link")
    assert_no_exception(page)
    assert page.locator('[data-testid="stAlert"]').filter(has_text="Ignored").count() == 0

    # 2. Train: the caption names the same network; Start trains it live.
    nav(page, "Train")
    page.get_by_text(f"layer_dims [12288, {HIDDEN}, 1]").first.wait_for()
    assert train_status(page) == "no"  # "no run yet"
    page.locator(".st-key-start button:visible").click()
    samples = _sample_training(page, shoot=lambda: shot(page, "train-running"))
    # The last tick's full rerun may still be redrawing the metrics after the status said done.
    expect(metric_locator(page, "Iteration").first).to_have_text(f"{ITERS:,}")
    wait_ready(page)
    shot(page, "train-done")
    during = [(t, it) for t, it, status in samples if status == "running" and 0 < it < ITERS]
    rises = sum(b[1] > a[1] for a, b in itertools.pairwise(during))
    print(f"\n[e2e] {len(samples)} samples over {samples[-1][0]:.1f} s; while running: "
          f"{[it for _, it in during]}")
    assert len(during) >= 3, f"too few samples while training ran: {samples}"
    assert rises >= 2, f"the Iteration metric did not grow while training ran: {during}"
    assert all(b[1] >= a[1] for a, b in itertools.pairwise(samples)), "the Iteration metric went backwards"
    assert samples[-1][2] == "done"

    # 3. The final numbers are the engine's final network's, as formatted by the page.
    assert metric(page, "Iteration") == f"{ITERS:,}"
    assert metric(page, "Cost") == f"{solo.cost():.4f}"
    train_acc, test_acc = metric(page, "Train accuracy"), metric(page, "Test accuracy")
    assert train_acc == f"{solo.train_accuracy():.1%}"
    assert test_acc == f"{solo.test_accuracy():.1%}"
    assert cost_chart(page).count() == 1, "no live cost chart on the Train page"
    assert_no_exception(page)
    print(f"[e2e] final: cost {metric(page, 'Cost')}, train {train_acc}, test {test_acc}")

    # 4. Results (same session): accuracies and the mislabeled test pictures with true/predicted captions.
    nav(page, "Results")
    grid = page.locator('.st-key-mislabeled [data-testid="stImage"]')
    grid.first.wait_for()
    shot(page, "results")
    results_acc = (metric(page, "Train accuracy"), metric(page, "Test accuracy"))
    assert results_acc == (f"{solo.train_accuracy():.1%}", f"{solo.test_accuracy():.1%}")
    assert grid.count() == min(50, _mislabeled_count(solo)) > 0
    captions = page.locator('.st-key-mislabeled [data-testid="stImageCaption"]').all_inner_texts()
    assert len(captions) == grid.count()
    for caption in captions:
        found = re.search(r"true: (.+?) · predicted: (.+?) ·", caption)
        assert found, caption
        assert found.group(1) != found.group(2), f"a mislabeled picture with a right answer: {caption}"
    assert_no_exception(page)

    # 5. Your photo: the kittens get a probability from this session's model.
    nav(page, "Your photo")
    dropzone = page.locator('.st-key-photo_upload [data-testid="stFileUploaderDropzoneInput"]')
    dropzone.set_input_files(str(KITTENS))
    p_cat = metric_locator(page, "P(cat)")
    p_cat.first.wait_for()
    wait_ready(page)
    shot(page, "photo-kittens")
    value = float(p_cat.first.inner_text())
    assert 0.0 <= value <= 1.0
    try:
        from dnn.photo import prepare_photo
    except ImportError:
        expected = None
    else:
        expected = f"{float(solo.predict_proba(prepare_photo(KITTENS.read_bytes(), num_px=64)[1])[0, 0]):.3f}"
        assert p_cat.first.inner_text().strip() == expected
    print(f"[e2e] P(cat) for kittens.jpg = {value} (engine in this process: {expected})")
    assert_no_exception(page)

    # 6. A text file named .jpg: a readable error, no traceback, and the page keeps working.
    fake = tmp_path / "not_a_photo.jpg"
    fake.write_text("this is a text file, not a JPEG\n" * 20)
    dropzone.set_input_files(str(fake))
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="not_a_photo.jpg")
    error.first.wait_for()
    wait_ready(page)
    shot(page, "photo-bad-file")
    assert_no_exception(page)
    assert metric_locator(page, "P(cat)").count() == 0

    dropzone.set_input_files(str(KITTENS))
    page.locator('[data-testid="stAlertContentError"]').first.wait_for(state="detached")
    p_cat.first.wait_for()
    wait_ready(page)
    shot(page, "photo-kittens-again")
    assert float(p_cat.first.inner_text()) == value

    # 7. The trained model survived all that.
    nav(page, "Results")
    page.locator('.st-key-mislabeled [data-testid="stImage"]').first.wait_for()
    shot(page, "results-again")
    assert (metric(page, "Train accuracy"), metric(page, "Test accuracy")) == results_acc
    assert metric(page, "Iteration") == f"{ITERS:,}"
    assert_no_exception(page)
    assert outside == [], f"requests left this server: {sorted(set(outside))}"


def _expect_sidebar_iteration(page, iteration: int) -> None:
    """The sidebar is written after the page in the same script run: under load the browser can draw the page's
    part first, so wait (bounded) for the sidebar to show the same iteration."""
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(f"iteration {iteration:,}/", timeout=15_000)


def test_pause_and_step_are_exact_in_the_browser(server, new_page, shot):
    page = new_page()
    page.goto(server.url("train?data=synthetic&hidden=7&iters=8000&init=sqrt"))
    wait_ready(page)
    page.locator(".st-key-start button:visible").click()
    page.get_by_text("Status: running").first.wait_for()
    page.locator(".st-key-pause button:visible").click()
    page.get_by_text("Status: paused").first.wait_for()
    wait_ready(page)
    shot(page, "paused")
    # The page and the sidebar settle on one iteration (the sidebar is drawn after the page in the same run).
    sidebar = re.search(r"iteration ([\d,]+)/", page.locator('[data-testid="stSidebar"]').inner_text())
    assert sidebar, "the sidebar names the run's iteration"
    shown = int(sidebar.group(1).replace(",", ""))
    assert 0 < shown < 8000
    expect(metric_locator(page, "Iteration").first).to_have_text(f"{shown:,}", timeout=15_000)
    # The whole button's text: its label with the icon's name and the shortcut's key beside it (the label's own
    # container is not the only text element in it).
    label = page.locator(".st-key-start button:visible").first.inner_text()
    assert "Resume" in label and "Start" not in label, label
    cost_before = metric(page, "Cost")
    for k in range(1, 4):
        page.locator(".st-key-step button:visible").click()  # a button with help has a hidden twin
        expect(metric_locator(page, "Iteration").first).to_have_text(f"{shown + k:,}")
        wait_ready(page)
        _expect_sidebar_iteration(page, shown + k)
        assert metric(page, "Cost") != cost_before, "Step shows its own iteration's cost"
        cost_before = metric(page, "Cost")
    page.locator(".st-key-reset button:visible").click()
    page.get_by_text("Status: ready").first.wait_for()
    assert metric(page, "Iteration") == "0"
    assert_no_exception(page)


def test_link_values_are_shown_literally(server, new_page, shot):
    page = new_page()
    page.goto(server.url("?data=[Session expired: log in](https://evil.example)"
                         "&act=![](https://evil.example/p.png)&init=<img src=x onerror=alert(1)>"))
    wait_ready(page)
    warnings = page.locator('[data-testid="stAlert"]').filter(has_text="Ignored")
    warnings.first.wait_for()
    shot(page, "hostile-link")
    text = " ".join(warnings.all_inner_texts())
    assert "[Session expired: log in](https://evil.example)" in text
    assert "![](https://evil.example/p.png)" in text and "<img src=x onerror=alert(1)>" in text
    assert page.locator('a[href*="evil"]').count() == 0, "no link, not even GitHub's autolink of a bare URL"
    assert page.locator('img[src*="evil.example"], [data-testid="stAlert"] img').count() == 0
    assert_no_exception(page)
