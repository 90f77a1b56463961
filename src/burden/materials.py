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

Tables are read as plants write them (:func:`load_material_table`): ``,``/``;``/tab
separators, decimal commas in ``;`` files, ``%`` signs, Excel percentage formats, title rows,
the data on any sheet.  Values typed as fractions (about 100x below a column's usual range,
:data:`USUAL_RANGES_PCT`) are refused with the cell and the fix; a missing slag-oxide column
gives a warning naming it.  ``LOI`` needs ``LOI_CO2_share_pct`` (its split into CO2 and bound
water) and ``Fe3O4`` is magnetite (see :func:`burden.chemistry.analysis.normalise_analysis`).
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
from .errors import InputError, InputProblem, clip, did_you_mean, echo, number_problem, quantity_range


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
    #: the analysis columns of the table the material was read from (empty: not from a table);
    #: a limit on a species none of the charged materials' tables has is refused
    table_columns: frozenset = field(default_factory=frozenset, compare=False, repr=False)

    def __post_init__(self):
        # a Material is immutable all the way down: the analyses are read-only dicts
        for name in ("analysis", "reported"):
            v = getattr(self, name)
            if not isinstance(v, ReadOnlyDict):
                object.__setattr__(self, name, ReadOnlyDict(v))
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "table_columns", frozenset(self.table_columns))

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
        # the table's other analysis columns as 0: a reloaded table has the columns it was read with
        rec.update({c: 0.0 for c in sorted(self.table_columns)
                    if c not in self.reported and c != "LOI_CO2_share_pct"})
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


_CLASS_NAMES = frozenset(c.value for c in MaterialClass)


def group_members(spec, materials: Mapping[str, "Material"]) -> set[str]:
    """The materials of ``materials`` a group names: ``spec`` is a material name, a class name
    (``ferrous``, ``flux``, ``coke``, ``injectant``) or a list of them.  A name that is both a
    material and a class (``coke``) means the material, as everywhere a material's own name
    wins over its class (write ``[coke, nut_coke]`` for both)."""
    sel = {spec} if isinstance(spec, str) else set(spec)
    cls = {c for c in sel if c in _CLASS_NAMES and c not in materials}
    return {k for k, m in materials.items() if k in sel or m.material_class.value in cls}


def _suggest(word: str, choices: Iterable[str]) -> str:
    hint = did_you_mean(word, choices)
    return f"; {hint.rstrip()}" if hint else ""


#: column names plants write for a column of ours, keyed by the name in lower case without
#: spaces, '%', '(%)', '_pct' or 'wt' (see :func:`_column_key`), with the fix to write
_COLUMN_ALIASES: dict[str, str] = {
    "h2o": ("free water is not part of the dry analysis: give it as moisture_pct (wt % of the wet material) "
            "and the analysis on a dry basis; chemically bound water (e.g. of goethite) goes in H2O_chem"),
    "moisture": "rename it 'moisture_pct' (free moisture, wt % of the wet material)",
    "h2o_free": "rename it 'moisture_pct' (free moisture, wt % of the wet material)",
    "freemoisture": "rename it 'moisture_pct' (free moisture, wt % of the wet material)",
    "fe": "rename it 'TFe' (total iron, wt % dry)",
    "fetot": "rename it 'TFe' (total iron, wt % dry)",
    "fe_tot": "rename it 'TFe' (total iron, wt % dry)",
    "fe_total": "rename it 'TFe' (total iron, wt % dry)",
    "totalfe": "rename it 'TFe' (total iron, wt % dry)",
    "fet": "rename it 'TFe' (total iron, wt % dry)",
    "fe(t)": "rename it 'TFe' (total iron, wt % dry)",
    "feo_t": "rename it 'FeO'",
    "gi": "a gain on ignition is not an analysis: leave the column out",
    "price": "rename it 'price_per_t' (price per tonne, with price_basis dry or wet)",
    "basis": "rename it 'price_basis' (dry or wet: the tonne the price refers to)",
    "type": "rename it 'class' (ferrous, flux, coke, injectant or lost_burden)",
    "material": "rename it 'name'",
}


