"""What a scenario can express (issue 11, "What the scenario cannot express yet"):
windows on any slag component, ..."""

from __future__ import annotations

from pathlib import Path

import pytest

import burden

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"


def _with(**slag):
    scn = burden.load_scenario(BASE)
    d = scn.config.model_dump()
    d["slag"].update(slag)
    return burden.Scenario.from_dict(d)


def test_a_fixed_slag_cao_is_met_and_costs_money():
    """``slag: {CaO_pct: 42}`` (the issue's example; the base optimum has 41.16 %): the slag
    holds exactly 42 % CaO, computed from the slag table's kg (rel 1e-9), and the burden costs
    more than without the window."""
    base = burden.solve(burden.load_scenario(BASE))
    r = burden.solve(_with(CaO_pct=42)).raise_for_status()
    s = r.slag
    assert 100 * s.loc["CaO", "kg_per_thm"] / s.loc["total", "kg_per_thm"] == pytest.approx(42.0, rel=1e-9)
    assert r.slag_properties.loc["CaO_pct", "min"] == r.slag_properties.loc["CaO_pct", "max"] == 42.0
    assert r.objective > base.objective + 1.0
    assert "CaO_pct" not in base.slag_properties.index     # shown only where a window is set


def test_a_minor_component_window_below_one_percent_is_not_taken_for_a_fraction():
    """Slag FeO comes from the Fe distribution (0.54 % in the base case): a window max 0.5 %
    is a plant value, not a fraction; it cannot be met and the explanation names it, with
    the nearest burden's FeO (within 0.01 % of the unconstrained optimum's)."""
    base = burden.solve(burden.load_scenario(BASE))
    feo = float(base.slag.loc["FeO", "pct"])
    r = burden.solve(_with(FeO_pct={"max": 0.5}))
    assert r.status == "infeasible"
    assert "slag.FeO_pct.max" in r.explanation
    ok = burden.solve(_with(FeO_pct={"max": 0.6}, MnO_pct={"min": 0.1, "max": 1.0}))
    assert ok.status == "optimal"
    assert ok.objective == pytest.approx(base.objective, rel=1e-9)
    assert float(ok.slag.loc["FeO", "pct"]) == pytest.approx(feo, abs=0.01)


def test_a_major_component_typed_as_a_fraction_is_refused():
    with pytest.raises(burden.InputError, match="fraction"):
        _with(SiO2_pct={"max": 0.36})


def test_a_slag_component_window_changes_persistently():
    """set_limit on a new window row gives the fresh build's optimum (rel 1e-9)."""
    p = burden.build(_with(CaO_pct={"min": 40, "max": 43}))
    burden.solve(p)
    p.set_limit("slag.CaO_pct.min", 42.0)
    fresh = burden.solve(_with(CaO_pct={"min": 42, "max": 43}))
    assert burden.solve(p).objective == pytest.approx(fresh.objective, rel=1e-9)


# -- shares on other bases, ratios, chemistry of a group of materials ---------------------------

def _scn(shares=None, mixes=None):
    scn = burden.load_scenario(BASE)
    d = scn.config.model_dump()
    d["shares"].update(shares or {})
    d["mixes"] = mixes or {}
    return burden.Scenario.from_dict(d)


def _ferrous(r):
    M = r.scenario.materials
    return [k for k in r.x.index if M[k].material_class.value == "ferrous"], M


def test_a_share_in_iron_units_and_a_ratio_above_100_percent():
    """Pellets >= 10 % of the ferrous Fe (basis: Fe) and ferrous/coke <= 500 %: the Fe share
    computed by hand from the burden and the tables' TFe is 10 % (rel 1e-9); the ratio row's
    value is the dry ferrous over the coke (rel 1e-12)."""
    r = burden.solve(_scn(shares={
        "pellets_fe": {"materials": "pellets", "of": "ferrous", "basis": "Fe", "min_pct": 10},
        "ore_to_coke": {"materials": "ferrous", "of": "coke", "max_pct": 500}})).raise_for_status()
    fer, M = _ferrous(r)
    x = r.x
    fe = {k: x[k] * M[k].analysis["Fe"] for k in fer}
    assert 100 * fe["pellets"] / sum(fe.values()) == pytest.approx(10.0, rel=1e-9)
    c = r.constraints
    assert c.loc["shares.pellets_fe.min", "binding"]
    ratio = 100 * sum(x[k] for k in fer) / x["coke"]      # `coke` is a material and a class: the material wins
    assert c.loc["shares.ore_to_coke.max", "value"] == pytest.approx(ratio, rel=1e-12)
    assert 400 < ratio < 500


