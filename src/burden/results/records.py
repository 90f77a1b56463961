"""A result table as plain records: what ``burden solve`` prints and writes, without pandas.

:class:`Records` holds a table as a list of row dicts and an index column.  The public
``Result`` tables stay pandas DataFrames (:meth:`Records.frame` is
``pd.DataFrame(records).set_index(index)``, made when a table is first asked for); the
command line's summary, ``result.json`` and CSV files are formed from the records, so a
``burden solve`` does not import pandas (≈ 0.15–0.3 s of a 0.5–0.8 s process, with the
pyarrow that pandas 3 imports whenever it is installed).

The CSV text and the JSON records are those of the DataFrame, byte for byte: each column is
given the dtype pandas infers for it (``maybe_convert_objects``: float64, int64, bool, str;
an int in a float column is a float, None in a float or text column is NaN), and the CSV
values are formatted as ``DataFrame.to_csv(float_format=..., lineterminator="\\n")`` formats
them (``float_format % v`` for floats, ``str`` for the rest, ``""`` for missing values, the
``csv`` module's minimal quoting).  A column of any other make (mixed text and numbers,
objects) is left to pandas itself, so the output never differs
(``tests/test_records.py`` compares both ways on every example scenario).
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

_FLOAT, _INT, _BOOL, _STR = "float", "int", "bool", "str"


def _kind_of(v) -> str:
    """The make of one value, as pandas' object inference sees it."""
    if v is None:
        return "null"
    t = type(v)
    if t is float:
        return "nan" if v != v else _FLOAT
    if t is str:
        return _STR
    if t is bool:
        return _BOOL
    if t is int:
        return _INT
    import numpy as np  # numpy scalars (numpy is imported by then: the solution is arrays)

    if isinstance(v, np.bool_):
        return _BOOL
    if isinstance(v, np.floating):
        return "nan" if v != v else _FLOAT
    if isinstance(v, np.integer):
        return _INT
    return "other"


def _column_kind(values) -> str | None:
    """The dtype pandas gives a column of these values (``float``, ``int``, ``bool``, ``str``),
    or None for any other make (left to pandas)."""
    kinds = {_kind_of(v) for v in values}
    if not kinds or "other" in kinds:
        return None
    if kinds <= {_FLOAT, _INT, "nan"} and kinds & {_FLOAT, "nan"}:
        return _FLOAT
    if kinds <= {_FLOAT, _INT, "nan", "null"} and kinds & {_FLOAT, _INT} and kinds & {"nan", "null"}:
        return _FLOAT
    if kinds == {_INT}:
        return _INT
    if kinds == {_BOOL}:
        return _BOOL
    if _STR in kinds and kinds <= {_STR, "nan", "null"}:
        return _STR
    return None


def _as_kind(v, kind: str):
    """A value as it reads from a column of ``kind`` (Python types; NaN for a missing value)."""
    if kind == _FLOAT:
        return math.nan if v is None else float(v)
    if kind == _INT:
        return int(v)
    if kind == _BOOL:
        return bool(v)
    return math.nan if v is None or (type(v) is not str and v != v) else v


