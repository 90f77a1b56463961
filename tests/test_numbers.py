"""Numbers that are not numbers (issue 11): infinities, NaN, absurd magnitudes, yes/no values,
duplicate keys, "N/A" cells, files nested 100,000 deep or alias bombs, huge error lists, and
overrides that are checked only when applied.  Each kind ends as exit 4 through the command line
(one message naming the file, the field and the fix; nothing written; no traceback) and as
``burden.InputError`` in Python."""

import os
import subprocess
import sys
import time

import pytest

import burden
from burden.errors import MAX_LISTED_PROBLEMS, InputError, InputProblem, number_problem
from burden.scenario import Scenario

from conftest import SCENARIOS

BASE_TEXT = (SCENARIOS / "base.yaml").read_text()
SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def edited(tmp_path, old: str, new: str, name="bad.yaml") -> "os.PathLike":
    """base.yaml with the text ``old`` replaced by ``new`` (which must occur)."""
    assert old in BASE_TEXT, old
    p = tmp_path / name
    p.write_text(BASE_TEXT.replace(old, new, 1))
    return p


def solve(path, tmp_path, timeout=60):
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "burden", "solve", str(path), "--out", str(out)],
                       capture_output=True, text=True, timeout=timeout, env=env)
    return r, out


def assert_refused(path, tmp_path, *fields, timeout=60, file=None):
    """exit 4, the file (``file``, default the scenario) and every field named, nothing written,
    no traceback, no 'please report'."""
    r, out = solve(path, tmp_path, timeout=timeout)
    assert r.returncode == 4, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert str(file or path) in r.stderr
    for f in fields:
        assert f in r.stderr, (f, r.stderr[:3000])
    assert "Traceback" not in r.stderr and "please report" not in r.stderr
    assert not out.exists() or not any(out.iterdir())
    with pytest.raises(burden.InputError):
        Scenario.from_file(path)
    return r.stderr


# --- the one rule for numbers -------------------------------------------------------------

@pytest.mark.parametrize("value, name, ok", [
    (9000, "production_t_per_day", True), (1e5, "production_t_per_day", True),
    (2e5, "production_t_per_day", False), (float("inf"), "production_t_per_day", False),
    (float("nan"), "temperature_c", False), (True, "production_t_per_day", False),
    (1e308, "price_per_t", False), (-1e308, "min", False), (1e308, "max", False),
    (150.0, "price_per_t", True), (101, "MgO_pct", False), (1e4, "fixed_kg_per_thm", True),
    (1e4 + 1, "fixed_kg_per_thm", False), (-300, "temperature_c", False), (2250, "raft_c", True),
    (9800.0, "c_to_co_kj_per_kg_c", True),  # a heat per kg of carbon, not a temperature
    (10 ** 400, "max", False),
])
def test_number_rule(value, name, ok):
    assert (number_problem(value, name) is None) is ok


# --- YAML shape: duplicate keys, nesting, alias bombs ---------------------------------------

def test_duplicate_top_level_key_names_both_lines(tmp_path):
    p = edited(tmp_path, "production_t_per_day: 9000\n", "production_t_per_day: 9000\nproduction_t_per_day: 7000\n")
    err = assert_refused(p, tmp_path, "production_t_per_day", "appears twice", "lines 9 and 10")
    assert err.count("\n  ") == 1  # one problem, one message


def test_duplicate_key_under_charge_names_the_path(tmp_path):
    p = edited(tmp_path, "  lump_ore:  {max_t_per_day: 1800}\n",
               "  lump_ore:  {max_t_per_day: 1800}\n  pellets: {max_t_per_day: 100}\n")
    assert_refused(p, tmp_path, "charge.pellets", "lines 15 and 17")


def test_duplicate_key_in_a_flow_mapping(tmp_path):
    p = edited(tmp_path, "B2: {min: 1.10, max: 1.20}", "B2: {min: 1.10, max: 1.20, min: 1.0}")
    assert_refused(p, tmp_path, "slag.B2.min", "appears twice")


