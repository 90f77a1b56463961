"""Reports with the names and currencies plants use (issue 11, item 4): longer material names and a
4-character currency in the PDF table layout, ``$`` in a currency in the plots; with ``solve --report``
a failing report never costs the results (see test_output_safety.py)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from conftest import ROOT, SCENARIOS

import pandas as pd

from burden.report import pdf as pdfmod
from burden.report.content import Table


def env():
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def run(*args):
    return subprocess.run([sys.executable, "-m", "burden", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env())


def plant_scenario(tmp_path: Path, currency: str) -> Path:
    """The base scenario with limestone and coke from a plant table as ``limestone_q`` and ``coke_plant``."""
    lines = [ln for ln in (ROOT / "src/burden/data/materials.csv").read_text(encoding="utf-8").splitlines()
             if not ln.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    rename = {"limestone": "limestone_q", "coke": "coke_plant"}
    with open(tmp_path / "plant.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows({**r, "name": rename[r["name"]]} for r in rows if r["name"] in rename)
    d = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    d["currency"] = currency
    d["materials"] = ["default", "plant.csv"]
    d["charge"] = {rename.get(k, k): v for k, v in d["charge"].items()}
    d.pop("overrides"), d.pop("scenarios", None)
    p = tmp_path / "plant.yaml"
    p.write_text(yaml.safe_dump(d, sort_keys=False))
    return p


def pdf_text(data: bytes) -> str:
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_longer_names_and_a_four_letter_currency_make_a_pdf(tmp_path):
    """The crash of the issue: fpdf refused a table 0.00008 mm wider than the page."""
    f = plant_scenario(tmp_path, "EURO")
    r = run("report", f, "--format", "pdf", "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    text = pdf_text((tmp_path / "out" / "base" / "report" / "report.pdf").read_bytes())
    assert "limestone_q" in text and "coke_plant" in text and "EURO/tHM" in text
    r = run("solve", f, "--report", "--format", "pdf,json", "--out", tmp_path / "out2")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in (tmp_path / "out2" / "base").iterdir()} >= {"result.json", "report"}
    assert (tmp_path / "out2" / "base" / "report" / "report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("currency", ["$x^$", "$\\frac{a$", "US$", "$US$"])
def test_dollar_signs_in_the_currency_are_drawn_as_written(tmp_path, currency):
    """Matplotlib read ``$...$`` as mathtext: a parse error (a crash) or the signs silently dropped."""
    f = plant_scenario(tmp_path, currency)
    r = run("report", f, "--format", "html,json", "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    svg = (tmp_path / "out" / "base" / "report" / "plots" / "cost_waterfall.svg").read_text(encoding="utf-8")
    from xml.sax.saxutils import escape

    assert f"cost [{escape(currency)}/tHM]" in svg


def test_figure_functions_take_dollars_literally(tmp_path):
    """Also when a figure function is called on its own (not through the report)."""
    from burden.report.plots import rist_figure, svg_text

    pts = pd.DataFrame({"label": ["$W^$", "$\\frac{a$"], "x [O/C]": [0.5, 1.3], "y [O/Fe]": [0.1, 1.4]})
    svg = svg_text(rist_figure(pts))
    assert "$W^$" in svg


def render_table(df: pd.DataFrame) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    reg, bold = pdfmod._fonts()
    pdf.add_font("DejaVu", "", str(reg))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdfmod._table(pdf, Table("t", "a table", df, note="note $x$"))
    return bytes(pdf.output())


WORD = st.text(alphabet=st.characters(codec="latin-1", categories=("L", "N", "P", "S")), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None)
@given(cols=st.lists(WORD, min_size=1, max_size=30, unique=True),
       cells=st.lists(st.one_of(WORD, st.floats(allow_nan=True, width=64)), min_size=1, max_size=60),
       nrows=st.integers(1, 4))
def test_any_table_fits_the_page(cols, cells, nrows):
    """The kind behind the crash: any column names and cell texts lay out (wrapped, in column blocks)."""
    data = [[cells[(i * len(cols) + j) % len(cells)] for j in range(len(cols))] for i in range(nrows)]
    assert render_table(pd.DataFrame(data, columns=cols)).startswith(b"%PDF")


@settings(max_examples=200, deadline=None)
@given(want=st.lists(st.floats(1, 500), min_size=1, max_size=pdfmod.MAX_COLS),
       page=st.floats(150, 400))
def test_widths_never_exceed_the_page(want, page):
    w = pdfmod._widths(want, page)
    assert sum(w) <= page and min(w) >= pdfmod.MIN_COL_MM * (1 - 1e-5)