class Records:
    """A table as row dicts with an index column (see the module docstring).

    Parameters
    ----------
    index : str
        Name of the index column (the first key of every row).
    rows : list of dict
        One dict per row, the index column's value first; columns in the order of first
        appearance; a missing key is a missing value (NaN), as in ``pd.DataFrame(rows)``.
    attrs : dict, optional
        The DataFrame's ``attrs`` (notes that are not columns).
    """

    __slots__ = ("index", "rows", "attrs", "_norm")

    def __init__(self, index: str, rows: list[dict], attrs: dict | None = None):
        self.index = index
        self.rows = rows
        self.attrs = dict(attrs or {})
        self._norm = None

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def columns(self) -> list[str]:
        """The columns (without the index), in the order of ``pd.DataFrame(rows)``."""
        seen: dict[str, None] = {}
        for r in self.rows:
            for k in r:
                seen.setdefault(k, None)
        seen.pop(self.index, None)
        return list(seen)

    def frame(self):
        """The table as a pandas DataFrame (``pd.DataFrame(rows).set_index(index)``, ``attrs`` set)."""
        import pandas as pd

        df = pd.DataFrame(self.rows).set_index(self.index)
        df.attrs.update(self.attrs)
        return df

    def _normalised(self):
        """(index values, columns, kinds, rows as iterrows reads them, rows as the columns hold
        them), or None when a column is of a make left to pandas."""
        if self._norm is None:
            cols = self.columns
            keys = [r.get(self.index) for r in self.rows]
            raw = {c: [r.get(c, math.nan) for r in self.rows] for c in cols}
            kinds = {c: _column_kind(raw[c]) for c in cols}
            idx_kind = _column_kind(keys)
            if idx_kind not in (_STR, _INT) or None in kinds.values() or not self.rows:
                self._norm = False
            else:
                ks = set(kinds.values())
                row_float = ks <= {_FLOAT, _INT} and _FLOAT in ks  # a row of numbers is one float64 Series
                vals = {c: [_as_kind(v, kinds[c]) for v in raw[c]] for c in cols}
                held = [[vals[c][i] for c in cols] for i in range(len(keys))]
                rows = [[float(v) for v in r] for r in held] if row_float else held
                self._norm = (keys, cols, kinds, rows, held)
        return self._norm or None

    def items(self):
        """``(index value, {column: value})`` per row, the values as ``DataFrame.iterrows`` gives
        them (an int in a float column is a float, a missing value NaN; in a table of numbers only,
        with a float column, every value is a float), as Python values."""
        n = self._normalised()
        if n is None:
            for k, r in self.frame().iterrows():
                yield k, dict(r.items())
            return
        keys, cols, _kinds, rows, _held = n
        for k, vals in zip(keys, rows):
            yield k, dict(zip(cols, vals))

    def get(self, key) -> dict | None:
        """The row of index value ``key`` as in :meth:`items`, or None."""
        for k, r in self.items():
            if k == key:
                return r
        return None

    def json_records(self, clean) -> list[dict]:
        """``[{index: key, column: clean(value), ...}, ...]`` as formed from ``DataFrame.iterrows``
        (a row of numeric columns only is one float64 Series: its ints become floats)."""
        n = self._normalised()
        if n is None:
            return frame_json_records(self.frame(), clean)
        keys, cols, _kinds, rows, _held = n
        out = []
        for k, vals in zip(keys, rows):
            rec = {self.index: k}
            rec.update({c: clean(v) for c, v in zip(cols, vals)})
            out.append(rec)
        return out

    def to_csv(self, float_format: str = "%.10g") -> str:
        """The text of ``frame().to_csv(float_format=float_format, lineterminator="\\n")``."""
        n = self._normalised()
        if n is None:
            return self.frame().to_csv(float_format=float_format, lineterminator="\n")
        keys, cols, kinds, _rows, rows = n
        fmts = [kinds[c] for c in cols]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n", delimiter=",", quoting=csv.QUOTE_MINIMAL, doublequote=True,
                       quotechar='"', escapechar=None)
        w.writerow([self.index, *cols])
        for k, vals in zip(keys, rows):
            w.writerow([str(k)] + [_csv_value(v, f, float_format) for v, f in zip(vals, fmts)])
        return buf.getvalue()


def _csv_value(v, kind: str, float_format: str) -> str:
    if kind == _FLOAT:
        return "" if v != v else float_format % v
    if kind == _STR:
        return "" if type(v) is not str else v
    return str(v)


def frame_of(t) -> Any:
    """A DataFrame of a table given as :class:`Records` or as a DataFrame."""
    return t.frame() if isinstance(t, Records) else t


def csv_text(t, float_format: str = "%.10g") -> str:
    """The CSV text of a table (:class:`Records` or a DataFrame), as ``DataFrame.to_csv`` writes it."""
    if isinstance(t, Records):
        return t.to_csv(float_format)
    return t.to_csv(float_format=float_format, lineterminator="\n")


def frame_json_records(df, clean) -> list[dict]:
    """``[{index: key, column: clean(value), ...}, ...]`` of a DataFrame, row by row
    (``DataFrame.iterrows``; the index column named ``index`` when the index has no name)."""
    idx = df.index.name or "index"
    out = []
    for k, row in df.iterrows():
        rec = {idx: k}
        rec.update({c: clean(v) for c, v in row.items()})
        out.append(rec)
    return out