def test_a_share_on_the_wet_basis():
    """Lump ore <= 12 % of the ferrous as charged (wet): by hand from the moistures."""
    r = burden.solve(_scn(shares={"lump_wet": {"materials": "lump_ore", "of": "ferrous", "basis": "wet",
                                               "max_pct": 12}})).raise_for_status()
    fer, M = _ferrous(r)
    wet = {k: r.x[k] / (1 - M[k].moisture_pct / 100) for k in fer}
    assert 100 * wet["lump_ore"] / sum(wet.values()) == pytest.approx(12.0, rel=1e-9)
    assert M["lump_ore"].moisture_pct > 0      # the wet basis differs from the dry one here


def test_a_part_of_a_whole_above_100_percent_is_refused():
    with pytest.raises(burden.InputError, match="at most 100"):
        _scn(shares={"bad": {"materials": "sinter", "of": "ferrous", "max_pct": 150}})


def test_chemistry_windows_on_the_ferrous_mix():
    """The ferrous mix's TFe >= 58.6 %, SiO2 <= 5.2 %, B2 >= 1.2: each row's value equals the
    rate-weighted mean of the tables' analyses (rel 1e-9), and the TFe window binds."""
    r = burden.solve(_scn(mixes={"ferrous": {"materials": "ferrous", "TFe_pct": {"min": 58.6},
                                             "SiO2_pct": {"max": 5.2}, "B2": {"min": 1.2}}})).raise_for_status()
    fer, M = _ferrous(r)
    x = r.x
    mass = sum(x[k] for k in fer)
    c = r.constraints
    for prop, col in (("TFe_pct", "Fe"), ("SiO2_pct", "SiO2")):
        hand = sum(x[k] * M[k].analysis[col] for k in fer) / mass
        side = "min" if prop == "TFe_pct" else "max"
        assert c.loc[f"mixes.ferrous.{prop}.{side}", "value"] == pytest.approx(hand, rel=1e-9)
    b2 = sum(x[k] * M[k].analysis["CaO"] for k in fer) / sum(x[k] * M[k].analysis["SiO2"] for k in fer)
    assert c.loc["mixes.ferrous.B2.min", "value"] == pytest.approx(b2, rel=1e-9)
    assert c.loc["mixes.ferrous.TFe_pct.min", "binding"]


def test_group_rows_change_persistently_like_a_fresh_build():
    """set_limit on a mix or an Fe-basis share, and set_analysis of a material in them, give
    the fresh build's optimum (rel 1e-9); the scenario round trip keeps them."""
    shares = {"pellets_fe": {"materials": "pellets", "of": "ferrous", "basis": "Fe", "min_pct": 8}}
    mixes = {"ferrous": {"materials": "ferrous", "TFe_pct": {"min": 58.0}}}
    p = burden.build(_scn(shares=shares, mixes=mixes))
    burden.solve(p)
    p.set_limit("mixes.ferrous.TFe_pct.min", 58.5)
    p.set_limit("shares.pellets_fe.min", 11.0)
    from burden.chemistry.elements import element_fraction

    rep = p.scenario.materials["pellets"].reported      # Fe2O3 down 2.6 points, TFe with it
    fe2o3 = rep["Fe2O3"] - 2.6
    tfe = rep["TFe"] - 2.6 * element_fraction("Fe2O3", "Fe")
    p.set_analysis("pellets", {"SiO2": 3.0, "Fe2O3": fe2o3, "TFe": tfe})
    r = burden.solve(p).raise_for_status()
    again = burden.Scenario.from_dict(p.scenario.config.model_dump())
    assert again.config.mixes["ferrous"].TFe_pct.min == 58.5
    assert again.config.shares["pellets_fe"].min_pct == 11.0
    fresh = burden.solve(again)
    assert r.objective == pytest.approx(fresh.objective, rel=1e-9)
    assert r.x.to_numpy() == pytest.approx(fresh.x.to_numpy(), rel=1e-6, abs=1e-6)
    with pytest.raises(burden.InputError, match="percentage"):
        p.set_limit("mixes.ferrous.TFe_pct.min", 150)


