"""Comparison of scenarios and stored runs: differences marked, terminal and HTML, clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import burden
from burden.errors import InputError
from burden.output import write_result
from burden.report.compare import (compare_runs, load_run, render_compare_html, render_text, run_from_result,
                                   split_spec)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base(base_path):
    return burden.solve(base_path)


@pytest.fixture(scope="module")
def low_slag(base_path):
    return burden.solve(burden.load_scenario(base_path, scenario="low_slag"))


def test_differences_are_marked(base, low_slag):
    runs = [run_from_result(base), run_from_result(low_slag)]
    tabs = {t.name: (t, m) for t, m in compare_runs(runs)}
    t, m = tabs["overview"]
    df = t.df.set_index("quantity")
    cols = list(t.df.columns)
    cost_row = list(t.df["quantity"]).index("cost")
    delta = [c for c in cols if " - " in c][0]
    # the difference with the decimals the unit shows (USD/tHM: 2), no float noise
    assert df.loc["cost", delta] == pytest.approx(round(low_slag.objective - base.objective, 2), abs=1e-12)
    assert low_slag.objective > base.objective  # a tighter slag limit cannot make the burden cheaper
    assert m[cost_row][cols.index(delta)]
    t, m = tabs["burden"]
    rows = list(t.df["quantity"])
    assert m[rows.index("sinter")][2] and not m[rows.index("coke")][2]  # coke is fixed in both
    # the binding table shows the low-slag limit's shadow price only where binding
    t, _ = tabs["binding"]
    b = t.df.set_index("quantity")
    assert b.loc["slag rate (max)"].iloc[1] == pytest.approx(
        low_slag.constraints.loc["slag.rate_kg_per_thm.max", "shadow_price_per_unit"])


def test_identical_runs_show_no_difference_and_stored_runs_round_trip(base, tmp_path):
    folder = write_result(base, tmp_path)
    stored = load_run(folder / "result.json")
    tabs = compare_runs([run_from_result(base), stored])
    assert not any(any(row) for _, m in tabs for row in m)
    text = render_text([run_from_result(base), stored], tabs)
    assert "*" not in text.replace("* differs from the first run", "")


def test_html_highlights_and_is_offline(base, low_slag):
    html = render_compare_html([run_from_result(base), run_from_result(low_slag)])
    assert 'class="num diff"' in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "[kg/tHM]" in html and "[USD/tHM per unit]" in html


def test_split_spec(tmp_path):
    assert split_spec("scenarios/base.yaml:low_slag") == ("scenarios/base.yaml", "low_slag")
    assert split_spec("scenarios/base.yaml") == ("scenarios/base.yaml", None)


@pytest.mark.parametrize("content, field", [("{not json", "line 1"), ('{"scenario": "x"}', "status"),
                                            ("[1, 2]", "(top level)")])
def test_bad_run_file(tmp_path, content, field):
    f = tmp_path / "result.json"
    f.write_text(content)
    with pytest.raises(InputError) as e:
        load_run(f)
    assert str(f) in str(e.value) and field in str(e.value) and "burden solve" in str(e.value)


def test_cli_compare(tmp_path, base_path):
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "burden.cli", "compare", str(base_path), f"{base_path}:low_slag",
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "Burden, dry" in p.stdout and "*" in p.stdout
    data = json.loads((out / "compare" / "comparison.json").read_text())
    assert [r["label"] for r in data["runs"]] == ["base", "base [low_slag]"]
    assert (out / "compare" / "comparison.html").is_file()


def test_cli_compare_bad_input_exit_4_nothing_written(tmp_path, base_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{}")
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "burden.cli", "compare", str(base_path), str(bad), "--out", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 4
    assert str(bad) in p.stderr and "tables" in p.stderr
    assert not out.exists()
    p = subprocess.run([sys.executable, "-m", "burden.cli", "compare", str(base_path), f"{base_path}:nope",
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 4 and "nope" in p.stderr and not out.exists()


def test_differences_below_the_displayed_precision_are_zero_in_text_html_and_json(base):
    """Issue 14: float noise (-5.68e-14 USD/tHM) and sub-precision changes (0.0003 wt % C) are 0
    in the difference columns of the terminal, HTML and JSON; real differences keep their decimals."""
    import copy

    from burden.report.compare import render_compare_json

    a = run_from_result(base)
    data = copy.deepcopy(a.data)
    data["objective_per_thm"] = data["objective_per_thm"] - 5.684e-14
    for rec in data["tables"]["hot_metal"]:
        if rec["element"] == "C":
            rec["pct"] += 0.000312
        if rec["element"] == "Si":
            rec["pct"] += 0.0123                     # shows: 0.012 wt %
    b = type(a)("noisy", data, "x")
    tabs = compare_runs([a, b])
    t = {tt.name: tt for tt, _ in tabs}
    delta = [c for c in t["overview"].df.columns if " - " in c][0]
    ov = t["overview"].df.set_index("quantity")
    assert ov.loc["cost", delta] == 0.0
    hm = t["hot_metal"].df.set_index("quantity")
    dcol = [c for c in hm.columns if " - " in c][0]
    assert hm.loc["C", dcol] == 0.0 and hm.loc["Si", dcol] == pytest.approx(0.012, abs=1e-12)
    text = render_text([a, b], tabs)
    assert not re.search(r"\de-\d", text) and "0.000312" not in text and "0.012" in text
    js = render_compare_json([a, b], tabs)
    assert "e-14" not in js and "e-16" not in js and "0.000312" not in js
    html = render_compare_html([a, b], tabs)
    assert "e-14" not in html and "0.000312" not in html
