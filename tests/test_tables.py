"""Material tables as plants write them (issue 11): analyses typed as fractions, a missing
column, a mistyped TFe, magnetite and LOI, '%' signs, decimal commas, ';'-separated CSV, title
rows, Excel percentage formats, the data on another sheet, and every problem of a file in one
run.  Each example is checked for its right value (read right) or for the one message that names
the file, the cell and the fix."""

import pytest
import yaml

import burden
from burden.chemistry.analysis import AnalysisError, normalise_analysis
from burden.errors import InputError
from burden.materials import load_material_table
from burden.scenario import Scenario

# a goethitic ore with a complete analysis (Fe2O3 by difference from TFe and FeO: 88.80 %;
# total 99.42 %) and a limestone: the plant's table, comma-separated with decimal points
HEADER = "name,class,price_per_t,price_basis,moisture_pct,TFe,FeO,SiO2,Al2O3,CaO,MgO,S,H2O_chem,CO2"
ORE = "ore_a,ferrous,100,dry,8,62.5,0.5,4.5,1.9,0.1,0.1,0.02,3.5,0"
ORE_B = "ore_b,ferrous,95,wet,6,60.0,0.4,6.5,2.1,0.1,0.1,0.02,4.2,0"
STONE = "stone,flux,30,dry,2,0,0,1.5,0.5,54,1,0,0,42.5"
TABLE = "\n".join([HEADER, ORE, ORE_B, STONE]) + "\n"

# atomic masses written out here (IUPAC 2021 abridged, as in burden.chemistry.elements), so the
# test's figures are an independent calculation
FE, O = 55.845, 15.999


