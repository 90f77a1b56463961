"""Value in use of a candidate material against the current burden.

For a material in the scenario's tables that the burden does not (or little) use — an offered
ore, a new flux — :func:`value_in_use` answers the buyer's questions:

* **break-even price** (``breakeven_price_per_t``, on the material's price basis, and per dry
  and per wet t): the price at which it starts to enter the burden.  With the candidate held at
  zero, its reduced cost ``d`` (currency/tHM per dry kg/tHM, i.e. currency per dry kg) is its
  cost coefficient less the value of what a kilogram of it would displace (``c − yᵀA_j``, the
  LP dual prices y of the rows it enters).  Below ``price − 1000·d`` per dry t it pays to use
  it, above it does not (Dantzig, *Linear Programming and Extensions*, 1963, §7; the
  value-in-use practice of ore buyers: Honeyands, Iron Ore Conference 2011).  A wet price is
  the dry one times the dry fraction ``1 − moisture/100``.
* **cost-saving curve**: the candidate forced at fixed amounts (dry kg/tHM), the optimal cost
  of the rest re-solved persistently (a :func:`burden.sweep` over
  ``charge.<candidate>.fixed_kg_per_thm``): ``saving_per_thm = C(0) − C(a)``, and at each
  amount the average break-even price ``price + 1000·saving/a``.
* **what it displaces**: Δ dry kg/tHM of every material between amount ``a`` and zero.

For a scenario with a ``process:`` section (the nonlinear model) the coke rate follows from the
heat and carbon balances at every amount, so the coke change is part of the saving and of the
displaced table (``coke_change_kg_per_thm``); the break-even at zero use is then the slope of
the saving curve at zero (a forward difference over :data:`FD_STEP_KG`), since the SLP's
reduced costs belong to its last linearisation only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError, InputProblem

#: Default forced amounts, dry kg/tHM (cut at the candidate's availability).
DEFAULT_AMOUNTS = (0.0, 25.0, 50.0, 100.0, 150.0, 200.0)
#: Step of the forward difference that gives a nonlinear scenario's break-even, dry kg/tHM.
FD_STEP_KG = 1.0


@dataclass
class ValueInUse:
    """The value in use of one candidate material (see the module docstring).

    Attributes
    ----------
    candidate : str
    currency : str
    price_per_t : float
        Its price, currency per t on ``price_basis``.
    price_basis : {"dry", "wet"}
    moisture_pct : float
        Free moisture, wt % of the wet material.
    breakeven_price_per_dry_t, breakeven_price_per_wet_t, breakeven_price_per_t : float
        The price at which it starts to enter the burden, per dry t, per wet t, and on its own
        price basis.
    reduced_cost_per_dry_t : float
        Its reduced cost at zero use, currency per dry t (price − break-even).
    method : str
        ``"reduced cost"`` (LP) or ``"forward difference"`` (nonlinear model).
    objective_zero_per_thm : float
        The optimal cost without the candidate (held at zero), currency/tHM.
    current_use_kg_per_thm : float
        Its dry rate in the optimum at its price and availability (the scenario as given).
    curve : DataFrame
        One row per forced amount: ``amount_kg_per_thm``, ``status``, ``objective_per_thm``,
        ``saving_per_thm`` (currency/tHM), ``breakeven_price_per_dry_t`` (average),
        ``coke_change_kg_per_thm``.
    displaced : DataFrame
        Δ dry kg/tHM per material (columns) at each forced amount (index ``amount_kg_per_thm``)
        against zero use.
    nonlinear : bool
    scenario : str
    """

    candidate: str
    currency: str
    price_per_t: float
    price_basis: str
    moisture_pct: float
    breakeven_price_per_dry_t: float
    breakeven_price_per_wet_t: float
    breakeven_price_per_t: float
    reduced_cost_per_dry_t: float
    method: str
    objective_zero_per_thm: float
    current_use_kg_per_thm: float
    curve: pd.DataFrame
    displaced: pd.DataFrame
    nonlinear: bool = False
    scenario: str = ""
    notes: list = field(default_factory=list)

    @property
    def price_per_dry_t(self) -> float:
        return self.price_per_t / (1.0 - self.moisture_pct / 100.0) if self.price_basis == "wet" else self.price_per_t

    def to_dict(self) -> dict:
        """JSON-safe dict (NaN -> None)."""
        from .output import json_value

        head = {k: json_value(getattr(self, k)) for k in (
            "scenario", "candidate", "currency", "price_per_t", "price_basis", "moisture_pct",
            "breakeven_price_per_t", "breakeven_price_per_dry_t", "breakeven_price_per_wet_t",
            "reduced_cost_per_dry_t", "method", "objective_zero_per_thm", "current_use_kg_per_thm", "nonlinear")}
        head["notes"] = list(self.notes)
        head["curve"] = [{k: json_value(v) for k, v in r.items()} for r in self.curve.to_dict("records")]
        head["displaced_kg_per_thm"] = {
            f"{a:g}": {k: json_value(v) for k, v in row.items()} for a, row in self.displaced.iterrows()}
        return head

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def summary(self) -> str:
        """Plain-text summary (what ``burden value-in-use`` prints)."""
        c = self.currency
        lines = [f"Value in use of {self.candidate} in {self.scenario}" + (" (nonlinear model: coke follows)"
                                                                          if self.nonlinear else ""),
                 f"  price:      {self.price_per_t:10.2f} {c}/t {self.price_basis}  (moisture {self.moisture_pct:g} %)",
                 f"  break-even: {self.breakeven_price_per_t:10.2f} {c}/t {self.price_basis}   "
                 f"({self.breakeven_price_per_dry_t:.2f} per dry t, {self.breakeven_price_per_wet_t:.2f} per wet t; "
                 f"{self.method})",
                 f"  now used:   {self.current_use_kg_per_thm:10.1f} kg/tHM at its price; cost without it "
                 f"{self.objective_zero_per_thm:.3f} {c}/tHM",
                 "", f"  {'forced kg/tHM':>14} {'saving ' + c + '/tHM':>16} {'break-even /dry t':>18} "
                     f"{'coke Δ kg/tHM':>14}  displaces (Δ kg/tHM)"]
        for _, r in self.curve.iterrows():
            a = r["amount_kg_per_thm"]
            if r["status"] != "optimal":
                lines.append(f"  {a:14g} {r['status']:>16}")
                continue
            d = self.displaced.loc[a] if a in self.displaced.index else pd.Series(dtype=float)
            moved = ", ".join(f"{k} {v:+.1f}" for k, v in d.items() if k != self.candidate and abs(v) >= 0.05)
            be = r["breakeven_price_per_dry_t"]
            lines.append(f"  {a:14g} {r['saving_per_thm']:16.3f} {'' if math.isnan(be) else f'{be:.2f}':>18} "
                         f"{r['coke_change_kg_per_thm']:14.2f}  {moved}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def figure(self):
        """The value-in-use plot (saving curve and break-even prices)."""
        from .report.study_plots import value_in_use_figure

        return value_in_use_figure(self.curve, self.candidate, self.breakeven_price_per_dry_t,
                                   self.price_per_dry_t, self.currency)

    def report_section(self, plots: bool = True, png: bool = False):
        """A report :class:`~burden.report.content.Section`: summary, saving curve and
        displaced materials tables, and the plot."""
        from .report.content import Figure, Section, Table, round15

        c = self.currency
        head = pd.DataFrame([
            {"item": "price", f"value [{c}/t]": self.price_per_t, "basis": self.price_basis},
            {"item": "break-even price", f"value [{c}/t]": self.breakeven_price_per_t, "basis": self.price_basis},
            {"item": "break-even price", f"value [{c}/t]": self.breakeven_price_per_dry_t, "basis": "dry"},
            {"item": "break-even price", f"value [{c}/t]": self.breakeven_price_per_wet_t, "basis": "wet"},
            {"item": "reduced cost at zero use", f"value [{c}/t]": self.reduced_cost_per_dry_t, "basis": "dry"},
        ])
        curve = self.curve.rename(columns={"amount_kg_per_thm": "forced [kg/tHM]",
                                           "objective_per_thm": f"cost [{c}/tHM]",
                                           "saving_per_thm": f"saving [{c}/tHM]",
                                           "breakeven_price_per_dry_t": f"break-even [{c}/dry t]",
                                           "coke_change_kg_per_thm": "coke change [kg/tHM]",
                                           "fuel_change_kg_per_thm": "fuel change (coke + injectants) [kg/tHM]"})
        disp = self.displaced.reset_index().rename(columns={"amount_kg_per_thm": "forced [kg/tHM]"})
        disp.columns = [disp.columns[0]] + [f"Δ {k} [kg/tHM]" for k in disp.columns[1:]]
        key = f"value_in_use_{self.candidate}"
        items = [Table(f"{key}_summary", f"Value in use of {self.candidate}", round15(head),
                       note=f"Break-even: {self.method} at zero use, against the burden without it."),
                 Table(f"{key}_curve", "Cost saving over forced amounts", round15(curve)),
                 Table(f"{key}_displaced", "Materials displaced (Δ dry kg/tHM against zero use)", round15(disp))]
        if plots:
            from .report.plots import png_bytes, svg_text

            fig = self.figure()
            items.append(Figure(key, f"Value in use of {self.candidate}", svg_text(fig),
                                png_bytes(fig) if png else None,
                                caption="Saving against the burden without it (left); break-even price per dry t "
                                        "(right)."))
        return Section(key, f"Value in use: {self.candidate}", items)

    def attach(self, result) -> "ValueInUse":
        """Attach to a Result so that its report shows this section (``burden.report``)."""
        studies = getattr(result, "value_in_use", None)
        if not isinstance(studies, list):
            studies = []
        studies.append(self)
        result.value_in_use = studies
        return self


def report_sections(result, options=None) -> list:
    """The value-in-use sections of the studies attached to ``result`` (:meth:`ValueInUse.attach`)."""
    plots = True if options is None else options.plots
    png = False if options is None else "pdf" in options.formats
    return [v.report_section(plots=plots, png=png) for v in (getattr(result, "value_in_use", None) or [])]


def _with_candidate(scn, candidate: str):
    """The scenario with ``candidate`` charged (at its table availability) if it is not."""
    from .scenario import Scenario

    if candidate in scn.materials:
        return scn
    d = scn.config.model_dump()
    d["charge"][candidate] = {}
    try:
        return Scenario.from_dict(d, source=scn.source)
    except InputError as e:
        probs = [InputProblem(p.source, "--candidate" if p.field.startswith(f"charge.{candidate}") else p.field,
                              p.message if not p.field.startswith(f"charge.{candidate}") else
                              f"{candidate!r}: {p.message}") for p in e.problems]
        raise InputError(probs) from None


def _amounts(amounts, scn, candidate) -> np.ndarray:
    m = scn.materials[candidate]
    _, hi = m.availability_kg_per_thm(scn.config.production_t_per_day)
    if amounts is None:
        a = np.array([v for v in DEFAULT_AMOUNTS if v <= hi])
        if hi < DEFAULT_AMOUNTS[-1] and math.isfinite(hi) and hi not in a:
            a = np.append(a, hi)
    else:
        if isinstance(amounts, str):
            try:
                amounts = [float(v) for v in amounts.split(",")]
            except ValueError:
                raise InputError([InputProblem("--amounts", amounts, "give dry kg/tHM as a comma list, e.g. "
                                               "0,50,100")]) from None
        a = np.asarray(list(amounts), dtype=float)
        bad = [v for v in a if not math.isfinite(v) or v < 0 or v > hi]
        if bad or a.size == 0:
            raise InputError([InputProblem("--amounts", ",".join(f"{v:g}" for v in a),
                                           f"give amounts from 0 to the availability of {candidate} "
                                           f"({hi:g} dry kg/tHM)")])
    a = np.unique(np.append(a, 0.0))  # zero use is the reference
    return a


def value_in_use(scenario, candidate: str, amounts=None, *, variant: str | None = None, **sweep_kw) -> ValueInUse:
    """The value in use of ``candidate`` against the current burden (module docstring).

    Parameters
    ----------
    scenario : Scenario or path
    candidate : str
        A material in the scenario's tables (charged or not; an uncharged one is added to the
        charge at its table availability).
    amounts : sequence of float or "0,50,100", optional
        Forced amounts, dry kg/tHM (0 is always added); default :data:`DEFAULT_AMOUNTS` up to
        its availability.
    **sweep_kw
        Passed to :func:`burden.sweep` (workers, scheduler, ...).

    Returns
    -------
    ValueInUse

    Raises
    ------
    InputError
        A candidate not in the tables, one whose rate the scenario fixes
        (``charge.<candidate>.fixed_kg_per_thm``), or amounts outside 0 and its availability.
    InfeasibleError
        The burden without the candidate is infeasible (there is no current burden to value
        it against).
    """
    from .core.problem import build
    from .errors import InfeasibleError
    from .sweeps import _load, sweep

    scn = _with_candidate(_load(scenario, variant), candidate)
    entry = scn.config.charge.get(candidate)
    if entry is not None and entry.fixed_kg_per_thm is not None:
        # forcing amounts would silently override the scenario's own fixed rate, and the
        # break-even against a burden that cannot change this rate means nothing (issue 13)
        raise InputError([InputProblem(
            str(scn.source or "<scenario>"), f"charge.{candidate}.fixed_kg_per_thm",
            f"the scenario fixes the rate of {candidate} at {entry.fixed_kg_per_thm:g} kg/tHM, so its value in use "
            f"is not defined: remove the fixed rate (or give min/max limits) to value {candidate}, or value another "
            "material")])
    m = scn.materials[candidate]
    nonlinear = scn.config.process is not None
    a = _amounts(amounts, scn, candidate)
    path = f"charge.{candidate}.fixed_kg_per_thm"
    curve_df = sweep(scn, {path: a}, **sweep_kw)
    zero = curve_df.iloc[0]
    if zero["status"] != "optimal":
        import burden

        p = build(scn)
        p.set_bounds({candidate: (0.0, 0.0)})
        res = burden.solve(p)
        raise InfeasibleError(f"the burden without {candidate} is {zero['status']}: there is no current burden to "
                              f"value it against\n{res.explanation}", res)
    c0 = float(zero["objective_per_thm"])
    price_dry = m.price_per_dry_t
    dry_fraction = 1.0 - m.moisture_pct / 100.0
    notes = []
    if not nonlinear:
        p = build(scn)
        p.set_bounds({candidate: (0.0, 0.0)})
        sol = p.backend(ranging=False).solve()
        d = float(sol.block("x", sol.reduced_costs)[p.materials.index(candidate)])  # currency per dry kg
        rc_t = 1000.0 * d
        method = "reduced cost"
    else:
        fd = sweep(scn, {path: [0.0, FD_STEP_KG]}, **sweep_kw)
        if not fd["status"].eq("optimal").all():
            rc_t = math.nan
            notes.append(f"the burden with {FD_STEP_KG:g} kg/tHM of {candidate} is not feasible: no break-even")
        else:
            slope = (float(fd["objective_per_thm"].iloc[1]) - float(fd["objective_per_thm"].iloc[0])) / FD_STEP_KG
            rc_t = 1000.0 * slope
        method = f"forward difference over {FD_STEP_KG:g} kg/tHM (nonlinear model, coke follows)"
    be_dry = price_dry - rc_t
    be_wet = be_dry * dry_fraction
    be_own = be_wet if m.price_basis == "wet" else be_dry
    # the scenario as given: its use at its price and availability
    base = sweep(scn, {f"charge.{candidate}.price_per_t": [m.price_per_t]}, **sweep_kw).iloc[0]
    use = float(base[f"{candidate}_kg_per_thm"]) if base["status"] == "optimal" else math.nan
    rates = [c for c in curve_df.columns if c.endswith("_kg_per_thm") and "." not in c]
    coke = [c for c in rates if scn.materials[c[: -len("_kg_per_thm")]].material_class.value == "coke"]
    fuel = [c for c in rates if scn.materials[c[: -len("_kg_per_thm")]].material_class.value in ("coke", "injectant")]
    ok = curve_df["status"] == "optimal"
    saving = np.where(ok, c0 - curve_df["objective_per_thm"], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        be_avg = np.where(ok & (curve_df[path] > 0), price_dry + 1000.0 * saving / curve_df[path], np.nan)
    coke_change = (curve_df[coke].sum(axis=1) - zero[coke].sum()).where(ok, np.nan) if coke else np.nan
    # with coke at a bound the nonlinear model moves the injectant instead: the fuel rate too
    fuel_change = (curve_df[fuel].sum(axis=1) - zero[fuel].sum()).where(ok, np.nan) if fuel else np.nan
    curve = pd.DataFrame({"amount_kg_per_thm": curve_df[path].to_numpy(), "status": curve_df["status"].to_numpy(),
                          "objective_per_thm": curve_df["objective_per_thm"].to_numpy(),
                          "saving_per_thm": saving, "breakeven_price_per_dry_t": be_avg,
                          "coke_change_kg_per_thm": np.asarray(coke_change, dtype=float) + 0.0,
                          "fuel_change_kg_per_thm": np.asarray(fuel_change, dtype=float) + 0.0,
                          "binding": curve_df["binding"].to_numpy()})
    disp = curve_df.loc[ok, rates].sub(zero[rates].astype(float), axis=1) + 0.0
    disp.columns = [c[: -len("_kg_per_thm")] for c in rates]
    disp.index = curve_df.loc[ok, path].to_numpy()
    disp.index.name = "amount_kg_per_thm"
    if not ok.all():
        notes.append("forced amounts that are infeasible: " + ", ".join(
            f"{v:g}" for v in curve_df.loc[~ok, path]))
    return ValueInUse(candidate=candidate, currency=scn.config.currency, price_per_t=float(m.price_per_t),
                      price_basis=m.price_basis, moisture_pct=float(m.moisture_pct),
                      breakeven_price_per_dry_t=be_dry, breakeven_price_per_wet_t=be_wet, breakeven_price_per_t=be_own,
                      reduced_cost_per_dry_t=rc_t, method=method, objective_zero_per_thm=c0,
                      current_use_kg_per_thm=use, curve=curve, displaced=disp, nonlinear=nonlinear,
                      scenario=scn.name, notes=notes)


__all__ = ["value_in_use", "ValueInUse", "report_sections", "DEFAULT_AMOUNTS"]
