"""Sweeps: one scenario re-solved over many values of its inputs, in chunks, locally or on a cluster.

:func:`sweep` varies scenario key paths over ranges (``START:STOP:N``, a full grid when several
are varied) or over the points of a table, and returns one tidy row per point: the inputs, the
status, the objective (currency/tHM), the burden (dry kg/tHM per material), the binding limits
and the chosen outputs (B2, slag rate, loads, ... from the standard limits table).

Every kind of change goes to the persistent :class:`~burden.core.problem.Problem` (no rebuild
per point):

=================================================  ==========================================
path                                               how it reaches the live model
=================================================  ==========================================
``charge.M.price_per_t``                           :meth:`Problem.set_prices` (objective)
``charge.M.min_kg_per_thm`` / ``max_kg_per_thm``   :meth:`Problem.set_bounds` (column bounds;
``fixed_kg_per_thm`` / ``min_t_per_day`` / ...     t/day converted with the production rate)
``slag.B2.max``, ``slag.rate_kg_per_thm``,         :meth:`Problem.set_limit` (``num − θ·den``
``hot_metal.P_pct.max``, ``shares.S.min_pct`` ...  coefficients and row bounds)
``materials.M.SiO2`` (any analysis column, wt %)   :meth:`Problem.set_analysis` (one column)
any other number of the scenario                   :meth:`Problem.update` (what changed is
(``hot_metal.Si_pct``, ``blast.temperature_c``,    computed and passed in place)
``process.heat_loss_pct``, ...)
=================================================  ==========================================

Points run in chunks (at least 50 LPs per task by default): each task builds the problem once
and re-solves it persistently, the next solve starting from the previous basis (a nonlinear
scenario's SLP starts from the previous point's optimum).  The chunks depend only on the
points, never on the number of workers, and every point sets every varied input, so a serial
run, a process pool and a ``dask.distributed`` cluster give the same numbers bit for bit.

The measured speed is in ``benchmarks/bench_sweep.py``; chunking ≥ 50 LPs per task follows
``../shared/domain/OPERATIONS.md`` §5 (a task costs 0.2–1 ms of scheduler overhead).
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InputError, InputProblem

#: The path forms a sweep understands (listed in the error for a path it does not).
ACCEPTED_FORMS = (
    "charge.<material>.price_per_t",
    "charge.<material>.{min,max,fixed}_kg_per_thm | {min,max}_t_per_day",
    "<limit>.{min,max} as in the scenario: slag.B2.max, slag.rate_kg_per_thm, hot_metal.P_pct.max, "
    "loads.alkali_kg_per_thm, shares.<name>.{min,max}_pct",
    "materials.<material>.<analysis column> (wt %, e.g. materials.sinter.SiO2)",
    "any other number of the scenario: hot_metal.Si_pct, blast.temperature_c (fixes it), "
    "blast.temperature_c.{min,max}, process.heat_loss_pct, production_t_per_day, ...",
)

#: Statuses of a sweep row besides the solver's (optimal, infeasible, unbounded, time_limit, error).
INVALID = "invalid_input"

_BOUND_FIELDS = ("min_kg_per_thm", "max_kg_per_thm", "fixed_kg_per_thm", "min_t_per_day", "max_t_per_day")


# ---------------------------------------------------------------------------------------------
# paths


@dataclass(frozen=True)
class Change:
    """One varied input: its path as given, its kind and what it addresses.

    kind : {"price", "bound", "limit", "analysis", "scenario"}
    target : tuple
        price ``(material,)``; bound ``(material, field)``; limit ``(row name,)``;
        analysis ``(material, column)``; scenario ``(key, key, ...)`` into the config.
    """

    path: str
    kind: str
    target: tuple

    def base_value(self, scn) -> float:
        """The scenario's own value of this input (what a grid's empty cell means)."""
        cfg = scn.config
        if self.kind == "price":
            return float(scn.materials[self.target[0]].price_per_t)
        if self.kind == "bound":
            m = scn.materials[self.target[0]]
            lo, hi = m.availability_kg_per_thm(cfg.production_t_per_day)
            fld = self.target[1]
            P = cfg.production_t_per_day
            return {"min_kg_per_thm": lo, "max_kg_per_thm": hi, "fixed_kg_per_thm": lo,
                    "min_t_per_day": lo * P / 1000.0, "max_t_per_day": hi * P / 1000.0}[fld]
        if self.kind == "analysis":
            return float(scn.materials[self.target[0]].reported.get(self.target[1], 0.0))
        if self.kind == "limit":
            return _limit_base(self.target[0], cfg)
        v = _config_get(_dump(scn), self.target)
        if isinstance(v, Mapping):  # a window given as one number: its fixed value
            v = v.get("min") if v.get("min") == v.get("max") else None
        return math.nan if v is None else float(v)


def _limit_base(row: str, cfg) -> float:
    from .core.rows import LIMITS_BY_KEY, spec_window

    stem, _, side = row.rpartition(".")
    if side not in ("min", "max"):
        stem, side = row, "max"
    if stem.startswith("shares."):
        v = getattr(cfg.shares[stem[len("shares."):]], f"{side}_pct")
    else:
        spec = LIMITS_BY_KEY[stem]
        w = spec_window(spec, cfg)
        v = None if w is None else getattr(w, side)
        if spec.label == "L_S_needed":
            v = cfg.slag.sulphur_partition_LS
    return math.nan if v is None else float(v)


def _dump(scn) -> dict:
    return scn.config.model_dump()


def _config_get(d, keys):
    for k in keys:
        if not isinstance(d, Mapping) or k not in d:
            return None
        d = d[k]
    return d


def _unknown(path: str, why: str) -> InputError:
    forms = "; ".join(ACCEPTED_FORMS)
    return InputError([InputProblem("--vary", path, f"{why}. Accepted forms: {forms}")])


def resolve_path(path: str, prob) -> Change:
    """The :class:`Change` a scenario key path stands for in built problem ``prob``.

    Raises
    ------
    InputError
        The path names nothing that can vary in this scenario (the message names the path,
        says why, and lists the accepted forms).
    """
    if not isinstance(path, str) or not path.strip():
        raise _unknown(repr(path), "not a key path")
    path = path.strip()
    parts = path.split(".")
    scn = prob.scenario
    mats = scn.materials
    f = prob.formulation
    if parts[0] == "charge":
        if len(parts) != 3:
            raise _unknown(path, "a charge path is charge.<material>.<field>")
        m, fld = parts[1], parts[2]
        if m not in mats:
            raise _unknown(path, f"{m!r} is not charged (charged: {', '.join(mats)})")
        if fld == "price_per_t":
            return Change(path, "price", (m,))
        if fld in _BOUND_FIELDS:
            return Change(path, "bound", (m, fld))
        raise _unknown(path, f"{fld!r} is not a field a sweep varies for a material "
                             f"(price_per_t, {', '.join(_BOUND_FIELDS)})")
    if parts[0] == "materials":
        from .materials import ALL_ANALYSIS_COLUMNS

        if len(parts) != 3:
            raise _unknown(path, "an analysis cell is materials.<material>.<column>")
        m, col = parts[1], parts[2]
        if m not in mats:
            raise _unknown(path, f"{m!r} is not charged (charged: {', '.join(mats)})")
        if col not in ALL_ANALYSIS_COLUMNS:
            raise _unknown(path, f"{col!r} is not an analysis column (burden materials --columns lists them)")
        return Change(path, "analysis", (m, col))
    row = _limit_row(path, f)
    if row is not None:
        if isinstance(row, InputError):
            raise row
        return Change(path, "limit", (row,))
    # any other number of the scenario: through Problem.update
    d = _dump(scn)
    keys = tuple(parts)
    v = _config_get(d, keys)
    if v is None and len(keys) > 1 and keys[-1] in ("min", "max"):
        parent = _config_get(d, keys[:-1])
        if isinstance(parent, Mapping) and set(parent) <= {"min", "max"}:
            return Change(path, "scenario", keys)
    if v is None:
        raise _unknown(path, "no such number in the scenario (a key that is not set cannot be swept: "
                             "set it in the file first)")
    if isinstance(v, Mapping) and not set(v) <= {"min", "max"}:
        raise _unknown(path, "names a section, not a number")
    if isinstance(v, bool) or not isinstance(v, (int, float, Mapping)):
        raise _unknown(path, f"is {v!r}, not a number")
    if keys[0] in ("overrides", "scenarios", "materials", "parameters_file", "name"):
        raise _unknown(path, "not a setting of the scenario solved")
    return Change(path, "scenario", keys)


def _limit_row(path: str, f):
    """The operating-limit row a path addresses, None if it is not a limit path, or an
    InputError for a limit that this scenario does not set."""
    from .core.rows import LIMITS

    stem, side = path, ""
    for s in ("min", "max"):
        if path.endswith("." + s):
            stem, side = path[: -len(s) - 1], s
        elif path.endswith(f".{s}_pct") and path.startswith("shares."):
            stem, side = path[: -len(s) - 5], s
    row_stem = None
    if stem.startswith("shares.") and stem.count(".") == 1:
        row_stem = stem
    for spec in LIMITS:
        if stem in (spec.key, f"{spec.path[0]}.{spec.path[1]}"):
            row_stem = spec.key
    if row_stem is None:
        return None
    if side:
        cands = [f"{row_stem}.{side}"]
    else:
        cands = [c for c in (row_stem, f"{row_stem}.max") if c in f.index]
        if f"{row_stem}.min" in f.index and f"{row_stem}.max" in f.index:
            return _unknown(path, f"a window has two ends: give {stem}.min or {stem}.max")
        if not cands:
            cands = [f"{row_stem}.max"]
    name = cands[0]
    if name not in f.index:
        return _unknown(path, f"this scenario sets no limit {name} (a sweep changes limits in place and cannot "
                              "add a row): set the limit in the file first")
    return name


# ---------------------------------------------------------------------------------------------
# ranges and points


def parse_range(text: str, path: str = "") -> np.ndarray:
    """``START:STOP:N`` -> N evenly spaced values from START to STOP (both included); a single
    number or a comma list (``1.1,1.15,1.2``) gives those values.

    Raises
    ------
    InputError
        Not numbers, N not a whole number >= 1, or not finite.
    """
    where = path or "--vary"
    t = str(text).strip()
    try:
        if ":" in t:
            a, b, n = t.split(":")
            n_f = float(n)
            if n_f != int(n_f) or n_f < 1:
                raise ValueError("N")
            vals = np.linspace(float(a), float(b), int(n_f))
            if int(n_f) == 1 and float(a) != float(b):
                raise ValueError("N")
        else:
            vals = np.array([float(v) for v in t.split(",")])
    except ValueError:
        raise InputError([InputProblem("--vary", where, f"{t!r} is not a range: give START:STOP:N (N >= 2 values "
                                       "from START to STOP, e.g. 100:160:13), one number, or a comma list")]) from None
    if not np.all(np.isfinite(vals)) or vals.size == 0:
        raise InputError([InputProblem("--vary", where, f"{t!r}: give finite numbers")])
    return vals


def parse_vary(items: Iterable[str]) -> dict[str, np.ndarray]:
    """``["PATH=START:STOP:N", ...]`` -> {path: values}.

    Raises
    ------
    InputError
        An item without ``=``, a path given twice, or a bad range.
    """
    out: dict[str, np.ndarray] = {}
    problems = []
    for it in items:
        path, eq, rng = str(it).partition("=")
        path = path.strip()
        if not eq or not path:
            problems.append(InputProblem("--vary", str(it), "give PATH=START:STOP:N, e.g. "
                                         "charge.pellets.price_per_t=140:180:9"))
            continue
        if path in out:
            problems.append(InputProblem("--vary", path, "given twice; give each path once"))
            continue
        try:
            out[path] = parse_range(rng, path)
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    return out


def grid_points(vary: Mapping[str, object]) -> pd.DataFrame:
    """The full grid of several varied inputs: one row per combination, the first path varying
    slowest.  Values may be arrays or ``START:STOP:N`` strings."""
    cols = {}
    for p, v in vary.items():
        try:
            if isinstance(v, str):
                cols[p] = parse_range(v, p)
            else:
                cols[p] = np.atleast_1d(np.asarray(list(v) if hasattr(v, "__iter__") else v, dtype=float))
        except (TypeError, ValueError):
            raise InputError([InputProblem("--vary", p, f"{v!r}: give numbers, or START:STOP:N")]) from None
        if cols[p].ndim != 1 or cols[p].size == 0 or not np.all(np.isfinite(cols[p])):
            raise InputError([InputProblem("--vary", p, "give one or more finite numbers")])
    combos = list(itertools.product(*cols.values()))
    return pd.DataFrame(combos, columns=list(cols), dtype=float)


def _grid_separator(p: Path) -> str:
    """The separator of a grid CSV: ``,``, ``;`` or tab, found by :class:`csv.Sniffer` on the
    first lines (as material tables are read); ``,`` when it cannot tell."""
    import csv

    with open(p, encoding="utf-8-sig", errors="replace") as f:
        lines = [ln for ln in (f.readline() for _ in range(20)) if ln and not ln.lstrip().startswith("#")]
    sample = "".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        return max((",", ";", "\t"), key=first.count) if first else ","


def read_grid(path) -> pd.DataFrame:
    """A CSV of points: one column per key path, one row per point (an empty cell keeps the
    scenario's value).  Separated by ``,``, ``;`` or tabs (:class:`csv.Sniffer`); in a ``;``- or
    tab-separated file decimal commas (``1,15``) are read.

    Raises
    ------
    InputError
        Unreadable file, no rows, or a cell that is not a number.
    """
    p = Path(path)
    try:
        sep = _grid_separator(p)
        # in a ';'- or tab-separated file (a European Excel export) decimal commas are read
        df = pd.read_csv(p, comment="#", sep=sep, decimal="," if sep != "," else ".")
    except FileNotFoundError:
        raise InputError([InputProblem(str(p), "", "no such file; give a CSV with one column per key path")]) from None
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise InputError([InputProblem(str(p), "", f"not a readable CSV ({e})")]) from None
    if df.empty or not len(df.columns):
        raise InputError([InputProblem(str(p), "", "no points: give a header of key paths and one row per point")])
    problems = []
    out = {}
    for c in df.columns:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = df[c].notna() & v.isna()
        for i in np.flatnonzero(bad.to_numpy())[:10]:
            problems.append(InputProblem(str(p), f"row {i + 2}, column {c}", f"{df[c].iloc[i]!r} is not a number"))
        if np.isinf(v).any():
            problems.append(InputProblem(str(p), f"column {c}", "give finite numbers"))
        out[str(c).strip()] = v.astype(float)
    if problems:
        raise InputError(problems)
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# one chunk: build once, re-solve persistently


@dataclass
class _Task:
    scenario: object
    changes: list
    values: np.ndarray       # (k, n_changes)
    start: int               # index of the first point
    outputs: tuple = ()
    solver: str | None = None


def _apply_point(prob, changes, row, state) -> None:
    """Set every varied input of one point on the live problem (InputError if one is refused)."""
    scn_vals = {}
    prices, bounds, analyses = {}, {}, {}
    limits = []
    for ch, v in zip(changes, row):
        v = float(v)
        if ch.kind == "price":
            prices[ch.target[0]] = v
        elif ch.kind == "bound":
            bounds.setdefault(ch.target[0], []).append((ch.target[1], v))
        elif ch.kind == "analysis":
            analyses.setdefault(ch.target[0], {})[ch.target[1]] = v
        elif ch.kind == "limit":
            limits.append((ch.target[0], v))
        elif not math.isnan(v):  # an empty grid cell: the scenario's own value (a window too)
            scn_vals[ch.target] = v
    if scn_vals or state.get("scenario_changed"):
        key = tuple(sorted(scn_vals.items()))
        if key != state.get("scenario_key"):
            new = _scenario_with(state["base"], scn_vals)
            prob.update(new)
            state["scenario_key"] = key
            state["scn"] = new
            state["scenario_changed"] = bool(scn_vals)
    if prices:
        prob.set_prices(prices)
    if bounds:
        scn = state["scn"]
        P = scn.config.production_t_per_day
        pairs = {}
        for m, items in bounds.items():
            lo, hi = scn.materials[m].availability_kg_per_thm(P)
            for fld, v in items:
                kg = v * 1000.0 / P if fld.endswith("_t_per_day") else v
                if fld.startswith("min"):
                    lo = kg
                elif fld.startswith("max"):
                    hi = kg
                else:
                    lo = hi = kg
            pairs[m] = (lo, None if math.isinf(hi) else hi)
        prob.set_bounds(pairs)
    for m, an in analyses.items():
        prob.set_analysis(m, an)
    # a window's two ends move in the order that keeps it non-empty at every step
    for name, v in sorted(limits, key=lambda nv: (nv[0].endswith(".min"),)):
        prob.set_limit(name, v)


def _scenario_with(base, values: Mapping[tuple, float]):
    """The base scenario with config numbers at ``values`` ({key tuple: value}), validated as a file."""
    from .scenario import Scenario

    d = base.config.model_dump()
    # the named overrides were applied (or not) when the base was loaded; checking them all
    # again at every point would cost three quarters of the time
    d["overrides"], d["scenarios"] = {}, {}
    for keys, v in values.items():
        node = d
        for k in keys[:-1]:
            nxt = node.get(k)
            if nxt is None and keys[-1] in ("min", "max"):
                nxt = node[k] = {}
            node = nxt
        node[keys[-1]] = v
    from dataclasses import replace

    return replace(Scenario.from_dict(d, source=base.source), variant=base.variant)


class _Outputs:
    """Chosen outputs of a point from the material rates: the standard limits' values
    (``slag.B2``, ``slag.rate_kg_per_thm``, ``loads.alkali_kg_per_thm``, ...; the same
    :class:`~burden.core.rows.LimitSpec` weights the result tables use) and named quantities,
    as ``num/den = (Wn·q + cn)/(Wd·q + cd)`` with ``q = Q·x + c`` (kg/tHM)."""

    def __init__(self, prob, cfg, extra: Sequence[str]):
        from .core.rows import LIMITS

        qt = prob.quantities
        idx = qt.smap.index
        nq = len(qt.smap.names)
        names, Wn, Wd, cn, cd = [], [], [], [], []
        for spec in LIMITS:
            if spec.label == "L_S_needed" and not cfg.hot_metal.S_pct > 0:
                continue
            wn, wd = np.zeros(nq), np.zeros(nq)
            kn = kd = 0.0
            for part, w_vec, is_num in ((spec.num, wn, True), (spec.den, wd, False)):
                for q, w in spec.weights(part, cfg):
                    if q == "":
                        if is_num:
                            kn += w
                        else:
                            kd += w
                    else:
                        w_vec[idx[q]] += w
            names.append(spec.key)
            Wn.append(wn), Wd.append(wd), cn.append(kn), cd.append(kd)
        for q in extra:
            wn = np.zeros(nq)
            wn[idx[q]] = 1.0
            names.append(q)
            Wn.append(wn), Wd.append(np.zeros(nq)), cn.append(0.0), cd.append(1.0)
        self.names = names
        self.k = len(names)
        self.W = np.vstack([np.array(Wn).reshape(-1, nq), np.array(Wd).reshape(-1, nq)])  # (2k, n_quantities)
        self.w0 = np.concatenate([cn, cd])
        self._Q = None

    def values(self, prob, x: np.ndarray, fresh: bool = True) -> np.ndarray:
        """The outputs at rates ``x``; ``fresh=False`` re-uses the matrix formed at the last call
        (nothing changed the analyses since)."""
        if fresh or self._Q is not prob.quantities:
            qt = prob.quantities
            # num and den are linear in x: (W·Q)·x + (W·c + w0)
            self.M = self.W @ qt.Q
            self.b = self.W @ qt.c + self.w0
            self._Q = qt
        y = self.M @ x[: self.M.shape[1]] + self.b
        num, den = y[: self.k], y[self.k:]
        if den.all():
            return num / den
        return np.divide(num, den, out=np.full(self.k, np.nan), where=den != 0)


def run_chunk(task: _Task) -> pd.DataFrame:
    """Solve the points of one chunk on one persistently re-solved problem; the rows of a
    :func:`sweep` DataFrame for them (picklable in and out: a task of a pool or a cluster).

    BLAS runs on one thread inside (threadpoolctl, when installed): a Dask worker limits
    OpenBLAS/MKL to one thread anyway, and a multithreaded BLAS sums in another order, so the
    serial run and the pools would otherwise differ at 1e-12 in nonlinear sweeps (issue 13)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return _run_chunk(task)
    if task.scenario.config.process is not None:
        import scipy.linalg  # noqa: F401 - SciPy's own OpenBLAS (SLSQP) must be loaded to be limited
        import scipy.optimize  # noqa: F401
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_chunk(task)


def _run_chunk(task: _Task) -> pd.DataFrame:
    from .core.problem import build

    scn = task.scenario
    prob = build(scn)
    nonlinear = scn.config.process is not None
    state = {"base": scn, "scn": scn, "scenario_key": (), "scenario_changed": False}
    outs = _Outputs(prob, scn.config, task.outputs)
    outs_cfg = scn.config
    mats = prob.materials
    n_mat = len(mats)
    blast = list(prob.formulation.space.blocks["blast"].labels) if nonlinear else []
    n_x = n_mat + len(blast)
    k_pts = len(task.values)
    # numbers go straight into one array: objective, rates (and blast settings), outputs
    num = np.full((k_pts, 1 + n_x + len(outs.names)), np.nan)
    o_out = 1 + n_x
    status = [""] * k_pts
    binding = [""] * k_pts
    message = [""] * k_pts
    z_prev = None
    # the analyses change only through these kinds; otherwise the outputs' matrix is formed once
    static = not any(c.kind in ("analysis", "scenario") for c in task.changes)
    bounds_vary = any(c.kind in ("bound", "scenario") for c in task.changes)
    seen: dict = {}  # binding pattern -> its names (the binding set changes seldom along a sweep)
    for k, row in enumerate(task.values):
        try:
            _apply_point(prob, task.changes, row, state)
        except InputError as e:
            status[k], message[k] = INVALID, str(e)
            z_prev = None
            continue
        if state["scn"].config is not outs_cfg:  # a scenario number changed: L_S weights may follow
            outs_cfg = state["scn"].config
            outs = _Outputs(prob, outs_cfg, task.outputs)
        if nonlinear:
            st, obj, z, b, msg = _solve_nonlinear_point(prob, z_prev, task.solver)
            z_prev = z if st == "optimal" else None
            status[k], binding[k], message[k] = st, b, msg
            if st == "optimal":
                num[k, 0] = obj
                num[k, 1:o_out] = z[:n_x]
                num[k, o_out:] = outs.values(prob, z[:n_mat])
            continue
        be = prob.backend(ranging=False)
        sol = be.solve()
        status[k] = sol.status
        if sol.status == "optimal":
            x = sol.primal[:n_mat]
            num[k, 0] = sol.objective
            num[k, 1:o_out] = x
            num[k, o_out:] = outs.values(prob, x, fresh=not static)
            comp = be._comp
            rc = sol.reduced_costs[:n_mat]
            # operating limits and fuel rules (soft rows); balances are physics, always "binding"
            rows_b = np.abs(sol.row_duals) > 1e-9
            key = rows_b.tobytes() + (rc > 1e-9).tobytes() + (rc < -1e-9).tobytes()
            if bounds_vary:  # "fixed" or not may change with the bounds
                key += (comp.col_lower[:n_mat] == comp.col_upper[:n_mat]).tobytes()
            text = seen.get(key)
            if text is None:
                names = sol.row_names
                b = [names[i] for i in np.flatnonzero(rows_b & comp.row_soft)]
                for j in np.flatnonzero(np.abs(rc) > 1e-9):
                    side = "fixed" if comp.col_lower[j] == comp.col_upper[j] else ("min" if rc[j] > 0 else "max")
                    if side != "min" or comp.col_lower[j] > 0:  # a material left at zero limits nothing
                        b.append(f"charge.{mats[j]}.{side}")
                text = seen[key] = ";".join(b)
            binding[k] = text
        elif sol.status == "infeasible":
            conflict = list(sol.iis_rows) + [f"charge.{lab}.{side}" for lab, side in sol.iis_bounds]
            message[k] = "conflicting: " + ", ".join(conflict) if conflict else "infeasible"
    num += 0.0  # no -0.0 in the output
    data = {"point": np.arange(task.start, task.start + k_pts)}
    for j, c in enumerate(task.changes):
        data[c.path] = task.values[:, j].astype(float)
    inputs = set(data)
    res: dict = {"status": status, "objective_per_thm": num[:, 0]}
    for j, m in enumerate(mats):
        res[f"{m}_kg_per_thm"] = num[:, 1 + j]
    for j, bl in enumerate(blast):
        res[f"blast.{bl}"] = num[:, 1 + n_mat + j]
    for j, nm in enumerate(outs.names):
        res[nm] = num[:, o_out + j]
    res["binding"] = binding
    res["message"] = message
    for name, col in res.items():
        # an input is never overwritten: a result named as a varied path (the shorthand limit
        # paths slag.rate_kg_per_thm, hot_metal.P_pct) is the column "<name> (result)"
        data[result_column(name, inputs)] = col
    return pd.DataFrame(data)


def result_column(name: str, inputs) -> str:
    """The column of the result ``name`` in a sweep whose varied paths are ``inputs``:
    ``name``, or ``"<name> (result)"`` when a varied path has the same name (the shorthand
    limit paths ``slag.rate_kg_per_thm``, ``hot_metal.P_pct``: the input column keeps the value
    set, the result column the value at the optimum)."""
    return f"{name} (result)" if name in inputs else name


def _solve_nonlinear_point(prob, z_prev, method):
    """One nonlinear solve as :func:`burden.nonlinear.solve_nonlinear` does it (the LP core
    first, re-solved warm; an infeasible core is reported as such), started from ``z_prev``
    (the previous point's optimum) or, for the first point of a chunk, from the LP core.
    Returns (status, objective, z, binding, message)."""
    from .nlp import NonlinearProblem, start_point
    from .nonlinear import solve_path

    method = method or prob.scenario.config.process.solver
    be = prob.backend(ranging=False)
    lp = be.solve()  # the LP core, warm from the previous point's basis
    if lp.status != "optimal":
        msg = "LP core " + lp.status
        if lp.iis_rows:
            msg += ": conflicting " + ", ".join(lp.iis_rows)
        return lp.status, math.nan, None, "", msg
    nlp = NonlinearProblem(prob)
    z0 = start_point(nlp, lp.primal)

    def chain(start):   # burden.nonlinear.solve_nonlinear's path, SLSQP fallback from the LP start
        return solve_path(nlp, start, method, lp_start=z0)

    o = None
    if z_prev is not None:  # warm start: the previous point's optimum, inside the new bounds
        o = chain(np.clip(z_prev, nlp.lower, nlp.upper))
        if o.status != "optimal":
            # a warm start must never decide feasibility: the previous optimum may lie far
            # outside this point's limits (issue 13); the fresh solve's path decides
            o = None
    if o is None:
        o = chain(z0)
    status = o.status if o.status in ("optimal", "infeasible") else "error"
    binding = ""
    if status == "optimal" and o.row_duals is not None:
        names = nlp.comp.row_names
        b = [names[i] for i in np.flatnonzero((np.abs(np.nan_to_num(o.row_duals)) > 1e-9) & nlp.comp.row_soft)]
        if o.nl_duals is not None:
            b += [r.name for r, d in zip(nlp.rows, o.nl_duals) if abs(d) > 1e-9 and r.kind != "balance"]
        binding = ";".join(b)
    return status, float(o.objective) if status == "optimal" else math.nan, np.array(o.z, dtype=float), binding, \
        "" if status == "optimal" else o.message


# ---------------------------------------------------------------------------------------------
# the sweep


def default_chunk_size(n_points: int, nonlinear: bool = False) -> int:
    """Points per task: an eighth of the points, at least 50 LPs (5 NLPs) and at most 250 (50).

    Depends on the points only (never on the workers), so every way of running a sweep forms
    the same chunks and gives the same numbers."""
    lo, hi = (5, 50) if nonlinear else (50, 250)
    return int(min(hi, max(lo, math.ceil(n_points / 8))))


def _load(scenario, variant):
    from .scenario import Scenario

    if isinstance(scenario, Scenario):
        return scenario
    from .api import load_scenario

    return load_scenario(scenario, scenario=variant)


def prepare(scenario, vary=None, *, grid=None, variant: str | None = None):
    """Check a sweep before running it: (scenario, changes, points DataFrame).

    Every path is resolved on a built problem, and the smallest and largest value of every
    column are set on it, so a path or range the model refuses fails here (InputError naming
    the path and value), before any worker starts.
    """
    scn = _load(scenario, variant)
    if grid is not None and vary:
        raise InputError([InputProblem("--grid", "", "give either --vary ranges or a --grid of points, not both")])
    label = "--vary" if grid is None else (
        "--grid <DataFrame>" if isinstance(grid, pd.DataFrame) else f"--grid {grid}")
    try:
        return _prepare(scn, vary, grid)
    except InputError as e:
        raise _relabel(e, label) from None


def _relabel(e: InputError, label: str, sources=("--vary", "--grid")) -> InputError:
    """The same problems, those of the points' source named ``label`` (``--grid FILE``,
    ``--tornado``) instead of ``--vary``."""
    return InputError([InputProblem(label, pr.field, pr.message) if pr.source in sources else pr
                       for pr in e.problems])


def _prepare(scn, vary, grid):
    from .core.problem import build

    if grid is not None:
        points = grid if isinstance(grid, pd.DataFrame) else read_grid(grid)
        points = points.astype(float)
    elif vary:
        if not isinstance(vary, Mapping):
            vary = parse_vary(vary)
        points = grid_points(vary)
    else:
        raise InputError([InputProblem("--vary", "", "nothing to vary: give --vary PATH=START:STOP:N or --grid CSV")])
    prob = build(scn)
    problems = []
    changes = []
    for p in points.columns:
        try:
            changes.append(resolve_path(str(p), prob))
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    # empty cells of a grid keep the scenario's value
    for ch in changes:
        col = points[ch.path]
        if col.isna().any():
            base = ch.base_value(scn)
            if math.isnan(base) and ch.kind == "scenario":
                continue  # the point keeps the scenario's own setting (a window): _apply_point skips it
            if math.isnan(base):
                raise InputError([InputProblem("--grid", ch.path, "an empty cell keeps the scenario's value, and "
                                               "the scenario has no single value there (a window, or not set): "
                                               "fill the cell")])
            points[ch.path] = col.fillna(base)
    for ch in changes:
        vals = points[ch.path].to_numpy()
        state = {"base": scn, "scn": scn, "scenario_key": (), "scenario_changed": False}
        ends = vals[~np.isnan(vals)]
        for v in sorted({float(ends.min()), float(ends.max())} if ends.size else ()):
            probe = build(scn)
            try:
                _apply_point(probe, [ch], [v], state)
            except InputError as e:
                for pr in e.problems:
                    problems.append(InputProblem("--vary", ch.path, f"value {v:g}: {pr.message}"))
            except Exception as e:  # noqa: BLE001 - RebuildRequired and the like: the path cannot vary in place
                problems.append(InputProblem("--vary", ch.path, f"value {v:g}: {e}"))
            state = {"base": scn, "scn": scn, "scenario_key": (), "scenario_changed": False}
    if problems:
        raise InputError(problems)
    return scn, changes, points.reset_index(drop=True)


def sweep(scenario, vary=None, *, grid=None, variant: str | None = None, outputs: Sequence[str] = (),
          workers: int | None = None, scheduler=None, executor=None, chunk_size: int | None = None,
          progress: bool | None = None, solver: str | None = None) -> pd.DataFrame:
    """Solve a scenario over many values of its inputs; one tidy row per point.

    Parameters
    ----------
    scenario : Scenario or path
        The scenario (a file is loaded, with ``variant`` as its named scenario).
    vary : mapping or list of str
        ``{path: values or "START:STOP:N"}`` or ``["PATH=START:STOP:N", ...]``; several paths
        form the full grid (the first varies slowest).  Paths: see the module docstring.
    grid : DataFrame or CSV path, optional
        Points instead of ranges: one column per path, one row per point; an empty (NaN)
        cell keeps the scenario's value.
    outputs : sequence of str
        Extra quantities to report (kg/tHM), e.g. ``("slag.CaO", "hot_metal.C")``; the
        standard limits (``slag.B2``, ``slag.rate_kg_per_thm``, ...) are always reported.
    workers : int, optional
        Run on a ``dask.distributed.LocalCluster(n_workers=workers, processes=True,
        threads_per_worker=1)`` started for the sweep.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) to run on.
    executor : concurrent.futures.Executor, optional
        Any executor (``ProcessPoolExecutor``, ``Client.get_executor()``); all three run the
        same chunk function, and give the serial numbers exactly.
    chunk_size : int, optional
        Points per task (default :func:`default_chunk_size`).
    progress : bool, optional
        Progress bar (tqdm) on stderr; default: only when stderr is a terminal.
    solver : str, optional
        Nonlinear scenarios: ``slp`` or ``slsqp`` (default: the scenario's ``process.solver``).

    Returns
    -------
    pandas.DataFrame
        One row per point, in point order: ``point``, one column per varied path (its unit
        is the path's), ``status``, ``objective_per_thm`` (currency/tHM), ``<material>_kg_per_thm``
        (dry), for a nonlinear scenario the blast settings at the optimum (``blast.blast_dry_nm3``,
        ``blast.blast_temperature_c``, ``blast.oxygen_enrichment_pct``,
        ``blast.blast_moisture_g_per_nm3``), the standard limits' values (``slag.B2``,
        ``slag.rate_kg_per_thm``, ``loads.alkali_kg_per_thm``, ...), the extra ``outputs``
        (a result named as a varied path is ``"<name> (result)"``: the input column is never
        overwritten; an empty grid cell of a window path is NaN, the scenario's window), ``binding`` (``;``-joined names of the operating limits with a nonzero dual
        and of the material availabilities and fixed rates with a nonzero reduced cost; a
        material left at zero is not a binding limit) and ``message`` (why a point is not optimal).
        A point the model refuses (e.g. B2 max below B2 min) has status ``invalid_input``.

    Raises
    ------
    InputError
        A path that names nothing to vary (the message lists the accepted forms), a bad
        range, or an end value the model refuses.
    """
    scn, changes, points = prepare(scenario, vary, grid=grid, variant=variant)
    outputs = tuple(outputs)
    from .core.problem import build

    if outputs:
        q = build(scn).quantities
        bad = [o for o in outputs if o not in q]
        if bad:
            raise InputError([InputProblem("--output", b, f"not a quantity; quantities: {', '.join(q)}")
                              for b in bad])
    nonlinear = scn.config.process is not None
    n = len(points)
    size = int(chunk_size or default_chunk_size(n, nonlinear))
    if size < 1:
        raise InputError([InputProblem("<python>", "chunk_size", "give a whole number >= 1")])
    vals = points[[c.path for c in changes]].to_numpy(dtype=float)
    tasks = [_Task(scn, changes, vals[i:i + size], i, outputs, solver) for i in range(0, n, size)]
    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    parts = _run_tasks(tasks, n, workers=workers, scheduler=scheduler, executor=executor, progress=progress)
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    df.attrs["currency"] = scn.config.currency
    df.attrs["scenario"] = scn.name
    return df


def _run_tasks(tasks, n, *, workers=None, scheduler=None, executor=None, progress=False) -> list:
    """Run the chunks serially, on an executor, or on a Dask cluster (its executor): the same
    :func:`run_chunk` in every case; results in chunk order."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, unit="pt", desc="sweep", file=sys.stderr, leave=False)
    try:
        if workers is None and scheduler is None and executor is None:
            out = []
            for t in tasks:
                out.append(run_chunk(t))
                if bar is not None:
                    bar.update(len(t.values))
            return out
        if executor is not None:
            return _on_executor(executor, tasks, bar)
        from dask.distributed import Client, LocalCluster

        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError, TypeError) as e:
                raise InputError([InputProblem("--scheduler", str(scheduler), f"cannot connect to a Dask scheduler "
                                               f"there ({type(e).__name__}: {e}); give its address, e.g. "
                                               "tcp://host:8786")]) from None
            with client:
                return _on_executor(client.get_executor(pure=False), tasks, bar)
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
            raise InputError([InputProblem("--workers", str(workers), "give a whole number >= 1")])
        import logging

        with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            return _on_executor(client.get_executor(pure=False), tasks, bar)
    finally:
        if bar is not None:
            bar.close()


def _on_executor(ex, tasks, bar) -> list:
    from concurrent.futures import as_completed

    futs = {ex.submit(run_chunk, t): k for k, t in enumerate(tasks)}
    out = [None] * len(tasks)
    for fu in as_completed(futs):
        k = futs[fu]
        out[k] = fu.result()
        if bar is not None:
            bar.update(len(tasks[k].values))
    return out


def tornado(scenario, ranges: Mapping[str, tuple], *, variant: str | None = None, **kw) -> pd.DataFrame:
    """One-at-a-time sensitivity: each path at its low and its high value, the others at the
    scenario's values.

    Parameters
    ----------
    ranges : mapping
        ``{path: (low, high)}`` or ``{path: "LOW:HIGH"}``.
    **kw
        Passed to :func:`sweep` (workers, scheduler, ...).

    Returns
    -------
    pandas.DataFrame
        One row per path: ``path``, ``low``, ``high``, ``objective_low``, ``objective_high``,
        ``objective_base`` (currency/tHM), ``swing`` = |high − low| objective, sorted by swing
        (largest first), ``status_low``, ``status_high``.
    """
    scn = _load(scenario, variant)
    rng = {}
    for p, v in ranges.items():
        if isinstance(v, str):
            lo_hi = parse_range(v.replace(":", ",") if v.count(":") == 1 else v, p)
            if lo_hi.size != 2:
                raise InputError([InputProblem("--tornado", p, f"{v!r}: give LOW:HIGH")])
            v = tuple(lo_hi)
        rng[p] = (float(v[0]), float(v[1]))
    paths = list(rng)
    rows = [{q: math.nan for q in paths}]  # the base point
    for p in paths:
        for end in (0, 1):
            r = {q: math.nan for q in paths}
            r[p] = rng[p][end]
            rows.append(r)
    try:
        df = sweep(scn, grid=pd.DataFrame(rows, columns=paths), **kw)
    except InputError as e:
        raise _relabel(e, "--tornado", ("--vary", "--grid", "--grid <DataFrame>")) from None
    base = float(df["objective_per_thm"].iloc[0])
    out = []
    for i, p in enumerate(paths):
        lo, hi = df.iloc[1 + 2 * i], df.iloc[2 + 2 * i]
        out.append({"path": p, "low": rng[p][0], "high": rng[p][1], "objective_low": lo["objective_per_thm"],
                    "objective_high": hi["objective_per_thm"], "objective_base": base,
                    "swing": abs(hi["objective_per_thm"] - lo["objective_per_thm"]),
                    "status_low": lo["status"], "status_high": hi["status"]})
    t = pd.DataFrame(out).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    t.attrs["currency"] = scn.config.currency
    return t


__all__ = ["sweep", "tornado", "resolve_path", "parse_range", "parse_vary", "grid_points", "read_grid",
           "run_chunk", "default_chunk_size", "prepare", "Change", "ACCEPTED_FORMS"]