def _load(tmp_path, text, name="t.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return load_material_table(p)


def _refused(tmp_path, text, name="t.csv"):
    with pytest.raises(InputError) as e:
        _load(tmp_path, text, name)
    return e.value


def test_the_plain_table_reads(tmp_path):
    m = _load(tmp_path, TABLE)
    assert m["ore_a"].analysis["Fe"] == 62.5
    assert m["ore_a"].analysis["Fe2O3"] == pytest.approx((62.5 - 0.5 * FE / (FE + O)) / (2 * FE / (2 * FE + 3 * O)),
                                                         rel=1e-9)
    assert m["ore_a"].total_pct == pytest.approx(99.42, abs=0.01)
    assert not m["ore_a"].warnings


# --- values typed as fractions ------------------------------------------------------------

def test_one_analysis_value_typed_as_a_fraction_names_the_cell_and_the_value_to_write(tmp_path):
    e = _refused(tmp_path, TABLE.replace(ORE, ORE.replace(",1.9,", ",0.019,")))
    assert len(e.problems) == 1
    p = e.problems[0]
    assert p.source.endswith("t.csv") and "row 2 (ore_a)" in p.field and "Al2O3" in p.field
    assert "write 1.9 for 1.9 %" in p.message


def test_a_column_typed_as_fractions_is_one_message_for_the_column(tmp_path):
    text = TABLE.replace(ORE, ORE.replace(",1.9,", ",0.019,")).replace(ORE_B, ORE_B.replace(",2.1,", ",0.021,"))
    e = _refused(tmp_path, text)
    assert [p.field for p in e.problems] == ["column 'Al2O3'"]
    assert "typed as fractions" in e.problems[0].message and "1.9 for 1.9 %" in e.problems[0].message


def test_moisture_typed_as_fractions(tmp_path):
    text = TABLE.replace("dry,8,", "dry,0.08,").replace("wet,6,", "wet,0.06,").replace("dry,2,", "dry,0.02,")
    e = _refused(tmp_path, text)
    assert [p.field for p in e.problems] == ["column 'moisture_pct'"]
    assert "write 8 for 8 %" in e.problems[0].message


def test_small_true_moistures_still_load(tmp_path):
    # a dry sinter plant: sinter 0, pellets 1.5, a CDQ coke 0.3: not fractions
    m = _load(tmp_path, TABLE.replace("dry,8,", "dry,1.5,").replace("wet,6,", "wet,0.3,").replace("dry,2,", "dry,0,"))
    assert m["ore_a"].moisture_pct == 1.5


def test_si_target_typed_as_a_fraction():
    data = yaml.safe_load(open(burden.scenario.__file__.replace("src/burden/scenario.py", "scenarios/base.yaml")))
    data["hot_metal"]["Si_pct"] = 0.004
    with pytest.raises(InputError) as e:
        Scenario.from_dict(data)
    (p,) = e.value.problems
    assert p.field == "hot_metal.Si_pct" and "write 0.4 for 0.4 %" in p.message


def test_tfe_typed_6_25_for_62_5_names_tfe_and_the_fix(tmp_path):
    e = _refused(tmp_path, TABLE.replace("ore_a,ferrous,100,dry,8,62.5", "ore_a,ferrous,100,dry,8,6.25"))
    (p,) = e.problems
    assert "TFe" in p.field and "looks mistyped for 62.5" in p.message and "correct TFe" in p.message
    assert "constituent is missing" not in p.message
    # with Fe2O3 given too (the TFe check fails, not the total): the same hint
    with pytest.raises(AnalysisError) as e2:
        normalise_analysis({"TFe": 6.25, "Fe2O3": 88.8, "FeO": 0.5, "SiO2": 4.5, "Al2O3": 1.9, "H2O_chem": 3.5})
    assert e2.value.field == "TFe" and "62.5" in str(e2.value)


def test_no_guess_when_the_total_is_off_for_another_reason():
    # CaO 29.88 for 9.88 (a digit too many): no decimal slip, so no value is guessed
    with pytest.raises(AnalysisError) as e:
        normalise_analysis({"TFe": 56.7, "FeO": 6.46, "SiO2": 5.43, "Al2O3": 1.97, "CaO": 29.88, "MgO": 1.77})
    assert e.value.field == "total" and "mistyped" not in str(e.value)


# --- magnetite and LOI --------------------------------------------------------------------

MAG_TABLE = ("name,class,price_per_t,price_basis,moisture_pct,Fe3O4,SiO2,Al2O3,CaO,MgO,C,S,ash,ash_SiO2,ash_Al2O3,"
             "ash_CaO,ash_MgO\n"
             "magnetite,ferrous,100,dry,2,94.4,2.5,0,3.1,0,0,0,0,0,0,0,0\n"
             "coke_a,coke,300,dry,4,0,0,0,0,0,87.4,0.6,12,55,35,5,5\n")


def test_magnetite_ore_fe_from_atomic_masses(tmp_path):
    m = _load(tmp_path, MAG_TABLE)["magnetite"]
    fe_share = 3 * FE / (3 * FE + 4 * O)  # 72.36 % Fe in Fe3O4
    assert fe_share == pytest.approx(0.7236, abs=5e-5)
    assert m.analysis["Fe"] == pytest.approx(94.4 * fe_share, rel=1e-12)  # 68.31 %, not 73 %
    assert m.analysis["Fe"] == pytest.approx(68.31, abs=0.005)
    # Fe3O4 = FeO.Fe2O3: the canonical FeO and Fe2O3 carry its whole mass and its Fe
    assert m.analysis["FeO"] + m.analysis["Fe2O3"] == pytest.approx(94.4, rel=1e-12)
    assert m.analysis["FeO"] * FE / (FE + O) + m.analysis["Fe2O3"] * 2 * FE / (2 * FE + 3 * O) == \
        pytest.approx(m.analysis["Fe"], rel=1e-12)
    assert m.total_pct == pytest.approx(100.0, abs=1e-9)


def test_magnetite_ore_rate_for_957_kg_fe(tmp_path):
    """1400 kg/tHM of the magnetite ore for 957 kg Fe/tHM (issue 11): all the Fe from the ore,
    all of it to the hot metal, [Fe] 95.7 %."""
    (tmp_path / "t.csv").write_text(MAG_TABLE)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({
        "name": "mag", "production_t_per_day": 5000, "materials": ["t.csv"],
        "charge": {"magnetite": {}, "coke_a": {"fixed_kg_per_thm": 450}},
        "hot_metal": {"Fe_pct": 95.7}, "distribution": {"Fe_to_hot_metal": 1.0}}))
    res = burden.solve(tmp_path / "s.yaml")
    assert res.status == "optimal"
    expected = 957.0 / (0.944 * 3 * FE / (3 * FE + 4 * O))  # 1401.0 kg/tHM
    assert res.burden.loc["magnetite", "dry_kg_per_thm"] == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(1400, abs=1.5)


