"""A catalogue of bad inputs run through the command line (issue 11): material tables as plants
write them wrong, scenario files with wrong numbers, keys and names, and files that are not there.

Each case must end with exit code 4 (the documented code for invalid input), one message that
names the file, the field and the fix, nothing written under ``--out``, no traceback and never
"please report it".  The cases run in-process through :func:`burden.cli.main` (fast); every
fifteenth one also runs as a real ``python -m burden`` subprocess.
"""

import os
import subprocess
import sys

import pytest
import yaml

from burden.cli import main

HEADER = "name,class,price_per_t,price_basis,moisture_pct,TFe,FeO,SiO2,Al2O3,CaO,MgO,S,H2O_chem,CO2"
ORE = "ore_a,ferrous,100,dry,8,62.5,0.5,4.5,1.9,0.1,0.1,0.02,3.5,0"
ORE_B = "ore_b,ferrous,95,wet,6,60.0,0.4,6.5,2.1,0.1,0.1,0.02,4.2,0"
STONE = "stone,flux,30,dry,2,0,0,1.5,0.5,54,1,0,0,42.5"
TABLE = "\n".join([HEADER, ORE, ORE_B, STONE]) + "\n"
COLUMNS = HEADER.split(",")

SCENARIO = {
    "name": "cat", "production_t_per_day": 5000, "materials": ["default", "t.csv"],
    "charge": {"ore_a": {}, "ore_b": {}, "stone": {}, "coke": {"fixed_kg_per_thm": 350},
               "pci": {"fixed_kg_per_thm": 150}},
    "hot_metal": {"Si_pct": 0.5, "S_pct": 0.03},
    "slag": {"B2": {"min": 1.0, "max": 1.2}},
}

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def _cell(row: str, column: str, value: str) -> str:
    cells = row.split(",")
    cells[COLUMNS.index(column)] = value
    return ",".join(cells)


def _scn(**changes):
    """SCENARIO with changes given as dotted paths ("slag.B2": {...}); a value None deletes."""
    d = yaml.safe_load(yaml.safe_dump(SCENARIO))
    for path, value in changes.items():
        node = d
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    return d


# case: id -> (files, which file the message names, field words, fix words, command)
#   files: {"t.csv": text, "s.yaml": dict or text, ...}; "s.yaml" is the scenario given
CASES: dict = {}


def case(cid, *, table=TABLE, scenario=None, text=None, extra=None, file="t.csv", field="", fix="",
         command="solve", args=()):
    assert cid not in CASES, cid
    files = {"t.csv": table} if table is not None else {}
    files["s.yaml"] = text if text is not None else (scenario if scenario is not None else SCENARIO)
    files.update(extra or {})
    CASES[cid] = (files, file, field, fix, command, tuple(args))


# --- A. bad cells, column by column -------------------------------------------------------------

CELL_VALUES = [
    ("abc", "is not a number"), ("N/A", "not a number"), ("#N/A", "not a number"), ("NULL", "not a number"),
    ("-", "not a number"), ("", "empty cell; write 0"), ("inf", "not a finite number"), ("-5", "negative"),
    ("1e308", "plausible range"), ('"4,5"', "decimal comma"),
]
for col in ("price_per_t", "moisture_pct", "TFe", "SiO2", "Al2O3", "CaO", "MgO", "S"):
    for value, fix in CELL_VALUES:
        row = ORE_B if col != "TFe" else ORE
        name = row.split(",")[0]
        case(f"cell {col}={value or 'empty'}", table=TABLE.replace(row, _cell(row, col, value)),
             field=f"({name}), column '{col}'", fix=fix)
for col in ("TFe", "SiO2", "CaO", "MgO"):
    case(f"cell {col}=150", table=TABLE.replace(ORE, _cell(ORE, col, "150")), field="(ore_a), column",
         fix="exceeds 100 wt %")
case("cell price 75%", table=TABLE.replace(ORE, _cell(ORE, "price_per_t", "75%")), field="column 'price_per_t'",
     fix="without '%'")
case("cell price 1e7", table=TABLE.replace(ORE, _cell(ORE, "price_per_t", "1e7")), field="column 'price_per_t'",
     fix="currency unit")
case("cell yes/no text", table=TABLE.replace(ORE, _cell(ORE, "SiO2", "yes")), field="column 'SiO2'",
     fix="not a number")

# --- B. headers as plants write them ------------------------------------------------------------

