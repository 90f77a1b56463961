"""Sweeps (issue 13): every kind of path against independent fresh solves, grids, errors, and
the same numbers serially, on a process pool and on a Dask LocalCluster."""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import burden
from burden.errors import InputError
from burden.scenario import Scenario
from burden.sweeps import default_chunk_size, parse_range, sweep, tornado

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"
NONLINEAR = ROOT / "scenarios" / "nonlinear.yaml"
REL = 1e-9  # a warm re-solve and a fresh solve of the same LP agree to round-off


@pytest.fixture(scope="module")
def base():
    return burden.load_scenario(BASE)


def _with(scn, path, value):
    """The scenario with one config number changed, validated afresh from its dict (independent
    of the sweep's persistent path)."""
    d = scn.config.model_dump()
    node = d
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return Scenario.from_dict(d, source=scn.source)


def _fresh(scn):
    res = burden.solve(scn)
    assert res.status == "optimal"
    return res


def _check_row(row, res):
    assert row["status"] == "optimal"
    assert row["objective_per_thm"] == pytest.approx(res.objective, rel=REL)
    for m, v in res.burden["dry_kg_per_thm"].items():
        assert row[f"{m}_kg_per_thm"] == pytest.approx(v, abs=1e-6), m
    sp = res.slag_properties["value"]
    assert row["slag.B2"] == pytest.approx(sp["B2"], rel=1e-9)
    assert row["slag.rate_kg_per_thm"] == pytest.approx(sp["rate_kg_per_thm"], rel=1e-9)


def test_api_names():
    import burden.sweeps  # noqa: F401  (the module is imported: the package's functions stay functions)

    assert callable(burden.sweep) and callable(burden.tornado) and callable(burden.value_in_use)


def test_parse_range():
    assert parse_range("100:200:5").tolist() == [100.0, 125.0, 150.0, 175.0, 200.0]
    assert parse_range("1.1,1.2").tolist() == [1.1, 1.2]
    for bad in ("1:2", "a:b:3", "1:2:0", "1:2:2.5", "1:2:1", "nan"):
        with pytest.raises(InputError):
            parse_range(bad, "slag.B2.max")


def test_price_sweep_matches_fresh_solves(base):
    df = sweep(base, {"charge.pellets.price_per_t": "120:200:5"})
    assert list(df["charge.pellets.price_per_t"]) == [120.0, 140.0, 160.0, 180.0, 200.0]
    assert list(df["point"]) == list(range(5))
    for _, row in df.iterrows():
        _check_row(row, _fresh(base.with_prices({"pellets": row["charge.pellets.price_per_t"]})))
    # the burden moves: cheap pellets are used to their availability, dear ones less
    assert df["pellets_kg_per_thm"].iloc[0] > df["pellets_kg_per_thm"].iloc[-1]
    assert df["objective_per_thm"].is_monotonic_increasing


def test_limit_bound_analysis_and_scenario_paths(base):
    cases = {
        "slag.B2.max": ([1.15, 1.18, 1.25], lambda v: _with(base, "slag.B2.max", v)),
        "slag.rate_kg_per_thm": ([300.0, 320.0], lambda v: _with(base, "slag.rate_kg_per_thm", v)),
        "charge.lump_ore.max_kg_per_thm": ([50.0, 150.0], None),
        "materials.sinter.SiO2": ([5.2, 5.6], None),
        "hot_metal.Si_pct": ([0.35, 0.55], lambda v: _with(base, "hot_metal.Si_pct", v)),
    }
    for path, (values, fresh) in cases.items():
        df = sweep(base, {path: values})
        assert df["status"].eq("optimal").all(), path
        for v, (_, row) in zip(values, df.iterrows()):
            if fresh is not None:
                res = _fresh(fresh(v))
            else:  # a fresh problem with the one change (no earlier points, no warm basis)
                p = burden.build(base)
                if path.startswith("charge."):
                    p.set_bounds({"lump_ore": (0, v)})
                else:
                    p.set_analysis("sinter", {"SiO2": v})
                res = burden.solve(p)
            _check_row(row, res)