def test_magnetite_with_tfe_is_checked(tmp_path):
    with pytest.raises(AnalysisError) as e:
        normalise_analysis({"TFe": 73.0, "Fe3O4": 94.4, "SiO2": 2.5, "CaO": 3.1})
    # 73 % Fe is 4.69 % more than the Fe3O4 holds: read as hematite, 6.71 % Fe2O3 on top of 100 %
    extra_fe2o3 = (73.0 - 94.4 * 3 * FE / (3 * FE + 4 * O)) / (2 * FE / (2 * FE + 3 * O))
    assert e.value.field == "total" and f"adds up to {100 + extra_fe2o3:.2f} %" in str(e.value)
    ok = normalise_analysis({"TFe": 68.3, "Fe3O4": 94.4, "SiO2": 2.5, "CaO": 3.1})
    assert ok.species["Fe"] == 68.3


LS_HEAD = "name,class,price_per_t,price_basis,moisture_pct,CaO,MgO,SiO2,Al2O3,LOI"


def test_loi_with_its_split(tmp_path):
    m = _load(tmp_path, LS_HEAD + ",LOI_CO2_share_pct\nls,flux,30,dry,2,54,1,1.5,0.5,43,100\n")
    assert m["ls"].analysis["CO2"] == 43 and m["ls"].analysis["H2O_chem"] == 0
    assert m["ls"].total_pct == pytest.approx(100.0)


def test_loi_split_into_bound_water(tmp_path):
    text = ("name,class,price_per_t,price_basis,moisture_pct,TFe,SiO2,Al2O3,CaO,MgO,LOI,LOI_CO2_share_pct\n"
            "goethitic,ferrous,90,dry,8,57.5,5.0,2.5,0.1,0.1,10.0,0\n")
    m = _load(tmp_path, text)["goethitic"]
    assert m.analysis["H2O_chem"] == 10.0 and m.analysis["CO2"] == 0
    assert m.total_pct == pytest.approx(57.5 / (2 * FE / (2 * FE + 3 * O)) + 5.0 + 2.5 + 0.2 + 10.0, rel=1e-9)


def test_loi_without_a_split_says_how_to_state_it(tmp_path):
    e = _refused(tmp_path, LS_HEAD + "\nls,flux,30,dry,2,54,1,1.5,0.5,43\n")
    (p,) = e.problems
    assert "LOI" in p.field and "LOI_CO2_share_pct" in p.message and "limestone" in p.message


def test_loi_beside_co2_is_a_check():
    ok = normalise_analysis({"CaO": 54, "MgO": 1, "SiO2": 1.5, "Al2O3": 0.5, "CO2": 42.8, "LOI": 43})
    assert ok.species["CO2"] == 42.8 and ok.total_pct == pytest.approx(99.8)  # the LOI is not counted twice
    with pytest.raises(AnalysisError) as e:
        normalise_analysis({"CaO": 54, "MgO": 1, "SiO2": 1.5, "Al2O3": 0.5, "CO2": 38, "LOI": 43})
    assert e.value.field == "LOI"


