"""The content of a report: titled tables with units, built from a Result.

Everything a report shows is assembled here once, as plain pandas tables
whose column names carry their units (``"dry [kg/tHM]"``, ``"cost [USD/tHM]"``;
a ``unit`` column where a table mixes units).  HTML, PDF, Excel and JSON are
renderings of this one structure, so their numbers agree by construction.

The report consumes a :class:`~burden.result.Result`; it never solves.  A few
derived tables (charge sheet, slag fluidity) are computed with the chemistry
layer from numbers the Result already holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, InputProblem

#: Canonical analysis columns shown in the materials table (wt % of the dry material), in this order.
ANALYSIS_SHOWN = ("Fe", "Fe_met", "FeO", "Fe2O3", "SiO2", "Al2O3", "CaO", "MgO", "Mn", "P", "S", "Ti", "V", "Zn",
                  "K2O", "Na2O", "Cl", "CO2", "H2O_chem", "C_fix", "C", "H", "O", "N")

#: Titles of the optional tables a nonlinear Result may carry in ``extra_tables``.
EXTRA_TITLES = {
    "heat_balance": "Heat balance",
    "top_gas": "Top gas",
    "raft": "Raceway adiabatic flame temperature (RAFT)",
    "rist_points": "Rist diagram points",
    "rist": "Rist operating line",
    "viscosity": "Slag viscosity",
    "carbon_balance": "Carbon balance",
    "furnace": "Furnace state: r_d, top-gas temperature, W point",
    "plausibility": "Plausibility checks",
}

#: Notes of the optional tables (what the numbers mean, in the engineer's words).
EXTRA_NOTES = {
    "heat_balance": "Heat income and its uses per tonne of hot metal (process model, PRIMER section 6).",
    "carbon_balance": "Fixed carbon charged and where it goes, kg/tHM (process model).",
    "convergence": "Iterations of the nonlinear solver: objective, largest constraint violation and step size.",
    "correction_factors": ("Coke-rate correction factors: the coke change for the change of each setting, everything "
                           "else held, on three bases. 'coke change': the two-zone model's own marginal (lower-zone "
                           "heat balance, the degree of indirect reduction by CO held; the top gas takes what the "
                           "upper zone does not need). 'at constant shaft efficiency': the optimum's marginal on the "
                           "W-point limit (r_d follows). 'plant-table basis': a total heat balance at the held "
                           "top-gas temperature, how plant tables (HBBF, PRIMER section 4) are computed, beside the "
                           "table's value or range and 100 x (ours / table - 1), 0 inside the range."),
    "rist_points": "Points of the Rist operating line: x = O/C of the gas, y = O/Fe of the burden.",
}

FORMATS = ("html", "pdf", "xlsx", "json")


@dataclass(frozen=True)
class ReportOptions:
    """Settings of a report that are not part of the scenario.

    Attributes
    ----------
    formats : tuple of str
        Any of ``html``, ``pdf``, ``xlsx``, ``json``.
    charges_per_day : float
        Number of charges (one ore batch + one coke batch) per day used for
        the charge sheet when ``coke_batch_wet_t`` is not given. Default 120
        (5 per hour, usual for a large furnace).
    coke_batch_wet_t : float, optional
        Coke batch, wet t per charge. When given it fixes the charge: the
        charges per day follow from the coke rate and the ore batch from the
        ore/coke ratio of the burden.
    ore_layer_materials : tuple of str
        Coke-class materials charged mixed into the ore layer (nut coke).
    slag_temperature_c : float, optional
        Temperature for slag viscosity and sulphide capacity, degC; default
        the hot-metal temperature of the scenario (PRIMER section 7 uses the
        viscosity at 1500 degC as the fluidity proxy).
    plots : bool
        Draw the plots (SVG in the HTML, PNG in the PDF).
    """

    formats: tuple[str, ...] = FORMATS
    charges_per_day: float = 120.0
    coke_batch_wet_t: float | None = None
    ore_layer_materials: tuple[str, ...] = ("nut_coke",)
    slag_temperature_c: float | None = None
    plots: bool = True

    def validate(self, source: str = "report options") -> "ReportOptions":
        """Return self, or raise :class:`InputError` naming the bad option and the fix."""
        problems = []
        bad = [f for f in self.formats if f not in FORMATS]
        if bad or not self.formats:
            problems.append(InputProblem(source, "--format", f"unknown format(s) {', '.join(bad) or '(none given)'}; "
                                         f"use a comma-separated list of {', '.join(FORMATS)}"))
        if not (isinstance(self.charges_per_day, (int, float)) and 1 <= self.charges_per_day <= 1000):
            problems.append(InputProblem(source, "--charges-per-day",
                                         f"{self.charges_per_day!r} is not a number of charges per day; give 1-1000 "
                                         "(typically 100-150 on a large furnace)"))
        if self.coke_batch_wet_t is not None and not (0 < self.coke_batch_wet_t <= 200):
            problems.append(InputProblem(source, "--coke-batch",
                                         f"{self.coke_batch_wet_t!r} t is not a coke batch; give wet tonnes per charge, "
                                         "0-200 (typically 10-40 t)"))
        if self.slag_temperature_c is not None and not (1250 <= self.slag_temperature_c <= 1700):
            problems.append(InputProblem(source, "--slag-temperature",
                                         f"{self.slag_temperature_c!r} is not a slag temperature in degC; give "
                                         "1250-1700 (typically 1450-1550; kelvin? subtract 273.15)"))
        if problems:
            raise InputError(problems)
        return self


@dataclass
class Table:
    """One table of a report.

    ``df`` has a plain RangeIndex; the first column is the row label. Numeric
    column names carry the unit in brackets; a ``unit`` column where rows
    differ. ``highlight`` marks rows to emphasise (binding limits).
    """

    name: str
    title: str
    df: pd.DataFrame
    note: str = ""
    highlight: list[bool] | None = None
    currency: str = ""  #: the scenario's currency, for the formatting table (report.style)

    def units(self) -> list[list[str | None]]:
        """The unit of every cell (see :func:`burden.report.style.cell_units`)."""
        from .style import cell_units

        return cell_units(self.df)


@dataclass
class Figure:
    """A plot: ``svg`` text (deterministic) and, for the PDF, ``png`` bytes."""

    name: str
    title: str
    svg: str
    png: bytes | None = None
    caption: str = ""
    wide: bool = False  #: drawn over the full width of the page


@dataclass
class Section:
    key: str
    title: str
    items: list = field(default_factory=list)
    intro: str = ""


@dataclass
class Report:
    """Everything a report shows, independent of the output format."""

    title: str
    meta: dict[str, Any]
    sections: list[Section]
    options: ReportOptions

    def tables(self) -> dict[str, Table]:
        """All tables by name, in report order."""
        return {t.name: t for s in self.sections for t in s.items if isinstance(t, Table)}

    def figures(self) -> dict[str, Figure]:
        """All figures by name, in report order."""
        return {f.name: f for s in self.sections for f in s.items if isinstance(f, Figure)}

    def add_section(self, key: str, title: str, items: list, intro: str = "", *, before: str | None = "run") -> Section:
        """Add a section (tables and figures) in one call; every format renders it.

        Placed before the section ``before`` (default: the run information, which stays last)
        or at the end when there is no such section. Table names must be unique in the report
        (they are the Excel sheet names, at most 31 characters).

        Raises ValueError if ``key`` or a table name is already used.
        """
        if any(s.key == key for s in self.sections):
            raise ValueError(f"report section {key!r} exists already")
        names = set(self.tables())
        for it in items:
            if isinstance(it, Table):
                if it.name in names:
                    raise ValueError(f"report table {it.name!r} exists already")
                it.df = round15(it.df)
        sec = Section(key, title, list(items), intro)
        at = next((i for i, s in enumerate(self.sections) if s.key == before), len(self.sections))
        self.sections.insert(at, sec)
        return sec


# --------------------------------------------------------------------- helpers
def window_text(lo: float | None, hi: float | None, unit: str = "") -> str:
    """Human window: ``"fixed at 0.45 wt %"``, ``"1.1-1.2"``, ``">= 7.5 wt %"``, ``"<= 340 kg/tHM"``, ``"no limit"``."""
    lo = None if lo is None or (isinstance(lo, float) and math.isnan(lo)) or lo == -math.inf else lo
    hi = None if hi is None or (isinstance(hi, float) and math.isnan(hi)) or hi == math.inf else hi
    u = f" {unit}" if unit and unit != "-" else ""
    if lo is None and hi is None:
        return "no limit"
    if lo is not None and hi is not None:
        return f"fixed at {lo:g}{u}" if lo == hi else f"{lo:g} to {hi:g}{u}"
    return f">= {lo:g}{u}" if lo is not None else f"<= {hi:g}{u}"


def _f(v) -> float:
    return float(v) if v is not None else math.nan


def _unit(u: str) -> str:
    return u if u else "-"


PRETTY_PROPERTY = {
    "B2": ("B2 = CaO/SiO2", "-"), "B3": ("B3 = (CaO+MgO)/SiO2", "-"), "B4": ("B4 = (CaO+MgO)/(SiO2+Al2O3)", "-"),
    "MgO_pct": ("MgO in slag", "wt %"), "Al2O3_pct": ("Al2O3 in slag", "wt %"), "S_pct": ("S in slag", "wt %"),
    "rate_kg_per_thm": ("slag rate", "kg/tHM"), "L_S_needed": ("L_S needed = (%S)/[%S]", "-"),
}


# ------------------------------------------------------------------ the tables
def scenario_tables(result) -> list[Table]:
    """Scenario summary (text) and the key figures (numbers with units)."""
    scn = result.scenario
    cfg = scn.config
    info = pd.DataFrame({
        "field": ["scenario", "description", "file", "variant", "status", "solver status", "currency"],
        "text": [scn.name, cfg.description, str(scn.source), scn.variant or "", result.status,
                 str(result.output.solver_status), cfg.currency],
    })
    tabs = [Table("scenario", "Scenario", info)]
    if not result.ok:
        return tabs
    cur = result.currency
    b = result.burden
    sp = result.slag_properties
    P = cfg.production_t_per_day
    cls = b["class"]
    fuel = b.loc[cls.isin(["coke", "injectant"]), "dry_kg_per_thm"].sum()
    coke = b.loc[cls == "coke", "dry_kg_per_thm"].sum()
    ferrous = b.loc[cls == "ferrous", "dry_kg_per_thm"].sum()
    flux = b.loc[cls == "flux", "dry_kg_per_thm"].sum()
    rows = [
        ("burden cost", result.objective, f"{cur}/tHM"),
        ("burden cost per day", result.objective * P / 1000.0, f"k{cur}/day"),
        ("hot metal production", P, "t/day"),
        ("ferrous burden (dry)", ferrous, "kg/tHM"),
        ("flux (dry)", flux, "kg/tHM"),
        ("coke (dry)", coke, "kg/tHM"),
        ("fuel rate, coke + injectants (dry)", fuel, "kg/tHM"),
        ("slag rate", sp.loc["rate_kg_per_thm", "value"], "kg/tHM"),
        ("slag basicity B2", sp.loc["B2", "value"], "-"),
        ("hot metal Fe", result.hot_metal.loc["Fe", "pct"], "wt %"),
        ("largest balance closure error", float(result.balance["closure_pct"].abs().max()), "%"),
    ]
    key = pd.DataFrame(rows, columns=["quantity", "value [see unit]", "unit"])
    tabs.append(Table("key_figures", "Key figures", key))
    return tabs


def materials_table(result) -> Table:
    """Charged materials with class, price, moisture, availability and dry analysis (wt %)."""
    scn = result.scenario
    cur = scn.config.currency
    mats = list(scn.materials.values())
    shown = [c for c in ANALYSIS_SHOWN if any(abs(m.analysis.get(c, 0.0)) > 0 for m in mats)]
    rows = []
    for m in mats:
        r = {"material": m.name, "class": m.material_class.value, f"price [{cur}/t]": m.price_per_t,
             "price basis": m.price_basis, f"price [{cur}/dry t]": m.price_per_dry_t,
             "moisture [wt % wet]": m.moisture_pct,
             "min [kg/tHM dry]": _f(m.min_kg_per_thm), "max [kg/tHM dry]": _f(m.max_kg_per_thm),
             "min [t/day dry]": _f(m.min_t_per_day), "max [t/day dry]": _f(m.max_t_per_day)}
        for c in shown:
            r[f"{c} [wt % dry]"] = float(m.analysis.get(c, 0.0))
        rows.append(r)
    df = pd.DataFrame(rows)
    df = df[[c for c in df.columns if not (c.startswith(("min [", "max [")) and df[c].isna().all())]]
    return Table("materials", "Materials: prices, availability and dry analyses", df,
                 note="Analyses are the canonical species of the dry material (Fe total, Mn, P, S as elements; "
                      "C_fix fixed carbon); a wet-basis price is converted to the dry tonne with the moisture.")


def lost_burden_table(result) -> Table | None:
    lb = result.scenario.lost_burden
    if not lb:
        return None
    rows = [{"material": k, "rate [kg/tHM dry]": float(r), "Fe [wt % dry]": m.analysis.get("Fe", 0.0),
             "C [wt % dry]": m.analysis.get("C", 0.0)} for k, (m, r) in lb.items()]
    return Table("lost_burden", "Lost burden (outputs taken as given)", pd.DataFrame(rows))


def burden_table(result) -> Table:
    """The burden: dry and wet rates, shares, t/day, price and cost."""
    cur = result.currency
    b = result.burden
    mats = result.scenario.materials
    df = pd.DataFrame({
        "material": list(b.index),
        "class": b["class"].tolist(),
        "dry [kg/tHM]": b["dry_kg_per_thm"].tolist(),
        "wet [kg/tHM]": b["wet_kg_per_thm"].tolist(),
        "moisture [wt % wet]": [mats[k].moisture_pct for k in b.index],
        "share of ferrous [% dry]": b["pct_of_ferrous"].tolist(),
        "dry [t/day]": b["dry_t_per_day"].tolist(),
        "wet [t/day]": b["wet_t_per_day"].tolist(),
        f"price [{cur}/t]": b["price_per_t"].tolist(),
        "price basis": b["price_basis"].tolist(),
        f"cost [{cur}/tHM]": b["cost_per_thm"].tolist(),
        "cost share [%]": b["cost_share_pct"].tolist(),
        "bound": b["bound"].tolist(),
    })
    tot = {"material": "total", "class": "", "dry [kg/tHM]": df["dry [kg/tHM]"].sum(),
           "wet [kg/tHM]": df["wet [kg/tHM]"].sum(), "moisture [wt % wet]": math.nan,
           "share of ferrous [% dry]": math.nan, "dry [t/day]": df["dry [t/day]"].sum(),
           "wet [t/day]": df["wet [t/day]"].sum(), f"price [{cur}/t]": math.nan, "price basis": "",
           f"cost [{cur}/tHM]": df[f"cost [{cur}/tHM]"].sum(), "cost share [%]": df["cost share [%]"].sum(),
           "bound": ""}
    df = pd.concat([df, pd.DataFrame([tot])], ignore_index=True)
    return Table("burden", "Burden", df,
                 note="Dry rates are what the optimiser decides; wet rates (moisture-corrected) are what is "
                      "weighed. Share of ferrous on the dry basis.")


def ranging_table(result) -> Table:
    """Reduced costs and the price range over which the burden stays the same."""
    cur = result.currency
    b = result.burden
    df = pd.DataFrame({
        "material": list(b.index),
        "dry [kg/tHM]": b["dry_kg_per_thm"].tolist(),
        f"price [{cur}/t]": b["price_per_t"].tolist(),
        "price basis": b["price_basis"].tolist(),
        f"reduced cost [{cur}/t]": b["reduced_cost_per_t"].tolist(),
        f"price range low [{cur}/t]": b["price_range_low_per_t"].tolist(),
        f"price range high [{cur}/t]": b["price_range_high_per_t"].tolist(),
    })
    return Table("cost_ranging", "Cost ranging", df,
                 note="Within the price range the optimal burden does not change (only its cost). Reduced cost: "
                      "how much cheaper an unused material must get before it enters, or what a fixed or "
                      "limited one costs per tonne at the margin.")


def charge_tables(result, opts: ReportOptions) -> list[Table]:
    """Charge sheet: ore and coke batch weights per charge (wet, moisture-corrected) and charges per day.

    The ore batch holds the ferrous materials, the fluxes and the coke-class
    materials named in ``opts.ore_layer_materials`` (nut coke); the coke batch
    the other coke-class materials. Injectants are not charged at the top.
    With ``opts.coke_batch_wet_t`` the coke batch is fixed and the charges per
    day follow from the wet coke rate; otherwise ``opts.charges_per_day`` sets
    them. Either way ore batch / coke batch = the wet ore/coke ratio of the
    burden.
    """
    b = result.burden
    scn = result.scenario
    P = scn.config.production_t_per_day
    rows = []
    for k, r in b.iterrows():
        c = r["class"]
        if c == "injectant" or r.dry_kg_per_thm <= 5e-7:
            continue
        layer = "coke" if c == "coke" and k not in opts.ore_layer_materials else "ore"
        rows.append((layer, k, c, scn.materials[k].moisture_pct, r.dry_kg_per_thm * P / 1000.0,
                     r.wet_kg_per_thm * P / 1000.0))
    coke_wet_day = sum(r[5] for r in rows if r[0] == "coke")
    ore_wet_day = sum(r[5] for r in rows if r[0] == "ore")
    coke_dry_day = sum(r[4] for r in rows if r[0] == "coke")
    ore_dry_day = sum(r[4] for r in rows if r[0] == "ore")
    if opts.coke_batch_wet_t is not None:
        if coke_wet_day <= 0:
            raise InputError([InputProblem(str(scn.source), "--coke-batch",
                                           "the burden charges no coke in a coke layer; drop --coke-batch and give "
                                           "--charges-per-day instead")])
        n = coke_wet_day / opts.coke_batch_wet_t
        basis = f"coke batch fixed at {opts.coke_batch_wet_t:g} t wet per charge"
    else:
        n = float(opts.charges_per_day)
        basis = f"{n:g} charges per day (default; set a coke batch weight to fix the coke layer instead)"
    sheet = []
    for layer in ("ore", "coke"):
        tot = ore_wet_day if layer == "ore" else coke_wet_day
        for lay, k, c, moist, dry_day, wet_day in rows:
            if lay != layer:
                continue
            sheet.append({"layer": layer, "material": k, "class": c, "moisture [wt % wet]": moist,
                          "dry per charge [t]": dry_day / n, "wet per charge [t]": wet_day / n,
                          "share of batch [% wet]": 100.0 * wet_day / tot if tot else math.nan,
                          "wet [t/day]": wet_day})
    df = pd.DataFrame(sheet, columns=["layer", "material", "class", "moisture [wt % wet]", "dry per charge [t]",
                                      "wet per charge [t]", "share of batch [% wet]", "wet [t/day]"])
    inj = b[b["class"] == "injectant"]
    summ = pd.DataFrame([
        ("charges per day", n, "1/day"),
        ("charges per hour", n / 24.0, "1/h"),
        ("ore batch (wet)", ore_wet_day / n, "t/charge"),
        ("coke batch (wet)", coke_wet_day / n, "t/charge"),
        ("ore/coke ratio (wet)", ore_wet_day / coke_wet_day if coke_wet_day else math.nan, "t/t"),
        ("ore/coke ratio (dry)", ore_dry_day / coke_dry_day if coke_dry_day else math.nan, "t/t"),
        ("injectants at the tuyeres (wet, not charged)", float(inj["wet_t_per_day"].sum()), "t/day"),
    ], columns=["quantity", "value [see unit]", "unit"])
    return [Table("charging", "Charging", summ, note="Basis: " + basis + "."),
            Table("charge_sheet", "Charge sheet (per charge, moisture-corrected)", df,
                  note="Ore batch: ferrous materials, fluxes and " + (", ".join(opts.ore_layer_materials) or "no coke")
                       + " (mixed into the ore layer); coke batch: the other coke. Weigh the wet weights.")]


def hot_metal_table(result) -> Table:
    hm = result.hot_metal
    df = pd.DataFrame({
        "element": list(hm.index),
        "content [wt %]": hm["pct"].tolist(),
        "mass [kg/tHM]": hm["kg_per_thm"].tolist(),
        "min [wt %]": hm["min_pct"].tolist(),
        "max [wt %]": hm["max_pct"].tolist(),
        "window": [window_text(a, b, "wt %") for a, b in zip(hm["min_pct"], hm["max_pct"])],
        "basis": hm["basis"].tolist(),
        "binding": hm["binding"].astype(bool).tolist(),
    })
    return Table("hot_metal", "Hot metal against its limits", df, highlight=df["binding"].tolist(),
                 note="Targets (Si, S) are met exactly and so always show as binding.")


def slag_table(result) -> Table:
    s = result.slag
    from .style import LABELS

    df = pd.DataFrame({"component": [LABELS.get(k, k) for k in s.index], "mass [kg/tHM]": s["kg_per_thm"].tolist(),
                       "content [wt %]": s["pct"].tolist()})
    return Table("slag", "Slag composition", df,
                 note="S as CaS: the mass sulphur adds to the slag as CaS in place of the O of CaO.")


def slag_properties_table(result) -> Table:
    sp = result.slag_properties
    names = [PRETTY_PROPERTY.get(k, (k, u))[0] for k, u in zip(sp.index, sp["unit"])]
    df = pd.DataFrame({
        "property": names,
        "value [see unit]": sp["value"].tolist(),
        "unit": [_unit(u) for u in sp["unit"]],
        "min [see unit]": sp["min"].tolist(),
        "max [see unit]": sp["max"].tolist(),
        "window": [window_text(a, b, u) for a, b, u in zip(sp["min"], sp["max"], sp["unit"])],
        "binding": sp["binding"].astype(bool).tolist(),
    })
    return Table("slag_properties", "Slag against its limits", df, highlight=df["binding"].tolist())


def loads_table(result) -> Table:
    L = result.loads
    df = pd.DataFrame({
        "load": list(L.index), "load [kg/tHM]": L["kg_per_thm"].tolist(),
        "min [kg/tHM]": L["min"].tolist(), "max [kg/tHM]": L["max"].tolist(),
        "window": [window_text(a, b, "kg/tHM") for a, b in zip(L["min"], L["max"])],
        "binding": L["binding"].astype(bool).tolist(),
    })
    return Table("loads", "Harmful-element loads against their limits", df, highlight=df["binding"].tolist(),
                 note="alkali = K2O + Na2O; zinc as Zn; all inputs per tHM.")


def limits_frame(result) -> pd.DataFrame:
    """Every limit of the problem (not the balance rows), one row per limited quantity.

    Columns: limit (constraint name without .min/.max), quantity, kind, value,
    unit, min, max, window, binding, shadow price (currency/tHM per unit of
    the limit; the binding end's, 0 when not binding).
    """
    cur = result.currency
    c = result.constraints
    c = c[c["kind"] != "balance"]
    groups: dict[str, dict] = {}
    for name, r in c.iterrows():
        key = name
        for suf in (".min", ".max", ".fixed"):
            if name.endswith(suf):
                key = name[: -len(suf)]
        g = groups.setdefault(key, {"limit": key, "quantity": r["quantity"], "kind": r["kind"],
                                    "value": float(r["value"]), "unit": _unit(r["unit"]), "min": math.nan,
                                    "max": math.nan, "binding": False, "shadow": 0.0})
        if r["sense"] in (">=", "=="):
            g["min"] = float(r["limit"])
        if r["sense"] in ("<=", "=="):
            g["max"] = float(r["limit"])
        if bool(r["binding"]):
            g["binding"] = True
            sp = float(r["shadow_price_per_unit"])
            g["shadow"] += 0.0 if math.isnan(sp) else sp
    rows = list(groups.values())
    return pd.DataFrame({
        "limit": [g["limit"] for g in rows],
        "quantity": [g["quantity"] for g in rows],
        "kind": [g["kind"] for g in rows],
        "value [see unit]": [g["value"] for g in rows],
        "unit": [g["unit"] for g in rows],
        "min [see unit]": [g["min"] for g in rows],
        "max [see unit]": [g["max"] for g in rows],
        "window": [window_text(g["min"], g["max"], g["unit"]) for g in rows],
        "binding": [g["binding"] for g in rows],
        f"shadow price [{cur}/tHM per unit]": [g["shadow"] for g in rows],
    })


def limits_table(result) -> Table:
    df = limits_frame(result)
    return Table("limits", "All limits: value, window and shadow price", df, highlight=df["binding"].tolist(),
                 note="Shadow price: change of the burden cost per unit the limit moves (negative: relaxing a "
                      "<= limit upwards saves money). Bounds are the materials' availability or fixed rates.")


def binding_table(result) -> Table:
    cur = result.currency
    bd = result.binding
    df = pd.DataFrame({
        "constraint": list(bd.index), "quantity": bd["quantity"].tolist(), "kind": bd["kind"].tolist(),
        "sense": bd["sense"].tolist(), "limit [see unit]": bd["limit"].tolist(),
        "value [see unit]": bd["value"].tolist(), "unit": [_unit(u) for u in bd["unit"]],
        f"shadow price [{cur}/tHM per unit]": bd["shadow_price_per_unit"].tolist(),
    })
    return Table("binding", "Binding constraints and shadow prices", df,
                 note="Balance rows (kind 'balance') are identities of the model; their duals are the marginal "
                      "values of the quantities they define.")


def costs_table(result) -> Table:
    cur = result.currency
    c = result.costs
    df = pd.DataFrame({"class": list(c.index), f"cost [{cur}/tHM]": c["cost_per_thm"].tolist(),
                       "share [%]": c["share_pct"].tolist()})
    return Table("costs", "Cost breakdown by material class", df)


def balance_table(result) -> Table:
    b = result.balance
    df = pd.DataFrame({
        "species": list(b.index), "input [kg/tHM]": b["input"].tolist(), "hot metal [kg/tHM]": b["hot_metal"].tolist(),
        "slag [kg/tHM]": b["slag"].tolist(), "dust [kg/tHM]": b["dust"].tolist(), "gas [kg/tHM]": b["gas"].tolist(),
        "output [kg/tHM]": b["output"].tolist(), "closure [% of input]": b["closure_pct"].tolist(),
    })
    return Table("balance", "Element and oxide balances", df,
                 note="input = hot metal + slag + dust + gas; closure = (input - output)/input. Slag outputs are "
                      "converted back from the reported oxides, so the closure checks the whole chain.")


def slag_fluidity_table(result, opts: ReportOptions) -> Table | None:
    """Optical basicity, sulphide capacity, viscosity and the RO check of the LP slag.

    Computed with :mod:`burden.chemistry.slag` from the slag analysis of the
    Result at ``opts.slag_temperature_c`` (default: hot-metal temperature)
    and 50 degC either side.
    """
    from ..chemistry import slag as sl

    s = result.slag
    pct = {k: float(s.loc[k, "pct"]) for k in s.index if k != "total"}
    t_c = opts.slag_temperature_c if opts.slag_temperature_c is not None else \
        float(result.scenario.config.hot_metal.temperature_c)
    urb = {k: pct.get(k, 0.0) for k in ("SiO2", "Al2O3", "CaO", "MgO", "FeO", "MnO", "TiO2")}
    rib = {k: pct.get(k, 0.0) for k in ("SiO2", "Al2O3", "CaO", "MgO", "FeO", "MnO", "TiO2", "Na2O", "K2O")}
    ob = {k: pct.get(k, 0.0) for k in ("CaO", "MgO", "SiO2", "Al2O3", "FeO", "MnO")}
    if min(urb["SiO2"], urb["CaO"]) <= 0:
        return None
    lam = float(sl.optical_basicity(ob, "duffy"))
    rows = [("optical basicity (Duffy/Mills set)", lam, "-", math.nan, "Duffy & Ingram; Mills 2011", "")]
    for dt in (-50.0, 0.0, 50.0):
        tk = t_c + dt + 273.15
        rows.append(("viscosity, Urbain", float(sl.viscosity_urbain(urb, tk)), "Pa s", t_c + dt,
                     "Urbain 1987; Mills 2011", "<= 0.6 at 1500 degC (runs well)"))
    for dt in (-50.0, 0.0, 50.0):
        tk = t_c + dt + 273.15
        rows.append(("viscosity, Riboud", float(sl.viscosity_riboud(rib, tk)), "Pa s", t_c + dt,
                     "Riboud 1981; Mills 2011", "<= 0.6 at 1500 degC (runs well)"))
    tk = t_c + 273.15
    rows.append(("sulphide capacity C_S, log10", float(np.log10(sl.sulphide_capacity_sosinsky(lam, tk))), "-", t_c,
                 "Sosinsky & Sommerville 1986", ""))
    rows.append(("sulphide capacity C_S, log10", float(np.log10(sl.sulphide_capacity_zhang(lam, tk))), "-", t_c,
                 "Zhang, Chou & Pal 2013", ""))
    hm = result.hot_metal
    ro_in = dict(pct)
    ro_in["S"] = float(result.slag_properties.loc["S_pct", "value"])
    ro = sl.desulphurisation_ro_check(ro_in, float(s.loc["total", "kg_per_thm"]), float(hm.loc["Si", "pct"]),
                                      float(hm.loc["S", "pct"]))
    rows.append(("RO = CaO+MgO+MnO+FeO", float(ro["ro"]), "wt %", math.nan, "USTB-HW",
                 f">= RO_min = {float(ro['ro_min']):.2f} wt %"))
    df = pd.DataFrame(rows, columns=["property", "value [see unit]", "unit", "temperature [degC]", "model", "guide"])
    return Table("slag_fluidity", "Slag fluidity and desulphurisation (computed from the slag analysis)", df,
                 note=f"At {t_c:g} degC (the hot-metal temperature unless set) and 50 degC either side. "
                      "Optical basicity over CaO, MgO, SiO2, Al2O3, FeO, MnO; viscosities in Pa s "
                      "(PRIMER section 7 proxy: <= 0.5-0.6 Pa s at 1500 degC). Liquidus is not computed.")


def extra_tables(result) -> list[Table]:
    """Optional tables a Result may carry in ``extra_tables`` (nonlinear model), rendered as given.

    Each is a DataFrame; its index is kept as the first column when it is
    named or not a plain RangeIndex. Column names should carry units.
    """
    from .style import LABELS, engineer_label

    extra = getattr(result, "extra_tables", None) or {}
    cur = result.currency
    out = []
    for name in sorted(extra, key=lambda n: (list(EXTRA_TITLES).index(n) if n in EXTRA_TITLES else 99, n)):
        df = extra[name]
        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(df)
        df = df.copy()
        if name == "correction_factors":   # the HBBF values are in the plant-table columns
            df = df.drop(columns=["hbbf_kg_per_thm"], errors="ignore")
        if df.index.name is not None or not isinstance(df.index, pd.RangeIndex):
            df = df.reset_index()
        cols = [str(c) for c in df.columns]
        # the engineer's words: units in brackets, no snake_case; a row label column keeps its names
        df.columns = [engineer_label(c, cur) for c in cols]
        if len(df.columns):
            # terms and checks written in snake_case: the engineer's words, with their units
            words = name in ("heat_balance", "carbon_balance", "furnace", "plausibility", "correction_factors")
            df[df.columns[0]] = pd.Series(
                [LABELS.get(v, engineer_label(v, cur) if words else v) if isinstance(v, str) else v
                 for v in df[df.columns[0]]], dtype=object)
        out.append(Table(f"extra_{name}"[:31], EXTRA_TITLES.get(name, name.replace("_", " ").capitalize()), df,
                         note=EXTRA_NOTES.get(name, "Computed by the process model of this run.")))
    return out


def _r15(v):
    if isinstance(v, (float, np.floating)) and not isinstance(v, bool) and math.isfinite(v):
        return float(f"{float(v):.15g}")
    return v


def round15(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers to 15 significant digits, the precision of a spreadsheet cell.

    So the Excel workbook (written with 16 digits by openpyxl) reads back
    exactly the numbers of the JSON; 1e-15 relative is far below any
    measurement in a burden.
    """
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_float_dtype(col):
            out[c] = [_r15(v) for v in col]
        elif col.dtype == object:
            out[c] = pd.Series([_r15(v) for v in col], index=col.index, dtype=object)
    return out


# ------------------------------------------------------------------- assembly
def build_report(result, options: ReportOptions | None = None) -> Report:
    """Assemble the content of a report (tables, and figures when ``options.plots``).

    Parameters
    ----------
    result : Result
        An optimal Result gives every section; an infeasible one gives the
        scenario, its inputs and the explanation.
    options : ReportOptions, optional

    Returns
    -------
    Report
    """
    opts = (options or ReportOptions()).validate()
    scn = result.scenario
    meta = {"scenario": scn.name, "description": scn.config.description, "source": str(scn.source),
            "status": result.status, "currency": result.currency,
            "production_t_per_day": scn.config.production_t_per_day,
            "objective_per_thm": result.objective if result.ok else None,
            "explanation": result.explanation, "warnings": list(result.warnings)}
    sections = [Section("summary", "Summary", scenario_tables(result))]
    inputs = [materials_table(result)]
    lb = lost_burden_table(result)
    if lb is not None:
        inputs.append(lb)
    sections.append(Section("inputs", "Inputs", inputs))
    if result.ok:
        sections += [
            Section("burden", "Burden", [burden_table(result)]),
            Section("charge", "Charge sheet", charge_tables(result, opts)),
            Section("hot_metal_slag", "Hot metal and slag",
                    [hot_metal_table(result), slag_table(result), slag_properties_table(result), loads_table(result)]),
            Section("cost", "Cost", [costs_table(result), ranging_table(result)]),
            Section("balance", "Balances", [balance_table(result)]),
            Section("binding", "Limits, binding constraints and shadow prices",
                    [limits_table(result), binding_table(result)]),
        ]
        from .emissions import emissions_section

        sections.append(emissions_section(result))
        fl = slag_fluidity_table(result, opts)
        thermo = ([fl] if fl is not None else []) + extra_tables(result)
        sections.append(Section("thermo", "Thermochemistry", thermo,
                                intro="" if getattr(result, "extra_tables", None) else
                                "This result comes from the linear model with fixed fuel rates: heat balance, "
                                "top gas, RAFT and Rist diagram need the blast and are shown when the "
                                "nonlinear model computes them."))
    if result.ok and getattr(scn.config, "uncertainty", None) is not None:
        from .uncertainty import uncertainty_section  # tables rounded, figures drawn there

        sections.append(uncertainty_section(result, opts))
    from ..valueinuse import report_sections  # studies attached with ValueInUse.attach(result)

    sections += report_sections(result, opts)
    from ..provenance import metadata_rows, result_metadata

    meta["run"] = result_metadata(result)  # run time, versions, input files and hashes, variant
    sections.append(Section("run", "Run information", [
        Table("run", "Run: time, versions and input files",
              pd.DataFrame(metadata_rows(meta["run"]), columns=["field", "text"]),
              note="Run time in UTC (SOURCE_DATE_EPOCH when set, for reproducible files). The SHA-256 of "
                   "each file identifies the exact inputs; the input hash covers what the model was fed.")]))
    for sec in sections:
        for t in sec.items:
            if isinstance(t, Table):   # sections may also carry their own figures
                t.df = round15(t.df)
                t.currency = result.currency
    rep = Report(title=f"Burden report: {scn.name}", meta=meta, sections=sections, options=opts)
    if opts.plots and result.ok:
        from .plots import add_figures

        add_figures(rep, result, png="pdf" in opts.formats)
    return rep
