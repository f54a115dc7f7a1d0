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