def test_negative_loi_is_a_gain_on_ignition():
    with pytest.raises(AnalysisError) as e:
        normalise_analysis({"Fe3O4": 94.4, "SiO2": 2.5, "CaO": 3.1, "LOI": -1.5})
    assert e.value.field == "LOI" and "gain on ignition" in str(e.value)


# --- column names: chemically right hints ----------------------------------------------------

@pytest.mark.parametrize("written, fix, not_said", [
    ("H2O", "moisture_pct", "K2O"),
    ("cao", "'CaO'", "did you mean"),
    ("SIO2", "'SiO2'", "did you mean"),
    ("SiO2 %", "'SiO2'", "did you mean"),
    ("Al2O3_pct", "'Al2O3'", "did you mean"),
    ("Fe", "TFe", "FeO"),
    ("Fe_total", "TFe", "did you mean"),
    ("Moisture", "moisture_pct", "K2O"),
    ("ZnS", "not a species", "ZnO"),
])
def test_unknown_column_hints_are_chemically_right(tmp_path, written, fix, not_said):
    e = _refused(tmp_path, TABLE.replace(",MgO,", f",{written},", 1))
    (p,) = [p for p in e.problems if written in p.field]
    assert fix in p.message and not_said not in p.message
    assert len(e.problems) == 1  # no misleading total error from the unread column


# --- how cells and files are written --------------------------------------------------------

def test_percent_signs_in_analysis_and_moisture_cells(tmp_path):
    m = _load(tmp_path, TABLE.replace("dry,8,62.5,", "dry,8%,62.5%,"))
    assert m["ore_a"].analysis["Fe"] == 62.5 and m["ore_a"].moisture_pct == 8


def test_percent_sign_in_a_price_is_refused(tmp_path):
    e = _refused(tmp_path, TABLE.replace("ore_a,ferrous,100,", "ore_a,ferrous,75%,"))
    (p,) = e.problems
    assert "price_per_t" in p.field and "without '%'" in p.message


def _european(text):
    return text.replace(",", ";").replace(".", ",")


def test_semicolon_csv_with_decimal_commas(tmp_path):
    m = _load(tmp_path, _european(TABLE))
    ref = _load(tmp_path, TABLE, name="ref.csv")
    for k in ref:
        assert m[k].analysis == ref[k].analysis and m[k].moisture_pct == ref[k].moisture_pct


def test_a_thousands_separator_in_a_decimal_comma_file_is_refused_not_read_as_a_decimal(tmp_path):
    """European Excel writes 1.200 for twelve hundred beside decimal commas: '1.200' must not be
    read as 1.2 (a price 1000x too low); the cell is named with the number to write. A plain
    decimal point (0,019 vs 0.019) stays as it was."""
    text = _european(TABLE).replace("ore_a;ferrous;100;", "ore_a;ferrous;1.200;")
    e = _refused(tmp_path, text)
    (p,) = e.problems
    assert "price_per_t" in p.field and "1200" in p.message and "thousands" in p.message
    m = _load(tmp_path, _european(TABLE).replace("ore_b;ferrous;95;", "ore_b;ferrous;95.5;"), name="ok.csv")
    assert m["ore_b"].price_per_t == 95.5


def test_semicolon_csv_in_windows_1252_with_a_title_row(tmp_path):
    text = "Analysen März 2024;;;\n" + _european(TABLE).replace("stone;flux", "stone;flux").rstrip("\n") + "\n"
    text = text.replace(HEADER.replace(",", ";"), HEADER.replace(",", ";") + ";description")
    text = text.replace(_european(STONE), _european(STONE) + ";Kalkstein gebrochen, körnig")
    m = _load(tmp_path, text, encoding="cp1252")
    assert m["ore_a"].analysis["Fe"] == 62.5 and m["stone"].description == "Kalkstein gebrochen, körnig"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_excel_unicode_text_export_utf16_tab_separated(tmp_path, encoding):
    """Excel's "Unicode Text" export (UTF-16 with a byte-order mark, tab-separated) reads as the
    same table as the UTF-8 CSV (it was refused as "not a text file")."""
    text = "Lab report März\n" + TABLE.replace(",", "\t")
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    p = tmp_path / "t.txt.csv"
    p.write_bytes(raw)
    m = load_material_table(p)
    ref = _load(tmp_path, TABLE, name="ref.csv")
    assert set(m) == set(ref)
    for k in ref:
        assert m[k].analysis == ref[k].analysis and m[k].price_per_t == ref[k].price_per_t


