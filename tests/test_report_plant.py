"""Reports engineers forward (issue 14): run metadata on every output, formats side by side,
the Excel plant workbook, one formatting table, engineer's words."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import burden
from burden.cli import main
from burden.errors import InputError
from burden.provenance import run_metadata
from burden.report import ReportOptions, render_report
from burden.report.style import engineer_label, fmt_value

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


@pytest.fixture(scope="module")
def base():
    return burden.solve(SCENARIOS / "base.yaml")


@pytest.fixture(scope="module")
def nonlinear():
    return burden.solve(SCENARIOS / "nonlinear.yaml")


@pytest.fixture(scope="module")
def xlsx(base):
    return render_report(base, ReportOptions(formats=("xlsx", "json")))


# ------------------------------------------------------------------ run metadata
def test_run_metadata_names_files_hashes_versions_and_overrides(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    scn = burden.load_scenario(SCENARIOS / "base.yaml", scenario="pellet_opportunity")
    m = run_metadata(scn)
    assert m["run_utc"] == "2023-11-14T22:13:20Z" and m["source_date_epoch"] is True
    assert m["variant"] == "pellet_opportunity"
    assert m["overrides"] == ["pellet_plant_online", "cheap_pellets"]  # as the file's scenarios: lists them
    files = {f["role"]: f for f in m["input_files"]}
    assert files["scenario"]["sha256"] == hashlib.sha256((SCENARIOS / "base.yaml").read_bytes()).hexdigest()
    lib = Path(burden.__file__).parent / "data" / "materials.csv"
    assert files["material table"]["sha256"] == hashlib.sha256(lib.read_bytes()).hexdigest()
    assert set(m["versions"]) == {"burden", "highspy", "python"} and all(m["versions"].values())
    from burden.scenario import input_hash

    assert m["input_hash"] == input_hash(scn)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    m2 = run_metadata(scn)
    assert m2["source_date_epoch"] is False and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m2["run_utc"])


def test_a_material_table_file_is_hashed(tmp_path, monkeypatch):
    lib = Path(burden.__file__).parent / "data" / "materials.csv"
    (tmp_path / "plant.csv").write_bytes(lib.read_bytes() + b"\n")
    text = (SCENARIOS / "base.yaml").read_text().replace("materials: [default]", "materials: [plant.csv]")
    (tmp_path / "s.yaml").write_text(text)
    m = run_metadata(burden.load_scenario(tmp_path / "s.yaml"))
    tab = [f for f in m["input_files"] if f["role"] == "material table"]
    assert tab == [{"role": "material table", "path": "plant.csv",
                    "sha256": hashlib.sha256((tmp_path / "plant.csv").read_bytes()).hexdigest(),
                    "bytes": (tmp_path / "plant.csv").stat().st_size}]


def test_a_bad_source_date_epoch_is_an_input_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        run_metadata(burden.load_scenario(SCENARIOS / "base.yaml"))
    assert main(["solve", str(SCENARIOS / "base.yaml"), "-o", str(tmp_path / "o")]) == 4
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err
    assert not (tmp_path / "o" / "base").exists()  # no partial output


def test_solve_writes_the_run_into_result_json_and_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    outs = []
    for k in range(2):
        out = tmp_path / f"o{k}"
        assert main(["solve", str(SCENARIOS / "base.yaml"), "-s", "low_slag", "-o", str(out), "--report",
                     "--format", "json,html"]) == 0
        outs.append(next(out.iterdir()))
    capsys.readouterr()
    d = json.loads((outs[0] / "result.json").read_text())
    assert d["run"]["run_utc"] == "2023-11-14T22:13:20Z" and d["run"]["overrides"] == ["low_slag"]
    summary = (outs[0] / "summary.txt").read_text()
    assert "run time (UTC):" in summary and "2023-11-14T22:13:20Z" in summary and "SHA-256" in summary
    rep = json.loads((outs[0] / "report" / "report.json").read_text())
    assert rep["run"] == d["run"]  # one run, one set of facts
    for name in ("result.json", "summary.txt", "report/report.json", "report/report.html"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_report_formats_stand_side_by_side(tmp_path, capsys):
    out = tmp_path / "out"
    scn = str(SCENARIOS / "base.yaml")
    assert main(["report", scn, "--format", "html", "-o", str(out), "--no-plots"]) == 0
    html = (out / "base" / "report" / "report.html").read_bytes()
    assert main(["report", scn, "--format", "xlsx", "-o", str(out), "--no-plots"]) == 0
    names = {p.name for p in (out / "base" / "report").iterdir()}
    assert {"report.html", "report.xlsx"} <= names
    assert (out / "base" / "report" / "report.html").read_bytes() == html  # kept as it was
    assert main(["solve", scn, "--report", "--format", "json", "-o", str(out), "--no-plots"]) == 0
    names = {p.name for p in (out / "base" / "report").iterdir()}
    assert {"report.html", "report.xlsx", "report.json"} <= names
    assert not [p for p in out.rglob("*") if p.name.startswith(".burden-")]  # no temporaries left
    capsys.readouterr()


# --------------------------------------------------------------- Excel workbook
def test_workbook_has_native_charts_notes_and_no_inf_text(xlsx):
    from openpyxl import load_workbook

    z = zipfile.ZipFile(io.BytesIO(xlsx["report.xlsx"]))
    charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) >= 3
    titles = " ".join(z.read(n).decode() for n in charts)
    for word in ("Burden composition", "Cost per material", "Use of each limit"):
        assert word in titles
    wb = load_workbook(io.BytesIO(xlsx["report.xlsx"]))
    assert wb.sheetnames[0] == "notes"
    notes = " ".join(str(c.value) for row in wb["notes"].iter_rows() for c in row if c.value is not None)
    assert "Shadow price" in notes and "Negative: raising the limit saves money" in notes
    assert "run time (UTC)" in notes and "SHA-256" in notes and "no cell holds the text inf" in notes
    n_inf_comments = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.value.strip().lower() not in ("inf", "-inf", "+inf", "nan", "infinity"), (ws.title, c)
                if c.comment is not None and "infinite" in c.comment.text:
                    assert c.value is None
                    n_inf_comments += 1
    assert n_inf_comments > 0  # the limits table has one-sided windows


def test_workbook_formats_widths_and_frozen_headers(xlsx, base):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx["report.xlsx"]))
    ws = wb["burden"]
    head = [c.value for c in ws[1]]
    dry = head.index("dry [kg/tHM]") + 1
    cost = head.index("cost [USD/tHM]") + 1
    assert ws.cell(row=2, column=dry).number_format == "#,##0.0"
    assert ws.cell(row=2, column=cost).number_format == "#,##0.00"
    assert ws.cell(row=2, column=dry).value == pytest.approx(float(base.burden.iloc[0]["dry_kg_per_thm"]),
                                                             rel=1e-14)  # full value, format only shows
    for name in ("burden", "limits", "hot_metal", "materials"):
        w = wb[name]
        assert w.freeze_panes == "B2"
        longest = max(len(str(c.value)) for c in w["A"] if c.value is not None)
        assert w.column_dimensions["A"].width >= min(longest, 60), name
    hm = wb["hot_metal"]
    col = [c.value for c in hm[1]].index("content [wt %]") + 1
    assert {hm.cell(row=r, column=col).number_format for r in range(2, hm.max_row + 1)} <= {"#,##0.000", "0.00E+00"}


def test_nonlinear_workbook_speaks_engineer(nonlinear):
    files = render_report(nonlinear, ReportOptions(formats=("xlsx",), plots=False))
    sheets = pd.read_excel(io.BytesIO(files["report.xlsx"]), sheet_name=None)
    extra = [n for n in sheets if n.startswith("extra_")]
    assert len(extra) >= 5
    for n in extra:
        for c in sheets[n].columns:
            assert not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", str(c)), (n, c)  # no snake_case header
            assert "_per_" not in str(c), (n, c)
    assert "heat [MJ/tHM]" in sheets["extra_heat_balance"].columns
    assert "trust radius (relative) [-]" in sheets["extra_convergence"].columns
    text = render_report(nonlinear, ReportOptions(formats=("html",), plots=False))["report.html"].decode()
    for word in ("result.extra_tables", "S_as_CaS_excess", "trust_radius_relative", "mj_per_thm"):
        assert word not in text, word


# ------------------------------------------------------------ formatting table
def test_one_formatting_table_gives_fixed_decimals_per_unit():
    assert [fmt_value(v, "kg/tHM") for v in (125.0, 30.0, 1397.13772918594)] == ["125.0", "30.0", "1,397.1"]
    assert [fmt_value(v, "wt %") for v in (0.03, 94.5, 0.8700)] == ["0.030", "94.500", "0.870"]
    assert fmt_value(377.1534, "EURO/tHM", "EURO") == "377.15"
    assert fmt_value(-1e-12, "-") == "-1e-12" and fmt_value(-0.0001, "kg/tHM") == "-0.0001"
    assert fmt_value(-0.00004, "USD/tHM", "USD") == "-4e-05" and fmt_value(-0.0, "kg/tHM") == "0.0"
    assert fmt_value(float("inf"), "kg/tHM") == "∞" and fmt_value(float("nan"), "kg/tHM") == "–"
    assert engineer_label("objective_USD_per_thm", "USD") == "objective [USD/tHM]"
    assert engineer_label("coke_change_kg_per_thm") == "coke change [kg/tHM]"


# ------------------------------------------------------------------- comparison
def test_compare_of_four_runs_fits_100_columns_and_marks_by_unit_tolerance(base):
    from burden.report.compare import Run, compare_runs, render_compare_html, render_text, run_from_result

    scn = SCENARIOS / "base.yaml"
    runs = [run_from_result(base)] + [run_from_result(burden.solve(scn, scenario=v), f"{scn}:{v}")
                                      for v in ("pellet_opportunity", "low_slag", "cheap_pellets")]
    text = render_text(runs)
    assert max(len(line) for line in text.splitlines()) <= 100
    for k in range(1, 5):
        assert f"({k})" in text
    # a change below the unit's tolerance (0.05 kg/tHM: half the last decimal shown) is no difference
    d = json.loads(json.dumps(runs[0].data))
    for rec in d["tables"]["burden"]:
        rec["dry_kg_per_thm"] += 0.04
    tabs = {t.name: (t, m) for t, m in compare_runs([runs[0], Run("nudged", d)])}
    assert not any(any(row) for row in tabs["burden"][1])
    for rec in d["tables"]["burden"]:
        rec["dry_kg_per_thm"] += 0.02  # 0.06 > 0.05: shows in the report's numbers, so marked
    tabs = {t.name: (t, m) for t, m in compare_runs([runs[0], Run("nudged", d)])}
    assert all(row[2] for row in tabs["burden"][1])
    html = render_compare_html(runs[:2])
    assert html.count("<svg") == 2 and 'id="f-burden"' in html and 'id="f-cost"' in html
    # only cells beyond the tolerance are marked: the unchanged fixed coke, nut coke and PCI are not
    assert html.count('class="num diff"') < 0.5 * html.count('class="num')


# ------------------------------------------------------------------------ plots
def test_plots_engineers_look_for(base, nonlinear):
    from burden.report.content import limits_frame
    from burden.report.plots import limits_figure, shadow_price_figure

    files = render_report(nonlinear, ReportOptions(formats=("html",)))
    for name in ("shadow_prices", "heat_balance", "carbon_balance", "rist", "ternary"):
        assert f"plots/{name}.svg" in files, name
    html = files["report.html"].decode()
    assert '<figure id="f-rist" class="wide">' in html  # full width
    assert "section at MgO" in files["plots/ternary.svg"].decode()
    # the shadow-price bars are the shadow prices of the binding limits, one bar each
    lim = limits_frame(base)
    col = "shadow price [USD/tHM per unit]"
    binding = lim[lim["binding"] & (lim[col].abs() > 1e-12)]
    fig = shadow_price_figure(lim, "USD")
    bars = sorted(p.get_width() for p in fig.axes[0].patches)
    assert bars == pytest.approx(sorted(binding[col].astype(float)), rel=1e-12)
    # a one-sided window (MgO >= 7.5) is drawn on an axis from 0, not zoomed onto the wall
    fig = limits_figure(lim)
    ax = next(a for a in fig.axes if a.get_ylabel().startswith("slag MgO"))
    lo, hi = ax.get_xlim()
    assert lo == 0 and hi >= 1.2 * float(lim.set_index("quantity").loc["slag MgO", "value [see unit]"])


# --------------------------------------------------------------------- terminal
def test_solve_prints_aligned_tables_within_100_columns_and_the_sensitivity(tmp_path, capsys):
    assert main(["solve", str(SCENARIOS / "nonlinear.yaml"), "--sensitivity", "--no-write"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 100
    lines = out.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("Binding limits"))
    block = []
    for line in lines[k + 1:]:
        if not line.strip():
            break
        block.append(line)
    # the shadow-price column ends at the same character on every line, whatever the unit
    assert len(block) >= 3 and len({len(line) for line in block}) == 1
    k = next(i for i, line in enumerate(lines) if line.startswith("Sensitivity of the optimum"))
    sens = lines[k + 1:k + 10]  # kinks take two lines (down, up)
    assert "blast temperature" in "\n".join(sens) and "pci rate" in "\n".join(sens)
    # the printed cost sensitivity is the one of the result (4 decimals of USD/tHM per unit)
    res = burden.solve(SCENARIOS / "nonlinear.yaml")
    from burden.nonlinear import sensitivity

    s = sensitivity(res)
    row = next(line for line in sens if line.strip().startswith("blast temperature"))
    assert f"{s.loc['blast_temperature_c', 'cost_USD_per_thm_per_unit']:.4f}" in row
    # an LP scenario says why there is no sensitivity
    assert main(["solve", str(SCENARIOS / "base.yaml"), "--sensitivity", "--no-write"]) == 0
    assert "only scenarios with a process: section" in capsys.readouterr().out


def test_summary_of_long_material_names_stays_within_100_columns(tmp_path):
    from test_report_render import long_names_scenario

    res = burden.solve(long_names_scenario(tmp_path))
    lines = res.summary().splitlines()
    assert max(len(line) for line in lines) <= 100
    head = next(line for line in lines if line.startswith("material"))
    rows = [line for line in lines if line.startswith(("sinter_strand", "blast_furnace", "coke"))]
    assert rows and all(len(r) == len(head) for r in rows)  # numbers right-aligned under their header


def test_a_section_is_added_by_one_call_and_every_format_shows_it(base):
    from burden.report import build_report
    from burden.report.content import Table
    from burden.report.excel import render_json, render_xlsx
    from burden.report.html import render_html

    rep = build_report(base, ReportOptions(plots=False))
    df = pd.DataFrame({"source": ["coke", "pci"], "CO2 [kg/tHM]": [1100.123456, 420.5]})
    rep.add_section("co2_by_source", "CO2 by source", [Table("co2_by_source", "CO2 by source", df, currency="USD")])
    assert [s.key for s in rep.sections][-2:] == ["co2_by_source", "run"]  # the run information stays last
    html = render_html(rep)
    assert '<a href="#s-co2_by_source">CO2 by source</a>' in html and "1,100.123" not in html and "1,100.1" in html
    assert json.loads(render_json(rep))["tables"]["co2_by_source"]["data"][0][1] == 1100.123456
    assert pd.read_excel(io.BytesIO(render_xlsx(rep)), sheet_name="co2_by_source").iat[0, 1] == 1100.123456
    with pytest.raises(ValueError, match="exists already"):
        rep.add_section("co2_by_source", "again", [])


def test_comparison_states_when_it_was_made_and_when_stored_runs_ran(base, tmp_path, monkeypatch):
    from burden.output import write_result
    from burden.report.compare import load_run, render_compare_html, render_compare_json, run_from_result

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    stored = load_run(write_result(base, tmp_path) / "result.json")
    runs = [run_from_result(base), stored]
    d = json.loads(render_compare_json(runs))
    assert d["compared"]["run_utc"] == "2023-11-14T22:13:20Z" and d["compared"]["versions"]["burden"]
    assert d["runs"][1]["run_utc"] == "2023-11-14T22:13:20Z" and len(d["runs"][1]["input_hash"]) == 64
    html = render_compare_html(runs)
    assert "; run 2023-11-14T22:13:20Z UTC" in html and "Run 2023-11-14T22:13:20Z UTC with burden" in html
    assert render_compare_html(runs) == html  # deterministic


def test_slag_window_of_the_section_follows_the_limits(base):
    import numpy as np

    from burden.report.plots import _slag_window_mask

    cfg = base.scenario.config.slag  # B2 1.10-1.20, B3 <= 1.45, Al2O3 <= 16 wt %
    total, mgo = 90.0, 7.7

    def point(b2, al_pct):  # CaO and Al2O3 fractions of CaO + SiO2 + Al2O3 for a B2 and an Al2O3 wt %
        a = al_pct / total
        s = (1 - a) / (1 + b2)
        return np.array([b2 * s]), np.array([a])

    assert _slag_window_mask(*point(1.15, 12.0), total, mgo, cfg)[0]
    assert not _slag_window_mask(*point(1.25, 12.0), total, mgo, cfg)[0]   # B2 above its max
    assert not _slag_window_mask(*point(1.05, 12.0), total, mgo, cfg)[0]   # below its min
    assert not _slag_window_mask(*point(1.15, 17.0), total, mgo, cfg)[0]   # Al2O3 above 16 wt %
    # B3 = (CaO + MgO)/SiO2 <= 1.45: with much MgO a B2 of 1.15 is out
    assert not _slag_window_mask(*point(1.15, 12.0), total, 15.0, cfg)[0]
