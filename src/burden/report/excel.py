"""Excel workbook and JSON of a report: one sheet (one JSON entry) per table, same numbers."""

from __future__ import annotations

import io
import json
import math

import numpy as np


from .content import Report


from ..output import json_value as clean  # noqa: E402  (one JSON cleaner for results and reports)


def report_dict(rep: Report) -> dict:
    """The report as plain data: metadata and each table as ``{"title", "columns", "data", "note"}``."""
    from .. import __version__

    return {
        "format": "burden-report",
        "format_version": 1,
        "burden_version": __version__,
        "title": rep.title,
        "meta": {k: clean(v) if not isinstance(v, list) else [clean(x) for x in v] for k, v in rep.meta.items()
                 if k != "run"},
        "options": {"charges_per_day": rep.options.charges_per_day, "coke_batch_wet_t": rep.options.coke_batch_wet_t,
                    "ore_layer_materials": list(rep.options.ore_layer_materials),
                    "slag_temperature_c": rep.options.slag_temperature_c},
        "tables": {name: {"title": t.title, "columns": [str(c) for c in t.df.columns],
                          "data": [[clean(v) for v in row] for row in t.df.itertuples(index=False, name=None)],
                          "note": t.note}
                   for name, t in rep.tables().items()},
        "figures": list(rep.figures()),
        "run": rep.meta.get("run"),
    }


def render_json(rep: Report) -> str:
    """Deterministic JSON text of :func:`report_dict` (the run time is SOURCE_DATE_EPOCH when set; exact float round trip)."""
    return json.dumps(report_dict(rep), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


#: Sheets of the workbook that are not report tables.
NOTES_SHEET, CHARTS_SHEET = "notes", "charts"
_PINK, _HEAD = "FDE2E1", "F1ECE8"


def _zip_fixed_dates(data: bytes, when, replace: dict[str, bytes] | None = None) -> bytes:
    """The same zip archive with every member dated ``when`` (openpyxl dates them with the clock)
    and the members in ``replace`` replaced, so equal content gives equal bytes."""
    import zipfile

    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, (replace or {}).get(info.filename) or src.read(info.filename))
    return out.getvalue()


def _limit_use(t) -> list[tuple[str, float, bool]]:
    """(quantity, use of the limit in %, binding) for the limits chart: value/max for an upper
    limit, min/value for a lower one (100 % = at the limit); fixed rates and zero values left out."""
    df = t.df
    out = []
    for _, r in df.iterrows():
        v, lo, hi = (float(r[c]) if r[c] is not None else math.nan
                     for c in ("value [see unit]", "min [see unit]", "max [see unit]"))
        if not math.isfinite(v) or (math.isfinite(lo) and lo == hi):
            continue
        uses = []
        if math.isfinite(hi) and hi > 0 and v >= 0:
            uses.append(100.0 * v / hi)
        if math.isfinite(lo) and lo > 0 and v > 0:
            uses.append(100.0 * lo / v)
        if uses:
            out.append((f"{r['quantity']} [{r['unit']}]", max(uses), bool(r["binding"])))
    return out


