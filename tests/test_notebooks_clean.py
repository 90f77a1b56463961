"""Notebooks are stored for readable diffs: no outputs, no execution counts, one idea per cell, final asserts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["01_first_burden.ipynb", "02_what_if.ipynb",
                                           "03_fuel_rate_raft_slag.ipynb", "04_sweep_value_co2_uncertainty.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_committed(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb["metadata"]
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code":
            assert c.get("outputs") == [], f"{path.name} cell {i} has outputs: strip them"
            assert c.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
        assert not c.get("attachments"), f"{path.name} cell {i} has attachments"
        src = "".join(c["source"])
        assert len(src.splitlines()) <= 40, f"{path.name} cell {i}: one idea per cell (split it)"
    last = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
    assert "".join(last["source"]).count("assert ") >= 3, f"{path.name} must end by asserting its key numbers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_use_the_packaged_examples_not_paths(path):
    src = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
    assert "scenarios/" not in src
