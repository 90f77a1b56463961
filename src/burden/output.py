"""Writing results to a folder: all or nothing, never outside ``--out``, never losing a result.

* :func:`slug` maps a scenario name to a folder name that stays inside the
  output folder (no separators, no ``.``/``..``, no leading dot, at most
  :data:`MAX_NAME_BYTES` bytes), keeps Unicode letters and digits (NFKC,
  lower case), and never maps two different names to the same folder: a name
  that is not already its own folder name gets a short hash of the name
  (``"USTB sheet 5-1 [x]"`` -> ``"ustb_sheet_5-1_x-5c62ebdc"``; ``"基准方案"`` stays
  ``"基准方案"``).
* :func:`write_folder` writes every file into a temporary folder beside the
  target (``.burden-<name>.<pid>.<token>.new``), renames an existing target
  aside (``….old``), moves the new folder in and only then deletes the old
  one.  A crash at any moment leaves the target absent, wholly old or wholly
  new; :func:`recover` (called by every writer, and by readers such as
  ``burden compare``) puts an old folder back when the target is missing and
  removes the temporaries of processes that no longer run.
* File-system problems (``--out`` a file, a dangling link, no permission, a
  read-only file system, no space) raise :class:`OutputError` (exit code 4)
  with the path and the reason.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from pathlib import Path

from .errors import BurdenError

#: Longest folder name made from a scenario name (UTF-8 bytes, before the hash suffix).
MAX_NAME_BYTES = 80
#: Names that are not used as they are (Windows device names; ``compare``, ``sweep``, ``tornado``
#: and ``value_in_use`` are the folders of comparisons, sweeps and value-in-use studies).
_RESERVED = {"con", "prn", "aux", "nul", "compare", "sweep", "tornado", "value_in_use",
             *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_HASHED = re.compile(r"-[0-9a-f]{8}\Z")


class OutputError(BurdenError):
    """The output cannot be written where asked (a file in the way, no permission, a read-only
    file system, no space ...).  Exit code 4; the message names the path and the reason.

    ``path`` is the path concerned, ``reason`` the operating system's words for the problem.
    """

    exit_code = 4

    def __init__(self, path, reason: str, fix: str = ""):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot write the output {self.path}: {reason}" + (f"; {fix}" if fix else ""))


def _os_reason(e: OSError) -> str:
    """``"No space left on device [ENOSPC]"``."""
    if e.errno is None:
        return e.strerror or str(e) or type(e).__name__
    return f"{e.strerror or os.strerror(e.errno)} [{errno.errorcode.get(e.errno, e.errno)}]"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).lower())


def _safe_chars(text: str) -> str:
    """Letters, marks and digits of any script, ``-``, ``_`` and ``.``; every other run -> ``_``."""
    out = []
    for ch in _fold(text):
        cat = unicodedata.category(ch)
        ok = cat[0] in "LN" or (cat[0] == "M" and out and out[-1] != "_") or ch in "-_."
        out.append(ch if ok else "_")
    s = re.sub(r"_+", "_", "".join(out))
    return s.strip("._- ")


def _truncate(text: str, n: int) -> str:
    b = text.encode("utf-8")
    if len(b) <= n:
        return text
    return b[:n].decode("utf-8", "ignore").rstrip("._- ")


def name_hash(text: str) -> str:
    """Eight hex digits of the SHA-256 of ``text`` (UTF-8; stable across runs and machines)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def slug(text: str) -> str:
    """The folder name of a scenario name: safe on every file system, inside the output folder,
    readable, and different for different names.

    The name is NFKC-normalised and lower-cased; letters, marks and digits of any script and
    ``- _ .`` are kept, every other run of characters becomes ``_``, leading and trailing dots,
    dashes and underscores are dropped, and the result is cut to :data:`MAX_NAME_BYTES` bytes.
    If that is the name itself, it is the folder name; otherwise (and for reserved names,
    empty results and names that already end like a hash) ``-`` and eight hex digits of the
    name's SHA-256 are added, so two different names never share a folder and the same name
    gets the same folder in every run.

    >>> slug("base"), slug("基准方案"), slug("球团方案")
    ('base', '基准方案', '球团方案')
    >>> slug("USTB sheet 5-1 [x]")
    'ustb_sheet_5-1_x-5c62ebdc'
    >>> slug(".."), slug("a/../../b")
    ('scenario-5ec1f7e7', 'a_.._.._b-feddf167')
    """
    text = str(text)
    s = _truncate(_safe_chars(text), MAX_NAME_BYTES)
    if s and s == text and s not in _RESERVED and not _HASHED.search(s):
        return s
    return f"{s or 'scenario'}-{name_hash(text)}"


def json_value(v):
    """A JSON-safe Python value: NaN -> None, ±inf -> "inf"/"-inf", numpy scalars -> Python,
    pandas NA-likes -> None, dicts and lists element by element, other objects -> their text."""
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
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    try:
        if v != v:  # pandas NA-likes
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


