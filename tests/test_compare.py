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
    assert df.loc["cost", delta] == pytest.approx(low_slag.objective - base.objective, rel=1e-12)
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
