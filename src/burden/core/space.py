"""Column space and linear expressions of a formulation.

A :class:`VarSpace` is an ordered set of named, indexed column blocks (materials now;
periods, samples, stocks, binaries, blast settings, sinter feed as components add
them).  Each block has bounds, a kind (continuous, binary, integer) and a unit, and
owns a contiguous range of the global column index.  A :class:`LinExpr` is a sparse
affine expression ``Σ val_k·z[idx_k] + const`` over any columns of a space.

The design follows linopy (variables as labelled arrays of columns, expressions as
sparse coefficient arrays) without its xarray dependency: burden formulations have
tens to a few thousand columns, and plain numpy keeps the solve path light.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Hashable, Iterable, Sequence

import numpy as np

#: Column kinds a block may have; a backend that cannot honour integrality refuses a
#: formulation with binary or integer columns.
KINDS = ("continuous", "binary", "integer")


class LinExpr:
    """A sparse affine expression ``Σ val[k]·z[idx[k]] + const`` over global columns.

    Duplicate column indices are allowed and summed (see :meth:`coalesce`).
    Arithmetic with numbers and other expressions returns new expressions.

    Parameters
    ----------
    idx : array of int, shape (k,)
        Global column indices.
    val : array of float, shape (k,)
        Coefficients (unit of the expression per unit of the column).
    const : float
        Constant term, in the unit of the expression.
    """

    __slots__ = ("idx", "val", "const")

    def __init__(self, idx=(), val=(), const: float = 0.0):
        self.idx = np.asarray(idx, dtype=np.int64)
        self.val = np.asarray(val, dtype=float)
        self.const = float(const)

    # -- constructors -------------------------------------------------------
    @classmethod
    def constant(cls, c: float) -> "LinExpr":
        return cls((), (), c)

    @classmethod
    def column(cls, j: int, coef: float = 1.0) -> "LinExpr":
        return cls((j,), (coef,), 0.0)

    @classmethod
    def from_dense(cls, cols: np.ndarray, coef: np.ndarray, const: float = 0.0) -> "LinExpr":
        """Coefficients ``coef`` on the columns ``cols`` (same length); zeros dropped."""
        coef = np.asarray(coef, dtype=float)
        nz = coef != 0.0
        return cls(np.asarray(cols)[nz], coef[nz], const)

    # -- arithmetic ---------------------------------------------------------
    def __add__(self, other):
        if isinstance(other, LinExpr):
            return LinExpr(np.concatenate([self.idx, other.idx]), np.concatenate([self.val, other.val]),
                           self.const + other.const)
        return LinExpr(self.idx, self.val, self.const + float(other))

    __radd__ = __add__

    def __neg__(self):
        return LinExpr(self.idx, -self.val, -self.const)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, k):
        k = float(k)
        return LinExpr(self.idx, self.val * k, self.const * k)

    __rmul__ = __mul__

    # -- evaluation ---------------------------------------------------------
    def coalesce(self) -> "LinExpr":
        """Same expression with each column once, sorted, exact zeros dropped."""
        if self.idx.size == 0:
            return self
        u, inv = np.unique(self.idx, return_inverse=True)
        v = np.zeros(u.size)
        np.add.at(v, inv, self.val)
        keep = v != 0.0
        return LinExpr(u[keep], v[keep], self.const)

    def value(self, z) -> float:
        """Value at the column values ``z`` (any array long enough to hold every index)."""
        z = np.asarray(z, dtype=float)
        return float(self.val @ z[self.idx]) + self.const if self.idx.size else self.const

    def dense(self, n: int) -> np.ndarray:
        """Coefficients as a dense vector of length ``n`` (the constant is left out)."""
        out = np.zeros(n)
        np.add.at(out, self.idx, self.val)
        return out

    def __repr__(self) -> str:
        terms = " + ".join(f"{v:g}·z[{i}]" for i, v in zip(self.idx[:6], self.val[:6]))
        more = " + ..." if self.idx.size > 6 else ""
        return f"LinExpr({terms}{more} + {self.const:g})"

    def __reduce__(self):
        return (LinExpr, (self.idx, self.val, self.const))


@dataclass(frozen=True)
class Block:
    """A named block of columns: ``labels[i]`` is global column ``start + i``.

    Attributes
    ----------
    name : str
        e.g. ``"x"`` (material rates), ``"blast"``, ``"hook"``.
    labels : tuple
        Index labels (material names, setting names, (period, material) tuples ...).
    start : int
        Global index of the first column.
    kind : {"continuous", "binary", "integer", "mixed"}
        ``mixed``: the kinds differ by column (see :attr:`kinds`).
    unit : str
        Unit of every column of the block, e.g. ``kg/tHM``.
    description : str
    """

    name: str
    labels: tuple
    start: int
    kind: str = "continuous"
    unit: str = ""
    description: str = ""
    kinds: tuple = ()

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def stop(self) -> int:
        return self.start + len(self.labels)

    @property
    def cols(self) -> np.ndarray:
        """Global column indices of the block, shape (len,)."""
        return np.arange(self.start, self.stop)

    def col(self, label: Hashable) -> int:
        """Global column index of ``label``; KeyError if it is not in the block."""
        try:
            return self.start + self._pos[label]
        except KeyError:
            raise KeyError(f"{label!r} is not in block {self.name!r}") from None

    @cached_property
    def _pos(self) -> dict:
        return {k: i for i, k in enumerate(self.labels)}

    def expr(self, label: Hashable, coef: float = 1.0) -> LinExpr:
        return LinExpr.column(self.col(label), coef)

    @cached_property
    def column_names(self) -> list[str]:
        """``block[label]`` of each column."""
        return [self.column_name(i) for i in range(len(self))]

    def column_name(self, i: int) -> str:
        lab = self.labels[i]
        lab = ",".join(map(str, lab)) if isinstance(lab, tuple) else str(lab)
        return f"{self.name}[{lab}]"


class VarSpace:
    """Ordered named column blocks with their bounds.

    Bounds are held in two global arrays (:attr:`lower`, :attr:`upper`), so a
    backend reads them at once and a persistent update changes them in place.
    """

    def __init__(self):
        self.blocks: dict[str, Block] = {}
        self.lower = np.zeros(0)
        self.upper = np.zeros(0)
        self.soft = np.zeros(0, dtype=bool)  # bounds that are operating limits (relaxable)
        self.integer = np.zeros(0, dtype=bool)  # binary and integer columns

    @property
    def n(self) -> int:
        return int(self.lower.size)

    def add(self, name: str, labels: Iterable[Hashable], lower=0.0, upper=math.inf, *, kind: str = "continuous",
            unit: str = "", description: str = "", soft=False) -> Block:
        """Append a block; ``lower``/``upper``/``soft`` are scalars or arrays of len(labels);
        ``kind`` one kind for the block or a sequence of kinds, one per column."""
        if name in self.blocks:
            raise ValueError(f"block {name!r} already exists")
        labels = tuple(labels)
        k = len(labels)
        kinds = (kind,) * k if isinstance(kind, str) else tuple(kind)
        bad = [x for x in kinds if x not in KINDS]
        if bad or len(kinds) != k:
            raise ValueError(f"kind {bad[0] if bad else kind!r}; one of {KINDS}, one per column")
        if len(set(labels)) != len(labels):
            raise ValueError(f"block {name!r} has repeated labels")
        block_kind = kinds[0] if len(set(kinds)) == 1 else ("mixed" if kinds else "continuous")
        b = Block(name, labels, self.n, block_kind, unit, description, kinds)
        lo = np.array(np.broadcast_to(np.asarray(lower, dtype=float), (k,)))
        hi = np.array(np.broadcast_to(np.asarray(upper, dtype=float), (k,)))
        binary = np.array([x == "binary" for x in kinds], dtype=bool)
        lo[binary] = np.maximum(lo[binary], 0.0)
        hi[binary] = np.minimum(hi[binary], 1.0)
        self.lower = np.concatenate([self.lower, lo])
        self.upper = np.concatenate([self.upper, hi])
        self.soft = np.concatenate([self.soft, np.broadcast_to(np.asarray(soft, dtype=bool), (k,))])
        self.integer = np.concatenate([self.integer, np.array([x != "continuous" for x in kinds], dtype=bool)])
        self.blocks = {**self.blocks, name: b}  # copy-on-write: snapshots keep their blocks
        return b

    def __getitem__(self, name: str) -> Block:
        return self.blocks[name]

    def __contains__(self, name: str) -> bool:
        return name in self.blocks

    @property
    def integrality(self) -> np.ndarray:
        """1 for binary/integer columns, 0 otherwise (HiGHS's kInteger / kContinuous)."""
        return self.integer.astype(np.int64)

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def column_names(self) -> list[str]:
        """``block[label]`` of every column, in order."""
        out = []
        for b in self.blocks.values():
            out += b.column_names
        return out

    def locate(self, j: int) -> tuple[Block, Hashable]:
        """(block, label) of global column ``j``."""
        for b in self.blocks.values():
            if b.start <= j < b.stop:
                return b, b.labels[j - b.start]
        raise IndexError(j)

    def layout(self) -> dict[str, tuple[int, tuple]]:
        """Plain description (block -> (start, labels)) for a :class:`~burden.results.Solution`."""
        return {k: (b.start, b.labels) for k, b in self.blocks.items()}


def stack(exprs: Sequence[LinExpr]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise sparse arrays (start, index, value) and constants of several expressions.

    Duplicate columns within a row are summed and exact zeros dropped, for all rows at
    once (one lexsort), so the cost grows with the number of nonzeros, not rows × columns.
    """
    m = len(exprs)
    const = np.array([e.const for e in exprs], dtype=float)
    if m == 0:
        return np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0), const
    counts = np.fromiter((e.idx.size for e in exprs), dtype=np.int64, count=m)
    rows = np.repeat(np.arange(m, dtype=np.int64), counts)
    cols = np.concatenate([e.idx for e in exprs]) if counts.sum() else np.zeros(0, np.int64)
    vals = np.concatenate([e.val for e in exprs]) if counts.sum() else np.zeros(0)
    order = np.lexsort((cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    if rows.size:
        first = np.ones(rows.size, dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        starts = np.nonzero(first)[0]
        vals = np.add.reduceat(vals, starts)
        rows, cols = rows[starts], cols[starts]
        keep = vals != 0.0
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
    start = np.zeros(m + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=m), out=start[1:])
    return start, cols.astype(np.int32), vals, const
