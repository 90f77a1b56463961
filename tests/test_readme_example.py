"""The README's scenario-file example is a scenario that loads and solves (a doc that can be pasted)."""

from __future__ import annotations

from pathlib import Path

import burden

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_scenario_example_loads_and_solves(tmp_path):
    text = README.read_text(encoding="utf-8")
    start = text.index("```yaml\nname: base\n")
    block = text[start + len("```yaml\n"): text.index("```", start + 8)]
    f = tmp_path / "example.yaml"
    f.write_text(block, encoding="utf-8")
    scn = burden.load_scenario(f)
    res = burden.solve(scn)
    assert res.status == "optimal"
    # what the example shows is in force: coke follows PCI, the Fe-basis share and the mix hold
    c = res.constraints
    assert c.loc["shares.pellets_fe.min", "value"] >= 10 - 1e-9
    assert c.loc["mixes.ferrous.TFe_pct.min", "value"] >= 58 - 1e-9
    assert res.x["coke"] == __import__("pytest").approx(345 - 0.85 * (160 - 150), rel=1e-9)
    assert burden.solve(burden.load_scenario(f, scenario="pellet_opportunity")).status == "optimal"