def test_toml_duplicate_key_is_refused_too(tmp_path):
    p = tmp_path / "dup.toml"
    p.write_text('name = "x"\nproduction_t_per_day = 9000\nproduction_t_per_day = 1\n[charge.sinter]\n')
    with pytest.raises(InputError, match="cannot parse"):
        Scenario.from_file(p)


def test_100000_levels_of_nesting_are_refused_quickly(tmp_path):
    p = tmp_path / "deep.yaml"
    p.write_text(BASE_TEXT + "\nextra: " + "[" * 100_000 + "]" * 100_000 + "\n")
    t0 = time.monotonic()
    err = assert_refused(p, tmp_path, "nests deeper than 64 levels", "extra")
    assert time.monotonic() - t0 < 30
    assert len(err) < 2000


def test_deep_toml_is_refused(tmp_path):
    p = tmp_path / "deep.toml"
    p.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(InputError):
        Scenario.from_file(p)


def test_alias_bomb_through_an_override_is_refused_quickly(tmp_path):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        bomb.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    text = BASE_TEXT.replace("overrides:\n", "bomb:\n" + "".join(f"  {b}\n" for b in bomb)
                             + "overrides:\n  boom: {charge: *i}\n", 1)
    p = tmp_path / "bomb.yaml"
    p.write_text(text)
    t0 = time.monotonic()
    assert_refused(p, tmp_path, "aliases", timeout=60)
    assert time.monotonic() - t0 < 30


# --- huge bad files: capped lists, clipped values ---------------------------------------------

def test_error_list_is_capped_and_values_clipped():
    e = InputError([InputProblem("f.yaml", f"charge.m{i}", "bad") for i in range(202_467)])
    assert len(e.problems) == 202_467
    assert f"... and {202_467 - MAX_LISTED_PROBLEMS:,} more problems" in str(e)
    assert str(e).count("\n") == MAX_LISTED_PROBLEMS + 1


def test_huge_bad_file_gives_a_short_message(tmp_path):
    lines = [f"  m{i}: {{max_kg_per_thm: {'9' * 1000}x}}" for i in range(20_000)]
    p = tmp_path / "huge.yaml"
    p.write_text(BASE_TEXT.replace("charge:                                # dry kg per tonne of hot metal\n",
                                   "charge:\n" + "\n".join(lines) + "\n", 1))
    assert p.stat().st_size > 20e6
    err = assert_refused(p, tmp_path, "more problems", timeout=300)
    assert len(err) < 20_000
    assert "…" in err


# --- numbers: infinities, NaN, absurd magnitudes, yes/no ------------------------------------

CORRECTION = """
fuels:
  correction:
    coke: coke
    coke_reference_kg_per_thm: 340
    factors:
      slag_kg_per_thm: {per_unit: .nan, reference: 300}
"""