for written, fix in [("H2O", "moisture_pct"), ("cao", "rename it 'CaO'"), ("SIO2", "rename it 'SiO2'"),
                     ("SiO2 %", "rename it 'SiO2'"), ("Al2O3_pct", "rename it 'Al2O3'"), ("Fe", "rename it 'TFe'"),
                     ("Fe_total", "rename it 'TFe'"), ("Moisture", "moisture_pct"), ("ZnS", "not a species"),
                     ("MgOO", "did you mean 'MgO'"), ("Mg0", "did you mean 'MgO'")]:
    case(f"header {written}", table=TABLE.replace(",MgO,", f",{written},", 1), field=f"column '{written}'", fix=fix)
for written, col, fix in [("price", "price_per_t", "rename it 'price_per_t'"), ("type", "class", "rename it 'class'"),
                          ("klass", "class", "did you mean 'class'"), ("basis", "price_basis", "'price_basis'")]:
    case(f"header {written}", table=TABLE.replace(f"{col},", f"{written},", 1), field=f"column '{written}'", fix=fix)
case("header empty cell", table=TABLE.replace(",MgO,", ",,", 1), field="column 11", fix="name the column")
case("header twice", table=TABLE.replace(",MgO,", ",SiO2,", 1), field="column 'SiO2'", fix="keep one")
case("header no price_basis", table="\n".join(",".join(c for i, c in enumerate(r.split(",")) if i != 3)
                                              for r in TABLE.splitlines()) + "\n",
     field="column 'price_basis'", fix="required column is missing")

# --- C. analyses --------------------------------------------------------------------------------

case("TFe 6.25 for 62.5", table=TABLE.replace(ORE, _cell(ORE, "TFe", "6.25")), field="column 'TFe'",
     fix="looks mistyped for 62.5")
case("Al2O3 as a fraction", table=TABLE.replace(ORE, _cell(ORE, "Al2O3", "0.019")), field="column 'Al2O3'",
     fix="write 1.9 for 1.9 %")
case("SiO2 as a fraction", table=TABLE.replace(ORE, _cell(ORE, "SiO2", "0.045")), field="column 'SiO2'",
     fix="write 4.5 for 4.5 %")
case("Al2O3 column as fractions", table=TABLE.replace(ORE, _cell(ORE, "Al2O3", "0.019"))
     .replace(ORE_B, _cell(ORE_B, "Al2O3", "0.021")), field="column 'Al2O3'", fix="typed as fractions")
case("moisture as fractions", table=TABLE.replace("dry,8,", "dry,0.08,").replace("wet,6,", "wet,0.06,")
     .replace("dry,2,", "dry,0.02,"), field="column 'moisture_pct'", fix="write 8 for 8 %")
case("row as fractions", table=TABLE.replace(ORE, "ore_a,ferrous,100,dry,8,0.625,0.005,0.045,0.019,0.001,0.001,"
                                                  "0.0002,0.035,0"), field="(ore_a), column 'total'",
     fix="look like fractions")
case("total above 101.5", table=TABLE.replace(ORE, _cell(ORE, "SiO2", "14.5")), field="column 'total'",
     fix="given twice")
case("FeO more than TFe", table=TABLE.replace(ORE, _cell(ORE, "FeO", "85")), field="column 'TFe'",
     fix="correct TFe or FeO")
case("moisture 100", table=TABLE.replace("dry,8,", "dry,100,"), field="column 'moisture_pct'",
     fix="below 100")
case("material twice", table=TABLE + ORE + "\n", field="column 'name'", fix="appears twice")
case("class capitalised", table=TABLE.replace("ore_a,ferrous", "ore_a,Ferrous"), field="column 'class'",
     fix="write 'ferrous'")
case("class unknown", table=TABLE.replace("ore_a,ferrous", "ore_a,ore"), field="column 'class'", fix="use one of")
case("price basis moist", table=TABLE.replace("ore_a,ferrous,100,dry", "ore_a,ferrous,100,moist"),
     field="column 'price_basis'", fix="not 'dry' or 'wet'")
case("name with a space", table=TABLE.replace("ore_a,", "ore a,"), field="column 'name'", fix="letters, digits and _")
case("name empty", table=TABLE.replace("ore_a,", ","), field="column 'name'", fix="name is empty")

LOI_HEAD = "name,class,price_per_t,price_basis,moisture_pct,CaO,MgO,SiO2,Al2O3,LOI"
LOI_SCN = _scn(**{"charge.stone": None, "charge.ls": {}})
case("LOI without a split", table=TABLE.rstrip("\n").replace(HEADER, HEADER + ",LOI").replace(ORE, ORE + ",0")
     .replace(ORE_B, ORE_B + ",0").replace(STONE, STONE.replace(",42.5", ",0") + ",43") + "\n",
     field="column 'LOI'", fix="LOI_CO2_share_pct")