def test_a_default_target_the_file_does_not_write_is_named_when_it_conflicts(tmp_path):
    """With the plant L_S = 20 and no [S] written, the default 0.030 % [S] makes the slag's
    sulphur capacity too small: the explanation names ``hot_metal.S_pct = 0.03 (default)``;
    writing [S] 0.05 % makes the case feasible (L_S needed 20.32 at 0.030 %)."""
    text = """name: s_default
production_t_per_day: 9000
materials: [default]
charge:
  sinter: {}
  pellets: {max_t_per_day: 4000}
  lump_ore: {max_t_per_day: 1800}
  limestone: {}
  quartzite: {}
  coke: {fixed_kg_per_thm: 340}
  pci: {fixed_kg_per_thm: 160}
hot_metal: {Si_pct: 0.45%s}
slag: {B2: {min: 1.05, max: 1.25}, rate_kg_per_thm: {max: 360}, sulphur_partition_LS: 20}
"""
    f = tmp_path / "s.yaml"
    f.write_text(text % "")
    r = burden.solve(burden.load_scenario(f))
    assert r.status == "infeasible"
    assert "hot_metal.S_pct = 0.03 (default)" in r.explanation
    assert "slag.sulphur_partition" in r.explanation
    f.write_text(text % ", S_pct: 0.05")
    assert burden.solve(burden.load_scenario(f)).status == "optimal"
    # a written target is not called a default
    f.write_text(text % ", S_pct: 0.03")
    r = burden.solve(burden.load_scenario(f))
    assert r.status == "infeasible" and "S_pct = 0.03 (default)" not in r.explanation


def _vti_case(tmp_path, distribution=""):
    """The base scenario with a V-Ti sinter (the base sinter with 9 % TiO2 in place of Fe2O3,
    TFe lowered by the Fe of that Fe2O3)."""
    import csv

    from burden.chemistry.elements import element_fraction

    rec = burden.load_scenario(BASE).materials["sinter"].to_record()
    rec.update(name="vti_sinter", TiO2=9.0, Fe2O3=rec["Fe2O3"] - 9.0,
               TFe=round(rec["TFe"] - 9.0 * element_fraction("Fe2O3", "Fe"), 6))
    table = tmp_path / "vti.csv"
    with table.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rec))
        w.writeheader()
        w.writerow(rec)
    text = (BASE.read_text().replace("materials: [default]", f"materials: [default, {table.name}]")
            .replace("  sinter:    {}", "  vti_sinter: {}").replace("materials: sinter, of", "materials: vti_sinter, of")
            .replace("rate_kg_per_thm: {max: 340}", "rate_kg_per_thm: {max: 450}"))   # TiO2 makes slag
    f = tmp_path / "vti.yaml"
    f.write_text(text + distribution)
    return burden.load_scenario(f)


def test_a_titanium_rich_burden_with_the_default_split_is_warned(tmp_path):
    """V-Ti sinter (TiO2 9 %) with the default η_Ti 0.40: [Ti] of several % and a warning that
    names the value and the setting; with a V-Ti plant's split (0.07) [Ti] falls below 0.5 %
    and the warning goes."""
    r = burden.solve(_vti_case(tmp_path)).raise_for_status()
    ti = float(r.hot_metal.loc["Ti", "pct"])
    assert ti > 0.5
    w = [x for x in r.warnings if x.startswith("titanium-rich burden")]
    assert len(w) == 1 and "distribution.Ti_to_hot_metal" in w[0] and f"{ti:.2f}" in w[0]
    r2 = burden.solve(_vti_case(tmp_path, "\ndistribution: {Ti_to_hot_metal: 0.07}\n"))
    assert r2.status == "optimal"
    assert float(r2.hot_metal.loc["Ti", "pct"]) < 0.5
    assert not [x for x in r2.warnings if x.startswith("titanium-rich")]
    assert not [x for x in burden.solve(burden.load_scenario(BASE)).warnings if x.startswith("titanium-rich")]


