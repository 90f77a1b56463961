"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""

import statistics
import time


def median_time(fn, n: int) -> float:
    """Median wall time of ``n`` calls of ``fn``, seconds."""
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def median_times(fns, n: int) -> list[float]:
    """Median wall times of several functions called in turn ``n`` times (one call of each
    per round), seconds.  Interleaving makes their ratios robust to drifts in machine load."""
    ts = [[] for _ in fns]
    for _ in range(n):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            ts[k].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in ts]