def _column_key(c: str) -> str:
    k = str(c).strip().lower().replace(" ", "").replace("(%)", "").replace("%", "")
    for tail in ("_pct", "pct", "_wt", "wt", "_"):
        if k.endswith(tail) and len(k) > len(tail):
            k = k[: -len(tail)]
    return k


_KEY_OF_KNOWN = {_column_key(c): c for c in KNOWN_COLUMNS if c not in ("moisture_pct",)}
_KEY_OF_KNOWN.update({c.lower(): c for c in KNOWN_COLUMNS})


def _formula_elements(column: str) -> set | None:
    from .chemistry.elements import composition

    try:
        return set(composition(column))
    except (ValueError, KeyError):
        return None


def column_hint(c: str) -> str:
    """The fix for an unknown column ``c`` of a material table: the column meant, matched without
    regard to case, spaces, '%' or '_pct' (``cao`` -> CaO, ``SiO2 %`` -> SiO2), a chemically right
    pointer (``H2O`` -> moisture_pct or H2O_chem, ``Fe`` -> TFe), else a close spelling; never a
    different chemical species that happens to look alike (``H2O`` is not ``K2O``)."""
    key = _column_key(c)
    if key in _COLUMN_ALIASES:
        return _COLUMN_ALIASES[key]
    if key in _KEY_OF_KNOWN or str(c).strip().lower() in _KEY_OF_KNOWN:
        meant = _KEY_OF_KNOWN.get(str(c).strip().lower()) or _KEY_OF_KNOWN[key]
        return f"rename it {meant!r} (column names are case-sensitive, without units: analyses are wt % dry)"
    from .chemistry.elements import composition

    try:  # a chemical formula: only the same formula written otherwise is "meant"
        composition(str(c).strip())
        formula = True
    except (ValueError, KeyError):
        formula = False
    if formula:  # the same elements (MgOO for MgO) or a zero for an O (Mg0): the species meant
        els = set(composition(str(c).strip()))
        same = [k for k in ALL_ANALYSIS_COLUMNS if _formula_elements(k) == els]
        close = difflib.get_close_matches(str(c).strip(), same, n=1, cutoff=0.6)
        zero = str(c).strip().replace("0", "O")
        if zero in KNOWN_COLUMNS:
            close = [zero]
        if close:
            return f"did you mean {close[0]!r}?"
        return (f"{str(c).strip()!r} is not a species of the analysis; the columns are "
                + ", ".join(ANALYSIS_COLUMNS[:10]) + ", ... (see `burden materials --columns`)")
    close = difflib.get_close_matches(str(c), [k for k in KNOWN_COLUMNS], n=1, cutoff=0.75)
    return (f"did you mean {close[0]!r}?" if close else
            "see `burden materials --columns` for the columns a table may have (analyses are wt % dry)")


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


#: columns whose cells may be written with a % sign (``62.5%``): the analyses and the moisture
PERCENT_COLUMNS = frozenset(ALL_ANALYSIS_COLUMNS) | {"moisture_pct"}
#: number columns whose empty cell means "not given" (no limit, no split)
OPTIONAL_NUMBER_COLUMNS = AVAILABILITY_COLUMNS + ("LOI_CO2_share_pct",)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")

