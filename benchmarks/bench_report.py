"""Report generation time for the base scenario (the solve is not timed).

    python benchmarks/bench_report.py

Times ``burden.report.render_report`` (everything rendered in memory, as
``burden report`` does before writing) for: HTML + JSON + Excel with plots
(target < 2 s), the same without plots, and all formats with the PDF. "cold"
is the first report in a fresh process (imports of matplotlib, openpyxl,
fpdf2 included); "warm" the best of 5 later ones.
"""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    import burden
    from burden.report import ReportOptions, render_report

    res = burden.solve(ROOT / "scenarios" / "base.yaml")
    cases = {
        "HTML + JSON + Excel, with plots": ReportOptions(formats=("html", "json", "xlsx")),
        "HTML + JSON + Excel, no plots": ReportOptions(formats=("html", "json", "xlsx"), plots=False),
        "all formats with PDF, with plots": ReportOptions(),
    }
    print("| case | cold (first in process) | warm (best of 5) | files |\n|---|---|---|---|")
    for name, opts in cases.items():
        r = burden.solve(ROOT / "scenarios" / "base.yaml")  # fresh Result: its tables are computed in the timing
        t = time.perf_counter()
        files = render_report(r, opts)
        cold = time.perf_counter() - t
        warm = []
        for _ in range(5):
            r = burden.solve(ROOT / "scenarios" / "base.yaml")
            t = time.perf_counter()
            render_report(r, opts)
            warm.append(time.perf_counter() - t)
        size = sum(len(v) for v in files.values()) / 1024
        print(f"| {name} | {cold:.2f} s | {min(warm):.2f} s | {len(files)} files, {size:.0f} KiB |")


if __name__ == "__main__":
    main()
