"""Reports: offline HTML, PDF that renders, Excel = JSON, determinism, units and windows, extra tables."""

from __future__ import annotations

import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

import burden
from burden.report import ReportOptions, build_report, render_report, write_report
from burden.report.content import window_text
from burden.report.html import fmt


@pytest.fixture(scope="module")
def result(base_path):
    return burden.solve(base_path)


@pytest.fixture(scope="module")
def files(result):
    return render_report(result)


def test_all_files_rendered(files):
    assert {"report.html", "report.pdf", "report.xlsx", "report.json"} <= set(files)
    assert {f"plots/{n}.svg" for n in ("burden_composition", "limits", "ternary", "cost_waterfall",
                                         "shadow_prices")} <= set(files)


def test_html_is_self_contained(files):
    html = files["report.html"].decode()
    # no external asset: no src/href/url() pointing to http(s) or protocol-relative addresses, no scripts, no @import
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert "<script" not in html.lower() and "@import" not in html
    assert "<link" not in html.lower()
    assert html.count("<svg") == 5  # the plots are inline (composition, limits, slag, cost, shadow prices)
    assert "<style>" in html


def test_html_shows_the_burden_numbers(files, result):
    html = files["report.html"].decode()
    b = result.burden
    for k in ("sinter", "pellets", "lump_ore"):
        assert f"<td>{k}</td>" in html
        assert f'<td class="num">{fmt(float(b.loc[k, "dry_kg_per_thm"]), "kg/tHM")}</td>' in html
        # one number of decimals per unit: kg/tHM with one decimal, thousands separated
        assert re.fullmatch(r"[\d,]+\.\d", fmt(float(b.loc[k, "dry_kg_per_thm"]), "kg/tHM"))
    assert fmt(result.objective, "USD/tHM", "USD") in html


def test_pdf_renders_and_holds_the_burden_table(files, result):
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(files["report.pdf"])
    assert len(doc) >= 3
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Burden report: base" in text
    b = result.burden
    for k in ("sinter", "lump_ore", "quartzite"):
        assert k in text
        assert fmt(float(b.loc[k, "dry_kg_per_thm"]), "kg/tHM") in text
    assert "Charge sheet" in text and "Binding constraints" in text
    img = np.asarray(doc[0].render(scale=1).to_pil().convert("L"))
    assert img.std() > 5 and (img < 128).mean() > 0.005  # not blank: dark text on white
    # a page with a figure has many non-white pixels
    dark = [(np.asarray(doc[i].render(scale=0.5).to_pil().convert("L")) < 250).mean() for i in range(len(doc))]
    assert max(dark) > 0.05


def test_excel_equals_json(files):
    rep = json.loads(files["report.json"])
    sheets = pd.read_excel(io.BytesIO(files["report.xlsx"]), sheet_name=None)
    assert list(sheets) == ["notes"] + [n[:31] for n in rep["tables"]] + ["charts"]
    for name, t in rep["tables"].items():
        df = sheets[name[:31]]
        assert list(df.columns) == t["columns"], name
        assert len(df) == len(t["data"]), name
        for i, row in enumerate(t["data"]):
            for j, v in enumerate(row):
                x = df.iat[i, j]
                if v is None or v == "" or v in ("inf", "-inf"):  # Excel keeps no empty strings: an empty
                    # cell reads back as NaN; an infinite bound is an empty cell (with a comment)
                    assert x is None or x == "" or (isinstance(x, float) and math.isnan(x)), (name, i, j, x)
                elif isinstance(v, bool):
                    assert bool(x) == v, (name, i, j)
                elif isinstance(v, (int, float)):
                    assert float(x) == float(v), (name, i, j, x, v)  # exact: doubles round-trip
                else:
                    assert str(x) == v, (name, i, j, x, v)


def test_json_numbers_are_the_result_numbers(files, result):
    rep = json.loads(files["report.json"])
    t = rep["tables"]["burden"]
    col = t["columns"].index("dry [kg/tHM]")
    got = {r[0]: r[col] for r in t["data"]}
    for k, v in result.burden["dry_kg_per_thm"].items():
        assert got[k] == pytest.approx(float(v), rel=1e-14)  # kept to 15 significant digits
    assert got["total"] == pytest.approx(float(result.burden["dry_kg_per_thm"].sum()), rel=1e-12)
    assert rep["meta"]["objective_per_thm"] == result.objective
    key = dict((r[0], r[1]) for r in rep["tables"]["key_figures"]["data"])
    assert key["burden cost"] == pytest.approx(result.objective, rel=1e-14)