case("LOI negative", table=TABLE.rstrip("\n").replace(HEADER, HEADER + ",LOI").replace(ORE, ORE + ",-1.5")
     .replace(ORE_B, ORE_B + ",0").replace(STONE, STONE + ",0") + "\n", field="column 'LOI'", fix="gain on ignition")
case("LOI against CO2", table=TABLE.rstrip("\n").replace(HEADER, HEADER + ",LOI").replace(ORE, ORE + ",0")
     .replace(ORE_B, ORE_B + ",0").replace(STONE, STONE + ",38") + "\n", field="column 'LOI'", fix="CO2 + H2O_chem")
case("LOI split over 100", table=TABLE.rstrip("\n").replace(HEADER, HEADER + ",LOI,LOI_CO2_share_pct")
     .replace(ORE, ORE + ",0,").replace(ORE_B, ORE_B + ",0,")
     .replace(STONE, STONE.replace(",42.5", ",0") + ",43,130") + "\n",
     field="column 'LOI_CO2_share_pct'", fix="plausible range -100 to 100")
case("availability min > max", table=TABLE.rstrip("\n").replace(HEADER, HEADER + ",min_kg_per_thm,max_kg_per_thm")
     .replace(ORE, ORE + ",500,300").replace(ORE_B, ORE_B + ",,").replace(STONE, STONE + ",,") + "\n",
     field="'min_kg_per_thm'/'max_kg_per_thm'", fix="swap them")
for word in ("N/A", "#N/A", "NULL", "none"):
    case(f"availability {word}", table=TABLE.rstrip("\n").replace(HEADER, HEADER + ",max_t_per_day")
         .replace(ORE, ORE + f",{word}").replace(ORE_B, ORE_B + ",").replace(STONE, STONE + ",") + "\n",
         field="column 'max_t_per_day'", fix="leave the cell empty for no limit")

# --- D. files -----------------------------------------------------------------------------------

case("table missing", table=None, file="t.csv", fix="not found")
case("table empty file", table="", fix="empty")
case("table header only", table=HEADER + "\n", fix="empty")
case("table comments only", table="# nothing yet\n", fix="empty")
case("table not csv", table=None, scenario=_scn(materials=["default", "t.txt"]), extra={"t.txt": TABLE},
     file="t.txt", fix=".csv, .xlsx")
case("decimal commas in a comma CSV", table=TABLE.replace(ORE, _cell(ORE, "SiO2", "4,5")), field="row 2",
     fix="decimal comma")
case("table is binary", table=None, extra={"t.csv": "PK\x03\x04\x00\x00" * 50}, fix="not a text file")
case("scenario file missing", table=None, text=None, file="s.yaml", fix="not found", args=("--missing",))
case("scenario empty", text="", file="s.yaml", fix="empty")
case("scenario a list", text="- a\n- b\n", file="s.yaml", fix="mapping of keys")
case("scenario bad YAML", text="name: x\ncharge: {ore_a: {}\n", file="s.yaml", fix="cannot parse")
case("scenario .txt", text=None, file="s.txt", fix=".yaml, .yml or .toml", args=("--txt",))
case("scenario deep", text="a: " + "[" * 200 + "]" * 200 + "\n", file="s.yaml", fix="")
case("scenario duplicate key", text=yaml.safe_dump(SCENARIO) + "production_t_per_day: 7000\n", file="s.yaml",
     field="production_t_per_day", fix="appears twice")
case("named scenario missing", file="s.yaml", field="--scenario nope", fix="", args=("--scenario", "nope"))

# --- E. scenario fields ---------------------------------------------------------------------------

