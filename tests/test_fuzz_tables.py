"""Hypothesis fuzzing of material tables and the scenario files that use them (issue 11).

Random CSV tables (any mix of known, misspelled and plant-style columns; cells with numbers in
every spelling, % signs, decimal commas, "N/A", huge values, text; ',', ';' or tab separated; title
and comment lines; UTF-8 or Windows-1252) and random Excel sheets (percentage formats, error cells,
the table on another sheet) are loaded through a scenario file; a scenario that loads is built and
solved some of the time.  The only exceptions allowed are the toolkit's own errors
(:class:`burden.errors.BurdenError`, i.e. exit codes 3/4 in the CLI): anything else is a crash.

The default run is bounded (``BURDEN_FUZZ_EXAMPLES``, default 150 CSV and 30 Excel examples);
``test_fuzz_tables_10000`` (marked slow: ``-m slow``) runs 10,000 CSV examples and prints the count.
"""

import csv
import io
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import burden
from burden.errors import BurdenError, InputError
from burden.materials import ALL_ANALYSIS_COLUMNS, NOT_A_VALUE
from burden.scenario import Scenario

_REQUIRED = ["name", "class", "price_per_t", "price_basis", "moisture_pct"]
_ODD_COLUMNS = ["H2O", "cao", "SiO2 %", "Fe", "LOI", "LOI_CO2_share_pct", "Fe3O4", "", "name", "TFe", "Moisture",
                "max_t_per_day", "min_kg_per_thm", "description", "source", "K2O ", "ash_SiO2", "ash", "x" * 300,
                "名称"]
_NAMES = ["ore_a", "ore_b", "sinter", "coke", "stone", "pellets", "", "ore a", "1ore", "矿石", "ore_a"]

_number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(0, 100).map(lambda x: f"{x:.3g}"),
    st.floats(0, 100).map(lambda x: f"{x:.2f}%"),
    st.floats(0, 100).map(lambda x: f"{x:.2f}".replace(".", ",")),
    st.floats(0, 1).map(lambda x: f"{x:.4f}"),
    st.integers(-10 ** 12, 10 ** 12).map(str),
    st.sampled_from(sorted(NOT_A_VALUE) + ["", " ", "1e308", "-1e308", "1e-320", "0", "100", "62.5", "62,5", "75%",
                                          "1,250.50", "1.250,50", "TRUE", "yes", "0x10", "1_000", "∞", "٣", "½"]),
    st.text(max_size=8),
)


@st.composite
def _table(draw):
    cols = [c for c in _REQUIRED if draw(st.integers(0, 19)) > 0]
    cols += draw(st.lists(st.sampled_from(list(ALL_ANALYSIS_COLUMNS)), max_size=8, unique=True))
    cols += draw(st.lists(st.sampled_from(_ODD_COLUMNS), max_size=2))
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        row = []
        for c in cols:
            if c == "name":
                row.append(draw(st.one_of(st.sampled_from(_NAMES), st.text(max_size=6))))
            elif c == "class":
                row.append(draw(st.sampled_from(["ferrous", "flux", "coke", "injectant", "lost_burden", "Ferrous",
                                                 "", "ore"])))
            elif c == "price_basis":
                row.append(draw(st.sampled_from(["dry", "wet", "Dry", "", "moist"])))
            elif c in ("description", "source"):
                row.append(draw(st.text(max_size=10)))
            else:
                row.append(draw(_number_text))
        rows.append(row)
    return cols, rows


_GOOD_COLS = "name,class,price_per_t,price_basis,moisture_pct,TFe,FeO,SiO2,Al2O3,CaO,MgO,S,H2O_chem,CO2".split(",")
_GOOD_ROWS = ["ore_a,ferrous,100,dry,8,62.5,0.5,4.5,1.9,0.1,0.1,0.02,3.5,0".split(","),
              "ore_b,ferrous,95,wet,6,60.0,0.4,6.5,2.1,0.1,0.1,0.02,4.2,0".split(","),
              "stone,flux,30,dry,2,0,0,1.5,0.5,54,1,0,0,42.5".split(",")]


@st.composite
def _near_valid_table(draw):
    """a valid table with a few plant habits or mistakes: cells replaced, scaled by 100, given a %
    sign, columns dropped or renamed, a magnetite or LOI column added"""
    cols = list(_GOOD_COLS)
    rows = [list(r) for r in _GOOD_ROWS]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 6))
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(cols) - 1))
        if kind == 0:
            rows[i][j] = draw(_number_text)
        elif kind == 1 and j >= 4:
            rows[i][j] = rows[i][j] + "%"
        elif kind == 2 and j >= 4:
            try:
                rows[i][j] = repr(float(rows[i][j]) * draw(st.sampled_from([0.01, 0.1, 10, 100])))
            except ValueError:
                pass
        elif kind == 3 and len(cols) > 1:
            del cols[j]
            for r in rows:
                del r[j]
        elif kind == 4:
            cols[j] = draw(st.sampled_from(_ODD_COLUMNS))
        elif kind == 5:
            cols.append(draw(st.sampled_from(["Fe3O4", "LOI", "LOI_CO2_share_pct", "max_t_per_day", "TiO2"])))
            for r in rows:
                r.append(draw(st.sampled_from(["0", "", "43", "100", "94.4", "N/A", "-1.5"])))
        else:
            rows.append(list(rows[i]))
    return cols, rows