#: The usual range (wt % dry, lowest and highest nonzero value) of a column for a class of
#: material, used to catch values typed as fractions (Al2O3 0.019 for 1.9 %): a value below the
#: lowest whose 100-fold lies in the range is refused with the fix.  Ranges: PRIMER §1 (burden
#: analyses: ores 55-68 % Fe with 1-8 % SiO2 and 0.5-3 % Al2O3; BOF slag and mill scale as the
#: lean and rich ends of the charged iron carriers; coke 85-88 % fixed carbon, 10-14 % ash;
#: PCI coals 70-85 % C), widened to the ends that still occur.
USUAL_RANGES_PCT: dict[tuple[str, str], tuple[float, float]] = {
    ("ferrous", "TFe"): (5.0, 72.4),
    ("ferrous", "Fe2O3"): (5.0, 100.0),
    ("ferrous", "Fe3O4"): (5.0, 100.0),
    ("ferrous", "SiO2"): (0.2, 70.0),
    ("ferrous", "Al2O3"): (0.05, 30.0),
    ("coke", "C"): (50.0, 100.0),
    ("coke", "ash"): (3.0, 40.0),
    ("injectant", "C"): (40.0, 100.0),
}
#: Free moisture typed as fractions: a moisture column whose nonzero values are all at most this
#: (wt % of the wet material) with one at least MOISTURE_FRACTION_MIN is read as fractions (ores
#: and coke carry 2-12 % moisture, pellets 1-3 %, sinter 0-1 %; PRIMER §1).
MOISTURE_FRACTION_MAX = 0.15
MOISTURE_FRACTION_MIN = 0.02
#: the slag oxides whose column a table should have (a missing one is read as 0, with a warning)
SLAG_OXIDE_COLUMNS = ("SiO2", "Al2O3", "CaO", "MgO")
_FE_COLUMNS = ("TFe", "Fe_met", "FeO", "Fe2O3", "Fe3O4")


#: a number with dots grouping thousands, in a decimal-comma file: 2.500, 1.200,50, -12.000.000
_THOUSANDS_DOT = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")


def _cell_number(value, c: str, decimal_comma: bool) -> tuple[float | None, str | None]:
    """(number, None) or (None, why not) for one table cell of number column ``c``."""
    if type(value) is float or type(value) is int:
        return float(value), None
    if isinstance(value, str):
        if decimal_comma and _THOUSANDS_DOT.match(value.strip()):
            # '2.500' or '1.200,50' where commas are decimal: the dot groups thousands (European Excel)
            t = value.strip()
            return None, (f"{echo(t)} has a thousands separator in a file with decimal commas: write "
                          f"{t.replace('.', '')} (no thousands separator)")
        try:  # the common case: a plain number ("nan", "inf" go on to be named below)
            x = float(value)
            if math.isfinite(x):
                return x, None
        except ValueError:
            pass
        t = value.strip().replace("\u00a0", "").replace(" ", "")
        if t.lower() in NOT_A_VALUE:
            fix = ("leave the cell empty for no limit, or give a number" if c in OPTIONAL_NUMBER_COLUMNS else
                   "give a number (write 0 if the material has none)")
            return None, f"{echo(value.strip())} is not a number; {fix}"
        pct = t.endswith("%")
        if pct:
            if c not in PERCENT_COLUMNS:
                return None, f"{echo(value.strip())} is a percentage but {c} is not; give the number without '%'"
            t = t[:-1]
        if _DECIMAL_COMMA.match(t):
            if not decimal_comma:
                return None, (f"{echo(value.strip())} has a decimal comma; write {t.replace(',', '.')} (or save the "
                              "CSV with ';' as separator, as European Excel does: then decimal commas are read)")
            t = t.replace(",", ".")
        value = t
    if isinstance(value, bool):
        return None, f"a yes/no value ({str(value).lower()}) is not a number; give a number"
    try:
        return float(value), None
    except (TypeError, ValueError, OverflowError):
        return None, f"{echo(value)} is not a number"