def test_a_charge_given_as_batch_weights(tmp_path):
    """Coke 26.2 wet t and nut coke 2.4 wet t per charge, 75 t of hot metal per charge:
    dry kg/tHM = wet t × (1 − moisture) × 1000 / 75, by hand from the table's moisture
    (rel 1e-12); a batch weight without the hot metal per charge is refused, naming both."""
    lib = burden.load_scenario(BASE).materials
    text = (BASE.read_text()
            .replace("  coke:      {fixed_kg_per_thm: 340}", "  coke:      {wet_t_per_charge: 26.2}")
            .replace("  nut_coke:  {fixed_kg_per_thm: 30}", "  nut_coke:  {wet_t_per_charge: 2.4}"))
    f = tmp_path / "batch.yaml"
    f.write_text(text + "\nhot_metal_t_per_charge: 75\n")
    r = burden.solve(burden.load_scenario(f)).raise_for_status()
    for m, wet in (("coke", 26.2), ("nut_coke", 2.4)):
        assert r.x[m] == pytest.approx(wet * (1 - lib[m].moisture_pct / 100) * 1000 / 75, rel=1e-12)
    assert lib["coke"].moisture_pct > 0
    f.write_text(text)
    with pytest.raises(burden.InputError, match="hot_metal_t_per_charge") as e:
        burden.load_scenario(f)
    assert "charge.coke.wet_t_per_charge" in str(e.value) and "charge.nut_coke.wet_t_per_charge" in str(e.value)


def test_a_hot_metal_target_with_the_split_left_free():
    """``hot_metal.Mn_pct: 0.5`` with ``distribution.Mn_to_hot_metal: free``: [Mn] is 0.5 %
    exactly, the slag MnO is the rest of the net Mn input as MnO (by hand from the burden,
    the tables and the dust, rel 1e-9), the split η = 5 kg / net lies in (0, 1]; a target the
    net input cannot cover (1.5 %) is infeasible and the η <= 1 row is named; a free split
    without a fixed target is refused."""
    from burden.chemistry.elements import oxide_per_element

    scn = burden.load_scenario(BASE)
    d = scn.config.model_dump()
    d["hot_metal"]["Mn_pct"] = 0.5
    d["distribution"]["Mn_to_hot_metal"] = "free"
    s = burden.Scenario.from_dict(d)
    r = burden.solve(s).raise_for_status()
    assert r.hot_metal.loc["Mn", "pct"] == pytest.approx(0.5, rel=1e-12)
    assert r.hot_metal.loc["Mn", "basis"] == "target (split free)"
    x, M = r.x, s.materials
    net = (sum(x[k] * M[k].analysis["Mn"] / 100 for k in x.index)
           - sum(rate * m.analysis["Mn"] / 100 for m, rate in s.lost_burden.values()))
    assert r.slag.loc["MnO", "kg_per_thm"] == pytest.approx((net - 5.0) * oxide_per_element("MnO", "Mn"), rel=1e-9)
    assert 0 < 5.0 / net <= 1
    d["hot_metal"]["Mn_pct"] = 1.5
    r2 = burden.solve(burden.Scenario.from_dict(d))
    assert r2.status == "infeasible" and "slag.MnO.nonnegative" in r2.explanation
    d["hot_metal"]["Mn_pct"] = None          # a free split with no target at all
    with pytest.raises(burden.InputError, match="distribution.Mn_to_hot_metal"):
        burden.Scenario.from_dict(d)


def test_a_batch_weight_in_kg_is_refused_naming_the_field(tmp_path):
    """2400 'wet t' of nut coke per charge of 75 t hot metal is 31,040 dry kg/tHM, beyond any
    burden: refused at charge.nut_coke.wet_t_per_charge with the kg/t hint (not an infeasible solve)."""
    text = (BASE.read_text().replace("  nut_coke:  {fixed_kg_per_thm: 30}", "  nut_coke:  {wet_t_per_charge: 2400}")
            + "\nhot_metal_t_per_charge: 75\n")
    f = tmp_path / "kg.yaml"
    f.write_text(text)
    with pytest.raises(burden.InputError, match="charge.nut_coke.wet_t_per_charge") as e:
        burden.load_scenario(f)
    assert "2.4 t" in str(e.value)


def _mn_split(window, **slag):
    scn = burden.load_scenario(BASE)
    d = scn.config.model_dump()
    d["hot_metal"]["Mn_pct"] = window
    d["distribution"]["Mn_to_hot_metal"] = "free"
    d["slag"].update(slag)
    return burden.Scenario.from_dict(d)


