"""The solution of a formulation, keyed by name, picklable.

A :class:`Solution` holds only plain data (numpy arrays, lists, dicts of floats and
strings), so it pickles, goes to a worker process or a Dask cluster, and round-trips
through :meth:`Solution.to_dict` / :meth:`Solution.from_dict` (JSON-safe) for a run store.
Values are found by column and row *name*, never by position.

Sign conventions (HiGHS, minimisation): a row dual y is ``dCost/d(row bound)``;
``>=`` rows at their bound have y ≥ 0, ``<=`` rows y ≤ 0.  A reduced cost is
``dCost/d(column bound)`` for a column at a bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np


@dataclass
class Solution:
    """Status, objective, primal and dual values of one solve.

    Attributes
    ----------
    status : {"optimal", "infeasible", "unbounded", "time_limit", "error"}
    solver_status : str
        The solver's own status text.
    objective : float
        Sum of the objective terms, currency/tHM (nan unless optimal).
    layout : dict
        Column blocks: name -> (first global column, labels).
    primal : ndarray, shape (n_columns,)
    reduced_costs : ndarray, shape (n_columns,)
        currency/tHM per unit of the column.
    cost_ranging : ndarray or None, shape (n_columns, 2)
        Range (low, high) of each objective coefficient over which the basis stays
        optimal, currency per unit of the column.
    row_names : list of str
    row_values, row_lower, row_upper, row_duals : ndarray, shape (n_rows,)
        Linear part of each row (its constant moved to the bounds) and its dual.
    objective_terms : dict
        term name -> currency/tHM.
    iis_rows : list of str
        Rows of an irreducible infeasible subset (infeasible problems).
    iis_bounds : list of (label, side)
        Column bounds in that subset; label is the column label of the block.
    relaxation : dict
        Row or bound name -> smallest relaxation found (its unit).
    relaxed_primal : ndarray or None
        Column values of the relaxed problem.
    iterations : int
    solve_seconds, compile_seconds : float
    meta : dict
        Input hash, applied overrides, versions, timings, solver options.
    """

    status: str
    solver_status: str
    objective: float
    layout: dict
    primal: np.ndarray
    reduced_costs: np.ndarray
    row_names: list
    row_values: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_duals: np.ndarray
    cost_ranging: np.ndarray | None = None
    objective_terms: dict = field(default_factory=dict)
    iis_rows: list = field(default_factory=list)
    iis_bounds: list = field(default_factory=list)
    relaxation: dict = field(default_factory=dict)
    relaxed_primal: np.ndarray | None = None
    iterations: int = 0
    solve_seconds: float = 0.0
    compile_seconds: float = 0.0
    meta: dict = field(default_factory=dict)

    # -- by name --------------------------------------------------------------
    def block(self, name: str, values: np.ndarray | None = None) -> np.ndarray:
        """Values of a column block (default: the primal), shape (len(block),)."""
        start, labels = self.layout[name]
        v = self.primal if values is None else values
        return np.asarray(v)[start:start + len(labels)]

    def labels(self, name: str) -> tuple:
        return tuple(self.layout[name][1])

    def value(self, block: str, label) -> float:
        """Primal value of one column, e.g. ``value("x", "pellets")``, ``value("hook", "use_lump")``.

        Raises KeyError naming the blocks or labels there are (a hook variable the hook
        fixed is a constant, not a column)."""
        if block not in self.layout:
            raise KeyError(f"no column block {block!r}; blocks: {', '.join(self.layout)}")
        start, labels = self.layout[block]
        labels = list(labels)
        if label not in labels:
            raise KeyError(f"no column {label!r} in block {block!r}; columns: {', '.join(map(str, labels))}")
        return float(self.primal[start + labels.index(label)]) + 0.0  # + 0.0: no -0.0

    def dual(self, row: str) -> float:
        """Dual of a row by name (currency/tHM per unit of the row's linear part)."""
        return float(self.row_duals[self.row_names.index(row)])

    # -- the material block (façade used by Result) ----------------------------
    @property
    def x(self) -> np.ndarray:
        """Material rates, dry kg/tHM (block ``x``)."""
        return self.block("x")

    @property
    def material_reduced_costs(self) -> np.ndarray:
        return self.block("x", self.reduced_costs)

    @property
    def relaxed_x(self) -> np.ndarray | None:
        return None if self.relaxed_primal is None else self.block("x", self.relaxed_primal)

    @property
    def material_cost_ranging(self) -> dict | None:
        """Per material: (low, high) objective coefficient, currency per dry kg."""
        if self.cost_ranging is None:
            return None
        start, labels = self.layout["x"]
        return {k: (float(self.cost_ranging[start + i, 0]), float(self.cost_ranging[start + i, 1]))
                for i, k in enumerate(labels)}

    # -- plain data ------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-safe dict (non-finite floats as the strings 'inf', '-inf', 'nan')."""
        out = {}
        for f in fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Solution":
        """Inverse of :meth:`to_dict`."""
        kw = {}
        arrays = {"primal", "reduced_costs", "row_values", "row_lower", "row_upper", "row_duals", "cost_ranging",
                  "relaxed_primal"}
        for f in fields(cls):
            if f.name not in d:
                continue
            v = _unplain(d[f.name])
            if f.name in arrays and v is not None:
                v = np.asarray(v, dtype=float)
            elif f.name == "layout":
                v = {k: (int(s), tuple(_tuple(x) for x in labels)) for k, (s, labels) in v.items()}
            elif f.name == "iis_bounds":
                v = [tuple(t) for t in v]
            kw[f.name] = v
        return cls(**kw)

    def equals(self, other: "Solution") -> bool:
        """Same values in every field (nan equal to nan)."""
        return _plain(self.to_dict()) == _plain(other.to_dict())


def _tuple(x):
    return tuple(x) if isinstance(x, list) else x


def _plain(v):
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def _unplain(v):
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    if isinstance(v, list):
        return [_unplain(x) for x in v]
    if isinstance(v, dict):
        return {k: _unplain(x) for k, x in v.items()}
    return v
