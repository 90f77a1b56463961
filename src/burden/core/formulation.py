"""The formulation: a column space, named rows and named objective terms.

``formulate(scenario, components)`` fills a :class:`Formulation` by calling each
component's ``declare`` (PyPSA ``define_*`` style); backends compile it to sparse
matrix form (:meth:`Formulation.compile`) and solve it.  Nothing here knows a solver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .rows import Row
from .space import LinExpr, VarSpace, stack


@dataclass
class Compiled:
    """Matrix form ``row_lower <= A z <= row_upper``, ``col_lower <= z <= col_upper``, min ``cost·z + offset``.

    ``A`` is row-wise sparse (``start``, ``index``, ``value``; HiGHS ``kRowwise``).
    """

    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_names: list[str]
    row_soft: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    col_names: list[str]
    col_soft: np.ndarray
    integrality: np.ndarray
    cost: np.ndarray
    offset: float

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.row_names), len(self.col_lower)

    @property
    def A(self) -> np.ndarray:
        """Dense matrix (rows × columns); for small problems and the nonlinear paths."""
        m, n = self.shape
        A = np.zeros((m, n))
        rows = np.repeat(np.arange(m), np.diff(self.start))
        np.add.at(A, (rows, self.index), self.value)
        return A

    def row_entries(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.start[i], self.start[i + 1]
        return self.index[a:b], self.value[a:b]


class Formulation:
    """Columns (:class:`~burden.core.space.VarSpace`), rows (:class:`~burden.core.rows.Row`)
    and named objective terms (``cost``, ``oxygen``, ``co2``, ``penalty`` ...), each a
    :class:`~burden.core.space.LinExpr` in currency per tonne of hot metal."""

    def __init__(self):
        self.space = VarSpace()
        self.rows: list[Row] = []
        self._index: dict[str, int] = {}
        self.objective: dict[str, LinExpr] = {}

    # -- building -----------------------------------------------------------
    def add_rows(self, rows) -> None:
        """Append rows; a repeated name raises ValueError."""
        for r in rows:
            if r.name in self._index:
                raise ValueError(f"row {r.name!r} declared twice")
            self._index[r.name] = len(self.rows)
            self.rows.append(r)

    def replace_row(self, row: Row) -> int:
        """Replace the row of the same name; returns its position."""
        i = self._index[row.name]
        self.rows[i] = row
        return i

    def remove_rows(self, kind: str) -> None:
        """Drop every row of a kind (e.g. ``hook`` before the hooks are compiled anew)."""
        self.rows = [r for r in self.rows if r.kind != kind]
        self._index = {r.name: i for i, r in enumerate(self.rows)}

    def row(self, name: str) -> Row:
        try:
            return self.rows[self._index[name]]
        except KeyError:
            raise KeyError(f"no row {name!r}") from None

    def row_position(self, name: str) -> int:
        return self._index[name]

    def has_row(self, name: str) -> bool:
        return name in self._index

    def set_objective(self, term: str, expr: LinExpr) -> None:
        """Set (replace) a named objective term, currency/tHM."""
        self.objective[term] = expr

    # -- matrix form ----------------------------------------------------------
    def cost_vector(self) -> tuple[np.ndarray, float]:
        """(c, offset) of the sum of the objective terms."""
        c = np.zeros(self.space.n)
        off = 0.0
        for e in self.objective.values():
            np.add.at(c, e.idx, e.val)
            off += e.const
        return c, off

    def compile(self) -> Compiled:
        """Matrix form of the rows, bounds and objective (row order = declaration order)."""
        start, idx, val, const = stack([r.body for r in self.rows])
        m = len(self.rows)
        rl = np.empty(m)
        ru = np.empty(m)
        for i, r in enumerate(self.rows):
            rl[i], ru[i] = r.bounds(const[i])
        c, off = self.cost_vector()
        sp = self.space
        return Compiled(start, idx, val, rl, ru, [r.name for r in self.rows],
                        np.array([r.soft for r in self.rows], dtype=bool), sp.lower.copy(), sp.upper.copy(),
                        sp.column_names(), sp.soft.copy(), sp.integrality, c, off)


def row_coefficients(row: Row) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(columns, coefficients, lower, upper) of one row in matrix form."""
    b = row.body.coalesce()
    lo, hi = row.bounds(b.const)
    return b.idx, b.val, lo, hi


def finite_or_none(v: float):
    return float(v) if math.isfinite(v) else None
