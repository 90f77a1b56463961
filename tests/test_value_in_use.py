"""Value in use (issue 13) on a constructed candidate ore (tests/data/candidate_ores.csv): the
break-even price is where it starts to enter, equals the reduced cost at zero use, and the
saving curve and displaced materials match fresh solves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import burden
from burden.errors import InputError
from burden.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "data" / "candidate_ores.csv"
CAND = "offer_fines"


def _scenario(path="base.yaml", **charge):
    scn = burden.load_scenario(ROOT / "scenarios" / path)
    d = scn.config.model_dump()
    d["materials"] = ["default", str(TABLE)]
    if charge:
        d["charge"][CAND] = charge
    return Scenario.from_dict(d, source=scn.source)


@pytest.fixture(scope="module")
def base():
    return _scenario()


@pytest.fixture(scope="module")
def viu(base):
    return burden.value_in_use(base, CAND, [0, 25, 50, 100])


def _use_at(price_per_t: float) -> float:
    """Dry kg/tHM of the candidate in a fresh optimum at this price (its own, wet, basis)."""
    res = burden.solve(_scenario(price_per_t=price_per_t))
    assert res.status == "optimal"
    return float(res.burden.loc[CAND, "dry_kg_per_thm"])


def test_candidate_table_and_basis(viu):
    assert viu.price_basis == "wet" and viu.moisture_pct == 8.0 and viu.price_per_t == 160.0
    assert viu.current_use_kg_per_thm == 0.0  # at 160 USD/wet t it does not enter
    # wet = dry x dry fraction (1 - moisture)
    assert viu.breakeven_price_per_wet_t == pytest.approx(viu.breakeven_price_per_dry_t * 0.92, rel=1e-12)
    assert viu.breakeven_price_per_t == viu.breakeven_price_per_wet_t
    assert 0 < viu.breakeven_price_per_t < viu.price_per_t


def test_enters_below_breakeven_and_not_above(viu):
    be = viu.breakeven_price_per_t
    assert _use_at(be - 1.0) > 1.0          # enters the burden (kg/tHM)
    assert _use_at(be + 1.0) == pytest.approx(0.0, abs=1e-9)
    # and the same on the dry basis: a dry-priced twin of the candidate
    scn = _scenario(price_per_t=be + 1.0)
    assert burden.solve(scn).burden.loc[CAND, "dry_kg_per_thm"] == pytest.approx(0.0, abs=1e-9)


def test_breakeven_equals_reduced_cost_at_zero_use(viu):
    """The Result's reduced cost (per t on its basis) of the unused candidate, from an independent
    plain solve with it charged at its price: break-even = price − reduced cost."""
    res = burden.solve(_scenario(price_per_t=160.0))
    rc = float(res.burden.loc[CAND, "reduced_cost_per_t"])
    assert rc > 0
    assert viu.breakeven_price_per_t == pytest.approx(160.0 - rc, rel=1e-9)
    assert viu.reduced_cost_per_dry_t == pytest.approx(rc / 0.92, rel=1e-9)


def test_saving_curve_and_displaced_match_fresh_solves(base, viu):
    zero = burden.solve(_scenario(fixed_kg_per_thm=0))
    assert viu.objective_zero_per_thm == pytest.approx(zero.objective, rel=1e-9)
    for a in (25.0, 100.0):
        res = burden.solve(_scenario(fixed_kg_per_thm=a))
        row = viu.curve.set_index("amount_kg_per_thm").loc[a]
        assert row["saving_per_thm"] == pytest.approx(zero.objective - res.objective, abs=1e-9)
        assert row["breakeven_price_per_dry_t"] == pytest.approx(
            viu.price_per_dry_t + 1000 * (zero.objective - res.objective) / a, rel=1e-9)
        d = viu.displaced.loc[a]
        for m, v in res.burden["dry_kg_per_thm"].items():
            assert d[m] == pytest.approx(v - zero.burden.loc[m, "dry_kg_per_thm"], abs=1e-6), m
        assert d[CAND] == pytest.approx(a)
    # the first tonnes are worth the most: the average break-even falls with the amount
    be = viu.curve["breakeven_price_per_dry_t"].dropna()
    assert be.is_monotonic_decreasing
    assert be.iloc[0] == pytest.approx(viu.breakeven_price_per_dry_t, rel=1e-6)  # same basis at 25 kg


def test_report_section(base, viu):
    from burden.report.content import build_report

    res = burden.solve(base)
    viu.attach(res)
    rep = build_report(res)
    sec = [s for s in rep.sections if s.key == f"value_in_use_{CAND}"]
    assert sec and f"value_in_use_{CAND}_curve" in rep.tables() and f"value_in_use_{CAND}" in rep.figures()
    assert rep.figures()[f"value_in_use_{CAND}"].svg.startswith("<?xml")
    from burden.report import ReportOptions, render_report

    files = render_report(res, ReportOptions(formats=("html", "xlsx", "json")))
    assert f"Value in use: {CAND}" in files["report.html"].decode("utf-8")
    assert f"plots/value_in_use_{CAND}.svg" in files


def test_nonlinear_includes_the_coke_change():
    scn = _scenario("nonlinear.yaml")
    v = burden.value_in_use(scn, CAND, [0, 50])
    assert v.nonlinear and "forward difference" in v.method
    d = scn.config.model_dump()
    d["charge"][CAND] = {"fixed_kg_per_thm": 50}
    res50 = burden.solve(Scenario.from_dict(d, source=scn.source))
    d["charge"][CAND] = {"fixed_kg_per_thm": 0}
    res0 = burden.solve(Scenario.from_dict(d, source=scn.source))
    b50, b0 = res50.burden, res0.burden
    coke = b50.loc["coke", "dry_kg_per_thm"] - b0.loc["coke", "dry_kg_per_thm"]
    fuels = b50["class"].isin(["coke", "injectant"])
    fuel = b50.loc[fuels, "dry_kg_per_thm"].sum() - b0.loc[fuels, "dry_kg_per_thm"].sum()
    row = v.curve.set_index("amount_kg_per_thm").loc[50.0]
    assert row["coke_change_kg_per_thm"] == pytest.approx(coke, abs=1e-3)
    assert row["fuel_change_kg_per_thm"] == pytest.approx(fuel, abs=1e-3)
    # the ore's gangue and water change the heat balance: the fuel rate follows (coke sits at its
    # 250 kg/tHM minimum in the two-zone optimum, so the injectant moves)
    assert abs(fuel) > 0.1
    assert row["saving_per_thm"] == pytest.approx(res0.objective - res50.objective, rel=1e-5, abs=1e-5)
    # the break-even holds in the nonlinear model too (coke following the balances)
    for dp, enters in ((-1.0, True), (1.0, False)):
        d["charge"][CAND] = {"price_per_t": v.breakeven_price_per_t + dp}
        use = burden.solve(Scenario.from_dict(d, source=scn.source)).burden.loc[CAND, "dry_kg_per_thm"]
        assert (use > 1.0) if enters else use == pytest.approx(0.0, abs=1e-6)


def test_bad_candidate_and_amounts(base):
    with pytest.raises(InputError, match="unobtainium"):
        burden.value_in_use(base, "unobtainium")
    with pytest.raises(InputError, match="availability"):
        burden.value_in_use(_scenario(max_kg_per_thm=80), CAND, [0, 100])


def _cli(*args, cwd):
    # the package of this checkout, also when PYTHONPATH is relative and cwd is elsewhere
    import os

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(burden.__file__).parents[1]),
                                                        os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "burden", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env=env)


def test_cli_value_in_use_and_sweep(tmp_path):
    scn = tmp_path / "base_c.yaml"
    text = (ROOT / "scenarios" / "base.yaml").read_text()
    scn.write_text(text.replace("materials: [default]", f"materials: [default, {TABLE}]"))
    out = tmp_path / "out"
    p = _cli("value-in-use", str(scn), "--candidate", CAND, "--amounts", "0,50", "--json", "--out", str(out),
             cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["candidate"] == CAND and d["breakeven_price_per_t"] < 160 and len(d["curve"]) == 2
    folder = out / "value_in_use" / f"base-{CAND}"
    assert sorted(x.name for x in folder.iterdir()) == ["curve.csv", "displaced.csv", "plots", "summary.txt",
                                                        "value_in_use.json"]
    assert _main("value-in-use", str(scn), "--candidate", "nope", "--out", str(tmp_path / "o2")) == 4
    assert not (tmp_path / "o2").exists()

    p = _cli("sweep", str(scn), "--vary", "charge.pellets.price_per_t=120:200:5", "--vary", "slag.B2.max=1.15:1.2:2",
             "--out", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    folder = out / "sweep" / "base"
    import pandas as pd

    csv = pd.read_csv(folder / "sweep.csv")
    pq = pd.read_parquet(folder / "sweep.parquet")
    assert len(csv) == len(pq) == 10 and (csv["status"] == "optimal").all()
    assert csv["objective_per_thm"].tolist() == pq["objective_per_thm"].tolist()
    assert sorted(x.name for x in (folder / "plots").iterdir()) == [
        "burden_charge.pellets.price_per_t.svg", "burden_slag.b2.max-" + _hash("slag.B2.max") + ".svg",
        "objective_charge.pellets.price_per_t.svg", "objective_slag.b2.max-" + _hash("slag.B2.max") + ".svg"]
    assert _main("sweep", str(scn), "--tornado", "charge.pellets.price_per_t=140:180", "--tornado",
                 "slag.B2.max=1.15:1.25", "--out", str(out)) == 0
    t = pd.read_csv(out / "tornado" / "base" / "tornado.csv")
    assert list(t["path"]) == ["charge.pellets.price_per_t", "slag.B2.max"]
    assert (out / "sweep" / "base" / "sweep.csv").exists()  # a tornado does not replace the sweep
    for bad in (["--vary", "slag.B7.max=1:2:3"], ["--vary", "slag.B2.max=1:2"], ["--vary", "slag.B2.max=0.5:1.2:3"],
                ["--grid", str(tmp_path / "missing.csv")], ["--tornado", "slag.B2.max=1.1"],
                ["--vary", "slag.B2.max=1.1:1.2:3", "--workers", "0"]):
        assert _main("sweep", str(scn), *bad, "--out", str(tmp_path / "o3")) == 4, bad
        assert not (tmp_path / "o3").exists()


def _main(*args) -> int:
    from burden.cli import main

    return main(list(args))


def test_cli_messages(tmp_path, capsys):
    scn = ROOT / "scenarios" / "base.yaml"
    assert _main("sweep", str(scn), "--vary", "slag.B7.max=1:2:3", "--out", str(tmp_path)) == 4
    err = capsys.readouterr().err
    assert "slag.B7.max" in err and "Accepted forms" in err and "Traceback" not in err


def _hash(text):
    from burden.output import name_hash

    return name_hash(text)


def test_cli_outputs_are_byte_for_byte_the_same(tmp_path):
    scn = ROOT / "scenarios" / "base.yaml"
    for o in ("a", "b"):
        assert _main("sweep", str(scn), "--vary", "charge.pellets.price_per_t=120:200:5", "--out",
                     str(tmp_path / o)) == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 4  # sweep.csv, sweep.parquet, two plots
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_cli_exit_codes_of_an_infeasible_reference_and_a_fixed_rate(tmp_path, capsys):
    """Issue 13: without pellets the base burden breaks the slag-rate limit: exit 3 (infeasible)
    with the explanation, nothing written. Coke's rate is fixed by the scenario (340 kg/tHM):
    valuing it would override that silently, so it is refused, exit 4, naming the field."""
    scn = ROOT / "scenarios" / "base.yaml"
    out = tmp_path / "out"
    assert _main("value-in-use", str(scn), "--candidate", "pellets", "--out", str(out)) == 3
    err = capsys.readouterr().err
    assert "without pellets is infeasible" in err and "slag.rate_kg_per_thm.max" in err and "Traceback" not in err
    assert not out.exists()
    assert _main("value-in-use", str(scn), "--candidate", "coke", "--out", str(out)) == 4
    err = capsys.readouterr().err
    assert "charge.coke.fixed_kg_per_thm" in err and "remove the fixed rate" in err
    assert not out.exists()
    with pytest.raises(InputError, match="fixes the rate of nut_coke at 30"):
        burden.value_in_use(burden.load_scenario(scn), "nut_coke")
