"""The formulation: a column space, named rows and named objective terms.

Components declare into a :class:`Formulation` (PyPSA ``define_*`` style): columns in
its :class:`~burden.core.space.VarSpace`, rows either one by one (:class:`~burden.core.rows.Row`)
or as a :class:`RowBlock` — many rows over one column block held as dense coefficient
matrices, formed in one matrix product from the component's recipe (linopy keeps
constraints as arrays for the same reason: a scenario of 1,000 materials or a plan of
30 periods is then a few array operations, not thousands of Python objects).  Either way
every row has a name, a quantity, a unit, a kind and a group, and
:attr:`Formulation.rows` lists them all as :class:`~burden.core.rows.Row` objects.

Formulations change copy-on-write: a persistent update replaces a block, a row list or a
bound array instead of writing into it, so a :class:`~burden.results.result.Result` that
holds an earlier state keeps its numbers.  Backends compile a formulation to sparse
matrix form (:meth:`Formulation.compile`); nothing here knows a solver.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import NamedTuple

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


class RowMeta(NamedTuple):
    """Name, quantity, sense, unit, kind, description, group and index of one row of a block."""

    name: str
    quantity: str
    sense: str
    unit: str
    kind: str = "limit"
    description: str = ""
    group: str = ""
    index: tuple = ()
    theta_max: float = math.nan


def block_static(meta) -> tuple:
    """What a row block reads from its rows' meta: names and sense/kind masks (shared by blocks
    made from the same recipe; never changed in place)."""
    senses = [m.sense for m in meta]
    return ([m.name for m in meta], np.array([x == "range" for x in senses], dtype=bool),
            np.array([x in (">=", "==") for x in senses], dtype=bool),
            np.array([x in ("<=", "==") for x in senses], dtype=bool),
            np.array([m.theta_max for m in meta], dtype=float),
            np.array([m.kind in ("limit", "fuel") for m in meta], dtype=bool))


class RowBlock:
    """Rows over one column block, as dense matrices (changed in place only while no snapshot
    shares the block; see ``Problem._thaw``).

    For row i over the block's columns z_b (shape (n,)):
    ``num_i = N[i]·z_b + cn[i]``, ``den_i = D[i]·z_b + cd[i]``, and the row is
    ``num_i − θ_i·den_i  (sense)  0`` (a ``range`` row: ``θ_i <= num_i <= θmax_i``).

    Parameters
    ----------
    meta : sequence of RowMeta, length m
    cols : array of int, shape (n,)
        Global columns of the block.
    N, D : arrays, shape (m, n)
    cn, cd, theta : arrays, shape (m,)
    recipe : object, optional
        The component's recipe (how N and D follow from its data), kept so a persistent
        update can form one column anew (:meth:`set_column`).
    """

    def __init__(self, meta, cols, N, cn, D, cd, theta, recipe=None, static=None):
        self.meta = tuple(meta)
        self.cols = np.asarray(cols, dtype=np.int64)
        self.N = np.asarray(N, dtype=float).reshape(len(self.meta), self.cols.size)
        self.D = np.asarray(D, dtype=float).reshape(len(self.meta), self.cols.size)
        self.cn = np.asarray(cn, dtype=float)
        self.cd = np.asarray(cd, dtype=float)
        self.theta = np.array(theta, dtype=float)
        self.recipe = recipe
        self._rows = None
        (self.names, self._range, self._has_lo, self._has_hi, self._theta_max,
         self.soft) = static if static is not None else block_static(self.meta)
        self.theta_eff = np.where(self._range, 0.0, self.theta)  # θ in the body (0 for range rows)

    def __len__(self) -> int:
        return len(self.meta)

    # -- matrix form -------------------------------------------------------------
    def body(self) -> tuple[np.ndarray, np.ndarray]:
        """(B, b0): the rows' linear parts ``N − θ·D`` (range rows: N), shape (m, n), and constants."""
        th = self.theta_eff
        return self.N - th[:, None] * self.D, self.cn - th * self.cd

    def bounds(self, b0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) of the linear parts once the constants ``b0`` move right."""
        lo = np.where(self._has_lo, -b0, -np.inf)
        hi = np.where(self._has_hi, -b0, np.inf)
        if self._range.any():
            lo = np.where(self._range, self.theta - b0, lo)
            hi = np.where(self._range, self._theta_max - b0, hi)
        return lo, hi

    def row_bounds(self, i: int, c: float) -> tuple[float, float]:
        """(lower, upper) of row i's linear part when its constant is ``c``."""
        sense = self.meta[i].sense
        if sense == "range":
            return float(self.theta[i] - c), float(self.meta[i].theta_max - c)
        return (-c if sense in (">=", "==") else -math.inf), (-c if sense in ("<=", "==") else math.inf)

    def den_columns(self, i: int) -> np.ndarray:
        """Positions in the block of the columns where row i's denominator has a term (where
        θ enters the body), kept until a column changes."""
        nz = self.__dict__.get("_den_nz")
        if nz is None:
            nz = self._den_nz = {}
        hit = nz.get(i)
        if hit is None:
            hit = nz[i] = np.flatnonzero(self.D[i])
        return hit

    def theta_entries(self, i: int) -> tuple[list, list, list, float, float]:
        """Row i where θ enters, as Python numbers for a persistent update: (global columns of
        the denominator's terms, N there, D there, cn, cd); the body there is N − θ·D and its
        constant cn − θ·cd (range rows: θ = 0).  Kept until a column changes."""
        nz = self.__dict__.get("_den_nz")
        if nz is None:
            nz = self._den_nz = {}
        key = ("entries", i)
        hit = nz.get(key)
        if hit is None:
            d = self.den_columns(i)
            hit = nz[key] = (self.cols[d].tolist(), self.N[i, d].tolist(), self.D[i, d].tolist(),
                             float(self.cn[i]), float(self.cd[i]))
        return hit

    def theta_update(self, i: int) -> tuple[list, list, float, float]:
        """Row i after its θ changed (:meth:`set_theta`): (global columns where θ enters, the
        body N − θ·D there, lower, upper bound of the linear part), as Python numbers for the
        live solver; range rows keep θ out of the body (their θ is the lower bound)."""
        cols, n_e, d_e, cn, cd = self.theta_entries(i)
        th = 0.0 if self._range[i] else float(self.theta[i])
        lo, hi = self.row_bounds(i, cn - th * cd)
        return cols, [n - th * d for n, d in zip(n_e, d_e)], lo, hi

    # -- rows ---------------------------------------------------------------------
    def rows(self) -> list[Row]:
        """The block's rows as :class:`Row` objects (made on first use)."""
        if self._rows is None:
            c = self.cols
            self._rows = [Row(m.name, m.quantity, m.sense, float(self.theta[i]), m.unit,
                              LinExpr.from_dense(c, self.N[i], self.cn[i]), LinExpr.from_dense(c, self.D[i], self.cd[i]),
                              m.kind, m.description, m.group, m.index, m.theta_max)
                          for i, m in enumerate(self.meta)]
        return self._rows

    # -- changes (each returns a new block) -------------------------------------------
    def _clone(self, **arrays) -> "RowBlock":
        b = copy.copy(self)
        b.__dict__.update(arrays)
        b._rows = b._den_nz = b._B = None
        b.__dict__.pop("_K3", None)
        return b

    def copy(self) -> "RowBlock":
        """A block with its own arrays (to be changed in place)."""
        return self._clone(N=self.N.copy(), D=self.D.copy(), theta=self.theta.copy(),
                           theta_eff=self.theta_eff.copy())

    # -- in place (only on a block no snapshot shares; see Problem._thaw) ----------------
    def analysis_column(self, qt, j: int, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(N column, D column, body column N − θ·D) of material ``j`` with analysis ``w`` (kg/kg
        per species), from the block's recipe: one product with the stacked matrix
        [Rn·L − θ·Rd·L; Rn·L; Rd·L] (kept while θ and the species map stay), for a persistent
        analysis change."""
        r = self.recipe
        if getattr(r, "Gn", None) or getattr(r, "Gd", None) or not hasattr(r, "Rn"):
            # quantities over a group of materials, or another kind of recipe (the CO2 row's):
            # the recipe forms the column
            n_col, d_col = r.column(qt, j, w)
            return n_col, d_col, n_col - self.theta_eff * d_col
        key = (qt.smap, self.__dict__.get("_tv", 0))
        hit = self.__dict__.get("_K3")
        if hit is None or hit[0] != key:
            L = qt.smap.L
            kn, kd = r.Rn @ L, r.Rd @ L
            th = self.theta_eff[:, None]
            hit = self._K3 = (key, np.vstack([kn - th * kd, kn, kd]),
                              np.vstack([r.In - th * r.Id, r.In, r.Id]).T.copy(), len(kn))
        v = hit[1] @ w + hit[2][j]
        m = hit[3]
        return v[m:2 * m], v[2 * m:], v[:m]

    def set_theta(self, i: int, value: float) -> None:
        self._tv = self.__dict__.get("_tv", 0) + 1
        self.theta[i] = value
        if not self._range[i]:
            self.theta_eff[i] = value
        self._rows = None
        B = self.__dict__.get("_B")
        if B is not None:
            B[i] = self.N[i] - self.theta_eff[i] * self.D[i]

    def body_column(self, j: int) -> np.ndarray:
        """Column j of the body ``N − θ·D`` (range rows: N), kept up to date by
        :meth:`set_theta` and :meth:`set_column` (a view: read it before changing the column)."""
        B = self.__dict__.get("_B")
        if B is None:
            B = self._B = self.N - self.theta_eff[:, None] * self.D
        return B[:, j]

    def set_column(self, j: int, n_col: np.ndarray, d_col: np.ndarray, body: np.ndarray | None = None) -> None:
        """Column j of N and D; ``body`` (= n_col − θ·d_col) if the caller has it."""
        B = self.__dict__.get("_B")
        if B is not None:
            B[:, j] = body if body is not None else n_col - self.theta_eff * d_col
        self.N[:, j] = n_col
        self.D[:, j] = d_col
        self._rows = None
        self._den_nz = None

    def __getstate__(self):
        d = dict(self.__dict__)
        d["_rows"] = None
        return d


class Formulation:
    """Columns (:class:`~burden.core.space.VarSpace`), rows (row blocks, then single rows) and
    named objective terms (``cost``, ``oxygen``, ``co2``, ``hook`` ...), each a
    :class:`~burden.core.space.LinExpr` in currency per tonne of hot metal."""

    def __init__(self):
        self.space = VarSpace()
        self.blocks: list[RowBlock] = []
        self.single: list[Row] = []
        #: process rows of the nonlinear model (values from the furnace model, not linear)
        self.nonlinear: list[Row] = []
        self.objective: dict[str, LinExpr] = {}
        self._rows_cache = None
        self._index_cache = None
        self._names_cache = None

    # -- building -----------------------------------------------------------
    def add_block(self, block: RowBlock) -> None:
        """Append a row block (before any single row); a repeated name raises ValueError."""
        self._check_new(block.names)
        self.blocks = self.blocks + [block]
        self._changed()

    def add_rows(self, rows) -> None:
        """Append single rows; a repeated name raises ValueError."""
        rows = list(rows)
        self._check_new([r.name for r in rows])
        self.single = self.single + rows
        self._changed()

    def _check_new(self, names) -> None:
        idx = self.index
        seen = set()
        for n in names:
            if n in idx or n in seen:
                raise ValueError(f"row {n!r} declared twice")
            seen.add(n)

    def set_block(self, k: int, block: RowBlock) -> None:
        blocks = list(self.blocks)
        blocks[k] = block
        self.blocks = blocks
        self._changed()

    def replace_row(self, row: Row) -> int:
        """Replace the single row of the same name; returns its global position.
        (Rows of a block change through :meth:`set_block`.)"""
        pos = self.index[row.name]
        k = pos - self.n_block_rows
        if k < 0:
            raise ValueError(f"row {row.name!r} belongs to a row block; change the block")
        single = list(self.single)
        single[k] = row
        self.single = single
        self._changed()
        return pos

    def remove_named(self, names) -> None:
        """Drop rows by name (block rows are dropped from a copy of their block)."""
        names = set(names)
        blocks = []
        for b in self.blocks:
            keep = [i for i, n in enumerate(b.names) if n not in names]
            if len(keep) < len(b):
                b = RowBlock([b.meta[i] for i in keep], b.cols, b.N[keep], b.cn[keep], b.D[keep], b.cd[keep],
                             b.theta[keep], None)  # its own static arrays
            blocks.append(b)
        self.blocks = blocks
        self.single = [r for r in self.single if r.name not in names]
        self._changed()

    def _changed(self) -> None:
        self._rows_cache = None
        self._index_cache = None
        self._names_cache = None

    @property
    def has_hook_rows(self) -> bool:
        """Whether a plant hook made some of the single rows (kept while they stay the same)."""
        hit = self.__dict__.get("_hook_rows")
        if hit is None or hit[0] is not self.single or hit[1] != len(self.single):
            hit = self._hook_rows = (self.single, len(self.single), any(r.kind == "hook" for r in self.single))
        return hit[2]

    def rows_changed(self) -> None:
        """Coefficients or limits of existing rows changed in place (names unchanged)."""
        self._rows_cache = None

    # -- lookup -------------------------------------------------------------
    @property
    def n_block_rows(self) -> int:
        return sum(len(b) for b in self.blocks)

    @property
    def row_names(self) -> list[str]:
        if self._names_cache is None:
            out = []
            for b in self.blocks:
                out += b.names
            self._names_cache = out + [r.name for r in self.single]
        return self._names_cache

    @property
    def index(self) -> dict[str, int]:
        if self._index_cache is None:
            self._index_cache = {n: i for i, n in enumerate(self.row_names)}
        return self._index_cache

    @property
    def rows(self) -> list[Row]:
        """Every row, block rows first, in matrix order."""
        if self._rows_cache is None:
            out = []
            for b in self.blocks:
                out += b.rows()
            self._rows_cache = out + list(self.single)
        return self._rows_cache

    def locate(self, name: str) -> tuple[int, int]:
        """(block number, row within the block) of a block row; (-1, position in single) otherwise."""
        pos = self.index[name]
        for k, b in enumerate(self.blocks):
            if pos < len(b):
                return k, pos
            pos -= len(b)
        return -1, pos

    def row_meta(self, name: str):
        """(meta, θ) of a row without forming Row objects: ``meta`` has name, quantity, sense,
        unit, kind, description, group, index (a RowMeta, or the Row itself for a single row)."""
        k, i = self.locate(name)
        if k >= 0:
            b = self.blocks[k]
            return b.meta[i], float(b.theta[i])
        r = self.single[i]
        return r, r.theta

    def row(self, name: str) -> Row:
        try:
            return self.rows[self.index[name]]
        except KeyError:
            raise KeyError(f"no row {name!r}") from None

    def row_position(self, name: str) -> int:
        return self.index[name]

    def has_row(self, name: str) -> bool:
        return name in self.index

    def set_objective(self, term: str, expr: LinExpr) -> None:
        """Set (replace) a named objective term, currency/tHM."""
        obj = dict(self.objective)
        obj[term] = expr
        self.objective = obj

    def shallow_copy(self) -> "Formulation":
        """A copy sharing the (immutable) blocks, rows and expressions: a snapshot for a Result."""
        f = Formulation.__new__(Formulation)
        f.__dict__.update(self.__dict__)
        sp = VarSpace.__new__(VarSpace)
        sp.__dict__.update(self.space.__dict__)
        f.space = sp
        return f

    # -- matrix form ----------------------------------------------------------
    def cost_vector(self) -> tuple[np.ndarray, float]:
        """(c, offset) of the sum of the objective terms."""
        n = self.space.n
        c = np.zeros(n)
        off = 0.0
        for e in self.objective.values():
            if e.idx.size:
                c += np.bincount(e.idx, weights=e.val, minlength=n)
            off += e.const
        return c, off

    def compile(self) -> Compiled:
        """Matrix form of the rows, bounds and objective (row order = :attr:`rows`)."""
        starts, idxs, vals, rls, rus, soft = [], [], [], [], [], []
        offset = 0
        for b in self.blocks:
            B, b0 = b.body()
            nz = B != 0.0
            counts = nz.sum(axis=1)
            r, c = np.nonzero(nz)
            starts.append(np.cumsum(counts) + offset)
            idxs.append(b.cols[c])
            vals.append(B[r, c])
            lo, hi = b.bounds(b0)
            rls.append(lo)
            rus.append(hi)
            soft.append(b.soft)
            offset += int(counts.sum())
        if self.single:
            st, idx, val, const = stack([r.body for r in self.single])
            starts.append(st[1:].astype(np.int64) + offset)
            idxs.append(idx)
            vals.append(val)
            lo = np.empty(len(self.single))
            hi = np.empty(len(self.single))
            for i, r in enumerate(self.single):
                lo[i], hi[i] = r.bounds(const[i])
            rls.append(lo)
            rus.append(hi)
            soft.append(np.array([r.soft for r in self.single], dtype=bool))
        start = np.concatenate([[0]] + starts).astype(np.int32)
        index = np.concatenate(idxs).astype(np.int32) if idxs else np.zeros(0, np.int32)
        value = np.concatenate(vals) if vals else np.zeros(0)
        c, off = self.cost_vector()
        sp = self.space
        return Compiled(start, index, value, np.concatenate(rls) if rls else np.zeros(0),
                        np.concatenate(rus) if rus else np.zeros(0), list(self.row_names),
                        np.concatenate(soft) if soft else np.zeros(0, bool), sp.lower.copy(), sp.upper.copy(),
                        sp.column_names(), sp.soft.copy(), sp.integrality, c, off)


def row_coefficients(row: Row) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(columns, coefficients, lower, upper) of one row in matrix form."""
    b = row.body.coalesce()
    lo, hi = row.bounds(b.const)
    return b.idx, b.val, lo, hi