def test_binding_and_outputs(base):
    df = sweep(base, {"slag.B2.max": [1.2]}, outputs=("slag.CaO",))
    res = _fresh(base)
    row = df.iloc[0]
    limits = {n for n, r in res.binding.iterrows() if r["kind"] in ("limit",)}
    listed = set(row["binding"].split(";"))
    assert limits <= listed
    assert "hot_metal.mass" not in listed  # a balance is physics, not a binding limit
    assert row["slag.CaO"] == pytest.approx(res.quantity("slag.CaO"), rel=1e-9)


def test_grid_full_product_and_csv(base, tmp_path):
    df = sweep(base, ["charge.pellets.price_per_t=150:170:3", "slag.B2.max=1.16:1.2:2"])
    assert len(df) == 6
    assert list(df["charge.pellets.price_per_t"]) == [150, 150, 160, 160, 170, 170]
    csv = tmp_path / "points.csv"
    csv.write_text("charge.pellets.price_per_t,slag.B2.max\n150,1.16\n,1.18\n170,\n")
    g = sweep(base, grid=csv)
    p0 = base.materials["pellets"].price_per_t
    assert list(g["charge.pellets.price_per_t"]) == [150.0, p0, 170.0]
    assert list(g["slag.B2.max"]) == [1.16, 1.18, 1.2]  # empty: the scenario's B2 max
    _check_row(g.iloc[2], _fresh(base.with_prices({"pellets": 170.0})))


def test_infeasible_and_invalid_points(base):
    df = sweep(base, {"slag.rate_kg_per_thm": [340.0, 200.0]})
    assert df["status"].tolist() == ["optimal", "infeasible"]
    assert "slag.rate_kg_per_thm.max" in df["message"].iloc[1]
    assert math.isnan(df["objective_per_thm"].iloc[1])
    # both ends of a window varied: combinations with min > max are refused point by point
    g = sweep(base, ["slag.B2.min=1.0:1.15:2", "slag.B2.max=1.12:1.2:2"])
    assert g["status"].tolist() == ["optimal", "optimal", "invalid_input", "optimal"]
    assert "window" in g["message"].iloc[2]


def test_bad_paths_and_ranges(base):
    with pytest.raises(InputError) as e:
        sweep(base, {"slag.B9.max": [1.0]})
    msg = str(e.value)
    assert "slag.B9.max" in msg and "charge.<material>.price_per_t" in msg and "materials.<material>" in msg
    with pytest.raises(InputError, match="unobtainium"):
        sweep(base, {"charge.unobtainium.price_per_t": [1.0]})
    with pytest.raises(InputError, match="sets no limit slag.B4.max"):
        sweep(base, {"slag.B4.max": [1.0]})
    with pytest.raises(InputError, match="give slag.B2.min or slag.B2.max"):
        sweep(base, {"slag.B2": [1.1]})
    with pytest.raises(InputError, match="value 0.9"):  # below the window's other end
        sweep(base, {"slag.B2.max": "0.9:1.2:4"})
    with pytest.raises(InputError, match="materials.sinter.SiO2"):
        sweep(base, {"materials.sinter.SiO2": [-3.0, 5.0]})
    with pytest.raises(InputError, match="START:STOP:N"):
        sweep(base, ["charge.pellets.price_per_t=1:2"])
    with pytest.raises(InputError, match="finite"):
        sweep(base, {"charge.pellets.price_per_t": [150.0, float("nan")]})
    with pytest.raises(InputError, match="give numbers"):
        sweep(base, {"charge.pellets.price_per_t": ["cheap"]})
    assert len(sweep(base, {"charge.pellets.price_per_t": 150})) == 1  # one number is one point


def test_chunks_do_not_depend_on_workers():
    assert default_chunk_size(10) == 50 and default_chunk_size(4000) == 250 and default_chunk_size(800) == 100
    assert default_chunk_size(20, nonlinear=True) == 5


def test_parallel_gives_the_serial_numbers(base):
    """Process pool, a LocalCluster started by ``workers=2`` and an existing cluster by its
    address: exactly the serial DataFrame (same chunks, each from a fresh build)."""
    from dask.distributed import LocalCluster

    vary = {"charge.pellets.price_per_t": "120:200:9", "slag.B2.max": "1.15:1.25:13"}  # 117 points, 3 chunks
    serial = sweep(base, vary)
    assert len(serial) == 117 and serial["status"].eq("optimal").all()
    with ProcessPoolExecutor(2) as ex:
        pd.testing.assert_frame_equal(sweep(base, vary, executor=ex), serial, check_exact=True)
    pd.testing.assert_frame_equal(sweep(base, vary, workers=2), serial, check_exact=True)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        pd.testing.assert_frame_equal(sweep(base, vary, scheduler=cluster.scheduler_address), serial,
                                      check_exact=True)