def materials_from_records(records: list[Mapping], source: str = "<python>", *,
                           decimal_comma: bool = False, columns_unread: bool = False,
                           first_row: int = 2) -> dict[str, Material]:
    """Build and check materials from table rows (dicts of column -> cell).

    Every problem found is collected (unknown and missing columns together with every bad cell
    of the other columns); an :class:`~burden.errors.InputError` lists them all, each naming
    ``source``, the row, the column and the fix.  Cells of analysis and moisture columns may
    carry a % sign (``62.5%``); with ``decimal_comma`` (a ';'-separated CSV) text cells such as
    ``62,5`` are read with a decimal comma, otherwise refused with the fix.  Values about 100x
    below a column's usual range (:data:`USUAL_RANGES_PCT`, moisture: :data:`MOISTURE_FRACTION_MAX`)
    are refused as fractions typed for percentages.  A table without one of the slag oxide
    columns (:data:`SLAG_OXIDE_COLUMNS`) gives each material a warning naming it.  Problems name
    the rows from ``first_row`` (2: the row under a header in row 1).
    """
    problems: list[InputProblem] = []
    if not records:
        raise InputError([InputProblem(source, "", "the material table is empty; add at least one material row")])
    columns: list[str] = []
    for rec in records:
        for c in rec:
            if c not in columns:
                columns.append(c)
    unusable: set[str] = set()
    hints = ""
    for c in columns:
        if c not in KNOWN_COLUMNS:
            hint = column_hint(c)
            hints += hint
            problems.append(InputProblem(source, f"column {c!r}", "unknown column; " + hint))
            unusable.add(c)
    for c in REQUIRED_COLUMNS:
        if c not in columns and f"{c!r}" not in hints:  # not when an unknown column is named as meaning it
            problems.append(InputProblem(source, f"column {c!r}", "required column is missing"
                                         + ("; write the header as the first line (or the first row of "
                                            "the sheet)" if c == "name" else "")))

    out: dict[str, Material] = {}
    table_columns = frozenset(c for c in columns if c in ALL_ANALYSIS_COLUMNS)
    # the number rule's plausible range per column (quantity_range); a value inside it is finite
    ranges = {c: quantity_range(c)[:2] for c in columns}
    number_columns = [c for c in columns if c not in ("name", "class", "price_basis") and c not in TEXT_COLUMNS
                      and c not in unusable]
    usual_by_class: dict[str, dict[str, tuple[float, float]]] = {}
    for (cls, c), rng in USUAL_RANGES_PCT.items():
        usual_by_class.setdefault(cls, {})[c] = rng
    fraction_cells: dict[str, list[tuple[str, float, float, float, str]]] = {}
    nonzero: dict[str, int] = {}
    moistures: list[float] = []
    bad_names: set[str] = set()
    nameless = "name" not in columns
    for i, rec in enumerate(records):
        name = rec.get("name")
        row = f"row {i + first_row}"
        if "name" not in columns:
            name = f"#{i + 1}"
        elif _is_empty(name):
            problems.append(InputProblem(source, f"{row}, column 'name'", "the material name is empty"))
            nameless = True
            continue
        name = str(name).strip()
        where = f"{row} ({name})"
        if "name" in columns and not _NAME.match(name):
            problems.append(InputProblem(source, f"{where}, column 'name'",
                                         "names start with a letter and use letters, digits and _ only"))
            nameless = True
            continue
        if name in out or name in bad_names:
            problems.append(InputProblem(source, f"{where}, column 'name'", f"material {name!r} appears twice"))
            continue
        row_problems: list[InputProblem] = []
        mclass = None
        if "class" in columns:
            cls_raw = str(rec.get("class", "")).strip()
            try:
                mclass = MaterialClass(cls_raw)
            except ValueError:
                low = cls_raw.lower().replace(" ", "_")
                hint = f" (write {low!r}: classes are lower case)" if low in {c.value for c in MaterialClass} else ""
                row_problems.append(InputProblem(source, f"{where}, column 'class'",
                                                 f"unknown class {echo(cls_raw)}{hint}; use one of "
                                                 + ", ".join(c.value for c in MaterialClass)))
        basis = str(rec.get("price_basis", "")).strip().lower()
        if "price_basis" in columns and basis not in ("dry", "wet"):
            row_problems.append(InputProblem(source, f"{where}, column 'price_basis'",
                                             f"{echo(rec.get('price_basis'))} is not 'dry' or 'wet'"))
        numbers: dict[str, float] = {}
        row_fractions: list = []  # values typed as fractions: reported when the row's analysis adds up
        usual_of = usual_by_class.get(mclass.value if mclass is not None else "", {})
        for c in number_columns:
            value = rec.get(c)
            if _is_empty(value):
                if c in OPTIONAL_NUMBER_COLUMNS:
                    continue
                row_problems.append(InputProblem(source, f"{where}, column {c!r}",
                                                 "empty cell; write 0 if the material has none"))
                continue
            x, why = _cell_number(value, c, decimal_comma)
            if why is not None:
                row_problems.append(InputProblem(source, f"{where}, column {c!r}", why))
                continue
            lo, hi = ranges[c]
            if not lo <= x <= hi:  # also false for nan and ±inf: then the rule says why
                row_problems.append(InputProblem(source, f"{where}, column {c!r}", number_problem(x, c)))
                continue
            numbers[c] = x
            usual = usual_of.get(c)
            if x != 0 and usual:
                nonzero[c] = nonzero.get(c, 0) + 1
            if usual and 0 < x < usual[0] and usual[0] <= 100 * x <= usual[1]:
                row_fractions.append((c, (where, x, *usual, mclass.value)))
        for c in ("price_per_t", "moisture_pct") + AVAILABILITY_COLUMNS:
            if c in numbers and numbers[c] < 0:
                row_problems.append(InputProblem(source, f"{where}, column {c!r}",
                                                 f"{numbers[c]:g} is negative"))
        if numbers.get("moisture_pct", 0) >= 100:
            row_problems.append(InputProblem(source, f"{where}, column 'moisture_pct'",
                                             "moisture is wt % of the wet material and must be below 100"))
        elif numbers.get("moisture_pct", 0) > 0:
            moistures.append(numbers["moisture_pct"])
        for lo, hi in (("min_kg_per_thm", "max_kg_per_thm"), ("min_t_per_day", "max_t_per_day")):
            if lo in numbers and hi in numbers and numbers[lo] > numbers[hi]:
                row_problems.append(InputProblem(source, f"{where}, columns {lo!r}/{hi!r}",
                                                 f"min {numbers[lo]:g} > max {numbers[hi]:g}; swap them"))
        if row_problems:
            problems.extend(row_problems)
            bad_names.add(name)
            continue
        if unusable or columns_unread:
            bad_names.add(name)
            continue  # a column is not read (reported above): the total and TFe checks would mislead
        raw = {c: numbers[c] for c in ALL_ANALYSIS_COLUMNS
               if c in numbers and (numbers[c] != 0 or c == "LOI_CO2_share_pct")}
        try:
            norm = normalise_analysis(raw, name=name)
        except AnalysisError as e:
            msg = str(e)
            msg = msg[len(name) + 2:] if msg.startswith(name + ": ") else msg
            problems.append(InputProblem(source, f"{where}, column {e.field!r}", msg))
            bad_names.add(name)
            continue
        for c, cell in row_fractions:
            fraction_cells.setdefault(c, []).append(cell)
        if mclass is None or "price_per_t" not in numbers or "moisture_pct" not in numbers \
                or basis not in ("dry", "wet"):
            bad_names.add(name)  # a required column is missing (already reported)
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
            table_columns=table_columns,
        )
    # values typed as fractions: one message for a column typed so throughout, else per cell
    for c, cells in fraction_cells.items():
        if len(cells) >= 2 and len(cells) == nonzero.get(c, 0):
            vals = ", ".join(f"{x:g}" for _, x, *_ in cells[:4]) + (", ..." if len(cells) > 4 else "")
            problems.append(InputProblem(source, f"column {c!r}",
                                         f"every value ({vals}) is about 100x below the usual range of {c}; the "
                                         f"column looks typed as fractions: write wt % (e.g. {100 * cells[0][1]:g} "
                                         f"for {100 * cells[0][1]:g} %, not {cells[0][1]:g})"))
        else:
            for where, x, lo, hi, cls in cells:
                problems.append(InputProblem(source, f"{where}, column {c!r}",
                                             f"{c} = {x:g} is about 100x below the usual {lo:g}-{hi:g} wt % of a "
                                             f"{cls} material: typed as a fraction? write {100 * x:g} for "
                                             f"{100 * x:g} %"))
    if len(moistures) >= 2 and max(moistures) <= MOISTURE_FRACTION_MAX and max(moistures) >= MOISTURE_FRACTION_MIN:
        vals = ", ".join(f"{x:g}" for x in moistures[:4]) + (", ..." if len(moistures) > 4 else "")
        problems.append(InputProblem(source, "column 'moisture_pct'",
                                     f"every moisture ({vals}) is at most {MOISTURE_FRACTION_MAX:g} %: typed as "
                                     f"fractions? moisture_pct is wt % of the wet material: write "
                                     f"{100 * max(moistures):g} for {100 * max(moistures):g} %"))
    if problems:
        err = InputError(problems)
        # the names of the table's materials (None: a row without a usable name could be any)
        err.material_names = None if nameless else frozenset(out) | bad_names
        raise err
    missing = [c for c in SLAG_OXIDE_COLUMNS if c not in columns and "ash_" + c not in columns]
    if any(m.material_class is MaterialClass.FERROUS for m in out.values()) and not any(
            c in columns for c in _FE_COLUMNS):
        missing.insert(0, "TFe")
    if missing:
        note = (f"{source}: no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}: read as 0 for every "
                "material of this table (add the column, writing 0 where a material has none)")
        out = {k: replace(m, warnings=(note,) + m.warnings) for k, m in out.items()}
    return out


