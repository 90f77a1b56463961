"""Excel workbook and JSON of a report: one sheet (one JSON entry) per table, same numbers."""

from __future__ import annotations

import io
import json


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
        "meta": {k: clean(v) if not isinstance(v, list) else [clean(x) for x in v] for k, v in rep.meta.items()},
        "options": {"charges_per_day": rep.options.charges_per_day, "coke_batch_wet_t": rep.options.coke_batch_wet_t,
                    "ore_layer_materials": list(rep.options.ore_layer_materials),
                    "slag_temperature_c": rep.options.slag_temperature_c},
        "tables": {name: {"title": t.title, "columns": [str(c) for c in t.df.columns],
                          "data": [[clean(v) for v in row] for row in t.df.itertuples(index=False, name=None)],
                          "note": t.note}
                   for name, t in rep.tables().items()},
        "figures": list(rep.figures()),
    }


def render_json(rep: Report) -> str:
    """Deterministic JSON text of :func:`report_dict` (no timestamps; exact float round trip)."""
    return json.dumps(report_dict(rep), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def render_xlsx(rep: Report) -> bytes:
    """The report's tables as an Excel workbook: one sheet per table (sheet name = table name)."""
    import pandas as pd

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, t in rep.tables().items():
            t.df.to_excel(xw, sheet_name=name[:31], index=False)
            ws = xw.sheets[name[:31]]
            for i, row in enumerate(t.df.itertuples(index=False, name=None)):
                for j, v in enumerate(row):
                    if isinstance(v, str) and v.startswith("="):  # text such as "==", not a formula
                        ws.cell(row=i + 2, column=j + 1).data_type = "s"
            for j, c in enumerate(t.df.columns):
                letter = ws.cell(row=1, column=j + 1).column_letter
                ws.column_dimensions[letter].width = max(10, min(40, len(str(c)) + 2))
            ws.freeze_panes = "B2"
    return buf.getvalue()
