"""Result of a burden solve: tidy pandas tables, a printed summary, JSON.

The tables are formed as records (:class:`burden.results.records.Records`) and made pandas
DataFrames when first asked for; the summary, the JSON and the CSV files are formed from the
records, so printing and writing a result does not import pandas.

Tables (all per tonne of hot metal unless the column says otherwise):

========================= ===============================================
``burden``                dry and wet kg/tHM, % of ferrous, t/day, price,
                          cost and cost share, bounds, reduced cost,
                          cost range over which the burden is unchanged
``hot_metal``             wt %, kg/tHM and limits of each element
``slag``                  kg/tHM and wt % of each component
``slag_properties``       B2, B3, B4, MgO %, Al2O3 %, slag rate vs windows
``loads``                 alkali, Zn, S, P, Cl loads, kg/tHM, vs limits
``costs``                 cost per class, currency/tHM and share
``balance``               input = hot metal + slag + dust + gas, per
                          element and oxide, with the closure error
``constraints``           every row: value, limit, slack, dual, shadow
                          price per unit of the limit, binding flag
``binding``               the binding rows and bounds with shadow prices
========================= ===============================================
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..chemistry.elements import element_fraction
from ..core.components.burden import BALANCED, HM_ELEMENTS, SLAG_COMPONENTS, SLAG_S_MASS_FACTOR
from ..core.components.fuels import correction_values
from ..core.rows import LIMITS_BY_KEY, limits_of, spec_window, unwritten_defaults
from ..materials import MaterialClass
from .records import Records, frame_of
from .solution import Solution

if TYPE_CHECKING:  # pandas is imported when a table is first asked for as a DataFrame (see records.py)
    import pandas as pd

BIND_TOL = 1e-6


def _rel_tol(*scales: float) -> float:
    return BIND_TOL * max([1.0] + [abs(s) for s in scales if np.isfinite(s)])


@dataclass
class Result:
    """The outcome of :func:`burden.solve`.

    Attributes
    ----------
    problem : Problem
    output : Solution
        The backend's solution (picklable, keyed by name).
    status : str
        ``optimal``, ``infeasible``, ``unbounded`` or ``time_limit``.
    objective : float
        Cost of the burden, currency per tonne of hot metal.
    x : pandas.Series
        Dry rate of each charged material, kg/tHM.
    explanation : str
        For an infeasible problem: which limits conflict and the smallest
        relaxation found.
    timings : dict
        Seconds spent building, compiling and solving.
    """

    problem: object
    output: Solution
    timings: dict = field(default_factory=dict)
    nonlinear: object = None  # NonlinearSolution for scenarios with a process: section

    # -- basic facts ----------------------------------------------------------
    @property
    def scenario(self):
        return self.problem.scenario

    @property
    def status(self) -> str:
        return self.output.status

    @property
    def ok(self) -> bool:
        return self.output.status == "optimal"

    @property
    def objective(self) -> float:
        """Cost of everything charged and injected, currency per tHM."""
        return float(self.output.objective)

    @property
    def currency(self) -> str:
        return self.scenario.config.currency

    @property
    def x(self) -> pd.Series:
        import pandas as pd

        return pd.Series(self.output.x, index=self.problem.materials, name="dry_kg_per_thm")

    def quantity(self, name: str) -> float:
        """Value of a named quantity of :attr:`Problem.coefficients` (kg/tHM)."""
        return self._qvalues[name]

    @cached_property
    def _qvalues(self) -> dict[str, float]:
        out = self.output
        extra = out.block("split") if "split" in getattr(out, "layout", {}) else None
        return self.problem.quantities.values(out.x, extra)

    def raise_for_status(self) -> "Result":
        """Raise :class:`~burden.errors.InfeasibleError` unless optimal; return self."""
        from ..errors import InfeasibleError, SolverError

        if self.status == "infeasible":
            raise InfeasibleError(self.explanation, self)
        if self.status != "optimal":
            raise SolverError(f"{self.scenario.name}: solver status {self.output.solver_status}")
        return self

    # -- tables ---------------------------------------------------------------
    @cached_property
    def burden(self) -> pd.DataFrame:
        return self._r_burden.frame()

    @cached_property
    def _r_burden(self) -> Records:
        p = self.problem
        scn = p.scenario
        x = self.output.x
        ferrous = sum(x[j] for j, k in enumerate(p.materials)
                      if scn.materials[k].material_class is MaterialClass.FERROUS)
        P = scn.config.production_t_per_day
        rows = []
        total_cost = self.objective
        rng = self.output.material_cost_ranging or {}
        rc_x = self.output.material_reduced_costs
        lower, upper, kinds = p.lower.tolist(), p.upper.tolist(), p.bound_kind
        for j, k in enumerate(p.materials):
            m = scn.materials[k]
            dry = float(x[j])
            cost = dry * m.price_per_dry_t / 1000.0
            basis_factor = m.wet_per_dry if m.price_basis == "wet" else 1.0
            lo, hi = rng.get(k, (math.nan, math.nan))
            rows.append({
                "material": k,
                "class": m.material_class.value,
                "dry_kg_per_thm": dry,
                "wet_kg_per_thm": dry * m.wet_per_dry,
                "pct_of_ferrous": 100.0 * dry / ferrous if m.material_class is MaterialClass.FERROUS and ferrous > 0 else math.nan,
                "dry_t_per_day": dry * P / 1000.0,
                "wet_t_per_day": dry * m.wet_per_dry * P / 1000.0,
                "price_per_t": m.price_per_t,
                "price_basis": m.price_basis,
                "cost_per_thm": cost,
                "cost_share_pct": 100.0 * cost / total_cost if total_cost else math.nan,
                "min_kg_per_thm": lower[j],
                "max_kg_per_thm": upper[j],
                "bound": kinds[j],
                "reduced_cost_per_t": float(rc_x[j]) * 1000.0 / basis_factor,
                "price_range_low_per_t": lo * 1000.0 / basis_factor if np.isfinite(lo) else (-math.inf if lo == -np.inf else math.nan),
                "price_range_high_per_t": hi * 1000.0 / basis_factor if np.isfinite(hi) else (math.inf if hi == np.inf else math.nan),
            })
        return Records("material", rows)

    @cached_property
    def hot_metal(self) -> pd.DataFrame:
        return self._r_hot_metal.frame()

    @cached_property
    def _r_hot_metal(self) -> Records:
        hm = self.scenario.config.hot_metal
        cfg = self.scenario.config
        windows = {s.label: spec_window(s, cfg) for s in limits_of("hot_metal")}
        rows = []
        for el in HM_ELEMENTS:
            kg = self.quantity(f"hot_metal.{el}")
            lo, hi = _ends(windows.get(el))
            if el == "Si":
                lo = hi = hm.Si_pct
            elif el == "S":
                lo = hi = hm.S_pct
            elif el == "Fe" and hm.Fe_pct is not None:
                lo = hi = hm.Fe_pct
            elif el == "C" and hm.C_pct != "formula":
                lo = hi = hm.C_pct
            pct = kg / 10.0
            rows.append({"element": el, "pct": pct, "kg_per_thm": kg, "min_pct": lo, "max_pct": hi,
                         "basis": _hm_basis_of(el, self.scenario.config), "binding": self._at(pct, lo, hi)})
        return Records("element", rows)

    @cached_property
    def slag(self) -> pd.DataFrame:
        return self._r_slag.frame()

    @cached_property
    def _r_slag(self) -> Records:
        total = self.quantity("slag.total")
        rows = [{"component": c, "kg_per_thm": self.quantity(f"slag.{c}"),
                 "pct": 100.0 * self.quantity(f"slag.{c}") / total if total else math.nan}
                for c in SLAG_COMPONENTS]
        rows.append({"component": "total", "kg_per_thm": total, "pct": 100.0})
        return Records("component", rows, {"sulphur_kg_per_thm": self.quantity("slag.S")})

    @cached_property
    def slag_properties(self) -> pd.DataFrame:
        return self._r_slag_properties.frame()

    @cached_property
    def _r_slag_properties(self) -> Records:
        cfg = self.scenario.config
        qv = self._qvalues
        vals = {}
        for spec in limits_of("slag_properties"):
            if spec.label == "L_S_needed" and not cfg.hot_metal.S_pct > 0:
                continue
            if spec.optional and spec_window(spec, cfg) is None:
                continue
            vals[spec.label] = (spec.evaluate(qv, cfg), spec_window(spec, cfg), spec.unit)
            if spec.label == "Al2O3_pct":  # slag S is reported beside the oxides, without a window
                s_pct = LIMITS_BY_KEY["slag.S_pct"]
                vals["S_pct"] = (s_pct.evaluate(qv, cfg), spec_window(s_pct, cfg), s_pct.unit)
        rows = []
        for k, (v, w, unit) in vals.items():
            lo, hi = _ends(w)
            rows.append({"property": k, "value": v, "unit": unit, "min": lo, "max": hi, "binding": self._at(v, lo, hi)})
        return Records("property", rows)

    @cached_property
    def loads(self) -> pd.DataFrame:
        return self._r_loads.frame()

    @cached_property
    def _r_loads(self) -> Records:
        cfg = self.scenario.config
        rows = []
        for spec in limits_of("loads"):
            v = spec.evaluate(self._qvalues, cfg)
            lo, hi = _ends(spec_window(spec, cfg))
            rows.append({"load": spec.label, "kg_per_thm": v, "min": lo, "max": hi,
                         "binding": self._at(v, lo, hi)})
        return Records("load", rows)

    @cached_property
    def costs(self) -> pd.DataFrame:
        return self._r_costs.frame()

    @cached_property
    def _r_costs(self) -> Records:
        # the sums pandas forms (``burden.groupby("class", sort=False)["cost_per_thm"].sum()``, then
        # the column's sum), so the table is the same to the last bit: see _group_sum, _column_sum
        cost = {}
        for r in self._r_burden.rows:   # the raw rows: _group_sum reads each value as a float
            v = r.get("cost_per_thm")
            cost.setdefault(r["class"], []).append(math.nan if v is None else v)
        cost = {k: _group_sum(v) for k, v in cost.items()}
        if self.nonlinear is not None:
            nl = self.nonlinear
            cost["technical_oxygen"] = float(nl.nlp.o2_price * nl.oxygen_nm3)
        if self.output.objective_terms.get("co2"):
            cost["carbon_price"] = float(self.output.objective_terms["co2"])  # emissions.carbon_price_per_t
        cost["total"] = _column_sum(list(cost.values()))
        obj = self.objective
        return Records("class", [{"class": k, "cost_per_thm": v, "share_pct": 100.0 * v / obj if obj else math.nan}
                                 for k, v in cost.items()])

    @cached_property
    def balance(self) -> pd.DataFrame:
        return self._r_balance.frame()

    @cached_property
    def _r_balance(self) -> Records:
        """Per element/oxide: input = hot metal + slag + dust + gas (kg/tHM).

        Slag outputs are converted back from the reported oxides with molar
        masses, so the closure checks the whole chain independently.
        """
        q = self.quantity
        sl = lambda c: q(f"slag.{c}")  # noqa: E731
        f = element_fraction
        out_hm = {"Fe": q("hot_metal.Fe"), "Mn": q("hot_metal.Mn"), "P": q("hot_metal.P"), "S": q("hot_metal.S"),
                  "Ti": q("hot_metal.Ti"), "V": q("hot_metal.V"),
                  "SiO2": q("hot_metal.Si") / f("SiO2", "Si")}
        out_slag = {"Fe": sl("FeO") * f("FeO", "Fe"), "Mn": sl("MnO") * f("MnO", "Mn"),
                    "P": sl("P2O5") * f("P2O5", "P"), "S": sl("S_as_CaS_excess") / SLAG_S_MASS_FACTOR,
                    "Ti": sl("TiO2") * f("TiO2", "Ti"), "V": sl("V2O5") * f("V2O5", "V"),
                    "Zn": sl("ZnO") * f("ZnO", "Zn")}
        for ox in ("SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O"):
            out_slag[ox] = sl(ox)
        out_gas = {"S": q("gas.S"), "K2O": q("gas.K2O"), "Na2O": q("gas.Na2O"), "Zn": q("gas.Zn")}
        rows = []
        for s in BALANCED:
            inp = q(f"input.{s}")
            d = q(f"dust.{s}")
            h = out_hm.get(s, 0.0)
            sg = out_slag.get(s, 0.0)
            g = out_gas.get(s, 0.0)
            outs = h + sg + d + g
            rows.append({"species": s, "input": inp, "hot_metal": h, "slag": sg, "dust": d, "gas": g,
                         "output": outs, "closure_pct": 100.0 * (inp - outs) / inp if inp > 1e-12 else 0.0})
        return Records("species", rows)

    @cached_property
    def constraints(self) -> pd.DataFrame:
        return self._r_constraints.frame()

    @cached_property
    def _r_constraints(self) -> Records:
        """Every row (limits, balances, fuel rules, plant hooks) and every material bound:
        value, limit, slack, dual, shadow price per unit of the limit, binding flag."""
        p = self.problem
        o = self.output
        z = o.primal
        x = o.x
        idx = {n: i for i, n in enumerate(o.row_names)}
        rows = []
        for r in p.formulation.rows:
            i = idx.get(r.name)
            y = float(o.row_duals[i]) if i is not None else math.nan
            den = r.den.value(z)
            if r.sense == "range":
                v = r.num.value(z)
                lo_gap, hi_gap = v - r.theta, r.theta_max - v
                near_hi = hi_gap < lo_gap
                limit = r.theta_max if near_hi else r.theta
                rows.append({"name": r.name, "quantity": r.quantity, "kind": r.kind,
                             "sense": "<=" if near_hi else ">=", "limit": limit, "value": v, "unit": r.unit,
                             "slack": min(lo_gap, hi_gap), "dual": y, "shadow_price_per_unit": y,
                             "binding": bool(abs(v - limit) <= _rel_tol(limit)), "description": r.description})
                continue
            body = r.body.value(z)
            tol = _rel_tol(r.num.value(z), r.theta * den)
            rows.append({"name": r.name, "quantity": r.quantity, "kind": r.kind, "sense": r.sense, "limit": r.theta,
                         "value": r.value(z), "unit": r.unit, "slack": body if r.sense != "<=" else -body,
                         "dual": y, "shadow_price_per_unit": y * den,
                         "binding": bool(abs(body) <= tol), "description": r.description})
        # material bounds
        lower, upper, kinds = p.lower.tolist(), p.upper.tolist(), p.bound_kind
        rcs = o.material_reduced_costs.tolist()
        xs = x.tolist()
        for j, k in enumerate(p.materials):
            kind = kinds[j]
            for side, bound in (("min", lower[j]), ("max", upper[j])):
                if not math.isfinite(bound) or (side == "min" and bound == 0 and kind != "fixed"):
                    continue
                if kind == "fixed" and side == "max":
                    continue
                at = abs(xs[j] - bound) <= _rel_tol(bound)
                rc = rcs[j]
                name = f"charge.{k}.fixed" if kind == "fixed" else f"charge.{k}.{side}"
                rows.append({"name": name, "quantity": f"{k} rate", "kind": "bound",
                             "sense": "==" if kind == "fixed" else (">=" if side == "min" else "<="),
                             "limit": float(bound), "value": xs[j], "unit": "kg/tHM",
                             "slack": abs(xs[j] - float(bound)), "dual": rc,
                             "shadow_price_per_unit": rc if at else 0.0, "binding": bool(at),
                             "description": "availability" if kind != "fixed" else "fixed rate"})
        return Records("name", rows)

    @cached_property
    def emissions(self) -> dict:
        """CO2 within the boundary, its carbon-balance terms, carbon price, cap shadow price (currency
        per t CO2) and the gap to the EU ETS benchmark (:func:`burden.results.emissions.emissions_summary`)."""
        from .emissions import emissions_summary

        return emissions_summary(self)

    @property
    def co2_kg_per_thm(self) -> float:
        """CO2 within the scenario's emissions boundary, kg CO2/tHM (default: direct, by carbon mass balance)."""
        return self.emissions["co2_kg_per_thm"]

    @cached_property
    def emissions_table(self) -> pd.DataFrame:
        return self._r_emissions.frame()

    @cached_property
    def _r_emissions(self) -> Records:
        from .emissions import emissions_records

        return emissions_records(self)

    @property
    def binding(self) -> pd.DataFrame:
        c = self.constraints
        return c[c["binding"]][["quantity", "sense", "limit", "value", "unit", "shadow_price_per_unit", "kind"]]

    @property
    def extra_tables(self) -> dict[str, pd.DataFrame]:
        """Process tables of the nonlinear model (blast, carbon and heat balance, top gas,
        RAFT, slag sulphur and fluidity, convergence, implied correction factors); empty
        for an LP result."""
        return {k: frame_of(v) for k, v in self._extra_records().items()}

    def _extra_records(self) -> dict:
        if not self.ok:
            return {}
        if self.nonlinear is None:
            corr = self.scenario.config.fuels.correction
            return {"correction_factors": self._correction_records(corr)} if corr is not None else {}
        return self.nonlinear.tables()

    def _correction_records(self, corr) -> Records:
        """The plant's correction factors applied to this burden (same form as the implied ones)."""
        rates = dict(zip(self.problem.materials, self.output.x.tolist()))
        rows = correction_values(self.scenario, corr, self.quantity, rates)
        return Records("change_of", rows, {"coke_kg_per_thm": float(rates[corr.coke])})

    #: The tables of every result: name -> the attribute that gives it as a DataFrame.
    _TABLES = {"burden": "burden", "hot_metal": "hot_metal", "slag": "slag", "slag_properties": "slag_properties",
               "loads": "loads", "costs": "costs", "balance": "balance", "constraints": "constraints",
               "emissions": "emissions_table"}

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (empty dict when not optimal)."""
        if not self.ok:
            return {}
        t = {k: getattr(self, attr) for k, attr in self._TABLES.items()}
        t.update(self.extra_tables)
        return t

    def output_tables(self) -> dict:
        """The tables of :attr:`tables` as the summary, ``result.json`` and the CSV files are formed
        from them: :class:`~burden.results.records.Records` (no pandas needed) or, for the nonlinear
        model's process tables, DataFrames.  Same names, rows and values as :attr:`tables`."""
        if not self.ok:
            return {}
        t = {k: getattr(self, f"_r_{k}") for k in self._TABLES}
        t.update(self._extra_records())
        return t

    # -- helpers --------------------------------------------------------------
    @staticmethod
    def _at(v: float, lo: float, hi: float) -> bool:
        return bool((np.isfinite(lo) and abs(v - lo) <= _rel_tol(lo)) or (np.isfinite(hi) and abs(v - hi) <= _rel_tol(hi)))

    @cached_property
    def explanation(self) -> str:
        """Why the problem is infeasible ('' when it is not)."""
        if self.status == "unbounded":
            return explain_unbounded(self)
        if self.status != "infeasible":
            return ""
        if self.nonlinear is not None:
            return explain_nonlinear(self)
        return explain_infeasibility(self)

    @property
    def warnings(self) -> list[str]:
        """The scenario's warnings, then the optimum's plausibility warnings (the nonlinear
        model's checks, or :mod:`burden.results.plausibility` for a linear result) and a
        titanium-rich burden's hint (formed once: summary, JSON and report all read them)."""
        return list(self._warnings)

    @cached_property
    def _warnings(self) -> tuple[str, ...]:
        from .plausibility import forcing_limits, titanium_hint

        w = list(self.scenario.warnings)
        if self.nonlinear is not None:
            from ..nonlinear import plausibility_warnings

            w += plausibility_warnings(self.nonlinear)
        elif self.ok:
            from .plausibility import lp_plausibility_warnings

            w += lp_plausibility_warnings(self)
        return tuple(w + titanium_hint(self) + forcing_limits(self))

    # -- export ---------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain-Python dict of the result (tables as lists of records)."""
        d = {
            "scenario": self.scenario.name,
            "source": self.scenario.source,
            "status": self.status,
            "solver_status": self.output.solver_status,
            "currency": self.currency,
            "objective_per_thm": _clean(self.objective),
            "co2_kg_per_thm": _clean(self.co2_kg_per_thm) if self.ok else None,
            "emissions": {k: _clean(v) for k, v in self.emissions.items()} if self.ok else None,
            "production_t_per_day": self.scenario.config.production_t_per_day,
            "explanation": self.explanation,
            "warnings": self.warnings,
            "tables": {k: _records(v) for k, v in self.output_tables().items()},
        }
        if self.status == "infeasible" and self.nonlinear is None:
            d["relaxation"] = {k: _clean(v) for k, v in sorted(self.output.relaxation.items())}
            d["iis"] = list(self.output.iis_rows) + [f"charge.{m}.{s}" for m, s in self.output.iis_bounds]
        if self.ok and self.scenario.config.uncertainty is not None:
            d["uncertainty"] = self.uncertainty.to_dict()
        if self.nonlinear is not None:
            o = self.nonlinear.output
            d["nonlinear"] = {"solver": o.solver, "status": o.status, "message": o.message,
                              "iterations": o.iterations, "max_violation": _clean(o.max_violation)}
        return d

    @cached_property
    def uncertainty(self):
        """Monte Carlo of this burden under the scenario's ``uncertainty:`` section and, with
        ``confidence``, the chance-constrained burden (:func:`burden.uncertainty.analyse`);
        None without the section or when not optimal."""
        from ..uncertainty import analyse

        return analyse(self)

    def to_json(self, indent: int = 2) -> str:
        """JSON text of :meth:`to_dict` (deterministic: no timestamps, stable order)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)

    def summary(self) -> str:
        """A readable summary (what ``print(result)`` shows)."""
        lines = [f"Scenario: {self.scenario.name}  ({self.scenario.source})", f"Status:   {self.status}"]
        if not self.ok:
            if self.explanation:
                lines.append(self.explanation)
            return "\n".join(lines)
        cur = self.currency
        lines.append(f"Cost:     {self.objective:,.2f} {cur}/tHM   "
                     f"({self.objective * self.scenario.config.production_t_per_day / 1e3:,.1f} k{cur}/day)")
        from ..terminal import table

        # from the tables' records (burden.results.records): printing a result needs no pandas
        b = list(self._r_burden.items())
        lines.append("")
        shown = [(k, r) for k, r in b if not (r["dry_kg_per_thm"] < 5e-7 and r["bound"] != "fixed")]
        lines += table(["material", "class", "dry kg/tHM", "wet kg/tHM", "% ferrous", "t/day wet", f"{cur}/tHM"],
                       [[k, r["class"], r["dry_kg_per_thm"], r["wet_kg_per_thm"],
                         "" if math.isnan(r["pct_of_ferrous"]) else r["pct_of_ferrous"], r["wet_t_per_day"],
                         r["cost_per_thm"]] for k, r in shown],
                       [None, None, "kg/tHM", "kg/tHM", "%", "t/day", "CUR/tHM"], currency=cur)
        unused = [k for k, r in b if r["dry_kg_per_thm"] < 5e-7 and r["bound"] != "fixed"]
        if unused:
            lines.append(f"not used: {', '.join(unused)}")
        lines.append("")
        lines.append("Hot metal, wt %: " + "  ".join(f"{e} {r['pct']:.3f}" for e, r in self._r_hot_metal.items()
                                                     if r["kg_per_thm"] > 1e-9))
        sp = {k: r["value"] for k, r in self._r_slag_properties.items()}
        lines.append(f"Slag: {sp['rate_kg_per_thm']:.1f} kg/tHM   B2 {sp['B2']:.3f}   "
                     f"B3 {sp['B3']:.3f}   B4 {sp['B4']:.3f}   "
                     f"MgO {sp['MgO_pct']:.2f} %   Al2O3 {sp['Al2O3_pct']:.2f} %")
        bd = [(n, r) for n, r in self._r_constraints.items() if r["binding"] and r["kind"] != "balance"]
        if len(bd):
            lines.append("")
            lines.append(f"Binding limits (shadow price, {cur}/tHM per unit of the limit):")
            lines += table(["limit", "", "at", "unit", f"shadow price [{cur}/tHM per unit]"],
                           [[n, r["sense"], (float(r["limit"]), r["unit"]), r["unit"] or "-",
                             r["shadow_price_per_unit"]] for n, r in bd], [None, None, None, None, "CUR/tHM per unit"],
                           currency=cur, indent=2)
        if self.nonlinear is not None:
            lines += self._nonlinear_summary()
        from .emissions import summary_lines as emissions_lines

        lines += emissions_lines(self)
        if self.scenario.config.uncertainty is not None:
            from ..uncertainty import summary_lines as uncertainty_lines

            lines += uncertainty_lines(self.uncertainty, cur)
        worst = max((abs(r["closure_pct"]) for _k, r in self._r_balance.items() if r["closure_pct"] == r["closure_pct"]),
                    default=math.nan)  # as Series.abs().max(): NaN skipped
        lines.append("")
        lines.append(f"Balances close within {worst:.2e} % (input = hot metal + slag + dust + gas)")
        for w in self.warnings:
            lines.append(f"warning: {w}")
        return "\n".join(lines)

    def _nonlinear_summary(self) -> list[str]:
        nl = self.nonlinear
        o = nl.output
        st = nl.state
        b = nl.blast_table()
        tg = st["top_gas"]
        lines = ["", f"Process ({o.solver}, {o.iterations} iterations, largest violation {o.max_violation:.1e}):"]
        lines.append(f"  blast {b.loc['blast_dry_nm3', 'value']:.0f} Nm3/tHM dry at {b.loc['blast_temperature_c', 'value']:.0f} degC, "
                     f"O2 +{b.loc['oxygen_enrichment_pct', 'value']:.2f} % points, moisture "
                     f"{b.loc['blast_moisture_g_per_nm3', 'value']:.1f} g/Nm3")
        lines.append(f"  RAFT {float(st['raft_c']):.0f} degC   top gas {float(tg.dry_nm3):.0f} Nm3/tHM dry, "
                     f"eta_CO {float(tg.eta_co):.3f}   heat losses {float(st['heat'].losses_pct):.1f} % of income")
        lines.append(f"  top gas {float(st['top_gas_temperature_c']):.0f} degC   r_d {float(st['direct_reduction_degree']):.3f}"
                     f"   shaft efficiency {float(st['shaft_efficiency_pct']):.1f} %   eta at wustite "
                     f"{float(st['eta_w']):.3f} (equilibrium {float(st['eta_eq']):.3f})")
        fuels = [k for k, r in self.burden.iterrows() if r["class"] in ("coke", "injectant")]
        lines.append("  fuel rate " + " + ".join(f"{k} {self.x[k]:.1f}" for k in fuels)
                     + f" = {sum(self.x[k] for k in fuels):.1f} kg/tHM dry")
        if "ls" in st:
            lines.append(f"  L_S {float(st['ls']):.1f}  [S] at equilibrium {float(st['sulphur_eq_pct']):.4f} %")
        if "viscosity_pa_s" in st:
            lines.append(f"  slag viscosity {float(st['viscosity_pa_s']):.3f} Pa s")
        for n, r in b[b["at_bound"]].iterrows():
            side = "max" if abs(r["value"] - r["max"]) <= abs(r["value"] - r["min"]) else "min"
            lines.append(f"  {n} at its {side} {r[side]:g} {r['unit']}, shadow price "
                         f"{r['shadow_price_per_unit']:+.4f} {self.currency}/tHM per {r['unit']}")
        bd = nl.constraint_table()
        bd = bd[bd["binding"] & (bd["kind"] != "balance")]
        for n, r in bd.iterrows():
            lim = r["min"] if not math.isnan(r["min"]) and abs(r["value"] - r["min"]) < abs(r["value"] - (r["max"] if not math.isnan(r["max"]) else np.inf)) else r["max"]
            lines.append(f"  binding {n}: {r['value']:.4g} {r['unit']} (limit {lim:g}), shadow price "
                         f"{r['shadow_price_per_unit']:+.4f} {self.currency}/tHM per {r['unit']}")
        sens = nl.extra.get("sensitivity")
        if sens is not None and len(sens):  # burden solve --sensitivity (burden.nonlinear.sensitivity)
            from ..terminal import sensitivity_lines

            lines += [""] + sensitivity_lines(sens, self.currency)
        return lines

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<Result {self.scenario.name}: {self.status}, {self.objective:.2f} {self.currency}/tHM>"


def _group_sum(values: list[float]) -> float:
    """Sum of a group as pandas' ``groupby(...).sum()`` forms it for float64 (Kahan-compensated,
    NaN skipped, an infinite term not turned into NaN: pandas/_libs/groupby.pyx ``group_sum``)."""
    total = comp = 0.0
    for v in values:
        v = float(v)
        if v != v:
            continue
        y = v - comp
        t = total + y
        comp = t - total - y
        if comp != comp:
            comp = 0.0
        total = t
    return total


def _column_sum(values: list[float]) -> float:
    """Sum of a float64 column as ``Series.sum()`` forms it (NaN as 0, numpy's pairwise sum)."""
    a = np.array(values, dtype=float)
    return float(np.where(np.isnan(a), 0.0, a).sum())


def _ends(w) -> tuple[float, float]:
    """(min, max) of a Window, nan for an open end or no window."""
    if w is None:
        return math.nan, math.nan
    return (w.min if w.min is not None else math.nan, w.max if w.max is not None else math.nan)


def _hm_basis(el: str, hm) -> str:
    if el == "Fe":
        return "balance" if hm.Fe_pct is not None else "by difference"
    if el in ("Si", "S"):
        return "target"
    if el == "C":
        return "USTB-NB correlation" if hm.C_pct == "formula" else "given"
    return "distribution"


def _hm_basis_of(el: str, cfg) -> str:
    """How the hot metal's ``el`` is set: a target, the balance, a correlation, the
    distribution, or a target met by a free split."""
    if getattr(cfg.distribution, f"{el}_to_hot_metal", None) == "free":
        w = getattr(cfg.hot_metal, f"{el}_pct", None)
        return "target (split free)" if w is not None and w.is_fixed else "window (split free)"
    return _hm_basis(el, cfg.hot_metal)


from ..output import json_value as _clean  # noqa: E402


def _records(df) -> list[dict]:
    if isinstance(df, Records):
        return df.json_records(_clean)
    from .records import frame_json_records

    return frame_json_records(df, _clean)


def explain_unbounded(res: Result) -> str:
    """Which columns can lower the cost without end (negative cost, no upper bound)."""
    f = res.problem.formulation
    c, _ = f.cost_vector()
    names = f.space.column_names()
    free = [names[j] for j in range(f.space.n) if c[j] < 0 and not np.isfinite(f.space.upper[j])]
    free += [names[j] for j in range(f.space.n) if c[j] > 0 and not np.isfinite(f.space.lower[j])]
    lines = ["The cost can fall without end: some column is not bounded in the direction that lowers it."]
    if free:
        lines.append("Columns whose cost term pulls them to an open bound: " + ", ".join(free)
                     + " (give them bounds, e.g. in the hook that adds them).")
    return "\n".join(lines)


def explain_infeasibility(res: Result) -> str:
    """Name the conflicting limits (IIS) and the smallest relaxation that would help."""
    p = res.problem
    o = res.output
    by_name = {r.name: r for r in p.rows}
    lines = ["No burden meets all limits."]
    ints = o.meta.get("integrality_conflict")
    if ints:
        lines.append("With fractional values of the integer and binary columns ("
                     + ", ".join(ints) + ") every limit can be met; no integer values meet them. "
                     "Check the discrete rules of the hooks that add them.")
        return "\n".join(lines)
    # rows may refer to any block: evaluate them on the whole relaxed column vector
    conflict = list(o.iis_rows) + [f"charge.{m}" for m, s in o.iis_bounds]
    if conflict:
        lines.append("These limits conflict (an irreducible infeasible set):")
        for n in o.iis_rows:
            r = by_name.get(n)
            lines.append(f"  - {n}: " + (f"{r.quantity} {r.sense} {r.theta:g} {r.unit}".rstrip() + (
                f"  ({r.description})" if r.description else "") if r else "plant hook constraint"))
        for m, s in o.iis_bounds:
            j = p.materials.index(m) if m in p.materials else None
            if j is None:
                continue
            if s == "fixed":
                lines.append(f"  - charge.{m}: fixed at {p.lower[j]:g} kg/tHM")
            elif s == "min" and p.lower[j] == 0:
                lines.append(f"  - charge.{m}: cannot be negative")
            else:
                lines.append(f"  - charge.{m}: {s} {p.lower[j] if s.startswith('min') else p.upper[j]:g} kg/tHM")
    defaults = unwritten_defaults(p.scenario.config, list(o.iis_rows) + list(o.relaxation or ()))
    if defaults:
        lines.append("Defaults your scenario does not write take part in these limits (write them to change):")
        for path, v in defaults:
            lines.append(f"  - {path} = {v:g} (default)" if isinstance(v, (int, float)) else f"  - {path} = {v} (default)")
    if o.relaxation and o.relaxed_x is not None:
        lines.append("Smallest relaxation found (least relative change of the limits):")
        xr = o.relaxed_x
        zr = o.relaxed_primal
        for n, amount in sorted(o.relaxation.items(), key=lambda t: -t[1]):
            r = by_name.get(n)
            if r is not None:
                v = r.value(zr)
                lines.append(f"  - {n}: {r.quantity} {r.sense} {r.theta:g} {r.unit}; the nearest burden has "
                             f"{v:.4g}".rstrip())
            elif n.startswith("charge."):
                _, mat, side = n.split(".")
                j = p.materials.index(mat)
                b = p.lower[j] if side == "min" else p.upper[j]
                lines.append(f"  - {n}: {mat} {'>=' if side == 'min' else '<='} {b:g} kg/tHM; the nearest burden "
                             f"has {xr[j]:.1f} kg/tHM")
            else:
                lines.append(f"  - {n}: relax by {amount:.4g}")
        flux = [k for k in p.materials if p.scenario.materials[k].material_class is MaterialClass.FLUX]
        basic = [n for n in o.relaxation if n.startswith("slag.B")]
        if basic and flux:
            r = by_name[basic[0]]
            v = r.value(zr)
            lines.append(f"  Unable to reach the basicity set point {r.quantity} {r.sense} {r.theta:g} with the "
                         f"fluxes charged ({', '.join(flux)}): the nearest burden has {v:.3f}, "
                         + ("too basic even with no basic flux" if v > r.theta else "too acid even at the flux limits")
                         + ".")
    elif not conflict:
        lines.append("The balances themselves conflict (e.g. the hot-metal targets cannot be met by any "
                     "combination of the materials); check the hot-metal analysis and the distribution coefficients.")
    return "\n".join(lines)


def explain_nonlinear(res: Result) -> str:
    """Which process rows could not be met, with the last iterate."""
    nl = res.nonlinear
    nlp = nl.nlp
    z = nl.output.z
    g = nlp.g(z)
    lines = [f"No burden meets all limits of the nonlinear model ({nl.output.solver}: {nl.output.message})."]
    bad = []
    for i, r in enumerate(nlp.rows):
        lo, hi = r.lower, r.upper
        if np.isfinite(lo) and g[i] < lo - 1e-6 * max(1, abs(lo), r.scale):
            bad.append(f"  - {r.name}: {r.quantity} = {g[i]:.4g} {r.unit}, below its minimum {lo:g}")
        elif np.isfinite(hi) and g[i] > hi + 1e-6 * max(1, abs(hi), r.scale):
            bad.append(f"  - {r.name}: {r.quantity} = {g[i]:.4g} {r.unit}, above its maximum {hi:g}")
    if bad:
        lines.append("These process limits could not be met (values at the last iterate):")
        lines += bad
    else:
        lines.append("No process limit is violated at the last iterate: the solver did not converge "
                     "(try the other path, process.solver: slsqp or slp).")
    b = nlp.blast(z)
    lines.append("Last iterate: " + ", ".join(f"{k} {z[j]:.1f}" for j, k in enumerate(res.problem.materials)
                                              if z[j] > 1e-6)
                 + f" kg/tHM; blast {float(b.dry_nm3):.0f} Nm3/tHM dry at {float(b.temperature_c):.0f} degC, "
                   f"O2 +{float(b.enrichment_pct):.2f} % points, moisture {float(b.moisture_g_per_nm3):.1f} g/Nm3.")
    lines.append("Relax the limits named (e.g. widen the RAFT window, allow more blast temperature or O2, "
                 "loosen the coke or PCI bounds).")
    return "\n".join(lines)
