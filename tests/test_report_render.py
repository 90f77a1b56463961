"""Reports as a reader sees them: the HTML in a real browser (headless Chromium driven by
Playwright), every PDF page rendered to pixels (pypdfium2)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import burden
from burden.report import ReportOptions, render_report

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EXAMPLES = sorted(p.name for p in SCENARIOS.glob("*.yaml"))

#: The Debian package (``apt-get install -y chromium``); never a browser downloaded by Playwright.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def long_names_scenario(folder: Path) -> Path:
    """The base scenario with three materials renamed to long plant names (a material table of
    its own) and a 4-character currency: what broke table layouts before."""
    lib = (Path(burden.__file__).parent / "data" / "materials.csv").read_text()
    yml = (SCENARIOS / "base.yaml").read_text()
    names = {"sinter": "sinter_strand_2_high_basicity_grade_own_production_plant_north",
             "pellets": "blast_furnace_pellets_acid_grade_imported_via_harbour_stockyard",
             "lump_ore": "lump_ore_calibrated_8_to_40_mm_screened_at_the_stockhouse_bins"}
    for k, v in names.items():
        lib = re.sub(rf"^{k},", f"{v},", lib, flags=re.M)
        yml = re.sub(rf"(?<![\w]){k}(?![\w])", v, yml)
    yml = yml.replace("materials: [default]", "materials: [plant.csv]").replace("currency: USD", "currency: EURO")
    (folder / "plant.csv").write_text(lib)
    (folder / "long.yaml").write_text(yml)
    return folder / "long.yaml"


# ------------------------------------------------------------------------- PDF
def _pages_ok(pdf: bytes) -> int:
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) >= 1
    for i in range(len(doc)):
        img = np.asarray(doc[i].render(scale=0.6).to_pil().convert("L"))
        assert img.shape[0] > 300 and img.shape[1] > 300
        dark = (img < 200).mean()
        assert dark > 0.003, f"page {i + 1} is blank ({dark:.4f} dark)"  # text on white
        assert img.std() > 3, f"page {i + 1} is uniform"
    return len(doc)


@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_pages_of_every_example_render(name):
    res = burden.solve(SCENARIOS / name)
    pdf = render_report(res, ReportOptions(formats=("pdf",)))["report.pdf"]
    n = _pages_ok(pdf)
    assert n >= (3 if res.ok else 1)


def test_pdf_with_long_material_names_and_a_4_character_currency(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    res = burden.solve(long_names_scenario(tmp_path))
    assert res.ok and res.currency == "EURO"
    pdf = render_report(res, ReportOptions(formats=("pdf",)))["report.pdf"]
    _pages_ok(pdf)
    doc = pdfium.PdfDocument(pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    flat = re.sub(r"\s+", "", text)
    assert "EURO/tHM" in flat
    assert "sinter_strand_2_high_basicity_grade_own_production_plant_north" in flat  # wrapped, not cut


# ---------------------------------------------------------------------- browser
@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
    sync = pytest.importorskip("playwright.sync_api", reason="pip playwright is not installed (test extra)")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


CHECK_JS = """() => {
  const toc = [...document.querySelectorAll('nav a[href^="#"]')].map(a => a.getAttribute('href'));
  const missing = toc.filter(h => !document.getElementById(decodeURIComponent(h.slice(1))));
  const figs = [...document.querySelectorAll('figure')].map(f => {
    const s = f.querySelector('svg'); const r = (s || f).getBoundingClientRect();
    return {id: f.id, w: r.width, h: r.height, svg: !!s};
  });
  const tables = document.querySelectorAll('table').length;
  return {toc, missing, figs, tables, width: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("name", ["base.yaml", "nonlinear.yaml"])
def test_html_report_in_headless_chromium(browser, tmp_path, name):
    res = burden.solve(SCENARIOS / name)
    html = render_report(res, ReportOptions(formats=("html",)))["report.html"]
    f = tmp_path / "report.html"
    f.write_bytes(html)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f.as_uri())
    page.wait_for_load_state("load")
    got = page.evaluate(CHECK_JS)
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []  # self-contained: nothing fetched
    assert len(got["toc"]) >= 7 and got["missing"] == []
    n_fig = 8 if res.nonlinear is not None else 5  # + heat and carbon balance, Rist
    assert len(got["figs"]) >= n_fig
    for fig in got["figs"]:
        assert fig["svg"] and fig["w"] > 50 and fig["h"] > 50, fig
    assert got["tables"] >= 15
    assert got["width"] <= 1280  # wide tables scroll in their box; the page itself does not
    # each table-of-contents link scrolls to its section
    last = got["toc"][-1]
    page.click(f'nav a[href="{last}"]')
    assert page.evaluate("() => window.location.hash") == last
    assert page.evaluate(f"() => document.getElementById('{last[1:]}').getBoundingClientRect().top") < 900
    if name == "nonlinear.yaml":  # the Rist diagram spans the page
        rist = next(x for x in got["figs"] if x["id"] == "f-rist")
        assert rist["w"] > 0.9 * min(1200 - 32, 1280 - 48)
    page.close()


def test_comparison_html_in_headless_chromium(browser, tmp_path):
    from burden.report.compare import render_compare_html, run_from_result

    scn = SCENARIOS / "base.yaml"
    runs = [run_from_result(burden.solve(scn)), run_from_result(burden.solve(scn, scenario="low_slag"))]
    f = tmp_path / "comparison.html"
    f.write_text(render_compare_html(runs), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f.as_uri())
    got = page.evaluate(CHECK_JS)
    assert errors == []
    assert len(got["figs"]) == 2 and all(x["w"] > 300 and x["h"] > 150 for x in got["figs"]), got["figs"]
    # burden and cost side by side at this width
    tops = page.evaluate("() => [...document.querySelectorAll('figure')].map(f => f.getBoundingClientRect().top)")
    assert abs(tops[0] - tops[1]) < 1
    assert got["width"] <= 1280  # no horizontal scrolling of the page
    page.close()
