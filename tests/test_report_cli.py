"""Command line: burden report, solve --report; clear errors with exit code 4 and nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "burden.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_report_command_writes_the_formats(base_path, tmp_path):
    p = run("report", str(base_path), "--out", str(tmp_path), "--format", "html,json,xlsx", "--coke-batch", "25")
    assert p.returncode == 0, p.stderr
    folder = tmp_path / "base" / "report"
    assert sorted(x.name for x in folder.iterdir()) == ["plots", "report.html", "report.json", "report.xlsx"]
    rep = json.loads((folder / "report.json").read_text())
    charging = {r[0]: r[1] for r in rep["tables"]["charging"]["data"]}
    assert charging["coke batch (wet)"] == pytest.approx(25.0)
    assert rep["options"]["coke_batch_wet_t"] == 25.0


def test_solve_report_flag(base_path, tmp_path):
    p = run("solve", str(base_path), "--out", str(tmp_path), "--report", "--format", "json", "--no-plots")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "base" / "result.json").is_file()
    assert (tmp_path / "base" / "report" / "report.json").is_file()
    assert not (tmp_path / "base" / "report" / "plots").exists()


@pytest.mark.parametrize("args, field", [
    (["--format", "html,docx"], "--format"),
    (["--coke-batch", "-5"], "--coke-batch"),
    (["--slag-temperature", "1773"], "--slag-temperature"),
])
def test_bad_options_exit_4_and_write_nothing(base_path, tmp_path, args, field):
    out = tmp_path / "out"
    for cmd in (["report", str(base_path)], ["solve", str(base_path), "--report"]):
        p = run(*cmd, "--out", str(out), *args)
        assert p.returncode == 4, p.stderr
        assert field in p.stderr and "command line" in p.stderr
        assert not out.exists()


def test_bad_scenario_exits_4_naming_file_and_field(tmp_path, base_data):
    import yaml

    base_data["slag"]["MgO_pct"] = {"min": 0.075}  # a fraction where wt % is expected
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(base_data))
    out = tmp_path / "out"
    p = run("report", str(f), "--out", str(out))
    assert p.returncode == 4
    assert str(f) in p.stderr and "slag.MgO_pct" in p.stderr and "write 7.5" in p.stderr
    assert not out.exists()


def test_infeasible_report_exit_3(tmp_path):
    p = run("report", str(ROOT / "scenarios" / "infeasible.yaml"), "--out", str(tmp_path), "--format", "html")
    assert p.returncode == 3
    assert "No burden meets all limits" in (tmp_path / "infeasible_low_slag" / "report" / "report.html").read_text()


def test_help_imports_no_heavy_module():
    code = ("import sys\nfrom burden.cli import main\n"
            "for a in (['--help'], ['report', '--help'], ['compare', '--help']):\n"
            "    try:\n        main(a)\n    except SystemExit:\n        pass\n"
            "heavy = [m for m in ('pyomo', 'matplotlib', 'pandas', 'fpdf', 'numpy') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--coke-batch" in p.stdout and "RUN" in p.stdout