def test_a_units_row_under_the_header_is_named_with_the_fix_and_the_rows_keep_their_numbers(tmp_path):
    """Plants put units under the header (USD/t, %, wt%): one problem for the row with what to
    do, and the problems of the material rows still name their own row numbers."""
    lines = TABLE.splitlines()
    units = ",".join("" if c in ("name", "class", "price_basis") else ("USD/t" if c == "price_per_t" else "%")
                     for c in lines[0].split(","))
    e = _refused(tmp_path, "\n".join([lines[0], units] + lines[1:]).replace(
        "ore_a,ferrous,100,dry,8,62.5", "ore_a,ferrous,100,dry,8,0.625") + "\n")
    msgs = [str(p) for p in e.problems]
    assert any("row 2: looks like a units row (USD/t, %)" in m and "delete the row" in m for m in msgs), msgs
    assert any("row 3 (ore_a)" in m for m in msgs), msgs     # the first material row is file row 3
    # a first row that is a material is read as one
    assert _load(tmp_path, TABLE)["ore_a"].analysis["Fe"] == 62.5


def test_tab_separated_and_title_rows(tmp_path):
    m = _load(tmp_path, "Lab report\nplant 2\n\n" + TABLE.replace(",", "\t"))
    assert m["ore_b"].analysis["Fe"] == 60.0


def test_decimal_comma_in_a_comma_separated_file(tmp_path):
    e = _refused(tmp_path, TABLE.replace("ore_a,ferrous,100,dry,8,62.5", 'ore_a,ferrous,100,dry,8,"62,5"'))
    (p,) = e.problems
    assert "TFe" in p.field and "write 62.5" in p.message
    e = _refused(tmp_path, TABLE.replace("ore_a,ferrous,100,dry,8,62.5", "ore_a,ferrous,100,dry,8,62,5"))
    (p,) = e.problems
    assert p.field == "row 2" and "decimal comma" in p.message and "';'" in p.message


def _xlsx(tmp_path, sheets, name="t.xlsx"):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, formats in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        for (row, col), fmt in formats.items():
            ws.cell(row=row, column=col).number_format = fmt
    p = tmp_path / name
    wb.save(p)
    return p


def _rows(text):
    out = []
    for line in text.strip().splitlines():
        out.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in line.split(",")])
    return out


def test_excel_percentage_cells_read_as_percent_on_any_sheet_below_a_title(tmp_path):
    rows = [["Burden materials, lab of 2024-03"], []] + _rows(TABLE)
    rows[3][4] = 0.08  # moisture 8 % typed in a cell formatted 0%
    rows[3][5] = 0.625  # TFe 62.5 % formatted 0.0%
    formats = {(4, 5): "0%", (4, 6): "0.0%", (5, 6): '0.0"%"'}  # a literal "%" shows the number as it is
    p = _xlsx(tmp_path, [("Notes", [["read me"]], {}), ("Analyses", rows, formats)])
    m = load_material_table(p)
    assert m["ore_a"].moisture_pct == 8 and m["ore_a"].analysis["Fe"] == 62.5
    assert m["ore_b"].analysis["Fe"] == 60.0


