"""Screenshots of the HTML report in headless Chromium, for review, and the browser's timings.

    python benchmarks/report_screenshot.py [OUT_FOLDER]      (default: out/screenshots)

For the base and the nonlinear scenario: renders the report in memory, opens it in
the Debian ``chromium`` driven by Playwright (``executable_path``; no browser is
downloaded), and writes ``<scenario>_top.png`` (the first screen, 1280 x 900) and
``<scenario>_full.png`` (the whole page).  Prints the time to load and lay out the
page against the time to render the report (the ratio is what to compare between
machines) and the page height.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(out: Path) -> int:
    import burden
    from burden.report import ReportOptions, render_report

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed: apt-get install -y chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    print("| scenario | render report (HTML) | load in Chromium | ratio | page height | screenshots |")
    print("|---|---|---|---|---|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for name in ("base", "nonlinear"):
            res = burden.solve(ROOT / "scenarios" / f"{name}.yaml")
            t = time.perf_counter()
            html = render_report(res, ReportOptions(formats=("html",)))["report.html"]
            t_render = time.perf_counter() - t
            f = out / f"{name}.html"
            f.write_bytes(html)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            t = time.perf_counter()
            page.goto(f.as_uri())
            page.wait_for_load_state("load")
            height = page.evaluate("() => document.documentElement.scrollHeight")
            t_load = time.perf_counter() - t
            page.screenshot(path=str(out / f"{name}_top.png"))
            page.screenshot(path=str(out / f"{name}_full.png"), full_page=True)
            page.close()
            print(f"| {name} | {t_render:.2f} s | {t_load:.2f} s | {t_load / t_render:.2f} | {height} px | "
                  f"{name}_top.png, {name}_full.png |")
        browser.close()
    print(f"\nScreenshots in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "screenshots"))