# ----------------------------------------------------------------------------- atomic folders
#: ``.burden-<target name>.<pid>.<token>.<new|old|del>``: a folder being written (new), a replaced
#: folder kept until the new one is in (old), a folder being deleted (del).
_TEMP = re.compile(r"\A\.burden-(?P<name>.+)\.(?P<pid>\d+)\.(?P<token>[0-9a-f]{8})\.(?P<state>new|old|del)\Z")


def _temp_name(name: str, state: str, pid: int | None = None) -> str:
    return f".burden-{name}.{os.getpid() if pid is None else pid}.{secrets.token_hex(4)}.{state}"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie counts as ended; on doubt: alive)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's live process
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _temporaries(target: Path) -> list[tuple[Path, int, str]]:
    """The temporaries of ``target`` beside it: (path, owner pid, state)."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    out = []
    for e in entries:
        m = _TEMP.match(e.name)
        if m and m["name"] == target.name:
            out.append((Path(e.path), int(m["pid"]), m["state"]))
    return out


def _remove(path: Path) -> None:
    """Delete a temporary folder: first claim it by renaming it to a ``.del`` name of this
    process (so two cleaners never work on one folder, and a restorer never takes a half-deleted
    one), then delete it.  Gone already: nothing to do."""
    m = _TEMP.match(path.name)
    name = m["name"] if m else path.name
    claimed = path.with_name(_temp_name(name, "del"))
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        return
    except OSError:
        claimed = path
    if claimed.is_dir() and not claimed.is_symlink():
        shutil.rmtree(claimed, ignore_errors=True)
    else:
        try:
            claimed.unlink()
        except OSError:
            pass


def recover(target: str | os.PathLike) -> bool:
    """Repair what an interrupted writer of ``target`` left behind; return True if the earlier
    folder was put back.

    A crash between renaming the old folder aside and moving the new one in leaves ``target``
    missing and its ``.old`` folder beside it: the old folder is renamed back.  Temporaries of
    ``target`` whose process no longer runs are deleted; those of a live process (a concurrent
    writer) are left alone.  Called by :func:`write_folder` before it writes, and by readers.
    """
    target = Path(target)
    temps = [(p, pid, st) for p, pid, st in _temporaries(target) if not _alive(pid)]
    restored = False
    if not os.path.lexists(target):
        olds = [p for p, _, st in temps if st == "old"]
        def changed(q: Path) -> float:
            try:
                return q.lstat().st_ctime
            except OSError:
                return 0.0

        for p in sorted(olds, key=changed, reverse=True):  # the most recently replaced first
            try:
                os.rename(p, target)
            except FileNotFoundError:
                continue  # another cleaner took it
            except OSError:
                break  # the target appeared meanwhile (a concurrent writer)
            restored = True
            temps = [t for t in temps if t[0] != p]
            break
    for p, _, _ in temps:
        _remove(p)
    return restored


def _check_target(target: Path, root: Path | None) -> None:
    """Make the target's parent folders; refuse what cannot be a result folder (OutputError)."""
    parent = target.parent
    if root is not None:
        _check_dir(root)
        try:
            rel = parent.relative_to(root)
        except ValueError:
            rel = Path()
        d = root
        for part in rel.parts:  # an interrupted writer of a folder on the way: its old folder back first
            d = d / part
            recover(d)
    _check_dir(parent)
    if target.is_symlink():
        raise OutputError(target, f"is a symbolic link (to {os.readlink(target)})",
                          "burden replaces result folders as a whole and does not replace links; remove the "
                          "link or give another --out")
    if target.exists() and not target.is_dir():
        raise OutputError(target, "exists and is not a folder", "remove it or give another --out")


def _check_dir(d: Path) -> None:
    """Make folder ``d`` (and its parents); a link to a folder is followed."""
    if d.is_symlink() and not d.exists():
        raise OutputError(d, f"is a symbolic link to {os.readlink(d)}, which does not exist",
                          "create the folder it points to or give another --out")
    if d.exists() and not d.is_dir():
        raise OutputError(d, "is a file, not a folder", "give a folder as --out")
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        blocker = next((a for a in [d, *d.parents] if a.exists() and not a.is_dir()), None)
        if blocker is not None:
            raise OutputError(d, f"{blocker} is a file, not a folder", "give another --out") from None
        raise OutputError(d, f"the folder cannot be created: {_os_reason(e)}") from None


def check_out_dir(path: str | os.PathLike) -> Path:
    """Check, before anything is solved or written, that ``path`` (``--out``) is or can become a
    folder this process can write in; writes nothing.  Raises :class:`OutputError` naming the path
    and the reason.  What only trying tells (no space, a full quota) is found when writing."""
    d = Path(path)
    if d.is_symlink() and not d.exists():
        raise OutputError(d, f"is a symbolic link to {os.readlink(d)}, which does not exist",
                          "create the folder it points to or give another --out")
    existing = next((a for a in [d, *d.parents] if a.exists()), None)
    if existing is None:
        return d
    if not existing.is_dir():
        raise OutputError(d, "is a file, not a folder" if existing == d else f"{existing} is a file, not a folder",
                          "give a folder as --out")
    if not os.access(existing, os.W_OK | os.X_OK):
        try:
            ro = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
        except (OSError, AttributeError):
            ro = False
        what = "is on a read-only file system" if ro else "is not writable (no permission)"
        raise OutputError(d, f"the folder cannot be created: {existing} {what}",
                          "give another --out" if ro else "give another --out or change the permissions")
    return d