S = "s.yaml"
for cid, changes, field, fix in [
    ("unknown key", {"slag.MgO_min": 7}, "slag.MgO_min", "MgO_pct"),
    ("unknown top-level key", {"slagg": {}}, "slagg", "slag"),
    ("misspelled material", {"charge.stonee": {}}, "charge.stonee", "'stone'"),
    ("window as a fraction", {"slag.MgO_pct": {"min": 0.07}}, "slag.MgO_pct", "write 7"),
    ("Al2O3 window as a fraction", {"slag.Al2O3_pct": {"max": 0.16}}, "slag.Al2O3_pct", "write 16"),
    ("min > max", {"slag.B2": {"min": 1.3, "max": 1.1}}, "slag.B2", "swap"),
    ("basicity 5", {"slag.B2": {"min": 5}}, "slag.B2", "basicity"),
    ("distribution as percent", {"distribution.Mn_to_hot_metal": 70}, "distribution.Mn_to_hot_metal", "fraction"),
    ("distribution above 100", {"distribution.P_to_hot_metal": 170}, "distribution.P_to_hot_metal", "fraction"),
    ("kelvin", {"hot_metal.temperature_c": 1773}, "hot_metal.temperature_c", "kelvin"),
    ("too cold", {"hot_metal.temperature_c": 1200}, "hot_metal.temperature_c", "liquidus"),
    ("Si as a fraction", {"hot_metal.Si_pct": 0.004}, "hot_metal.Si_pct", "write 0.4"),
    ("S as a fraction", {"hot_metal.S_pct": 0.0003}, "hot_metal.S_pct", "write 0.03"),
    ("Si 7", {"hot_metal.Si_pct": 7}, "hot_metal.Si_pct", "0-5 wt %"),
    ("Fe 50", {"hot_metal.Fe_pct": 50}, "hot_metal.Fe_pct", "93-95"),
    ("C 8", {"hot_metal.C_pct": 8}, "hot_metal.C_pct", "formula"),
    ("C text", {"hot_metal.C_pct": "high"}, "hot_metal.C_pct", "formula"),
    ("production yes", {"production_t_per_day": True}, "production_t_per_day", "write the number"),
    ("production inf", {"production_t_per_day": float("inf")}, "production_t_per_day", "finite"),
    ("production nan", {"production_t_per_day": float("nan")}, "production_t_per_day", "finite"),
    ("production 0", {"production_t_per_day": 0}, "production_t_per_day", "greater than 0"),
    ("production 1e6", {"production_t_per_day": 1e6}, "production_t_per_day", "15,000 t"),
    ("production text", {"production_t_per_day": "lots"}, "production_t_per_day", "number"),
    ("production missing", {"production_t_per_day": None}, "production_t_per_day", "missing"),
    ("fixed rate inf", {"charge.coke.fixed_kg_per_thm": float("inf")}, "charge.coke.fixed_kg_per_thm", "finite"),
    ("fixed rate 1e308", {"charge.coke.fixed_kg_per_thm": 1e308}, "charge.coke.fixed_kg_per_thm", "plausible"),
    ("price 1e308", {"charge.ore_a.price_per_t": 1e308}, "charge.ore_a.price_per_t", "plausible"),
    ("price yes", {"charge.ore_a.price_per_t": True}, "charge.ore_a.price_per_t", "yes/no"),
    ("window 1e308", {"slag.rate_kg_per_thm": {"max": 1e308}}, "slag.rate_kg_per_thm", "plausible"),
    ("window -1e308", {"slag.rate_kg_per_thm": {"min": -1e308}}, "slag.rate_kg_per_thm", "plausible"),
    ("temperature nan", {"hot_metal.temperature_c": float("nan")}, "hot_metal.temperature_c", "finite"),
    ("L_S 1000", {"slag.sulphur_partition_LS": 1000}, "slag.sulphur_partition_LS", "20-80"),
    ("charge empty", {"charge": {}}, "charge", "list them under charge"),
    ("charge a list", {"charge": ["ore_a"]}, "charge", ""),
    ("lost burden not lost", {"lost_burden": {"stone": 10}}, "lost_burden.stone", "not lost_burden"),
    ("lost burden unknown", {"lost_burden": {"bf_dustt": 10}}, "lost_burden.bf_dustt", "'bf_dust'"),
    ("lost burden 500", {"lost_burden": {"bf_dust": 500}}, "lost_burden", "dust rate"),
    ("lost burden charged", {"charge.bf_dust": {}}, "charge.bf_dust", "list it under lost_burden"),
    ("share of unknown", {"shares": {"x": {"materials": "sinterr", "of": "ferrous", "min_pct": 10}}},
     "shares.x.materials", "'sinter'"),
    ("share not charged", {"shares": {"x": {"materials": "sinter", "of": "ferrous", "min_pct": 10}}},
     "shares.x.materials", "not charged"),
    ("raft without process", {"raft_c": {"min": 2000}}, "raft_c", "process"),
    ("blast without process", {"blast": {"temperature_c": 1200}}, "blast", "process"),
    ("materials a number", {"materials": 5}, "materials", ""),
    ("materials entry bad", {"materials": ["default", "t.csv", 5]}, "materials[2]", "'default', a CSV/Excel path"),
    ("min t/day > max kg", {"charge.ore_a": {"min_t_per_day": 4000, "max_kg_per_thm": 100}}, "charge.ore_a",
     "exceeds the maximum"),
    ("override unknown key", {"overrides": {"o": {"slag": {"B5": 1}}}}, "overrides.o.slag.B5", "unknown key"),
    ("override not a mapping", {"overrides": {"o": 5}}, "overrides.o", "mapping"),
    ("scenario names a missing override", {"scenarios": {"x": ["nope"]}}, "scenarios.x", "not defined"),
    ("parameter unknown", {"parameters": {"no_such_parameter": 1}}, "parameters.no_such_parameter", ""),
    ("MgO limit, no MgO column", {"materials": ["t.csv"], "charge": {"ore_a": {}, "ore_b": {}, "stone": {}},
                                  "slag.MgO_pct": {"min": 7}, "slag.B2": None},
     "slag.MgO_pct", "MgO column"),
]:
    table = TABLE
    if "no MgO column" in cid:
        table = TABLE.replace(",MgO,", ",").replace(",0.1,0.1,0.02,", ",0.1,0.02,").replace(",54,1,", ",54,")
    case(cid, table=table, scenario=_scn(**changes), file=S, field=field, fix=fix)

