"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""

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