def test_two_runs_are_byte_identical(base_path, monkeypatch):
    """Equal inputs and SOURCE_DATE_EPOCH: every format byte for byte (PDF creation date, XLSX
    properties and zip dates, SVG ids all follow the run time or are fixed)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one = render_report(burden.solve(base_path))
    two = render_report(burden.solve(base_path))
    assert set(one) == set(two) and {"report.html", "report.json", "report.pdf", "report.xlsx"} <= set(one)
    for name in one:
        assert one[name] == two[name], name
    html = one["report.html"].decode()
    assert "<dc:date>" not in html and "2023-11-14T22:13:20Z" in html  # the run time, from SOURCE_DATE_EPOCH
    assert json.loads(one["report.json"])["run"]["run_utc"] == "2023-11-14T22:13:20Z"
    from openpyxl import load_workbook

    props = load_workbook(io.BytesIO(one["report.xlsx"])).properties
    assert props.created.isoformat() == props.modified.isoformat() == "2023-11-14T22:13:20"
    pdfium = pytest.importorskip("pypdfium2")
    assert "20231114221320" in pdfium.PdfDocument(one["report.pdf"]).get_metadata_value("CreationDate")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000060")  # another time: another file (the time is in it)
    three = render_report(burden.solve(base_path), ReportOptions(formats=("html", "xlsx")))
    assert three["report.html"] != one["report.html"] and three["report.xlsx"] != one["report.xlsx"]


def test_every_numeric_column_carries_a_unit(result):
    rep = build_report(result, ReportOptions(plots=False))
    for name, t in rep.tables().items():
        for c in t.df.columns:
            vals = [v for v in t.df[c] if v is not None]
            numeric = any(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                          for v in vals)
            if numeric:
                assert re.search(r"\[[^\]]+\]", str(c)), f"{name}: column {c!r} has no unit"
            if "[see unit]" in str(c):
                assert "unit" in t.df.columns, f"{name}: {c!r} refers to a unit column that is missing"


def test_every_limit_shows_its_window(result, files):
    rep = build_report(result, ReportOptions(plots=False))
    tabs = rep.tables()
    html = files["report.html"].decode()
    n = 0
    for name in ("limits", "hot_metal", "slag_properties", "loads"):
        df = tabs[name].df
        assert "window" in df.columns
        mins = [c for c in df.columns if c.startswith("min [")][0]
        maxs = [c for c in df.columns if c.startswith("max [")][0]
        for _, r in df.iterrows():
            lo, hi = r[mins], r[maxs]
            if math.isnan(lo) and math.isnan(hi):
                assert r["window"] == "no limit"
                continue
            n += 1
            for e in (lo, hi):
                if not math.isnan(e):
                    assert f"{e:g}" in r["window"], (name, r.iloc[0], r["window"])
            assert f"<td>{r['window']}</td>" in html.replace("&lt;", "<").replace("&gt;", ">")
    assert n >= 20
    lim = tabs["limits"].df.set_index("limit")
    assert lim.loc["slag.B2", "window"] == "1.1 to 1.2"
    assert bool(lim.loc["slag.B2", "binding"]) and lim.loc["slag.B2", "shadow price [USD/tHM per unit]"] < 0


def test_window_text():
    assert window_text(1.1, 1.2) == "1.1 to 1.2"
    assert window_text(None, 340, "kg/tHM") == "<= 340 kg/tHM"
    assert window_text(7.5, math.nan, "wt %") == ">= 7.5 wt %"
    assert window_text(0.45, 0.45, "wt %") == "fixed at 0.45 wt %"  # no leading "=": Excel would take a formula
    assert window_text(math.nan, math.inf) == "no limit"


def test_charge_sheet_follows_the_burden(result):
    b = result.burden
    P = result.scenario.config.production_t_per_day
    ore = b[b["class"].isin(["ferrous", "flux"])]["wet_kg_per_thm"].sum() + b.loc["nut_coke", "wet_kg_per_thm"]
    coke = b.loc["coke", "wet_kg_per_thm"]
    for opts, n_expected in ((ReportOptions(plots=False), 120.0),
                             (ReportOptions(plots=False, coke_batch_wet_t=25.0), coke * P / 1000 / 25.0)):
        t = build_report(result, opts).tables()
        s = t["charging"].df.set_index("quantity")["value [see unit]"]
        assert s["charges per day"] == pytest.approx(n_expected, rel=1e-12)
        assert s["ore batch (wet)"] == pytest.approx(ore * P / 1000 / n_expected, rel=1e-12)
        assert s["coke batch (wet)"] == pytest.approx(coke * P / 1000 / n_expected, rel=1e-12)
        assert s["ore/coke ratio (wet)"] == pytest.approx(ore / coke, rel=1e-12)
        sheet = t["charge_sheet"].df
        # every charged material (not injectants) is on the sheet, and the batches add up
        assert set(sheet["material"]) == {k for k, r in b.iterrows() if r["class"] != "injectant" and r.dry_kg_per_thm > 1e-6}
        assert sheet[sheet.layer == "ore"]["wet per charge [t]"].sum() == pytest.approx(s["ore batch (wet)"], rel=1e-12)
        lump = sheet.set_index("material").loc["lump_ore"]
        assert lump["wet per charge [t]"] / lump["dry per charge [t]"] == pytest.approx(1 / (1 - 0.028), rel=1e-12)
    assert build_report(result, ReportOptions(plots=False, coke_batch_wet_t=25.0)).tables()[
        "charging"].df.set_index("quantity").loc["coke batch (wet)", "value [see unit]"] == pytest.approx(25.0)


def test_slag_fluidity_table(result):
    from burden.chemistry.slag import viscosity_urbain

    t = build_report(result, ReportOptions(plots=False)).tables()["slag_fluidity"].df
    urb = t[(t.property == "viscosity, Urbain") & (t["temperature [degC]"] == 1500.0)]["value [see unit]"].item()
    s = result.slag["pct"]
    assert urb == pytest.approx(float(viscosity_urbain(
        {k: s[k] for k in ("SiO2", "Al2O3", "CaO", "MgO", "FeO", "MnO", "TiO2")}, 1773.15)), rel=1e-12)
    assert 0.1 < urb < 1.0  # a few tenths of a Pa s for a BF slag at 1500 degC (PRIMER section 7)
    hot = t[(t.property == "viscosity, Urbain") & (t["temperature [degC]"] == 1550.0)]["value [see unit]"].item()
    assert hot < urb
    lam = t[t.property.str.startswith("optical basicity")]["value [see unit]"].item()
    assert 0.55 < lam < 0.7


class _WithExtra:
    """A Result seen through a proxy that adds ``extra_tables`` (as the nonlinear model's Results carry)."""

    def __init__(self, result, extra):
        self._r, self.extra_tables = result, extra

    def __getattr__(self, name):
        return getattr(self._r, name)


def test_extra_tables_are_rendered(base_path):
    res = _WithExtra(burden.solve(base_path), {
        "heat_balance": pd.DataFrame({"item": ["carbon combustion", "losses"], "heat [MJ/tHM]": [9100.0, 450.0]}),
        "rist_points": pd.DataFrame({"point": ["E", "D", "W", "A"], "x [mol O/mol C]": [0.0, 1.0, 1.29, 1.48],
                                     "y [mol O/mol Fe]": [-1.1, 0.35, 1.05, 1.5]}),
    })
    files = render_report(res, ReportOptions(formats=("html", "json")))
    html = files["report.html"].decode()
    assert "Heat balance" in html and "carbon combustion" in html and "Rist diagram" in html
    assert "plots/rist.svg" in files
    rep = json.loads(files["report.json"])
    assert rep["tables"]["extra_heat_balance"]["data"][0] == ["carbon combustion", 9100.0]


def test_infeasible_scenario_gives_a_report_with_the_explanation():
    res = burden.solve(burden.load_scenario(burden.examples.path("infeasible")) if hasattr(burden, "examples")
                       else burden.load_scenario(__import__("burden.examples").examples.path("infeasible")))
    assert res.status == "infeasible"
    files = render_report(res, ReportOptions(formats=("html", "json", "xlsx", "pdf")))
    html = files["report.html"].decode()
    assert "No burden meets all limits" in html
    assert "materials" in json.loads(files["report.json"])["tables"]
    assert not any(k.startswith("plots/") for k in files)


def test_write_report_is_all_or_nothing(result, tmp_path, monkeypatch):
    folder = write_report(result, tmp_path, ReportOptions(formats=("json",), plots=False))
    assert (folder / "report.json").is_file()
    import burden.report as rp

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rp, "render_report", lambda *a, **k: {"report.json": b"{}", "x/y.svg": boom})
    with pytest.raises(Exception):
        write_report(result, tmp_path / "other", ReportOptions(formats=("json",), plots=False))
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").rglob("*.json"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".burden")] == []
