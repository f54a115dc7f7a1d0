"""Benchmark: the project's engine against a plain course-style NumPy loop, in one process.

    .venv/bin/python bench/bench_engine.py            # full run, a few minutes
    .venv/bin/python bench/bench_engine.py --quick    # smoke version (used by the tests)

Prints ratios measured in the same run (this machine is noisy: compare ratios,
not absolute times).  Not a test: nothing here asserts a speed.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import dnn  # noqa: E402
from bench import reference  # noqa: E402

DIMS = (12288, 20, 7, 5, 1)


def load_data():
    directory = dnn.find_data_dir() or Path(__file__).resolve().parents[2] / "shared" / "data"
    try:
        a, b, c, d, _ = dnn.load_catvnoncat(directory)
        return "course cat vs non-cat", dnn.flatten_images(a), b, dnn.flatten_images(c), d
    except ValueError:
        from dnn.synthetic import synthetic_dataset
        ds = synthetic_dataset(0)
        return "synthetic (course data not found)", ds.X_train, ds.train_y, ds.X_test, ds.test_y


def time_engine(X, Y, iters, dtype, dims=DIMS, first_layer=None):
    """ms per iteration including set-up, the final run, and the set-up time alone."""
    cfg = dnn.TrainConfig(dims, dtype=dtype, num_iterations=iters)
    t0 = time.perf_counter()
    run = dnn.Trainer(cfg, X, Y, memory_budget=2**40, first_layer=first_layer)
    t1 = time.perf_counter()
    run.advance(iters)
    t2 = time.perf_counter()
    return 1e3 * (t2 - t0) / iters, run, t1 - t0


def time_reference(X, Y, iters, dims=DIMS):
    t0 = time.perf_counter()
    params, costs = reference.train(X, Y, dims, num_iterations=iters)
    return 1e3 * (time.perf_counter() - t0) / iters, params, costs


def accuracy(pred, Y):
    return float(np.mean(pred == Y))


def headline(X, Y, Xt, Yt, iters, rounds):
    """Alternate reference, engine float64, engine float32; medians of ms/iteration."""
    times = {"reference": [], "float64": [], "float32": []}
    results = {}
    for r in range(rounds):
        ref_iters = iters if r == 0 else max(iters // 5, 1)
        ms, params, costs = time_reference(X, Y, ref_iters)
        times["reference"].append(ms)
        if r == 0:
            results["reference"] = (costs, accuracy(reference.predict(X, params), Y),
                                    accuracy(reference.predict(Xt, params), Yt))
        for dtype in ("float64", "float32"):
            ms, run, _ = time_engine(X, Y, iters, dtype)
            times[dtype].append(ms)
            p = run.parameters
            results[dtype] = (run.history.costs, accuracy(dnn.predict(X.astype(dtype), Y, p), Y),
                              accuracy(dnn.predict(Xt.astype(dtype), Yt, p), Yt))
    return {k: statistics.median(v) for k, v in times.items()}, results


def print_headline(med, results, iters):
    ref = med["reference"]
    print(f"\n## Five-layer {list(DIMS)}, {iters} iterations, lr 0.0075 (median ms/iteration, set-up included)")
    print(f"{'':12} {'ms/iter':>9} {'vs reference':>13} {'train acc':>10} {'test acc':>9}")
    for name in ("reference", "float64", "float32"):
        costs, tr, te = results[name]
        print(f"{name:12} {med[name]:9.3f} {med[name] / ref:12.4f}x {tr:10.6f} {te:9.4f}")
    c_ref, c64, c32 = (np.array(results[k][0]) for k in ("reference", "float64", "float32"))
    worst = np.max(np.abs(c64 - c_ref) / np.abs(c_ref))
    print(f"float64 cost history vs reference: max relative difference {worst:.2e}")
    print(f"float32 cost history vs float64:   max relative difference {np.max(np.abs(c32 - c64) / np.abs(c64)):.2e}; "
          f"accuracy drift train {results['float32'][1] - results['float64'][1]:+.4f}, "
          f"test {results['float32'][2] - results['float64'][2]:+.4f}")
    print(f"float32 / float64 time ratio: {med['float32'] / med['float64']:.3f}")


def memory_growth(X, Y, iters):
    cfg = dnn.TrainConfig(DIMS, num_iterations=iters)
    run = dnn.Trainer(cfg, X, Y)
    run.advance(iters // 5)
    tracemalloc.start()
    run.advance(iters // 5)
    early = tracemalloc.get_traced_memory()[0]
    run.advance(iters)
    late, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\n## Memory\nPython heap after {2 * iters // 5} iterations: {early / 1e3:.1f} kB; "
          f"after {run.iteration}: {late / 1e3:.1f} kB (growth is the cost history only); "
          f"peak during the run: {peak / 2**20:.1f} MB")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak resident memory of this whole process: {peak_mb:.0f} MB")


def steady_ms(X, Y, dims, iters, dtype="float64", first_layer=None):
    """Engine ms/iteration after set-up, the set-up in s, and the first-layer algorithm used."""
    cfg = dnn.TrainConfig(dims, dtype=dtype, num_iterations=2500)
    t0 = time.perf_counter()
    run = dnn.Trainer(cfg, X, Y, memory_budget=2**40, first_layer=first_layer)
    run.step()
    t1 = time.perf_counter()
    run.advance(iters)
    return 1e3 * (time.perf_counter() - t1) / iters, t1 - t0, type(run.first).__name__[:-5].lower()


def scaling_row(label, X, Y, dims, iters, ref_iters, rounds=3):
    """float64 and float32 alternate for ``rounds`` rounds (medians), as one noisy sample misleads."""
    t64, t32 = [], []
    for _ in range(rounds):
        ms, setup, kind = steady_ms(X, Y, dims, iters)
        t64.append(ms)
        t32.append(steady_ms(X, Y, dims, iters, "float32")[0])
    ms, ms32 = statistics.median(t64), statistics.median(t32)
    direct = ms if kind == "direct" else steady_ms(X, Y, dims, max(2, iters // 20), first_layer="direct")[0]
    ref_ms = time_reference(X, Y, ref_iters, dims)[0]
    print(f"{label:>12} {kind:>7} {setup:8.2f} {ms:10.3f} {ms32:10.3f} {direct:10.2f} {ref_ms:10.2f} "
          f"{ms / ref_ms:9.4f}x")
    return ms, direct, ms32


def scaling(X, Y, quick):
    rng = np.random.RandomState(0)
    print("\n## Scaling (ms/iteration after set-up; 'chosen' is the first-layer algorithm the engine picks)")
    header = ("", "chosen", "set-up s", "float64", "float32", "direct64", "reference", "vs ref")
    print("{:>12} {:>7} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}".format(*header))
    rows = []
    for m in ((209, 418) if quick else (209, 2090, 20900)):
        reps = -(-m // X.shape[1])
        Xm = np.tile(X, reps)[:, :m] + 0.01 * rng.rand(X.shape[0], reps * X.shape[1])[:, :m]
        Ym = np.tile(Y, reps)[:, :m]
        iters = 3 if quick else max(3, 200 * 209 // m)
        rounds = 2 if quick or m > 2000 else 5
        rows.append((m, *scaling_row(f"m = {m}", Xm, Ym, DIMS, iters, rounds, 1 if quick else 3)))
    _linear_note("m", rows)
    rows = []
    for n1 in ((20, 40) if quick else (20, 200, 2000)):
        dims = (12288, n1, 7, 5, 1)
        iters = 3 if quick else 100
        rows.append((n1, *scaling_row(f"n1 = {n1}", X, Y, dims, iters, 2 if quick else 5, 1 if quick else 3)))
    _linear_note("n1", rows)


def _linear_note(name, rows):
    (a, ta, da, _), (b, tb, db, _) = rows[0], rows[-1]
    print(f"  {name} x{b / a:g} -> engine time x{tb / ta:.2f}, direct algorithm x{db / da:.2f} "
          f"(linear would be x{b / a:g}); the engine never exceeds the direct algorithm's time: "
          f"{all(t <= d * 1.1 for _, t, d, _ in rows)}; float32 no slower than float64 in every row: "
          f"{all(t32 <= t for _, t, _, t32 in rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run with few iterations")
    args = parser.parse_args()
    name, X, Y, Xt, Yt = load_data()
    iters, rounds = (200, 1) if args.quick else (2500, 3)
    print(f"# DNN Explorer engine benchmark\ndata: {name}; numpy {np.__version__}; {os.cpu_count()} CPUs")
    med, results = headline(X, Y, Xt, Yt, iters, rounds)
    print_headline(med, results, iters)
    memory_growth(X, Y, iters)
    scaling(X, Y, args.quick)


if __name__ == "__main__":
    main()
