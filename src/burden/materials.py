"""Materials: classes, analyses, prices, availability; material tables.

A material table is a CSV or Excel sheet, one row per material:

============== ==========================================================
column         meaning
============== ==========================================================
name           unique identifier (letters, digits, ``_``)
class          ferrous, flux, coke, injectant or lost_burden
price_per_t    price per tonne, in the scenario's currency
price_basis    ``dry`` or ``wet``: the tonne the price refers to
moisture_pct   free moisture, wt % of the wet material
analysis       any of :data:`~burden.chemistry.analysis.ANALYSIS_COLUMNS`
               and ``ash_<oxide>``, wt % of the dry material
min_kg_per_thm optional availability (dry kg per tonne of hot metal);
max_kg_per_thm empty cell = no limit
min_t_per_day  optional availability (dry t per day)
max_t_per_day
description    optional text
source         optional: where the numbers come from
============== ==========================================================

Analysis, price and moisture cells must be filled (write 0 where a material
has none): an empty cell is more often a forgotten value than a zero.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

from .chemistry.analysis import ANALYSIS_COLUMNS, ASH_OXIDES, AnalysisError, normalise_analysis
from .errors import InputError, InputProblem, echo, number_problem, quantity_range


class MaterialClass(str, Enum):
    """What role a material plays in the furnace."""

    FERROUS = "ferrous"
    FLUX = "flux"
    COKE = "coke"
    INJECTANT = "injectant"
    LOST_BURDEN = "lost_burden"

    @property
    def is_fuel(self) -> bool:
        return self in (MaterialClass.COKE, MaterialClass.INJECTANT)


REQUIRED_COLUMNS = ("name", "class", "price_per_t", "price_basis", "moisture_pct")
AVAILABILITY_COLUMNS = ("min_kg_per_thm", "max_kg_per_thm", "min_t_per_day", "max_t_per_day")
TEXT_COLUMNS = ("description", "source")
ALL_ANALYSIS_COLUMNS = tuple(ANALYSIS_COLUMNS) + tuple("ash_" + o for o in ASH_OXIDES)
KNOWN_COLUMNS = REQUIRED_COLUMNS + AVAILABILITY_COLUMNS + TEXT_COLUMNS + ALL_ANALYSIS_COLUMNS
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class ReadOnlyDict(dict):
    """A dict that refuses changes (an analysis of a :class:`Material`).

    Unlike :class:`types.MappingProxyType` it pickles and deep-copies, so
    materials can go to worker processes; ``dict(d)`` gives a mutable copy.
    """

    __slots__ = ()

    def _refuse(self, *args, **kwargs):
        raise TypeError("a material's analysis is read-only; use Material.with_changes(analysis=...) "
                        "or dict(material.analysis) for a mutable copy")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self):
        return (type(self), (dict(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


@dataclass(frozen=True)
class Material:
    """One raw material with its dry analysis, price and availability.

    Attributes
    ----------
    name : str
    material_class : MaterialClass
    analysis : dict
        Canonical species (see :data:`burden.chemistry.analysis.CANONICAL`),
        wt % of the dry material.
    reported : dict
        The analysis as given in the table (wt % dry), for reports.
    price_per_t : float
        Price per tonne on ``price_basis``, currency of the scenario.
    price_basis : {"dry", "wet"}
    moisture_pct : float
        Free moisture, wt % of the wet material.
    min_kg_per_thm, max_kg_per_thm : float or None
        Availability, dry kg per tonne of hot metal.
    min_t_per_day, max_t_per_day : float or None
        Availability, dry tonnes per day.
    total_pct : float
        Sum of the analysed constituents, wt %.
    """

    name: str
    material_class: MaterialClass
    analysis: dict[str, float]
    reported: dict[str, float]
    price_per_t: float
    price_basis: str = "dry"
    moisture_pct: float = 0.0
    min_kg_per_thm: float | None = None
    max_kg_per_thm: float | None = None
    min_t_per_day: float | None = None
    max_t_per_day: float | None = None
    description: str = ""
    source: str = ""
    total_pct: float = 100.0
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        # a Material is immutable all the way down: the analyses are read-only dicts
        for name in ("analysis", "reported"):
            v = getattr(self, name)
            if not isinstance(v, ReadOnlyDict):
                object.__setattr__(self, name, ReadOnlyDict(v))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @property
    def wet_per_dry(self) -> float:
        """kg of wet material per kg of dry material, 1/(1 - moisture)."""
        return 1.0 / (1.0 - self.moisture_pct / 100.0)

    @property
    def price_per_dry_t(self) -> float:
        """Price per dry tonne (a wet-basis price divided by the dry fraction)."""
        return self.price_per_t * (self.wet_per_dry if self.price_basis == "wet" else 1.0)

    def availability_kg_per_thm(self, production_t_per_day: float) -> tuple[float, float]:
        """(min, max) dry kg/tHM from the kg/tHM and t/day limits; the tighter limit of each side.

        t/day → kg/tHM: 1000·t_per_day / production_t_per_day.  This is the one place the
        conversion is made (scenario validation and the model both call it).
        """
        P = production_t_per_day
        lo = max(self.min_kg_per_thm or 0.0, 1000.0 * (self.min_t_per_day or 0.0) / P)
        hi = min(self.max_kg_per_thm if self.max_kg_per_thm is not None else math.inf,
                 1000.0 * self.max_t_per_day / P if self.max_t_per_day is not None else math.inf)
        return lo, hi

    def with_changes(self, **changes) -> "Material":
        """A copy with some attributes changed (prices, availability)."""
        return replace(self, **changes)

    def to_record(self) -> dict:
        """The material as a row of a material table (the analysis as reported, wt % dry);
        :func:`materials_from_records` of the row gives this material back."""
        rec: dict = {"name": self.name, "class": self.material_class.value, "price_per_t": self.price_per_t,
                     "price_basis": self.price_basis, "moisture_pct": self.moisture_pct}
        for c in AVAILABILITY_COLUMNS:
            if getattr(self, c) is not None:
                rec[c] = getattr(self, c)
        rec.update(description=self.description, source=self.source)
        rec.update(self.reported)
        return rec


class MaterialTable(Mapping):
    """A read-only table name -> :class:`Material`, as a scenario's config dumps a table
    given in Python (``ScenarioConfig.model_dump()``): the materials stay objects (a
    plain dict of dataclasses would be turned into dicts by pydantic), and the table
    pickles and copies.
    """

    __slots__ = ("_items",)

    def __init__(self, materials: Mapping[str, Material]):
        self._items = dict(materials)

    def __getitem__(self, name: str) -> Material:
        return self._items[name]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"MaterialTable({', '.join(self._items)})"

    def __reduce__(self):
        return (type(self), (self._items,))


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


#: what plants write for "no value" in a cell; pandas would read these as empty (no limit for an
#: availability), so they are kept as text and refused with the fix
NOT_A_VALUE = frozenset({"n/a", "#n/a", "na", "n.a.", "n.a", "null", "none", "nan", "-", "--", "—", "–", "?",
                         "#value!", "#ref!", "#div/0!", "#num!", "#name?", "#null!"})
#: the cells pandas leaves empty: only truly empty ones (not "N/A", "NULL", ...)
_READ_NA = dict(keep_default_na=False, na_values=[""])


def materials_from_records(records: list[Mapping], source: str = "<python>") -> dict[str, Material]:
    """Build and check materials from table rows (dicts of column -> cell).

    Every problem found is collected; an :class:`~burden.errors.InputError`
    lists them all, each naming ``source``, the row, the column and the fix.
    """
    problems: list[InputProblem] = []
    if not records:
        raise InputError([InputProblem(source, "", "the material table is empty; add at least one material row")])
    columns: list[str] = []
    for rec in records:
        for c in rec:
            if c not in columns:
                columns.append(c)
    for c in columns:
        if c not in KNOWN_COLUMNS:
            problems.append(InputProblem(source, f"column {c!r}",
                                         "unknown column" + _suggest(c, KNOWN_COLUMNS)
                                         + " (analyses are wt % dry, e.g. SiO2, TFe, FeO; see `burden materials --columns`)"))
    for c in REQUIRED_COLUMNS:
        if c not in columns:
            problems.append(InputProblem(source, f"column {c!r}", "required column is missing"))
    if problems:
        raise InputError(problems)

    out: dict[str, Material] = {}
    # the number rule's plausible range per column (quantity_range); a value inside it is finite
    ranges = {c: quantity_range(c)[:2] for c in columns}
    for i, rec in enumerate(records):
        name = rec.get("name")
        row = f"row {i + 2}"
        if _is_empty(name):
            problems.append(InputProblem(source, f"{row}, column 'name'", "the material name is empty"))
            continue
        name = str(name).strip()
        where = f"{row} ({name})"
        if not _NAME.match(name):
            problems.append(InputProblem(source, f"{where}, column 'name'",
                                         "names start with a letter and use letters, digits and _ only"))
            continue
        if name in out:
            problems.append(InputProblem(source, f"{where}, column 'name'", f"material {name!r} appears twice"))
            continue
        row_problems: list[InputProblem] = []
        cls_raw = str(rec.get("class", "")).strip()
        try:
            mclass = MaterialClass(cls_raw)
        except ValueError:
            row_problems.append(InputProblem(source, f"{where}, column 'class'",
                                             f"unknown class {cls_raw!r}; use one of "
                                             + ", ".join(c.value for c in MaterialClass)))
            mclass = None
        basis = str(rec.get("price_basis", "")).strip().lower()
        if basis not in ("dry", "wet"):
            row_problems.append(InputProblem(source, f"{where}, column 'price_basis'",
                                             f"{rec.get('price_basis')!r} is not 'dry' or 'wet'"))
        numbers: dict[str, float] = {}
        for c in columns:
            if c in ("name", "class", "price_basis") or c in TEXT_COLUMNS:
                continue
            value = rec.get(c)
            if _is_empty(value):
                if c in AVAILABILITY_COLUMNS:
                    continue
                row_problems.append(InputProblem(source, f"{where}, column {c!r}",
                                                 "empty cell; write 0 if the material has none"))
                continue
            if isinstance(value, str) and value.strip().lower() in NOT_A_VALUE:
                fix = ("leave the cell empty for no limit, or give a number" if c in AVAILABILITY_COLUMNS else
                       "give a number (write 0 if the material has none)")
                row_problems.append(InputProblem(source, f"{where}, column {c!r}",
                                                 f"{echo(value.strip())} is not a number; {fix}"))
                continue
            if isinstance(value, bool):
                row_problems.append(InputProblem(source, f"{where}, column {c!r}",
                                                 f"a yes/no value ({str(value).lower()}) is not a number; give a number"))
                continue
            try:
                x = float(value)
            except (TypeError, ValueError, OverflowError):
                row_problems.append(InputProblem(source, f"{where}, column {c!r}", f"{echo(value)} is not a number"))
                continue
            lo, hi = ranges[c]
            if not lo <= x <= hi:  # also false for nan and ±inf: then the rule says why
                row_problems.append(InputProblem(source, f"{where}, column {c!r}", number_problem(x, c)))
                continue
            numbers[c] = x
        for c in ("price_per_t", "moisture_pct") + AVAILABILITY_COLUMNS:
            if c in numbers and numbers[c] < 0:
                row_problems.append(InputProblem(source, f"{where}, column {c!r}",
                                                 f"{numbers[c]:g} is negative"))
        if numbers.get("moisture_pct", 0) >= 100:
            row_problems.append(InputProblem(source, f"{where}, column 'moisture_pct'",
                                             "moisture is wt % of the wet material and must be below 100"))
        for lo, hi in (("min_kg_per_thm", "max_kg_per_thm"), ("min_t_per_day", "max_t_per_day")):
            if lo in numbers and hi in numbers and numbers[lo] > numbers[hi]:
                row_problems.append(InputProblem(source, f"{where}, columns {lo!r}/{hi!r}",
                                                 f"min {numbers[lo]:g} > max {numbers[hi]:g}; swap them"))
        if row_problems:
            problems.extend(row_problems)
            continue
        raw = {c: numbers[c] for c in ALL_ANALYSIS_COLUMNS if c in numbers and numbers[c] != 0}
        try:
            norm = normalise_analysis(raw, name=name)
        except AnalysisError as e:
            msg = str(e)
            msg = msg[len(name) + 2:] if msg.startswith(name + ": ") else msg
            problems.append(InputProblem(source, f"{where}, column {e.field!r}", msg))
            continue
        out[name] = Material(
            name=name,
            material_class=mclass,
            analysis=norm.species,
            reported=raw,
            price_per_t=numbers["price_per_t"],
            price_basis=basis,
            moisture_pct=numbers["moisture_pct"],
            min_kg_per_thm=numbers.get("min_kg_per_thm"),
            max_kg_per_thm=numbers.get("max_kg_per_thm"),
            min_t_per_day=numbers.get("min_t_per_day"),
            max_t_per_day=numbers.get("max_t_per_day"),
            description="" if _is_empty(rec.get("description")) else str(rec.get("description")),
            source="" if _is_empty(rec.get("source")) else str(rec.get("source")),
            total_pct=norm.total_pct,
            warnings=norm.warnings,
        )
    if problems:
        raise InputError(problems)
    return out


def materials_from_dataframe(df, source: str = "<DataFrame>") -> dict[str, Material]:
    """Materials from a pandas DataFrame with the columns of a material table."""
    df = df.reset_index(drop=True) if "name" in df.columns else df.reset_index()
    return materials_from_records(df.to_dict(orient="records"), source=source)


def load_material_table(path: str | Path, sheet: str | None = None) -> dict[str, Material]:
    """Read a material table from CSV (``.csv``) or Excel (``.xlsx``, ``.xls``).

    Parameters
    ----------
    path : path
        The file.  Lines starting with ``#`` in a CSV are comments.
    sheet : str, optional
        Excel sheet name; default: the sheet named ``materials``, else the first.

    Raises
    ------
    InputError
        Missing or unreadable file, unknown columns, bad cells, inconsistent analyses.
    """
    import pandas as pd

    p = Path(path)
    src = str(path)
    if not p.is_file():
        raise InputError([InputProblem(src, "", "material table not found; check the path "
                                       "(relative paths are relative to the scenario file)")])
    try:
        if p.suffix.lower() == ".csv":
            # only whole lines starting with # are comments: a cell "#N/A" is a value to refuse, not the
            # start of a comment that would empty the rest of the row
            import io

            text = p.read_text(encoding="utf-8-sig")
            kept = "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))
            df = pd.read_csv(io.StringIO(kept), skipinitialspace=True, dtype={"name": str, "class": str}, **_READ_NA)
        elif p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            xl = pd.ExcelFile(p)
            name = sheet or ("materials" if "materials" in xl.sheet_names else xl.sheet_names[0])
            if name not in xl.sheet_names:
                raise InputError([InputProblem(src, f"sheet {name!r}", "no such sheet; sheets: "
                                               + ", ".join(xl.sheet_names))])
            df = pd.read_excel(xl, sheet_name=name, **_READ_NA)
            if p.suffix.lower() in (".xlsx", ".xlsm"):
                df = _with_excel_error_cells(df, p, name)
        else:
            raise InputError([InputProblem(src, "", "material tables are .csv or .xlsx files")])
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError([InputProblem(src, "", "the material table is empty; add a header row and material rows")])
    except Exception as e:  # parser errors: report, never a traceback
        raise InputError([InputProblem(src, "", f"cannot read the table: {e}")])
    df.columns = [str(c).strip() for c in df.columns]
    return materials_from_records(df.to_dict(orient="records"), source=src)


def _with_excel_error_cells(df, path: Path, sheet: str):
    """``df`` with Excel error cells (``#N/A``, ``#VALUE!``, ...) as their text: pandas reads them as
    empty, which in an availability column would mean "no limit"."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        errors = [(r, c, cell.value) for r, row in enumerate(wb[sheet].iter_rows(min_row=2))
                  for c, cell in enumerate(row) if getattr(cell, "data_type", None) == "e"]
    finally:
        wb.close()
    errors = [(r, c, v) for r, c, v in errors if r < len(df) and c < len(df.columns)]
    if errors:
        df = df.astype(object)
        for r, c, v in errors:
            df.iat[r, c] = str(v)
    return df


@functools.lru_cache(maxsize=1)
def _default_library_cached() -> dict[str, Material]:
    ref = resources.files("burden") / "data" / "materials.csv"
    with resources.as_file(ref) as p:
        return load_material_table(p)


def default_library() -> dict[str, Material]:
    """The packaged material library (``burden/data/materials.csv``).

    Each row cites its source in the ``source`` column.  The table is read
    once per process; each call returns a new dict (add or remove entries
    freely) over the same :class:`Material` objects, which are immutable
    (frozen, with read-only analyses).
    """
    return dict(_default_library_cached())