def materials_from_dataframe(df, source: str = "<DataFrame>") -> dict[str, Material]:
    """Materials from a pandas DataFrame with the columns of a material table."""
    df = df.reset_index(drop=True) if "name" in df.columns else df.reset_index()
    return materials_from_records(df.to_dict(orient="records"), source=source)


def load_material_table(path: str | Path, sheet: str | None = None) -> dict[str, Material]:
    """Read a material table from CSV (``.csv``) or Excel (``.xlsx``, ``.xlsm``; an old ``.xls`` is
    refused with the way to convert it).

    Tables as plants write them are read as meant:

    - CSV separated by ``,``, ``;`` or tabs (found by :class:`csv.Sniffer` and the header); in a
      ``;``- or tab-separated file (a European Excel export) decimal commas (``62,5``) are read;
      UTF-8 or, failing that, Windows-1252 text;
    - title lines above the header (the header is the first of the first 15 rows with a ``name``
      cell);
    - ``%`` signs in analysis and moisture cells (``62.5%``); Excel cells formatted as
      percentages (stored as 0.625) read as 62.5;
    - in Excel, the data on any sheet: ``sheet`` if given, else the sheet named ``materials``,
      else the first sheet with a header row.

    Parameters
    ----------
    path : path
        The file.  Lines starting with ``#`` in a CSV are comments.
    sheet : str, optional
        Excel sheet name.

    Raises
    ------
    InputError
        Missing or unreadable file, unknown columns, bad cells, inconsistent analyses (every
        problem of the file at once).
    """
    p = Path(path)
    src = str(path)
    if not p.is_file():
        raise InputError([InputProblem(src, "", "material table not found; check the path "
                                       "(relative paths are relative to the scenario file)")])
    suffix = p.suffix.lower()
    decimal_comma = False
    try:
        if suffix == ".csv":
            rows, decimal_comma = _csv_rows(p, src)
        elif suffix in (".xlsx", ".xlsm"):
            rows = _xlsx_rows(p, src, sheet)
        elif suffix == ".xls":
            # the Excel 97-2003 format needs a reader the toolkit does not ship: say how to convert
            raise InputError([InputProblem(src, "", "an Excel 97-2003 workbook (.xls) is not read: save it as "
                                           ".xlsx (Excel: File > Save As > Excel Workbook) or as CSV")])
        else:
            raise InputError([InputProblem(src, "", "material tables are .csv, .xlsx or .xlsm files")])
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - a file that cannot be read: report, never a traceback
        raise InputError([InputProblem(src, "", f"cannot read the table: {clip(str(e), 300)}")])
    return _materials_from_rows(rows, src, decimal_comma)


