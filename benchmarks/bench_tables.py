"""Material-table loading time, as a ratio against reading the same file with pandas.

    python benchmarks/bench_tables.py

A 2,000-row table (14 columns, complete analyses) is written as a plain comma CSV, as a
European ';' CSV with decimal commas and '%' signs, and as an Excel workbook with a title row and
percentage-formatted cells.  Each is loaded with ``burden.load_material_table`` (reading, every
cell check, the analysis normalisation of each row) and compared, in the same process and
interleaved, with the reference ``pandas.read_csv`` of the plain CSV (parsing only): the ratio
says what the checks and the plant formats cost beyond parsing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _timing import median_times

N_ROWS = 2000
HEADER = "name,class,price_per_t,price_basis,moisture_pct,TFe,FeO,SiO2,Al2O3,CaO,MgO,S,H2O_chem,CO2"


def _rows():
    return [f"ore_{i},ferrous,{100 + i % 7},dry,8,62.5,0.5,4.5,1.9,0.1,0.1,0.02,3.5,0".split(",")
            for i in range(N_ROWS)]


def main() -> None:
    import openpyxl
    import pandas as pd

    from burden.materials import load_material_table

    d = Path(tempfile.mkdtemp(prefix="burden-bench-tables-"))
    plain = d / "plain.csv"
    plain.write_text("\n".join([HEADER] + [",".join(r) for r in _rows()]) + "\n")
    euro = d / "euro.csv"
    euro.write_text("Analysen 2024;;\n" + "\n".join(
        [HEADER.replace(",", ";")] + [";".join(c.replace(".", ",") + ("%" if j == 5 else "") for j, c in enumerate(r))
                                      for r in _rows()]) + "\n", encoding="cp1252")
    xlsx = d / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Burden materials"])
    ws.append(HEADER.split(","))
    for r in _rows():
        ws.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in r])
    for row in ws.iter_rows(min_row=3, min_col=5, max_col=5):
        row[0].value = row[0].value / 100.0
        row[0].number_format = "0%"
    wb.save(xlsx)

    fns = [lambda: pd.read_csv(plain), lambda: load_material_table(plain), lambda: load_material_table(euro),
           lambda: load_material_table(xlsx)]
    for fn in fns:  # warm up (imports, the default library)
        fn()
    ref, t_plain, t_euro, t_xlsx = median_times(fns, 5)
    print(f"{N_ROWS:,} rows | time | ratio to pandas.read_csv\n---|---|---")
    print(f"pandas.read_csv (reference, parsing only) | {ref * 1e3:.1f} ms | 1.00")
    for name, t in (("plain CSV", t_plain), ("';' CSV, decimal commas, %, title row", t_euro),
                    ("Excel, title row, percentage cells", t_xlsx)):
        print(f"load_material_table, {name} | {t * 1e3:.1f} ms | {t / ref:.1f}")


if __name__ == "__main__":
    main()
