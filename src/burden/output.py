"""Writing results to a folder: all or nothing.

Files are first written to a temporary folder beside the target and moved
into place only when every file is complete, so a failure never leaves a
partial output behind.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path


def slug(text: str) -> str:
    """A file-system-safe name: ``"USTB sheet 5-1 [x]"`` -> ``"ustb_sheet_5-1_x"``."""
    s = re.sub(r"[^A-Za-z0-9.-]+", "_", text.strip().lower()).strip("_")
    return s or "scenario"


def write_result(result, out_dir: str | os.PathLike) -> Path:
    """Write ``summary.txt``, ``result.json`` and one CSV per table to
    ``out_dir/<scenario>/``; return that folder."""
    out = Path(out_dir)
    target = out / slug(result.scenario.name)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".burden-", dir=out))
    try:
        (tmp / "summary.txt").write_text(result.summary() + "\n", encoding="utf-8")
        (tmp / "result.json").write_text(result.to_json() + "\n", encoding="utf-8")
        for name, df in result.tables.items():
            df.to_csv(tmp / f"{name}.csv", float_format="%.10g", lineterminator="\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