for cid, args, field, fix in [
    ("report format", ("--report", "--format", "docx"), "--format", "html"),
    ("coke batch negative", ("--report", "--coke-batch", "-5"), "coke", ""),
]:
    case(cid, args=args, file="command line", field=field, fix=fix)

CASE_IDS = list(CASES)


def _write(tmp_path, files):
    for name, content in files.items():
        p = tmp_path / name
        if isinstance(content, dict):
            p.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True))
        else:
            p.write_text(content, encoding="utf-8")


def _argv(tmp_path, command, args):
    scenario = tmp_path / "s.yaml"
    if "--missing" in args:
        scenario, args = tmp_path / "nowhere.yaml", ()
    elif "--txt" in args:
        (tmp_path / "s.txt").write_text((tmp_path / "s.yaml").read_text())
        scenario, args = tmp_path / "s.txt", ()
    out = tmp_path / "out"
    return [command, str(scenario), *(["--out", str(out)] if command == "solve" else []), *args], out


def _check(cid, tmp_path, rc, stdout, stderr, out):
    files, file, field, fix, command, args = CASES[cid]
    assert rc == 4, (cid, rc, stdout[-1500:], stderr[-1500:])
    assert "Traceback" not in stderr and "please report" not in stderr, stderr
    assert "error: invalid input:\n" in stderr, (cid, stderr)  # one clear message (not "(N problems)")
    where = file if file == "command line" else str(tmp_path / file) if file != "s.yaml" or \
        "--missing" not in args else str(tmp_path / "nowhere.yaml")
    if "--txt" in args:
        where = str(tmp_path / "s.txt")
    assert where in stderr, (cid, where, stderr)  # the file
    assert field in stderr, (cid, field, stderr)  # the field
    assert fix in stderr, (cid, fix, stderr)  # the fix
    assert not out.exists() or not any(out.iterdir()), (cid, list(out.iterdir()))  # nothing written
    assert stdout == ""


def test_the_catalogue_is_large_enough_and_the_good_case_solves(tmp_path, capsys):
    assert len(CASES) >= 150, len(CASES)
    _write(tmp_path, {"t.csv": TABLE, "s.yaml": SCENARIO})
    assert main(["solve", str(tmp_path / "s.yaml"), "--no-write"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("cid", CASE_IDS)
def test_bad_input_in_process(tmp_path, capsys, cid):
    files, file, field, fix, command, args = CASES[cid]
    _write(tmp_path, files)
    argv, out = _argv(tmp_path, command, args)
    rc = main(argv)
    cap = capsys.readouterr()
    _check(cid, tmp_path, rc, cap.out, cap.err, out)


@pytest.mark.parametrize("cid", CASE_IDS[::15])
def test_bad_input_in_a_subprocess(tmp_path, cid):
    files, file, field, fix, command, args = CASES[cid]
    _write(tmp_path, files)
    argv, out = _argv(tmp_path, command, args)
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "burden", *argv], capture_output=True, text=True, timeout=120, env=env)
    _check(cid, tmp_path, r.returncode, r.stdout, r.stderr, out)


@pytest.mark.parametrize("cid", [c for c in CASE_IDS if CASES[c][4] == "solve" and CASES[c][5] == ()][::7])
def test_validate_refuses_the_same(tmp_path, capsys, cid):
    files, file, field, fix, command, args = CASES[cid]
    _write(tmp_path, files)
    rc = main(["validate", str(tmp_path / "s.yaml")])
    cap = capsys.readouterr()
    assert rc == 4 and field in cap.err and "please report" not in cap.err, (cid, cap.err)
