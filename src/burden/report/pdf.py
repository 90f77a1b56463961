"""PDF of a report with fpdf2 (pure Python wheels; no browser, no system library).

The same content as the HTML: every section, table (wide tables split into
column blocks that repeat the label column) and figure (PNG of the same
matplotlib figure). Text uses the DejaVu Sans font shipped with matplotlib, so
units and symbols print and the PDF's text can be extracted.
"""

from __future__ import annotations

import io
from pathlib import Path

from .content import Figure, Report, Table
from .html import _is_num, fmt

MAX_COLS = 13
#: Narrowest column, mm: room for the widest glyph at the table font size plus the padding.
MIN_COL_MM = 9.0
PINK = (253, 226, 225)
HEAD = (241, 236, 232)


def _fonts():
    import matplotlib

    d = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"


def _blocks(cols: list[str], max_cols: int = MAX_COLS) -> list[list[int]]:
    """Column index blocks of at most ``max_cols``, each starting with the label column 0."""
    if len(cols) <= max_cols:
        return [list(range(len(cols)))]
    rest = list(range(1, len(cols)))
    n = max(max_cols - 1, 1)
    return [[0] + rest[i:i + n] for i in range(0, len(rest), n)]


def _widths(want: list[float], page_width: float) -> list[float]:
    """Column widths, mm, from the wanted widths in characters: in proportion (at most 2.6 mm a
    character), each at least MIN_COL_MM, together never wider than ``page_width`` (fpdf refuses a
    table a hair wider than the page, which round-off alone can make)."""
    scale = min(page_width / sum(want), 2.6)
    w = [max(x * scale, MIN_COL_MM) for x in want]
    excess = sum(w) - page_width
    if excess > 0:  # the minimum widened some columns: take it back from the wider ones
        flex = sum(x - MIN_COL_MM for x in w)
        w = [x - (x - MIN_COL_MM) * min(excess / flex, 1.0) for x in w] if flex > 0 else w
    total = sum(w)
    if total > page_width * (1 - 1e-6):
        w = [x * page_width * (1 - 1e-6) / total for x in w]
    return w


def _table(pdf, t: Table) -> None:
    from fpdf.fonts import FontFace

    cols = [str(c) for c in t.df.columns]
    units = t.units()
    rows = [[fmt(v, units[i][j], t.currency) for j, v in enumerate(r)]
            for i, r in enumerate(t.df.itertuples(index=False, name=None))]
    num = [[_is_num(v) for v in r] for r in t.df.itertuples(index=False, name=None)]
    if pdf.get_y() + 5 + 3.6 * min(len(rows) + 2, 8) > pdf.h - pdf.b_margin:
        pdf.add_page()  # keep a title with the first rows of its table
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.multi_cell(0, 5, t.title, new_x="LMARGIN", new_y="NEXT")
    for bi, block in enumerate(_blocks(cols, min(MAX_COLS, int(pdf.epw // MIN_COL_MM)))):
        if bi:
            pdf.set_font("DejaVu", "", 7)
            pdf.multi_cell(0, 4, f"{t.title} (continued)", new_x="LMARGIN", new_y="NEXT")
        lens = [max([len(w) for w in cols[j].split()] + [len(r[j]) for r in rows] + [4]) for j in block]
        want = [min(max(x, 5), 34) for x in lens]
        widths = _widths(want, pdf.epw)
        pdf.set_font("DejaVu", "", 6.8)
        with pdf.table(width=min(sum(widths), pdf.epw), col_widths=widths, align="LEFT", line_height=3.4,
                       headings_style=FontFace(emphasis="BOLD", fill_color=HEAD), text_align="LEFT",
                       padding=0.6) as table:
            head = table.row()
            for j in block:
                head.cell(cols[j])
            for i, r in enumerate(rows):
                hl = t.highlight is not None and t.highlight[i]
                row = table.row()
                for j in block:
                    row.cell(r[j], align="RIGHT" if num[i][j] else "LEFT",
                             style=FontFace(fill_color=PINK) if hl else None)
        pdf.ln(1)
    if t.note:
        pdf.set_font("DejaVu", "", 6.8)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 3.4, t.note, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def _figure(pdf, f: Figure) -> None:
    if f.png is None:
        return
    from PIL import Image

    img = Image.open(io.BytesIO(f.png))
    w_px, h_px = img.size
    w = pdf.epw if f.wide else min(pdf.epw * 0.75, w_px / 150 * 25.4)
    h = w * h_px / w_px
    if h > pdf.eph * 0.95:
        h = pdf.eph * 0.95
        w = h * w_px / h_px
    if pdf.get_y() + h + 8 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(f.png), w=w, h=h)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 3.5, f.title + (f": {f.caption}" if f.caption else ""), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def render_pdf(rep: Report) -> bytes:
    """The report as PDF bytes (A4 landscape)."""
    from fpdf import FPDF

    from .. import __version__

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    reg, bold = _fonts()
    pdf.add_font("DejaVu", "", str(reg))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_title(rep.title)
    pdf.set_creator(f"burden {__version__}")
    run = rep.meta.get("run")
    if run:  # the run time (SOURCE_DATE_EPOCH when set): equal inputs give equal bytes
        from ..provenance import run_datetime

        pdf.set_creation_date(run_datetime(run))
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    m = rep.meta
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, rep.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    line = f"{m['description']}\nFile: {m['source']} · status: {m['status']}"
    if m["objective_per_thm"] is not None:
        line += f" · cost {fmt(m['objective_per_thm'], 'CUR/tHM')} {m['currency']}/tHM"
    line += f" · production {fmt(m['production_t_per_day'], 't/day')} t/day"
    if run:
        line += f"\nRun {run['run_utc']} UTC · burden {__version__} · input hash {str(run.get('input_hash'))[:12]}"
    pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if m["explanation"]:
        pdf.set_font("DejaVu", "", 8)
        pdf.set_fill_color(255, 244, 229)
        pdf.multi_cell(0, 4, m["explanation"], fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for w in m["warnings"]:
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 4, f"warning: {w}", new_x="LMARGIN", new_y="NEXT")
    for s in rep.sections:
        if pdf.get_y() > pdf.h * 0.7:
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 13)
        pdf.set_draw_color(140, 86, 75)
        pdf.multi_cell(0, 7, s.title, border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        if s.intro:
            pdf.set_font("DejaVu", "", 7.5)
            pdf.multi_cell(0, 3.8, s.intro, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        for it in s.items:
            if isinstance(it, Table):
                _table(pdf, it)
            else:
                _figure(pdf, it)
    return bytes(pdf.output())
