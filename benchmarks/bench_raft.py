"""Time 10,000 RAFT evaluations: one vectorised call versus a scalar loop.

Run: python benchmarks/bench_raft.py
"""

from __future__ import annotations

import time

import numpy as np

from burden.chemistry.raft import raft_c

N = 10_000


def main() -> None:
    rng = np.random.default_rng(0)
    tb = rng.uniform(1000.0, 1250.0, N)
    o2 = rng.uniform(0.0, 6.0, N)
    moist = rng.uniform(0.0, 30.0, N)
    pci = rng.uniform(0.0, 200.0, N)
    raft_c(1150.0)  # warm-up (imports, caches)

    best_vec = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        vec = raft_c(tb, 1050.0, o2, moist, pci)
        best_vec = min(best_vec, time.perf_counter() - t0)

    t0 = time.perf_counter()
    loop = np.array([float(raft_c(float(tb[i]), 1050.0, float(o2[i]), float(moist[i]), float(pci[i])))
                     for i in range(N)])
    t_loop = time.perf_counter() - t0

    assert np.allclose(vec, loop, rtol=1e-9)
    print(f"RAFT x {N}: vectorised {best_vec * 1e3:.1f} ms ({best_vec / N * 1e6:.2f} us/eval, best of 5); "
          f"scalar loop {t_loop:.2f} s ({t_loop / N * 1e6:.0f} us/eval); speed-up {t_loop / best_vec:.0f}x")


if __name__ == "__main__":
    main()
