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


def json_value(v):
    """A JSON-safe Python value: NaN -> None, ±inf -> "inf"/"-inf", numpy scalars -> Python,
    pandas NA-likes -> None, other objects -> their text."""
    import math

    import numpy as np

    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if v is None or isinstance(v, str):
        return v
    try:
        if v != v:  # pandas NA-likes
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def write_folder(files: dict[str, bytes], target: str | os.PathLike) -> Path:
    """Write ``files`` (relative path -> bytes) into the folder ``target``, all or nothing:
    a temporary folder beside it, then one rename.  An existing ``target`` is replaced."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".burden-", dir=target.parent))
    try:
        for rel, data in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_result(result, out_dir: str | os.PathLike) -> Path:
    """Write ``summary.txt``, ``result.json`` and one CSV per table to
    ``out_dir/<scenario>/``; return that folder."""
    files = {"summary.txt": (result.summary() + "\n").encode("utf-8"),
             "result.json": (result.to_json() + "\n").encode("utf-8")}
    for name, df in result.tables.items():
        files[f"{name}.csv"] = df.to_csv(float_format="%.10g", lineterminator="\n").encode("utf-8")
    return write_folder(files, Path(out_dir) / slug(result.scenario.name))


MODEL_SUFFIXES = (".mps", ".lp")


def check_model_path(path: str | os.PathLike) -> Path:
    """Check a model-export path: a .mps or .lp file in an existing, writable folder.

    Raises
    ------
    InputError
        Wrong extension, missing folder, or the path is a folder.
    """
    from .errors import InputError, InputProblem

    p = Path(path)
    problems = []
    if p.suffix.lower() not in MODEL_SUFFIXES:
        problems.append(InputProblem("--export-model", str(path), "give a file name ending in .mps or .lp"))
    if p.is_dir():
        problems.append(InputProblem("--export-model", str(path), "is a folder; give a file name"))
    elif p.exists() and not (p.stat().st_mode & 0o222):  # no write bit at all (root ignores access())
        problems.append(InputProblem("--export-model", str(path), "the file exists and is read-only; give "
                                     "another name or make it writable"))
    elif not p.parent.resolve().is_dir():
        problems.append(InputProblem("--export-model", str(path), f"the folder {p.parent} does not exist"))
    if problems:
        raise InputError(problems)
    return p


def write_model_file(path: str | os.PathLike, write) -> Path:
    """Write a model file all or nothing: ``write(tmp_path)`` then rename over ``path``."""
    p = check_model_path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.stem}.", suffix=p.suffix.lower(), dir=p.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as open() would create it (mkstemp makes 0600)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p