#: the header is looked for in this many first rows (rows above it are titles)
HEADER_SEARCH_ROWS = 15


def _header_index(rows: list[list]) -> int | None:
    for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [str(c).strip().lower() for c in r if not _is_empty(c)]
        if "name" in cells and len(cells) >= 3:
            return i
    return None


#: what a unit cell under a table header reads like (%, wt%, USD/t, kg/t, [-], ppm, ...)
_UNIT_CELL = re.compile(r"^\[?\s*(-|%|wt\s*%|wt\.?\s*%|mass\s*%|ppm|[a-z$€]{0,4}\s*/\s*t(hm)?|kg|t|usd|eur|"
                        r"cny|rmb|unit|units|g/nm3)\s*\]?$", re.IGNORECASE)


def _is_units_row(row: list, header: list[str]) -> bool:
    """Whether the first row under the header holds units (no material name, or a word such as
    'unit', and every other filled cell a unit such as %, wt%, USD/t) rather than a material."""
    cells = {c: (str(row[j]).strip() if j < len(row) and not _is_empty(row[j]) else "") for j, c in enumerate(header)}
    name = cells.get("name", "")
    others = [v for c, v in cells.items() if c != "name" and v]
    if name and not _UNIT_CELL.match(name):
        return False
    return len(others) >= 2 and all(_UNIT_CELL.match(v) for v in others)