def test_nonlinear_sweep_warm_started_matches_fresh_solves():
    scn = burden.load_scenario(NONLINEAR)
    temps = [1100.0, 1150.0, 1200.0]
    df = sweep(scn, {"blast.temperature_c.max": temps})
    assert df["status"].eq("optimal").all()
    for t, (_, row) in zip(temps, df.iterrows()):
        res = burden.solve(_with(scn, "blast.temperature_c.max", t))
        assert row["objective_per_thm"] == pytest.approx(res.objective, rel=1e-6)
        assert row["coke_kg_per_thm"] == pytest.approx(res.burden.loc["coke", "dry_kg_per_thm"], abs=1e-3)
        assert row["blast.blast_temperature_c"] == pytest.approx(res.nonlinear.setting("blast_temperature_c"),
                                                                 abs=1e-3)
    # hotter blast saves coke (PRIMER §4: about 1.4 kg/tHM per 10 degC)
    assert df["coke_kg_per_thm"].is_monotonic_decreasing


def test_tornado(base):
    t = tornado(base, {"charge.pellets.price_per_t": (140, 180), "charge.sinter.price_per_t": "110:140",
                       "slag.B2.max": (1.16, 1.25)})
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    assert t["objective_base"].iloc[0] == pytest.approx(_fresh(base).objective, rel=REL)
    s = t.set_index("path").loc["charge.sinter.price_per_t"]
    # sinter at its dose: the swing is its rate times the price change (LP: cost linear in price
    # while the basis holds, here checked against two fresh solves)
    lo = _fresh(base.with_prices({"sinter": 110.0})).objective
    hi = _fresh(base.with_prices({"sinter": 140.0})).objective
    assert s["swing"] == pytest.approx(abs(hi - lo), rel=REL)


def test_progress_bar_only_when_asked_or_on_a_terminal(base, capsys):
    sweep(base, {"charge.pellets.price_per_t": [150.0, 160.0]})  # stderr is not a terminal here: quiet
    assert capsys.readouterr().err == ""
    sweep(base, {"charge.pellets.price_per_t": [150.0, 160.0]}, progress=True)
    assert "sweep" in capsys.readouterr().err


def test_nonlinear_warm_start_never_decides_feasibility():
    """Issue 13: lump ore 0, 200, 0 kg/tHM. The third point starts from the second's optimum
    (200 kg/tHM of lump ore), far outside its limit of 0; it was reported infeasible because
    SLP's first trust box held no burden. Each point must equal a fresh solve (1e-6)."""
    scn = burden.load_scenario(NONLINEAR)
    limits = [0.0, 200.0, 0.0]
    df = sweep(scn, {"charge.lump_ore.max_kg_per_thm": limits})
    assert df["status"].eq("optimal").all(), df["message"].tolist()
    fresh = {m: burden.solve(_with(scn, "charge.lump_ore.max_kg_per_thm", m)) for m in set(limits)}
    for m, (_, row) in zip(limits, df.iterrows()):
        assert fresh[m].status == "optimal"
        assert row["objective_per_thm"] == pytest.approx(fresh[m].objective, rel=1e-6)
    # the limit binds: the first and the last point are the same burden
    assert df["objective_per_thm"].iloc[2] == pytest.approx(df["objective_per_thm"].iloc[0], rel=1e-9)
    assert df["objective_per_thm"].iloc[1] < df["objective_per_thm"].iloc[0] - 1.0


def test_an_output_named_as_a_varied_path_never_overwrites_it(base):
    """Issue 13: varying the shorthand limit path slag.rate_kg_per_thm gave the result column
    the same name, which overwrote the input (291.89 on every row). The input keeps the values
    set; the slag rate at the optimum is "slag.rate_kg_per_thm (result)", at most the limit."""
    limits = [320.0, 340.0]
    df = sweep(base, {"slag.rate_kg_per_thm": limits})
    assert df["status"].eq("optimal").all()
    assert df["slag.rate_kg_per_thm"].tolist() == limits
    res = df["slag.rate_kg_per_thm (result)"]
    assert (res <= df["slag.rate_kg_per_thm"] + 1e-6).all()
    fresh = _fresh(_with(base, "slag.rate_kg_per_thm.max", 320.0))
    assert df["objective_per_thm"].iloc[0] == pytest.approx(fresh.objective, rel=REL)
    # a sweep that does not vary it keeps the plain name
    assert "slag.rate_kg_per_thm" in sweep(base, {"slag.B2.max": [1.2]}).columns


