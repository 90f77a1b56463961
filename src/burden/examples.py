"""Packaged example scenarios: ``path("base")`` -> the scenario file.

The examples are the files of the repository's ``scenarios/`` folder
(``base.yaml``, ``high_pellet.yaml``, ``infeasible.yaml``, ``validation/...``).
An installed package may carry them as package data under
``burden/examples/``; a source checkout (editable install) finds them in
``scenarios/`` beside ``src/``.  The package data are searched first.

>>> from burden import examples
>>> examples.path("base").name                                  # doctest: +SKIP
'base.yaml'
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from .errors import InputError, InputProblem

_SUFFIXES = (".yaml", ".yml", ".toml")


def _roots() -> list[Path]:
    """Folders that may hold the examples, in search order."""
    roots: list[Path] = []
    try:
        pkg = resources.files("burden") / "examples"
        if pkg.is_dir():
            roots.append(Path(str(pkg)))
    except (ModuleNotFoundError, FileNotFoundError, TypeError):  # pragma: no cover - exotic loaders
        pass
    repo = Path(__file__).resolve().parents[2] / "scenarios"
    if repo.is_dir():
        roots.append(repo)
    return roots


def names() -> list[str]:
    """Names of the available example scenarios (``"base"``, ``"validation/sheet_5_1"``, ...)."""
    out: set[str] = set()
    for root in _roots():
        for p in root.rglob("*"):
            if p.suffix in _SUFFIXES and p.is_file():
                out.add(p.relative_to(root).with_suffix("").as_posix())
    return sorted(out)


def path(name: str) -> Path:
    """Path of the example scenario ``name`` (with or without ``.yaml``).

    Parameters
    ----------
    name : str
        ``"base"``, ``"high_pellet"``, ``"infeasible"`` or a relative path
        such as ``"validation/sheet_5_1"``.

    Returns
    -------
    pathlib.Path
        The scenario file (package data ``burden/examples/`` first, then the
        source tree's ``scenarios/``).

    Raises
    ------
    InputError
        No example of that name; the message lists the known names.
    """
    roots = _roots()
    candidates = [name] if Path(name).suffix in _SUFFIXES else [name + s for s in _SUFFIXES]
    for root in roots:
        for c in candidates:
            p = root / c
            if p.is_file():
                return p
    known = names()
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    where = ", ".join(str(r) for r in roots) or "no example folder found (burden/examples/ or scenarios/)"
    raise InputError([InputProblem("burden.examples", name,
                                   f"no example scenario of that name; {hint}known: {', '.join(known) or 'none'} "
                                   f"(searched {where})")])