def test_a_hot_metal_target_with_a_tolerance_and_a_free_split():
    """[Mn] 0.50 ± 0.05 % with the split free: the hot metal's Mn is a column the optimisation
    chooses within the window. Cheapest at 0.55 % here (less iron to make): the optimum equals the
    fixed 0.55 % target's (rel 1e-9); the slag MnO is the rest of the net Mn by hand (rel 1e-9);
    the balances close; a slag MnO floor pulls [Mn] down inside the window; set_limit on the window
    equals a fresh build; the cost of the window's end is its shadow price."""
    from burden.chemistry.elements import oxide_per_element

    r = burden.solve(_mn_split({"min": 0.45, "max": 0.55})).raise_for_status()
    fixed = burden.solve(_mn_split(0.55)).raise_for_status()
    assert r.objective == pytest.approx(fixed.objective, rel=1e-9)
    assert r.hot_metal.loc["Mn", "pct"] == pytest.approx(0.55, rel=1e-9)
    assert r.hot_metal.loc["Mn", "basis"] == "window (split free)"
    s, x = r.scenario, r.x
    net = (sum(x[k] * s.materials[k].analysis["Mn"] / 100 for k in x.index)
           - sum(rate * m.analysis["Mn"] / 100 for m, rate in s.lost_burden.values()))
    assert r.slag.loc["MnO", "kg_per_thm"] == pytest.approx((net - 5.5) * oxide_per_element("MnO", "Mn"), rel=1e-9)
    assert r.balance["closure_pct"].abs().max() < 1e-9
    assert r.co2_kg_per_thm == pytest.approx(fixed.co2_kg_per_thm, rel=1e-9)   # [C] follows the split column
    # an MnO floor in the slag keeps Mn there: [Mn] falls inside the window
    low = burden.solve(_mn_split({"min": 0.45, "max": 0.55}, MnO_pct={"min": 0.2})).raise_for_status()
    mn = float(low.hot_metal.loc["Mn", "pct"])
    assert 0.45 - 1e-9 <= mn < 0.55 - 1e-6
    assert float(low.slag.loc["MnO", "pct"]) == pytest.approx(0.2, rel=1e-6)
    # persistent change of the window = fresh build
    p = burden.build(_mn_split({"min": 0.45, "max": 0.55}))
    burden.solve(p)
    p.set_limit("hot_metal.Mn_pct.max", 0.52)
    fresh = burden.solve(_mn_split({"min": 0.45, "max": 0.52}))
    assert burden.solve(p).objective == pytest.approx(fresh.objective, rel=1e-9)
    mno = p.scenario.materials["sinter"].reported["MnO"]
    p.set_analysis("sinter", {"MnO": mno + 0.1})          # an analysis change reaches the split rows too
    again = burden.solve(burden.build(p.scenario))
    changed = burden.solve(p)
    assert changed.objective == pytest.approx(again.objective, rel=1e-9)
    assert changed.hot_metal.loc["Mn", "pct"] == pytest.approx(again.hot_metal.loc["Mn", "pct"], rel=1e-9)
    # the shadow price of the binding end: dCost/d[Mn]max ≈ finite difference (rel 1e-4)
    sp = r.constraints.loc["hot_metal.Mn_pct.max", "shadow_price_per_unit"]
    fd = (burden.solve(_mn_split({"min": 0.45, "max": 0.551})).objective - r.objective) / 0.001
    assert sp == pytest.approx(fd, rel=1e-4)
    with pytest.raises(burden.InputError, match="both ends"):   # one end open: all Mn or none could go to HM
        _mn_split({"max": 0.6})
    with pytest.raises(burden.InputError, match="linear model"):
        burden.Scenario.from_dict({**_mn_split({"min": 0.45, "max": 0.55}).config.model_dump(),
                                   "emissions": {"carbon_price_per_t": 10}})