def test_semicolon_grid_and_grid_errors_name_the_grid(base, tmp_path):
    """Issue 13: a ';'-separated grid (European Excel export, decimal commas) is read as its
    ','-separated twin; a value the model refuses names --grid FILE, not --vary."""
    semi = tmp_path / "points_semicolon.csv"
    semi.write_text("slag.B2.max;charge.pellets.price_per_t\n1,16;150\n1,18;\n")
    comma = tmp_path / "points.csv"
    comma.write_text("slag.B2.max,charge.pellets.price_per_t\n1.16,150\n1.18,\n")
    g = sweep(base, grid=semi)
    assert list(g["slag.B2.max"]) == [1.16, 1.18]
    pd.testing.assert_frame_equal(g, sweep(base, grid=comma), check_exact=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("slag.B2.max\n0.5\n")
    with pytest.raises(InputError) as e:
        sweep(base, grid=bad)
    assert f"--grid {bad}: slag.B2.max: value 0.5" in str(e.value) and "--vary" not in str(e.value)


def test_tornado_of_a_window_path():
    """Issue 13: blast.temperature_c is a window in nonlinear.yaml; a tornado of it (the base
    point keeps the window) ran into the grid's "empty cell" error. Each end fixes the
    temperature and equals a fresh solve with that fixed temperature."""
    scn = burden.load_scenario(NONLINEAR)
    t = tornado(scn, {"blast.temperature_c": "1080:1180"})
    row = t.iloc[0]
    assert row["status_low"] == row["status_high"] == "optimal"
    assert row["objective_base"] == pytest.approx(burden.solve(scn).objective, rel=1e-6)
    fixed = _with(scn, "blast.temperature_c", {"min": 1080.0, "max": 1080.0})
    assert row["objective_low"] == pytest.approx(burden.solve(fixed).objective, rel=1e-6)
    # hotter blast is cheaper; the window (up to 1200 degC) is cheaper than either end
    assert row["objective_base"] < row["objective_high"] < row["objective_low"]
    with pytest.raises(InputError) as e:
        tornado(scn, {"blast.temperature_c": (900.0, 1180.0), "slag.B9.max": (1.0, 1.2)})
    assert "--tornado: slag.B9.max" in str(e.value) and "--grid" not in str(e.value)


def test_nonlinear_serial_equals_dask_workers_exactly():
    """Issue 13: a Dask worker runs BLAS on one thread, the serial run on all cores; SLSQP's
    BLAS sums then differed at 1e-13. run_chunk limits BLAS to one thread (threadpoolctl), so
    the serial DataFrame and that of workers=2 are the same bit for bit."""
    scn = burden.load_scenario(NONLINEAR)
    vary = {"blast.temperature_c.max": "1100:1200:6", "charge.pellets.price_per_t": [150.0, 170.0]}
    serial = sweep(scn, vary)
    assert serial["status"].eq("optimal").all()
    pd.testing.assert_frame_equal(sweep(scn, vary, workers=2), serial, check_exact=True)


def test_a_huge_sweep_needs_yes(tmp_path, capsys):
    """Issue 13: 1,000,000 points were accepted silently (hours of work from a typo in N).
    Above 100,000 points the CLI refuses without --yes (exit 4, nothing written) and says how
    long it would take: 10^6 points x 0.4 ms = 400 s, about 7 min on one core."""
    from burden.cli import main

    out = tmp_path / "out"
    args = ["sweep", str(BASE), "--vary", "charge.pellets.price_per_t=100:200:1000", "--vary",
            "slag.B2.max=1.15:1.25:1000", "--out", str(out)]
    assert main(args) == 4
    err = capsys.readouterr().err
    assert "1,000,000 points: about 7 min on 1 core" in err and "--yes" in err
    assert not out.exists()
    assert main(args + ["--workers", "4"]) == 4
    assert "about 2 min on 4 cores" in capsys.readouterr().err