@pytest.mark.parametrize("old, new, field, why", [
    ("production_t_per_day: 9000", "production_t_per_day: .inf", "production_t_per_day", "not a finite number"),
    ("production_t_per_day: 9000", "production_t_per_day: yes", "production_t_per_day", "yes/no value"),
    ("production_t_per_day: 9000", "production_t_per_day: 1.0e6", "production_t_per_day", "15,000 t"),
    ("coke:      {fixed_kg_per_thm: 340}", "coke:      {fixed_kg_per_thm: .inf}", "charge.coke.fixed_kg_per_thm",
     "not a finite number"),
    ("temperature_c: 1500", "temperature_c: .nan", "hot_metal.temperature_c", "not a finite number"),
    ("rate_kg_per_thm: {max: 340}", "rate_kg_per_thm: {max: 1e308}", "slag.rate_kg_per_thm", "max: 1e+308"),
    ("rate_kg_per_thm: {max: 340}", "rate_kg_per_thm: {max: 1.0e308}", "slag.rate_kg_per_thm", "10 t per tHM"),
    ("B2: {min: 1.10, max: 1.20}", "B2: {min: -1.0e308, max: 1.20}", "slag.B2", "min: -1e+308"),
    ("Mn_pct: {max: 0.60}", "Mn_pct: yes", "hot_metal.Mn_pct", "yes/no value"),
    ("lump_ore:  {max_t_per_day: 1800}", "lump_ore:  {max_t_per_day: 1800, price_per_t: 1.0e308}",
     "charge.lump_ore.price_per_t", "costs a million"),
    ("lump_ore:  {max_t_per_day: 1800}", "lump_ore:  {max_t_per_day: 1800, price_per_t: 1e308}",
     "charge.lump_ore.price_per_t", "costs a million"),
    ("bf_dust: 15", "bf_dust: true", "lost_burden", "bf_dust: a yes/no value (true)"),
    ("sulphur_partition_LS: 40", "sulphur_partition_LS: .nan", "slag.sulphur_partition_LS", "not a finite"),
])
def test_numbers_that_are_not_numbers_exit_4(tmp_path, old, new, field, why):
    err = assert_refused(edited(tmp_path, old, new), tmp_path, field, why)
    assert "invalid input:" in err  # one problem, one message


def test_correction_factor_nan_exits_4(tmp_path):
    text = BASE_TEXT.replace("coke:      {fixed_kg_per_thm: 340}", "coke:      {}") + CORRECTION
    p = tmp_path / "corr.yaml"
    p.write_text(text)
    assert_refused(p, tmp_path, "fuels.correction.factors.slag_kg_per_thm.per_unit", "not a finite number")
    p.write_text(text.replace(".nan", "0.1"))
    Scenario.from_file(p)  # the finite factor loads


def test_python_api_refuses_the_same(base_data):
    for path, value in [(("production_t_per_day",), True), (("production_t_per_day",), float("inf")),
                        (("charge", "coke", "fixed_kg_per_thm"), float("nan")),
                        (("slag", "rate_kg_per_thm"), {"min": -1e308}),
                        (("charge", "sinter"), {"price_per_t": 1e308}),
                        (("parameters",), {"hm_carbon_T": True})]:
        import copy
        d = copy.deepcopy(base_data)
        t = d
        for k in path[:-1]:
            t = t[k]
        t[path[-1]] = value
        with pytest.raises(burden.InputError) as e:
            Scenario.from_dict(d)
        assert ".".join(path) in str(e.value)


def test_plausible_large_values_still_load(base_data):
    base_data["production_t_per_day"] = 15000
    base_data["charge"]["pellets"] = {"max_t_per_day": 99_000, "price_per_t": 999_999}
    Scenario.from_dict(base_data)


# --- every override checked on load ---------------------------------------------------------

def test_every_override_is_checked_on_load_all_problems_at_once(tmp_path):
    p = edited(tmp_path, "    charge: {pellets: {price_per_t: 140}}",
               "    charge: {pellets: {price_per_t: .inf}}\n    production_t_per_day: yes")
    text = p.read_text().replace("slag: {rate_kg_per_thm: {max: 290}}", "slag: {rate_kg_per_thm: {max: -1.0e308}}")
    p.write_text(text)
    err = assert_refused(p, tmp_path, "overrides.cheap_pellets.charge.pellets.price_per_t",
                         "overrides.cheap_pellets.production_t_per_day", "overrides.low_slag.slag.rate_kg_per_thm",
                         "(3 problems)")
    # applying another override (or none) does not hide them
    with pytest.raises(InputError) as e:
        Scenario.from_file(p, "pellet_plant_online")
    assert len(e.value.problems) == 3