@st.composite
def _csv_text(draw):
    cols, rows = draw(st.one_of(_table(), _near_valid_table(), _near_valid_table(), _near_valid_table()))
    delim = draw(st.sampled_from([",", ";", "\t"]))
    if delim != "," and draw(st.booleans()):  # a European export: decimal commas
        rows = [[c.replace(".", ",") if c[:1].isdigit() else c for c in r] for r in rows]
    buf = io.StringIO()
    if draw(st.booleans()):
        w = csv.writer(buf, delimiter=delim, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)
    else:  # written by hand: delimiters in cells make ragged rows
        buf.write("\n".join(delim.join(r) for r in [cols] + rows) + "\n")
    text = buf.getvalue()
    head = draw(st.lists(st.sampled_from(["Lab report 2024", "# comment", "", "Analysen;März", "#N/A"]), max_size=2))
    text = "\n".join(head + [text])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace"), [r[cols.index("name")] for r in rows if "name" in cols]


@st.composite
def _scenario(draw, names):
    charge = {n: {} for n in names if isinstance(n, str) and n.isidentifier()}
    charge.update({"coke": {"fixed_kg_per_thm": draw(st.sampled_from([350] * 8 + [0, -1, 1e308]))},
                   "pci": {"fixed_kg_per_thm": 150}})
    if draw(st.booleans()):
        charge["sinter"] = {}
    slag = draw(st.sampled_from([{}, {"B2": {"min": 1.0, "max": 1.2}}, {"B2": {"min": 1.0, "max": 1.2}},
                                 {"MgO_pct": {"min": 7}},
                                 {"B3": {"max": 1.4}, "Al2O3_pct": {"max": 16}}, {"MgO_pct": {"min": 0.07}},
                                 {"CaO_pct": 42}, {"TiO2_pct": {"max": 4.6}, "FeO_pct": {"max": 1}}]))
    hot_metal = draw(st.sampled_from([{}, {}, {}, {"Si_pct": 0.004}, {"Mn_pct": {"max": 0.6}},
                                      {"Ti_pct": {"max": 0.2}}]))
    return {"name": "fuzz", "production_t_per_day": draw(st.sampled_from([5000] * 8 + [True, 0])),
            "materials": draw(st.sampled_from([["default", "t.csv"], ["default", "t.csv"], ["t.csv"],
                                               ["t.csv", "default"]])),
            "charge": charge, "slag": slag, "hot_metal": hot_metal}


_COUNT = {"examples": 0, "loaded": 0, "solved": 0}


def _check(folder: Path, table: bytes, table_name: str, scenario: dict, solve: bool):
    _COUNT["examples"] += 1
    (folder / table_name).write_bytes(table)
    scenario = dict(scenario, materials=[table_name if m == "t.csv" else m for m in scenario["materials"]])
    (folder / "s.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True))
    try:
        scn = Scenario.from_file(folder / "s.yaml")
    except InputError as e:
        assert e.problems and all(p.message for p in e.problems)
        assert len(str(e)) < 200_000
        return
    _COUNT["loaded"] += 1
    if solve:
        try:
            res = burden.solve(scn)
        except BurdenError:
            return
        _COUNT["solved"] += 1
        assert res.status in ("optimal", "infeasible", "unbounded") or res.status


_FOLDER = Path(tempfile.mkdtemp(prefix="burden-fuzz-"))


def _csv_case(data):
    table, names = data.draw(_csv_text())
    scenario = data.draw(_scenario(names))
    _check(_FOLDER, table, "t.csv", scenario, solve=data.draw(st.integers(0, 2)) == 0)


_N = int(os.environ.get("BURDEN_FUZZ_EXAMPLES", "150"))
_FAST = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))


@settings(max_examples=_N, **_FAST)
@given(st.data())
def test_fuzz_csv_tables_only_burden_errors(data):
    _csv_case(data)


@settings(max_examples=max(_N // 5, 10), **_FAST)
@given(st.data())
def test_fuzz_excel_tables_only_burden_errors(data):
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cols, rows = data.draw(_table())
    # control characters cannot be stored in a workbook at all (openpyxl refuses them): not an input
    cols = [ILLEGAL_CHARACTERS_RE.sub("", c) for c in cols]
    rows = [[ILLEGAL_CHARACTERS_RE.sub("", v) for v in r] for r in rows]
    wb = openpyxl.Workbook()
    ws = wb.active
    if data.draw(st.booleans()):  # the table on another sheet
        ws.title = "Notes"
        ws["A1"] = "see the next sheet"
        ws = wb.create_sheet("Analyses")
    for _ in range(data.draw(st.integers(0, 2))):
        ws.append(["Burden materials"])
    ws.append(cols)
    for r in rows:
        cells = []
        for v in r:
            try:
                x = float(v)
                cells.append(x if data.draw(st.booleans()) else v)
            except ValueError:
                cells.append(v)  # "#N/A" and the like become Excel error cells
        ws.append(cells)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if data.draw(st.integers(0, 4)) == 0:
                cell.number_format = data.draw(st.sampled_from(["0%", "0.00%", '0.0"%"', "General", "0.0"]))
    buf = io.BytesIO()
    wb.save(buf)
    names = [r[cols.index("name")] for r in rows if "name" in cols]
    _check(_FOLDER, buf.getvalue(), "t.xlsx", data.draw(_scenario(names)), solve=data.draw(st.integers(0, 2)) == 0)


@pytest.mark.slow
def test_fuzz_tables_10000(capsys):
    """10,000 CSV tables with their scenarios: 0 crashes (run with -m slow; the count is printed)."""
    n = int(os.environ.get("BURDEN_FUZZ_SLOW_EXAMPLES", "10000"))
    before = dict(_COUNT)

    @settings(max_examples=n, **_FAST)
    @given(st.data())
    def run(data):
        _csv_case(data)

    run()
    ran = {k: _COUNT[k] - before[k] for k in _COUNT}
    with capsys.disabled():
        print(f"\nfuzzed material tables: {ran['examples']} examples run, {ran['loaded']} loaded, "
              f"{ran['solved']} solved, 0 crashes")
    assert ran["examples"] >= n
