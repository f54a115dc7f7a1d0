"""Benchmark of every engine option on the five-layer cat net, against bench/reference.py's plain loop.

    .venv/bin/python bench/bench_options.py            # options table and the 20,900-example scale runs
    .venv/bin/python bench/bench_options.py --quick    # a smoke run
    .venv/bin/python bench/bench_options.py --part options --against /tmp/dnn-before \
        --before bench/results/options-before.txt --write-docs docs/benchmarks.md

``--against DIR`` times an earlier engine (``git archive <commit> dnn | tar -x -C DIR``) in the same rounds
as this one.  ``--write-docs`` writes the Markdown page itself: the two engines side by side, this run's
engine / reference ratios beside those of ``--before`` (the saved output of an earlier run of this script),
the load average, and the raw outputs.

Ratios come from the same run (this machine is noisy).  PyTorch on CPU needs about 11 ms per full-batch
iteration in float64 and 6 ms in float32 for this net on this machine kind: those are the issue's
figures (torch is not installed here); they are compared per iteration (one update).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path
from typing import TextIO

# One BLAS thread, as the app runs (ui/blas.py): on 2 shared cores a two-thread BLAS spins against the
# other processes and a slice can take 10x longer.  Both sides of every ratio run with the same setting.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import dnn  # noqa: E402
from bench import reference  # noqa: E402

DIMS = (12288, 20, 7, 5, 1)
TORCH_MS = {"float64": 11.0, "float32": 6.0}
APP_RECORD_EVERY, APP_ACCURACY_EVERY = 25, 100  # the app's intervals for a 2500-update run
OPTIONS = {
    "gd (default)": {},
    "L2 lambd=0.7": dict(lambd=0.7),
    "L1 l1=0.01": dict(l1=0.01),
    "dropout keep_prob=0.86": dict(keep_prob=0.86),
    "momentum": dict(optimizer="momentum"),
    "adam": dict(optimizer="adam", learning_rate=0.0007),
    "inverse decay": dict(decay="inverse", decay_rate=0.01),
    "L2 + dropout": dict(lambd=0.7, keep_prob=0.86),
    "mini-batch 64": dict(batch_size=64),
    "mini-batch 64 + momentum": dict(batch_size=64, optimizer="momentum"),
    "mini-batch 64 + adam": dict(batch_size=64, optimizer="adam", learning_rate=0.0007),
    "mini-batch 64 + adam + scheduled decay": dict(batch_size=64, optimizer="adam", learning_rate=0.0007,
                                                    decay="scheduled", decay_rate=1.0, time_interval=100),
}


def epoch_updates(m: int, options: dict) -> int:
    b = options.get("batch_size")
    return 1 if b is None else -(-m // b)


def reference_ms_per_update(X, Y, options, epochs):
    per = epoch_updates(X.shape[1], options)
    t0 = time.perf_counter()
    _, costs = reference.model(X, Y, DIMS, num_iterations=epochs * per, record_every=per,
                               **{"learning_rate": 0.0075, **options})
    return 1e3 * (time.perf_counter() - t0) / (epochs * per), costs


def load_engine(directory: Path):
    """The ``dnn`` package found in ``directory`` (an earlier version: ``git archive <commit> dnn | tar -x -C
    DIR``), imported as ``dnn_before`` beside this one, so both engines are timed in the same run."""
    import importlib.util
    init = Path(directory) / "dnn" / "__init__.py"
    spec = importlib.util.spec_from_file_location("dnn_before", init, submodule_search_locations=[str(init.parent)])
    if spec is None or spec.loader is None:
        raise SystemExit(f"No dnn package in {directory}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["dnn_before"] = module
    spec.loader.exec_module(module)
    return module


def new_run(X, Y, options, dtype, updates, record_every=None, lib=dnn):
    """A course-length run (so layer 1 is chosen as for a real one) and its set-up time in ms.  It records
    as the app records a 2500-update run (cost and gradient norms every 25 updates, accuracy every 100:
    ui.settings.recording_intervals), or every ``record_every`` updates."""
    cfg = lib.TrainConfig(DIMS, dtype=dtype, num_iterations=updates, record_every=record_every or APP_RECORD_EVERY,
                          accuracy_every=APP_ACCURACY_EVERY, **options)
    t0 = time.perf_counter()
    run = lib.Trainer(cfg, X, Y, memory_budget=2**40)
    return run, 1e3 * (time.perf_counter() - t0)


def timed_ms_per_update(run, n):
    t0 = time.perf_counter()
    done = run.advance(n)
    return 1e3 * (time.perf_counter() - t0) / max(done, 1)


def options_table(X, Y, quick: bool, before=None, rounds: int = 9) -> None:
    """Per option: reference, engine float64 and engine float32 alternate in short rounds (medians), as
    the machine is shared and its load changes by the second; the engine's set-up is spread over the
    course's 2500 updates (its runs are configured for 2500, so layer 1 is chosen as for a real run).
    With ``before`` (an earlier dnn, see load_engine) its float64 and float32 runs alternate in the same
    rounds, and 'after/before' compares the two engines measured side by side."""
    updates, ref_epochs, rounds = (2500, 2, 1) if quick else (2500, 8, rounds)
    X32 = X.astype(np.float32)
    print(f"\n## Every option, five-layer {list(DIMS)}, m = {X.shape[1]}: ms per update (iteration), medians of "
          f"{rounds} alternating rounds; 'eng' includes set-up spread over {updates} updates and records as the "
          f"app does (cost and gradient norms every {APP_RECORD_EVERY} updates, accuracy every {APP_ACCURACY_EVERY})")
    print(f"{'option':40} {'layer 1':>7} {'ref f64':>8} {'eng f64':>8} {'ratio':>7} {'eng f32':>8} {'ratio':>7} "
          f"{'set-up ms':>9} {'ms/epoch f64':>12} {'max rel cost diff':>17}"
          + ("" if before is None
             else f" {'before f64':>10} {'after/before':>12} {'before f32':>10} {'after/before':>12}"))
    for name, options in OPTIONS.items():
        per = epoch_updates(X.shape[1], options)
        chunk = max(ref_epochs * per, 24)
        (r64, s64) = new_run(X, Y, options, "float64", updates)
        (r32, s32) = new_run(X32, Y, options, "float32", updates)
        if before is not None:
            (b64, sb64), (b32, sb32) = (new_run(X, Y, options, "float64", updates, lib=before),
                                        new_run(X32, Y, options, "float32", updates, lib=before))
        ref, e64, e32, o64, o32 = [], [], [], [], []
        for _ in range(rounds):
            ms, ref_costs = reference_ms_per_update(X, Y, options, ref_epochs)
            ref.append(ms)
            e64.append(timed_ms_per_update(r64, chunk))
            if before is not None:
                o64.append(timed_ms_per_update(b64, chunk))
            e32.append(timed_ms_per_update(r32, chunk))
            if before is not None:
                o32.append(timed_ms_per_update(b32, chunk))
        ref_ms, ms64, ms32 = (float(np.median(v)) for v in (ref, e64, e32))
        ms64, ms32 = ms64 + s64 / updates, ms32 + s32 / updates
        extra = ""
        if before is not None:
            old64, old32 = float(np.median(o64)) + sb64 / updates, float(np.median(o32)) + sb32 / updates
            extra = f" {old64:10.3f} {ms64 / old64:11.3f}x {old32:10.3f} {ms32 / old32:11.3f}x"
        check, _ = new_run(X, Y, options, "float64", updates, record_every=per)  # the reference's records
        check.advance(ref_epochs * per)
        n = min(len(ref_costs), len(check.history.costs))
        diff = np.max(np.abs(np.array(check.history.costs[:n]) - ref_costs[:n]) / np.abs(ref_costs[:n]))
        kind = type(r64.first).__name__[:-5].lower()
        print(f"{name:40} {kind:>7} {ref_ms:8.3f} {ms64:8.3f} {ms64 / ref_ms:6.3f}x {ms32:8.3f} {ms32 / ref_ms:6.3f}x "
              f"{s64:9.1f} {ms64 * per:12.3f} {diff:17.2e}{extra}")
    print("  ratio = engine / reference (the float64 reference for both columns); compare 'eng' with the issue's "
          "PyTorch CPU figures: 11 ms (float64) and 6 ms (float32) per full-batch iteration")


def tiled(X, Y, m, seed=0):
    """The course set tiled to m examples with a little uniform noise (float64)."""
    rng = np.random.RandomState(seed)
    reps = -(-m // X.shape[1])
    Xm = np.tile(X, reps)[:, :m]
    Xm += 0.01 * rng.rand(*Xm.shape)
    return Xm, np.tile(Y, reps)[:, :m]


def epoch_seconds(X, Y, options, epochs=3, first_layer=None):
    """Seconds per epoch after a first (set-up) epoch: the fastest and the median of ``epochs`` timed ones."""
    per = epoch_updates(X.shape[1], options)
    cfg = dnn.TrainConfig(DIMS, num_iterations=max(2500, (epochs + 1) * per), record_every=per, accuracy_every=per,
                          **options)  # a course-length run, so layer 1 is chosen as for a real one
    run = dnn.Trainer(cfg, X, Y, memory_budget=2**40, first_layer=first_layer)
    run.advance(per)  # the first epoch pays for set-up; time the next ones (each with one accuracy check)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        run.advance(per)
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times)), type(run.first).__name__[:-5].lower()


def scale(X, Y, quick: bool) -> None:
    sizes = (418, 836) if quick else (2090, 20900)
    print("\n## Scale: the course set tiled with noise, mini-batch 64, float64: s per epoch after the first "
          "(fastest / median of 3; train accuracy once per epoch), layer 1 as chosen and direct forced")
    print(f"{'options':28} " + " ".join(f"{f'm = {m}':>22}" for m in sizes)
          + f" {'ratio of fastest':>16} (examples x{sizes[1] // sizes[0]})")
    data = {m: tiled(X, Y, m) for m in sizes}
    for name, options, forced in (("gd", {}, None), ("gd", {}, "direct"),
                                  ("momentum", dict(optimizer="momentum"), None),
                                  ("momentum", dict(optimizer="momentum"), "direct"),
                                  ("adam", dict(optimizer="adam", learning_rate=0.0007), None)):
        options = dict(options, batch_size=64)
        secs = [epoch_seconds(*data[m], options, first_layer=forced) for m in sizes]
        label = name + (" (direct forced)" if forced else "")
        print(f"{label:28} " + " ".join(f"{lo:7.3f} /{med:7.3f} {k:>6}" for lo, med, k in secs)
              + f" {secs[1][0] / secs[0][0]:15.2f}x")


# ----- the docs page -----------------------------------------------------------------------------
class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy (the page quotes the run's output)."""

    def __init__(self, out: TextIO):
        self.out, self.kept = out, io.StringIO()

    def write(self, text: str) -> int:
        self.out.write(text)
        self.out.flush()
        return self.kept.write(text)


