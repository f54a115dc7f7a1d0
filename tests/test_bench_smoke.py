"""The benchmark script runs end to end (its --quick smoke version); no speed is asserted here."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_quick_prints_every_figure():
    out = subprocess.run([sys.executable, "bench/bench_engine.py", "--quick"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    for needle in ("reference", "float64", "float32", "vs reference", "max relative difference",
                   "train acc", "Peak resident memory", "m = 209", "n1 = 20", "linear would be"):
        assert needle in out, needle
    rel = float(out.split("float64 cost history vs reference: max relative difference ")[1].split()[0])
    assert rel < 1e-8


def test_options_benchmark_quick_prints_every_option_and_matches_the_reference():
    out = subprocess.run([sys.executable, "bench/bench_options.py", "--quick"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600, check=True).stdout
    for needle in ("gd (default)", "L2 lambd=0.7", "L1 l1=0.01", "dropout", "momentum", "adam", "inverse decay",
                   "mini-batch 64 + adam", "ms per update", "Scale", "direct forced"):
        assert needle in out, needle
    import re
    diffs = [float(m.group(1)) for m in re.finditer(r" (\d\.\d\de[+-]\d\d)$", out, re.MULTILINE)]
    assert len(diffs) == 12 and max(diffs) < 1e-10, diffs


def test_the_benchmarks_page_sets_a_saved_run_beside_this_one():
    """--write-docs's page from two saved outputs (no timing here): every option, both ratios, the change."""
    from bench.bench_options import OPTIONS, docs_page, option_rows
    before = (ROOT / "bench" / "results" / "options-before.txt").read_text()
    rows = option_rows(before)
    assert set(rows) == set(OPTIONS)
    assert rows["adam"] == {"layer": "direct", "ratio64": f"{14.889 / 30.217:.4f}", "ratio32": f"{6.670 / 30.217:.4f}"}
    after = before.replace("   14.889 ", "   16.378 ")  # adam's float64 engine 10% slower
    page = docs_page(before, after, ((1.0, 2.0, 3.0), (4.0, 5.0, 6.0)))
    assert "do not edit by hand" in page and "1.00, 2.00, 3.00" in page and "side by side" not in page
    for name in OPTIONS:
        assert f"| {name} |" in page, name
    adam = next(line for line in page.splitlines() if line.startswith("| adam |"))
    assert "| +10% |" in adam and "| +0% |" in adam