def _materials_from_rows(rows: list[list], src: str, decimal_comma: bool) -> dict[str, Material]:
    """Materials from the rows of a sheet or CSV (lists of cells), the header found among the first rows."""
    rows = [r for r in rows if any(not _is_empty(c) for c in r)]
    if not rows:
        raise InputError([InputProblem(src, "", "the material table is empty; add a header row and material rows")])
    h = _header_index(rows)
    h = 0 if h is None else h
    header = [str(c).strip() for c in rows[h]]
    while header and header[-1] == "":
        header.pop()
    problems = []
    for j, c in enumerate(header):
        if c == "":
            problems.append(InputProblem(src, f"column {j + 1}", "the header cell is empty; name the column "
                                         "(see `burden materials --columns`) or delete the column"))
    seen = set()
    for c in header:
        if c and c in seen:
            problems.append(InputProblem(src, f"column {c!r}", "appears twice in the header; keep one"))
        seen.add(c)
    body = rows[h + 1:]
    units_row = []
    if body and _is_units_row(body[0], header):
        units_row.append(InputProblem(src, "row 2", "looks like a units row ("
                                     + ", ".join(dict.fromkeys(str(c).strip() for c in body[0] if not _is_empty(c)))
                                     + "): the units are fixed (analysis wt % of the dry material, moisture_pct wt % "
                                     "of the wet material, price per t on price_basis); delete the row"))
        body = body[1:]
    records = []
    for k, r in enumerate(body):
        extra = [c for c in r[len(header):] if not _is_empty(c)]
        if extra:
            problems.append(InputProblem(src, f"row {k + 2 + len(units_row)}", f"has {len(header) + len(extra)} or more cells but the "
                                         f"header has {len(header)}: a decimal comma in a comma-separated file? "
                                         "write decimal points, or save the CSV with ';' as separator"))
            continue
        records.append({c: (r[j] if j < len(r) else "") for j, c in enumerate(header) if c})
    try:
        mats = materials_from_records(records, source=src, decimal_comma=decimal_comma,
                                      columns_unread=bool(problems),
                                      first_row=3 if units_row else 2) if records else None
    except InputError as e:
        err = InputError(problems + units_row + e.problems)
        err.material_names = getattr(e, "material_names", frozenset())
        raise err from None
    problems += units_row
    if problems or mats is None:
        if mats is None:
            problems.append(InputProblem(src, "", "the material table is empty (a header but no material rows); "
                                         "add material rows"))
        raise InputError(problems)
    return mats