def option_rows(output: str) -> dict[str, dict[str, str]]:
    """The options table of a saved run: option -> layer 1 and the f64 and f32 ratios."""
    rows = {}
    for line in output.splitlines():
        name, rest = line[:40].strip(), line[40:].split()
        if name in OPTIONS and len(rest) >= 6:
            ref, eng64, eng32 = float(rest[1]), float(rest[2]), float(rest[4])  # the ratios from the ms figures
            rows[name] = {"layer": rest[0], "ratio64": f"{eng64 / ref:.4f}", "ratio32": f"{eng32 / ref:.4f}"}
            if len(rest) >= 13:  # timed beside an earlier engine (--against)
                rows[name].update(ab64=rest[10].rstrip("x"), ab32=rest[12].rstrip("x"))
    return rows


def _change(before: str, after: str) -> str:
    try:
        return f"{float(after) / float(before) - 1:+.0%}"
    except (ValueError, ZeroDivisionError):
        return "n/a"


def docs_page(before: str, after: str, loads: tuple[tuple[float, ...], tuple[float, ...]],
              command: str = "bench/bench_options.py --write-docs docs/benchmarks.md") -> str:
    """docs/benchmarks.md: the two engines side by side (timed in the same rounds, when this run had
    --against), the saved run's ratios beside this run's, then both raw outputs."""
    old, new = option_rows(before), option_rows(after)
    load = (f"Load average (1, 5, 15 min) at the start of this run: {', '.join(f'{v:.2f}' for v in loads[0])}; "
            f"at its end: {', '.join(f'{v:.2f}' for v in loads[1])} (2 cores shared by other work).")
    lines = ["# Benchmarks", "", f"Written by `{command}`; do not edit by hand.", "",
             "The engine on the course's five-layer net [12288, 20, 7, 5, 1], m = 209, every option: ms per update "
             "(one iteration), set-up included, recording as the app does. " + load, ""]
    if any("ab64" in row for row in new.values()):
        lines += ["## Before and after the first-layer refactor, timed side by side", "",
                  "Both engines (the earlier one imported from `--against`) alternate in the same short rounds "
                  "(medians of the rounds the run's header names), so the machine's load hits both alike. "
                  "**after/before** = this engine's time / "
                  "the earlier engine's; 1.10 would be 10% slower.", "",
                  "| option | layer 1 | f64 after/before | f32 after/before |", "|---|---|---:|---:|"]
        for name in OPTIONS:
            a = new.get(name, {})
            lines.append(f"| {name} | {a.get('layer', '-')} | {a.get('ab64', '-')} | {a.get('ab32', '-')} |")
        lines.append("")
    lines += ["## Against the plain loop, this run and the saved run", "",
              "Ratio = engine ms / `bench/reference.py` ms (the course's formulas in a plain loop), each measured "
              "in its own run; *before* is the saved output given by `--before`. These ratios move with the load "
              "(the reference is a few large products, the engine many small ones), so the side-by-side table "
              "above is the fair comparison.", "",
              "| option | layer 1 before | after | f64 ratio before | after | change "
              "| f32 ratio before | after | change |",
              "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for name in OPTIONS:
        b, a = old.get(name, {}), new.get(name, {})
        lines.append(f"| {name} | {b.get('layer', '-')} | {a.get('layer', '-')} | {b.get('ratio64', '-')} | "
                     f"{a.get('ratio64', '-')} | {_change(b.get('ratio64', ''), a.get('ratio64', ''))} | "
                     f"{b.get('ratio32', '-')} | {a.get('ratio32', '-')} | "
                     f"{_change(b.get('ratio32', ''), a.get('ratio32', ''))} |")
    lines += ["", "## This run's output", "", "```", after.rstrip(), "```", ""]
    if before:
        lines += ["## The saved run (--before)", "", "```", before.rstrip(), "```", ""]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> None:
    before = None if args.against is None else load_engine(args.against)
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    from bench.bench_engine import load_data
    name, X, Y, _, _ = load_data()
    print(f"# Engine options benchmark\ndata: {name}; numpy {np.__version__}")
    if args.part in ("all", "options"):
        options_table(X, Y, args.quick, before, args.rounds)
    if args.part in ("all", "scale"):
        scale(X, Y, args.quick)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", choices=("all", "options", "scale"), default="all")
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds per option (medians)")
    parser.add_argument("--before", type=Path, help="a saved output of this script to compare with")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="a folder holding an earlier dnn package, timed in the same rounds")
    parser.add_argument("--write-docs", type=Path, metavar="PATH", help="write the Markdown page there")
    args = parser.parse_args(argv)
    if args.write_docs is None:
        return run(args)
    before = args.before.read_text() if args.before else ""
    tee, start = _Tee(sys.stdout), os.getloadavg()
    with contextlib.redirect_stdout(tee):
        run(args)
    args.write_docs.parent.mkdir(parents=True, exist_ok=True)
    command = "bench/bench_options.py " + " ".join(sys.argv[1:] if argv is None else argv)
    args.write_docs.write_text(docs_page(before, tee.kept.getvalue(), (start, os.getloadavg()), command))
    print(f"wrote {args.write_docs}")


if __name__ == "__main__":
    main()