def test_override_structure_and_scenario_names_checked_on_load(base_data):
    base_data["overrides"]["weird"] = 5
    base_data["scenarios"]["typo"] = ["cheap_pelets"]
    with pytest.raises(InputError) as e:
        Scenario.from_dict(base_data)
    fields = {p.field for p in e.value.problems}
    assert fields == {"overrides.weird", "scenarios.typo"}


def test_valid_overrides_still_apply(base_path):
    scn = Scenario.from_file(base_path, "pellet_opportunity")
    assert scn.materials["pellets"].price_per_t == 140


def test_python_deep_nesting_is_refused(base_data):
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    base_data["description"] = deep
    with pytest.raises(InputError, match="nests deeper"):
        Scenario.from_dict(base_data)


# --- "no value" words in material-table cells -----------------------------------------------

TABLE = ("name,class,price_per_t,price_basis,moisture_pct,TFe,Fe2O3,SiO2,Al2O3,max_t_per_day\n"
         "my_ore,ferrous,120,dry,3,65.75,94,4,2,{cell}\n")


def scenario_with_table(tmp_path, cell: str):
    (tmp_path / "ores.csv").write_text(TABLE.format(cell=cell))
    p = edited(tmp_path, "materials: [default]", "materials: [default, ores.csv]")
    p.write_text(p.read_text().replace("  sinter:    {}\n", "  sinter:    {}\n  my_ore:    {}\n", 1))
    return p


@pytest.mark.parametrize("cell", ["N/A", "#N/A", "NULL", "n.a.", "-", "NA", "none", "nan"])
def test_no_value_word_in_an_availability_cell_exits_4(tmp_path, cell):
    p = scenario_with_table(tmp_path, cell)
    err = assert_refused(p, tmp_path, "row 2 (my_ore), column 'max_t_per_day'",
                         "leave the cell empty for no limit, or give a number", file=tmp_path / "ores.csv")
    assert "invalid input:" in err


def test_empty_availability_cell_is_no_limit_and_a_number_a_limit(tmp_path):
    assert Scenario.from_file(scenario_with_table(tmp_path, "")).materials["my_ore"].max_t_per_day is None
    assert Scenario.from_file(scenario_with_table(tmp_path, "500")).materials["my_ore"].max_t_per_day == 500


@pytest.mark.parametrize("cell, why", [("inf", "not a finite number"), ("1e308", "15,000 t"), ("TRUE", "not a number")])
def test_absurd_availability_cells(tmp_path, cell, why):
    with pytest.raises(InputError, match=why):
        Scenario.from_file(scenario_with_table(tmp_path, cell))


def test_no_value_word_in_an_analysis_cell_and_excel(tmp_path):
    from burden.materials import load_material_table, materials_from_records

    with pytest.raises(InputError, match=r"column 'SiO2': '#N/A' is not a number; give a number \(write 0"):
        materials_from_records([{"name": "o", "class": "ferrous", "price_per_t": 1, "price_basis": "dry",
                                 "moisture_pct": 0, "TFe": 65.75, "Fe2O3": 94, "SiO2": "#N/A", "Al2O3": 2}])
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    df = pd.DataFrame([{"name": "my_ore", "class": "ferrous", "price_per_t": 120, "price_basis": "dry",
                        "moisture_pct": 3, "TFe": 65.75, "Fe2O3": 94, "SiO2": 4, "Al2O3": 2, "max_t_per_day": "#N/A"}])
    df.to_excel(tmp_path / "ores.xlsx", index=False)
    with pytest.raises(InputError, match="leave the cell empty for no limit"):
        load_material_table(tmp_path / "ores.xlsx")


# --- fuzzing the scenario API: only InputError, never a crash --------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import yaml  # noqa: E402

_BASE = yaml.safe_load(BASE_TEXT)
_numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10 ** 30, 10 ** 30),
                     st.sampled_from([0, -1, 1e308, -1e308, 1e-308, 9000, 0.5, 100, 1e6, float("inf"), float("nan")]))