def test_an_excel_price_shown_as_a_percentage_is_refused(tmp_path):
    """A price cell 1.2 formatted 0% shows "120%": not read as a price of 1.2; refused naming the
    cell, as a '%' in a CSV price is."""
    rows = _rows(TABLE)
    rows[1][2] = 1.2
    p = _xlsx(tmp_path, [("materials", rows, {(2, 3): "0%"})])
    with pytest.raises(InputError) as e:
        load_material_table(p)
    (pr,) = e.value.problems
    assert "price_per_t" in pr.field and "120%" in pr.message and "without '%'" in pr.message


def test_excel_without_a_header_names_the_sheets(tmp_path):
    p = _xlsx(tmp_path, [("Notes", [["read me"]], {}), ("Sheet2", [[1, 2, 3]], {})])
    with pytest.raises(InputError) as e:
        load_material_table(p)
    assert "Notes, Sheet2" in str(e.value) and "'name'" in str(e.value)
    with pytest.raises(InputError) as e:
        load_material_table(p, sheet="materials")
    assert "no such sheet" in str(e.value)


# --- missing columns ----------------------------------------------------------------------

NO_MGO = TABLE.replace(",MgO,", ",").replace(",0.1,0.1,0.02,", ",0.1,0.02,").replace(",54,1,", ",54,")


def _scenario(tmp_path, table, **extra):
    (tmp_path / "t.csv").write_text(table)
    data = {"name": "t", "production_t_per_day": 5000, "materials": ["t.csv"],
            "charge": {"ore_a": {}, "ore_b": {}, "stone": {}}, **extra}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    return tmp_path / "s.yaml"


def test_a_missing_column_is_a_warning_naming_it(tmp_path):
    scn = Scenario.from_file(_scenario(tmp_path, NO_MGO))
    assert [w for w in scn.warnings if "no MgO column" in w and "t.csv" in w]
    assert len([w for w in scn.warnings if "no MgO column" in w]) == 1  # once per table


def test_a_limit_on_a_species_no_table_provides_is_an_error(tmp_path):
    with pytest.raises(InputError) as e:
        Scenario.from_file(_scenario(tmp_path, NO_MGO, slag={"MgO_pct": {"min": 7}, "B3": {"max": 1.5}}))
    fields = sorted(p.field for p in e.value.problems)
    assert fields == ["slag.B3", "slag.MgO_pct"]
    assert all("MgO column" in p.message for p in e.value.problems)


# --- every problem of a file in one run -----------------------------------------------------

def test_every_problem_of_a_file_at_once(tmp_path):
    table = (TABLE.replace(",MgO,", ",MgOO,")                                   # unknown column
             .replace("ore_b,ferrous,95,", "ore_b,ferrous,N/A,")                # bad cell
             .replace("stone,flux,30,dry,2,", "stone,flux,30,dry,-2,"))         # negative moisture
    p = _scenario(tmp_path, table, production_t_per_day="yes", slag={"B2": {"min": 1.3, "max": 1.1}})
    data = yaml.safe_load(p.read_text())
    data["production_t_per_day"] = True
    data["charge"]["cokee"] = {}
    p.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as e:
        Scenario.from_file(p)
    fields = [pr.field for pr in e.value.problems]
    assert "production_t_per_day" in fields and "slag.B2" in fields          # schema
    assert "column 'MgOO'" in fields                                          # columns
    assert any("ore_b" in f and "price_per_t" in f for f in fields)           # cells
    assert any("stone" in f and "moisture_pct" in f for f in fields)
    assert "charge.cokee" in fields                                           # names
    assert not any(f in ("charge.ore_b", "charge.stone") for f in fields)     # not called unknown


def test_an_xls_workbook_is_refused_with_the_way_to_convert_it(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)   # the OLE2 signature of Excel 97-2003
    with pytest.raises(InputError) as e:
        load_material_table(p)
    (pr,) = e.value.problems
    assert "Save As" in pr.message and ".xlsx" in pr.message