def render_xlsx(rep: Report) -> bytes:
    """The report as a plant workbook (openpyxl), deterministic for equal inputs and run time.

    One sheet per table (sheet name = table name, header in row 1 so that
    ``pandas.read_excel`` reads the numbers of the JSON back): number formats with
    the decimals of each unit (:mod:`burden.report.style`), column widths, frozen
    header and label column, binding rows shaded; infinite bounds as empty cells
    (with a cell comment); a ``charts`` sheet with native Excel charts (burden
    composition, cost per material, use of each limit) and a ``notes`` sheet with
    the run metadata, units, the sign convention of shadow prices and each
    table's note.  Document properties created/modified = the run time
    (``SOURCE_DATE_EPOCH`` when set).
    """
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .. import __version__
    from ..provenance import run_datetime, run_time
    from .style import excel_format, fmt_value, is_number

    run = rep.meta.get("run")
    when = run_datetime(run) if run else run_time()
    wb = Workbook()
    wb.remove(wb.active)
    naive = when.replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.creator = f"burden {__version__}"
    wb.properties.lastModifiedBy = f"burden {__version__}"
    wb.properties.title = rep.title
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor=_HEAD)
    pink = PatternFill("solid", fgColor=_PINK)
    wrap = Alignment(wrap_text=True, vertical="bottom")
    infinite_cells = 0
    sheets = {}
    for name, t in rep.tables().items():
        ws = wb.create_sheet(name[:31])
        sheets[name] = ws
        cols = [str(c) for c in t.df.columns]
        units = t.units()
        for j, c in enumerate(cols, 1):
            cell = ws.cell(row=1, column=j, value=c)
            cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
        widths = [max([len(w) for w in c.split()] + [6]) for c in cols]
        for i, row in enumerate(t.df.itertuples(index=False, name=None)):
            hl = t.highlight is not None and t.highlight[i]
            for j, v in enumerate(row):
                cell = ws.cell(row=i + 2, column=j + 1)
                if is_number(v):
                    x = float(v) if isinstance(v, (float, np.floating)) else int(v)
                    if isinstance(x, float) and math.isnan(x):
                        x = None
                    elif isinstance(x, float) and math.isinf(x):
                        cell.comment = Comment(f"{'+' if x > 0 else '-'}infinite: no limit on this side", "burden")
                        infinite_cells += 1
                        x = None
                    cell.value = x
                    if x is not None:
                        cell.number_format = excel_format(x, units[i][j], t.currency)
                        widths[j] = max(widths[j], len(fmt_value(x, units[i][j], t.currency)) + 1)
                elif isinstance(v, (bool, np.bool_)):
                    cell.value = bool(v)
                elif v is None:
                    pass
                else:
                    cell.value = str(v)
                    if cell.value.startswith("="):  # text such as "==", not a formula
                        cell.data_type = "s"
                    widths[j] = max(widths[j], min(len(cell.value), 60))
                if hl:
                    cell.fill = pink
        for j, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 62 if j == 1 else 40)
        ws.row_dimensions[1].height = 30 if max(len(c) for c in cols) > 14 else 15
        ws.freeze_panes = "B2"
        if len(t.df):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(t.df) + 1}"

    # ---------------------------------------------------------------- charts
    ch = wb.create_sheet(CHARTS_SHEET)
    ch["A1"] = "Charts (native Excel charts of the report's tables; data on the sheets named in each title)"
    ch["A1"].font = bold
    anchor_row = 3
    tabs = rep.tables()
    cur = rep.meta.get("currency", "")

    def bar(title, x_title, y_title, horizontal=True):
        c = BarChart()
        c.type = "bar" if horizontal else "col"
        c.title, c.x_axis.title, c.y_axis.title = title, x_title, y_title
        c.legend = None
        c.height, c.width = 9, 18
        # openpyxl hides axes unless told (delete=True by default in recent versions)
        c.x_axis.delete = False
        c.y_axis.delete = False
        return c

    if "burden" in sheets:
        ws, df = sheets["burden"], tabs["burden"].df
        n = len(df) - 1  # without the total row
        col = list(df.columns).index("dry [kg/tHM]") + 1
        c = bar("Burden composition, dry [kg/tHM] (sheet burden)", "material", "dry rate [kg/tHM]")
        c.add_data(Reference(ws, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True)
        c.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        ch.add_chart(c, f"A{anchor_row}")
        cost_col = next(i for i, k in enumerate(df.columns, 1) if str(k).startswith("cost ["))
        c = bar(f"Cost per material [{cur}/tHM] (sheet burden)", "material", f"cost [{cur}/tHM]")
        c.add_data(Reference(ws, min_col=cost_col, min_row=1, max_row=n + 1), titles_from_data=True)
        c.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        ch.add_chart(c, f"L{anchor_row}")
        anchor_row += 20
    if "limits" in tabs:
        use = _limit_use(tabs["limits"])
        if use:
            r0 = anchor_row
            ch.cell(row=r0, column=1, value="limit [unit]").font = bold
            ch.cell(row=r0, column=2, value="use of the limit [%]").font = bold
            ch.cell(row=r0, column=3, value="binding").font = bold
            for k, (q, u, b) in enumerate(use, 1):
                ch.cell(row=r0 + k, column=1, value=q)
                ch.cell(row=r0 + k, column=2, value=float(f"{u:.15g}")).number_format = "0.0"
                ch.cell(row=r0 + k, column=3, value=b)
            ch.column_dimensions["A"].width = 42
            ch.column_dimensions["B"].width = 14
            c = bar("Use of each limit [%] (100 % = at the limit; sheet limits)", "limit", "use of the limit [%]")
            c.add_data(Reference(ch, min_col=2, min_row=r0, max_row=r0 + len(use)), titles_from_data=True)
            c.set_categories(Reference(ch, min_col=1, min_row=r0 + 1, max_row=r0 + len(use)))
            c.height = max(9, 0.5 * len(use) + 3)
            ch.add_chart(c, f"E{r0}")
            anchor_row = r0 + max(len(use), int(c.height * 2)) + 3
    if "costs" in sheets:
        ws, df = sheets["costs"], tabs["costs"].df
        c = bar(f"Cost by material class [{cur}/tHM] (sheet costs)", "class", f"cost [{cur}/tHM]", horizontal=False)
        c.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(df) + 1), titles_from_data=True)
        c.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(df) + 1))
        ch.add_chart(c, f"A{anchor_row}")

    # ----------------------------------------------------------------- notes
    nt = wb.create_sheet(NOTES_SHEET)
    lines: list[tuple[str, str]] = [(rep.title, ""), ("status", str(rep.meta.get("status", "")))]
    if rep.meta.get("explanation"):
        lines.append(("why", rep.meta["explanation"]))
    if run:
        from ..provenance import metadata_rows

        lines += [("Run", "")] + metadata_rows(run)
    lines += [
        ("", ""), ("Units and conventions", ""),
        ("units", "Each column name carries its unit in brackets; [see unit] means the unit column of the row. "
                  "kg/tHM: kilograms per tonne of hot metal; dry rates unless marked wet; wt %: mass percent."),
        ("decimals", "Cells hold the full value; the number format shows the decimals of the unit "
                     "(kg/tHM 1, wt % 3, currency 2, ratios 3)."),
        ("shadow prices", f"Shadow price = change of the burden cost ({cur}/tHM) per unit the limit moves up. "
                          "Negative: raising the limit saves money (a binding upper limit); positive: raising it "
                          "costs money (a binding lower limit). Zero when the limit is not binding."),
        ("infinite values", f"An infinite bound (no limit on that side) is an empty cell with a comment "
                            f"({infinite_cells} such cells); no cell holds the text inf."),
        ("binding rows", "Rows shaded pink are at a limit (binding)."),
        ("", ""), ("Sheets", ""),
    ]
    for name, t in rep.tables().items():
        lines.append((name[:31], t.title + (f". {t.note}" if t.note else "")))
    lines.append((CHARTS_SHEET, "Native Excel charts: burden composition, cost per material, use of each limit, "
                                "cost by class."))
    for i, (a, b) in enumerate(lines, 1):
        nt.cell(row=i, column=1, value=a)
        nt.cell(row=i, column=2, value=b).alignment = Alignment(wrap_text=True, vertical="top")
        if a and not b:
            nt.cell(row=i, column=1).font = bold
    nt.column_dimensions["A"].width = 40
    nt.column_dimensions["B"].width = 110
    wb.move_sheet(NOTES_SHEET, offset=-len(wb.sheetnames) + 1)  # first: what the workbook is
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps "modified" with the clock while saving: put the run time back
    from openpyxl.xml.functions import tostring

    wb.properties.modified = naive
    core = tostring(wb.properties.to_tree())
    return _zip_fixed_dates(buf.getvalue(), when, {"docProps/core.xml": core})