def _write_tree(files: dict[str, bytes], folder: Path) -> None:
    for rel, data in files.items():
        parts = Path(rel).parts
        if not parts or Path(rel).is_absolute() or any(x in ("", ".", "..") for x in parts):
            raise ValueError(f"not a relative file name inside the folder: {rel!r}")
        p = folder.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_folder(files: dict[str, bytes], target: str | os.PathLike, root: str | os.PathLike | None = None,
                 replace: bool = True) -> Path:
    """Write ``files`` (relative path -> bytes) as the folder ``target``, all or nothing.

    The files go to a temporary folder beside ``target``; then an existing ``target`` is
    renamed aside, the new folder renamed in, and the old one deleted.  Whenever the process
    stops, ``target`` is absent, wholly old or wholly new, and the next writer (or
    :func:`recover`) restores the old folder if it is missing and removes stale temporaries.

    ``root`` is the output folder the user gave (``--out``): folders between it and ``target``
    are repaired too (an interrupted ``solve`` below a ``report``).  A link at ``root`` is
    followed; ``target`` itself may not be a link.

    ``replace=False``: an existing ``target`` is never replaced (OutputError instead; a folder
    that appears while the files are written is not replaced either).

    Raises
    ------
    OutputError
        The folder cannot be written (path and reason in the message); the old folder is kept.
    """
    target = Path(target)
    if target.name in ("", ".", "..") or _TEMP.match(target.name):
        raise ValueError(f"not a folder name: {str(target)!r}")
    _check_target(target, Path(root) if root is not None else None)
    recover(target)
    parent = target.parent
    tmp = parent / _temp_name(target.name, "new")
    asides: list[Path] = []
    try:
        try:
            os.mkdir(tmp)
            _write_tree(files, tmp)
            _fsync_dir(tmp)
        except OSError as e:
            raise OutputError(target, _os_reason(e), "nothing was changed") from None
        try:
            for attempt in range(10):
                if not replace and os.path.lexists(target):
                    raise FileExistsError(errno.EEXIST, "the folder exists (never replaced)", str(target))
                if os.path.lexists(target):
                    aside = parent / _temp_name(target.name, "old")
                    os.rename(target, aside)
                    asides.append(aside)
                try:
                    os.rename(tmp, target)
                    break
                except OSError as e:  # a concurrent writer moved its folder in meanwhile: last one wins
                    if e.errno not in (errno.EEXIST, errno.ENOTEMPTY) or attempt == 9:
                        raise
            _fsync_dir(parent)
        except OSError as e:
            raise OutputError(target, _os_reason(e), "the earlier folder was kept") from None
    except BaseException:
        if asides and not os.path.lexists(target):
            try:
                os.rename(asides.pop(), target)
            except OSError:
                pass
        for p in [tmp, *asides]:
            _remove(p)
        raise
    for p in asides:
        _remove(p)
    return target


def result_files(result) -> dict[str, bytes]:
    """The files of a result folder: ``summary.txt``, ``result.json`` and one CSV per table.

    ``result.json`` is :meth:`Result.to_dict` with a ``run`` entry and ``summary.txt`` ends with
    a ``Run`` block: the run metadata of :func:`burden.provenance.result_metadata`."""
    import json

    from .provenance import metadata_text, result_metadata

    run = result_metadata(result)  # when, with what, from which files (see burden.provenance)
    data = result.to_dict()
    data["run"] = run
    files = {"summary.txt": (result.summary() + "\n\nRun\n" + metadata_text(run) + "\n").encode("utf-8"),
             "result.json": (json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n").encode("utf-8")}
    from .results.records import csv_text

    for name, t in result.output_tables().items():  # records (no pandas) or DataFrames: the same text
        files[f"{name}.csv"] = csv_text(t, "%.10g").encode("utf-8")
    return files


def result_folder(out_dir: str | os.PathLike, scenario_name: str) -> Path:
    """``out_dir/<slug(scenario_name)>``: where the results of a scenario go."""
    return Path(out_dir) / slug(scenario_name)


def write_result(result, out_dir: str | os.PathLike, extra: dict[str, bytes] | None = None) -> Path:
    """Write ``summary.txt``, ``result.json`` and one CSV per table (and the ``extra`` files,
    e.g. ``report/...``) to ``out_dir/<scenario>/`` in one atomic step; return that folder."""
    files = result_files(result)
    files.update(extra or {})
    return write_folder(files, result_folder(out_dir, result.scenario.name), root=out_dir)


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
