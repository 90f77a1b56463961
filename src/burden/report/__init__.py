"""Reports of a burden Result: HTML, PDF, Excel and JSON with plots; scenario comparison.

The report consumes a :class:`~burden.result.Result` and never solves.

>>> import burden
>>> from burden.report import write_report, ReportOptions
>>> res = burden.solve("scenarios/base.yaml")                       # doctest: +SKIP
>>> write_report(res, "out", ReportOptions(formats=("html", "json")))  # doctest: +SKIP
PosixPath('out/base/report')

Files written to ``OUT/<scenario>/report/`` (all or nothing):
``report.html`` (self-contained), ``report.pdf``, ``report.xlsx`` (a plant
workbook: notes, a sheet per table, native charts), ``report.json`` and
``plots/<name>.svg``. Formats written one after the other stand side by side
(:func:`keep_other_formats`). Every format carries the run metadata of
:mod:`burden.provenance`; with ``SOURCE_DATE_EPOCH`` set, equal inputs give
byte-identical files. Numbers follow one formatting table
(:mod:`burden.report.style`); another module adds a section with
:meth:`Report.add_section`.

Charge-sheet settings are report options (:class:`ReportOptions`): the number
of charges per day (default 120) or a fixed coke batch (wet t per charge);
the ore batch then follows from the wet ore/coke ratio of the burden.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .content import ReportOptions

_CONTENT = ("FORMATS", "Report", "ReportOptions", "Table", "build_report")


def __getattr__(name: str):
    # the report content (pandas tables, plots) is imported when first used, so that
    # ``burden solve`` (which reads only the formatting table, report.style) stays light
    if name in _CONTENT:
        from . import content

        return getattr(content, name)
    raise AttributeError(f"module 'burden.report' has no attribute {name!r}")

__all__ = ["FORMATS", "Report", "ReportOptions", "Table", "build_report", "render_report", "write_files",
           "write_report", "report_folder", "parse_formats", "keep_other_formats"]


def parse_formats(text: str | None, source: str = "command line") -> tuple[str, ...]:
    """``"html,pdf"`` -> ``("html", "pdf")``; unknown names raise InputError naming ``--format``."""
    from .content import FORMATS, ReportOptions

    if not text:
        return FORMATS
    fmts = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()))
    fmts = tuple("xlsx" if f in ("excel", "xls") else f for f in fmts)
    ReportOptions(formats=fmts).validate(source)
    return fmts


def render_report(result, options: ReportOptions | None = None) -> dict[str, bytes]:
    """Render a report in memory: relative file name -> content (nothing is written).

    Returns ``report.html``, ``report.pdf``, ``report.xlsx``, ``report.json`` as
    asked in ``options.formats``, and ``plots/<name>.svg`` for every figure.
    """
    from .content import ReportOptions, build_report
    opts = (options or ReportOptions()).validate()
    rep = build_report(result, opts)
    files: dict[str, bytes] = {}
    if "html" in opts.formats:
        from .html import render_html

        files["report.html"] = render_html(rep).encode("utf-8")
    if "json" in opts.formats:
        from .excel import render_json

        files["report.json"] = render_json(rep).encode("utf-8")
    if "xlsx" in opts.formats:
        from .excel import render_xlsx

        files["report.xlsx"] = render_xlsx(rep)
    if "pdf" in opts.formats:
        from .pdf import render_pdf

        files["report.pdf"] = render_pdf(rep)
    for name, f in rep.figures().items():
        files[f"plots/{name}.svg"] = f.svg.encode("utf-8")
    return files


def keep_other_formats(files: dict[str, bytes], folder: str | os.PathLike, formats) -> dict[str, bytes]:
    """``files`` plus the report files of the formats *not* rendered now that ``folder`` already
    holds (``report.pdf`` stays when only ``html`` is written again), so formats written one after
    the other stand side by side.  The folder is still replaced in one step; an interrupted
    earlier write is recovered first (:func:`burden.output.recover`)."""
    from .content import FORMATS
    from ..output import recover

    folder = Path(folder)
    if os.path.isdir(folder.parent):
        recover(folder)
    out = dict(files)
    for fmt in FORMATS:
        name = f"report.{fmt}"
        p = folder / name
        if fmt not in formats and name not in out and p.is_file() and not p.is_symlink():
            out[name] = p.read_bytes()
    return out


def write_files(files: dict[str, bytes], target: str | os.PathLike, root: str | os.PathLike | None = None) -> Path:
    """Write ``files`` into the folder ``target`` all or nothing (see :func:`burden.output.write_folder`)."""
    from ..output import write_folder

    return write_folder(files, target, root=root)


def report_folder(out_dir: str | os.PathLike, scenario_name: str) -> Path:
    """``out_dir/<slug(scenario_name)>/report``: where ``burden report`` writes."""
    from ..output import result_folder

    return result_folder(out_dir, scenario_name) / "report"


def write_report(result, out_dir: str | os.PathLike, options: ReportOptions | None = None) -> Path:
    """Render the report and write it to ``out_dir/<scenario>/report/``; return that folder.

    Everything is rendered in memory first, so a failure writes nothing; the ``report/``
    folder is replaced in one step (see :func:`burden.output.write_folder`), keeping the files
    of the formats not asked now (:func:`keep_other_formats`).  To write the
    results and the report together in one step, pass the rendered files to
    :func:`burden.output.write_result` as ``extra={"report/...": ...}``.
    """
    from .content import ReportOptions
    opts = (options or ReportOptions()).validate()
    files = render_report(result, opts)
    folder = report_folder(out_dir, result.scenario.name)
    return write_files(keep_other_formats(files, folder, opts.formats), folder, root=out_dir)