def _csv_rows(p: Path, src: str) -> tuple[list[list[str]], bool]:
    """The rows of a CSV file (``#`` comment lines dropped) and whether it uses decimal commas."""
    import csv
    import io

    data = p.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark, tab-separated
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError([InputProblem(src, "", "the file starts as UTF-16 text but does not decode as it; "
                                           "save the sheet as CSV UTF-8")]) from None
    elif b"\x00" in data[:4096]:
        raise InputError([InputProblem(src, "", "this is not a text file (an Excel workbook named .csv?): save "
                                       "the sheet as CSV, or give the workbook its .xlsx name")])
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # European Excel saves "CSV (semicolon)" in Windows-1252
            text = data.decode("cp1252", errors="replace")
    # only whole lines starting with # are comments: a cell "#N/A" is a value to refuse
    kept = "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))
    if not kept.strip():
        raise InputError([InputProblem(src, "", "the material table is empty; add a header row and material rows")])
    sample = "".join(kept.splitlines(keepends=True)[:HEADER_SEARCH_ROWS + 5])
    candidates = []
    try:
        candidates.append(csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter)
    except csv.Error:
        pass
    candidates += [d for d in (",", ";", "\t") if d not in candidates]
    best = ","
    for d in candidates:  # the separator that splits a header row with a 'name' cell
        head = list(csv.reader(io.StringIO(sample), delimiter=d))
        if _header_index(head) is not None:
            best = d
            break
    rows = list(csv.reader(io.StringIO(kept), delimiter=best, skipinitialspace=True))
    return rows, best != ","


def _is_percent_format(fmt) -> bool:
    """Whether an Excel number format shows the value times 100 with a % sign (``0.0%``), not a
    literal "%" text (``0.0"%"``, ``0.0\\%``)."""
    if not fmt or "%" not in fmt:
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)


def _xlsx_rows(p: Path, src: str, sheet: str | None) -> list[list]:
    """The rows of the sheet holding the table (values; percentage-formatted numbers in analysis and
    moisture columns times 100; Excel error cells as their text, e.g. ``#N/A``)."""
    import openpyxl

    wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    try:
        names = wb.sheetnames
        if sheet is not None and sheet not in names:
            raise InputError([InputProblem(src, f"sheet {sheet!r}", "no such sheet; sheets: " + ", ".join(names))])

        def read(name):
            out = []
            for row in wb[name].iter_rows():
                cells = []
                for cell in row:
                    v = cell.value
                    if getattr(cell, "data_type", None) == "e":
                        v = str(v)
                    elif isinstance(v, (int, float)) and not isinstance(v, bool) and \
                            _is_percent_format(getattr(cell, "number_format", None)):
                        v = _PercentCell(v)
                    cells.append("" if v is None else v)
                out.append(cells)
            return out

        order = [sheet] if sheet else (["materials"] if "materials" in names else []) + \
            [n for n in names if n != "materials"]
        for name in order:
            rows = read(name)
            if sheet or _header_index(rows) is not None:
                break
        else:
            raise InputError([InputProblem(src, "", "no sheet has a header row with a 'name' column (sheets: "
                                           + ", ".join(names) + "); put the table's header (name, class, "
                                           "price_per_t, ...) in the first rows of a sheet")])
    finally:
        wb.close()
    h = _header_index(rows)
    if h is not None:
        cols = [str(c).strip() for c in rows[h]]
        for r in rows[h + 1:]:
            for j, v in enumerate(r):
                if isinstance(v, _PercentCell):
                    pct = j < len(cols) and cols[j] in PERCENT_COLUMNS
                    # shown as a percentage: read as percent where the column is one; elsewhere (a
                    # price "120%") the cell is what it shows, and the cell check refuses the '%'
                    r[j] = float(f"{v * 100:.12g}") if pct else f"{float(v) * 100:.12g}%"
    return [[float(v) if isinstance(v, _PercentCell) else v for v in r] for r in rows]


class _PercentCell(float):
    """A number from an Excel cell formatted as a percentage (0.625 shown as 62.5 %)."""


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