def test_a_material_in_two_tables_is_told_with_the_table_that_wins(tmp_path):
    """ore_x at 120 in a.csv and 150 in b.csv: b.csv's row is used (150) and a warning names both;
    a plant table's sinter over the packaged library's is no warning (that is what tables are for)."""
    import csv

    rec = burden.load_scenario(BASE).materials["lump_ore"].to_record()
    for fn, price in (("a.csv", 120), ("b.csv", 150)):
        r = dict(rec, name="ore_x", price_per_t=price)
        with (tmp_path / fn).open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(r))
            w.writeheader()
            w.writerow(r)
    text = (BASE.read_text().replace("materials: [default]", "materials: [default, a.csv, b.csv]")
            .replace("  sinter:    {}", "  sinter:    {}\n  ore_x: {max_kg_per_thm: 100}"))
    f = tmp_path / "s.yaml"
    f.write_text(text)
    s = burden.load_scenario(f)
    assert s.materials["ore_x"].price_per_t == 150
    told = [w for w in s.warnings if "ore_x" in w]
    assert len(told) == 1 and "a.csv" in told[0] and "b.csv" in told[0]
    assert not [w for w in burden.load_scenario(BASE).warnings if "override" in w]


def test_a_key_written_twice_is_told_with_every_other_problem_of_the_file(tmp_path):
    """A duplicate YAML key no longer stops the check: the file's other problems come in the same
    run (one message each, the duplicate first, with both lines)."""
    f = tmp_path / "dup.yaml"
    f.write_text("name: x\nproduction_t_per_day: 9000\nmaterials: [default]\ncharge:\n  sinter: {}\n"
                 "  pci: {fixed_kg_per_thm: 160}\n  pci: {fixed_kg_per_thm: 150}\n"
                 "  coke: {fixed_kg_per_thm: -5}\nslag: {B2: {min: 1.3, max: 1.1}}\n")
    with pytest.raises(burden.InputError) as e:
        burden.load_scenario(f)
    fields = [p.field for p in e.value.problems]
    assert fields[0] == "charge.pci" and "lines 6 and 7" in e.value.problems[0].message
    assert "charge.coke.fixed_kg_per_thm" in fields and "slag.B2" in fields
    f.write_text("name: x\nproduction_t_per_day: 9000\nmaterials: [default]\ncharge:\n  sinter: {}\n"
                 "  quartzite: {}\n  quartzite: {}\n  coke: {fixed_kg_per_thm: 340}\n")
    with pytest.raises(burden.InputError, match="appears twice"):   # alone, it is still refused
        burden.load_scenario(f)


def test_a_mix_window_no_member_meets_is_a_warning_naming_the_materials_it_holds_at_0():
    """A group's window is a weighted mean of its members: a lump-ore SiO2 max of 1 % (the
    library's lump has more) can only be met at 0 kg, so the optimum leaves the lump out, and
    the result says which limit holds which material at 0.  The base case has no such warning."""
    scn = burden.load_scenario(BASE)
    lump_sio2 = scn.materials["lump_ore"].analysis["SiO2"]
    assert lump_sio2 > 1.0
    d = scn.config.model_dump()
    d["mixes"] = {"lumps": {"materials": ["lump_ore"], "SiO2_pct": {"max": 1.0}}}
    r = burden.solve(burden.Scenario.from_dict(d)).raise_for_status()
    assert r.x["lump_ore"] == 0.0
    held = [w for w in r.warnings if w.startswith("mixes.lumps.SiO2_pct.max holds lump_ore at 0")]
    assert len(held) == 1, r.warnings
    # a window the lump meets: no warning
    d["mixes"]["lumps"]["SiO2_pct"] = {"max": lump_sio2 + 0.5}
    r = burden.solve(burden.Scenario.from_dict(d)).raise_for_status()
    assert not [w for w in r.warnings if " holds " in w]
    assert not [w for w in burden.solve(scn).warnings if " holds " in w]


@pytest.mark.parametrize("part,whole", [("sinter", "sinter"), (["pellets", "sinter"], ["sinter", "pellets"])])
def test_a_share_of_materials_in_themselves_is_refused(part, whole):
    """A share whose 'materials' and 'of' are the same set is always 100 % (or 0): refused at
    shares.<name>.of with the fix."""
    scn = burden.load_scenario(BASE)
    d = scn.config.model_dump()
    d["shares"] = {"self": {"materials": part, "of": whole, "min_pct": 50}}
    with pytest.raises(burden.InputError, match=r"shares\.self\.of: 'materials' and 'of' are the same"):
        burden.Scenario.from_dict(d)