_leaves = st.one_of(_numbers, st.booleans(), st.none(), st.text(max_size=12),
                    st.sampled_from(["formula", "eta_co", "default", "sinter", "coke", "min", "max", ".inf", "yes",
                                     "N/A", "1e308", "nan", "ferrous", "dry", "wet", "slp"]))
_values = st.recursive(_leaves, lambda kids: st.one_of(
    st.lists(kids, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(["min", "max", "price_per_t", "fixed_kg_per_thm",
                                                                    "max_kg_per_thm", "charge", "slag", "B2", "sinter",
                                                                    "per_unit", "reference", "value"])),
                    kids, max_size=4)), max_leaves=12)


def _paths(d, prefix=()):
    yield prefix
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _paths(v, prefix + (k,))


_BASE_PATHS = [p for p in _paths(_BASE) if p]


@st.composite
def _scenarios(draw):
    """the base scenario with a few random edits (a value replaced, a key added), or random data"""
    import copy

    if draw(st.integers(0, 9)) == 0:
        return draw(st.dictionaries(st.text(max_size=10), _values, max_size=5))
    d = copy.deepcopy(_BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_BASE_PATHS))
        t = d
        for k in path[:-1]:
            t = t[k] if isinstance(t, dict) and isinstance(t.get(k), dict) else None
            if t is None:
                break
        if isinstance(t, dict):
            if draw(st.booleans()):
                t[path[-1]] = draw(_values)
            else:
                t[draw(st.sampled_from(["min", "max", "price_per_t", "process", "blast", "fuels", "raft_c",
                                        "overrides", "scenarios", "parameters", "hm_carbon_T", "sinter"]))] = draw(_values)
    return d


def _check_one(data, scenario=None):
    try:
        Scenario.from_dict(data, scenario=scenario)
    except InputError as e:
        assert e.problems and len(str(e)) < 200_000


@settings(max_examples=int(os.environ.get("BURDEN_FUZZ_EXAMPLES", "200")), deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(_scenarios(), st.sampled_from([None, None, "cheap_pellets", "pellet_opportunity", "nope"]))
def test_fuzz_scenario_from_dict_only_input_errors(data, scenario):
    _check_one(data, scenario)


@settings(max_examples=int(os.environ.get("BURDEN_FUZZ_EXAMPLES", "200")) // 2, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(BASE_TEXT.splitlines()[5:] + ["  sinter: {}", "production_t_per_day: yes", "a: &x [1]",
                                                               "b: *x", "c: *y", "  - [[[", "&a", "!!python/none x",
                                                               "charge: .inf", "? [k]\n: v", "\t", "{", "'"]),
                max_size=40))
def test_fuzz_scenario_text_only_input_errors(tmp_path_factory, lines):
    p = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    p.write_text("\n".join(lines) + "\n")
    try:
        Scenario.from_file(p)
    except InputError as e:
        assert e.problems


def test_fuzz_found_unknown_key_under_a_number_field(base_data):
    # found by the fuzz test: {'charge': {'price_per_t': {'': None}}} crashed the "did you mean" hint
    base_data["charge"]["price_per_t"] = {"": None}
    with pytest.raises(InputError, match="charge.price_per_t"):
        Scenario.from_dict(base_data)


def test_fuzz_found_a_key_named_like_a_type():
    # found by the fuzz test: a top-level key 'list[str]' was taken for pydantic's union tag
    with pytest.raises(InputError, match=r"unknown key 'list\[str\]'"):
        Scenario.from_dict({"list[str]": None})


@pytest.mark.parametrize("price", [float("inf"), float("nan"), 1e308, True, "cheap"])
def test_with_prices_refuses_what_a_file_would(base_path, price):
    scn = Scenario.from_file(base_path)
    with pytest.raises(InputError, match="prices.sinter"):
        scn.with_prices({"sinter": price})
    assert scn.with_prices({"sinter": 99}).materials["sinter"].price_per_t == 99
