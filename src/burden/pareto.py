"""Cost versus CO2: the Pareto front of a scenario by the ε-constraint method.

The scenario is built once with its CO2 row (``emissions.co2``) and a cap row
(``emissions.co2_kg_per_thm.max``); the carbon price is set to 0 (cost is the plain burden
cost, so a price is not counted twice) and any cap of the scenario is replaced by the
front's own.  Then, all on the one live solver (persistent re-solves; nothing is rebuilt):

1. the min-cost point (cap open): the plain solve of the scenario without a carbon price;
2. the least CO2 any burden within the limits reaches: the objective swapped for the CO2
   column, solved, and swapped back;
3. the min-CO2 point: the cheapest burden at that least CO2 (cap set there);
4. ``points`` caps evenly between the two, each solved for the least cost
   (Haimes, Lasdon & Wismer, IEEE Trans. SMC 1 (1971) 296; Mavrotas, Appl. Math.
   Comput. 213 (2009) 455 for the lexicographic end point).

Each point carries ``objective_per_thm`` (cost, currency/tHM), ``co2_kg_per_thm``, the cap's
shadow price (currency per t CO2, dCost/dcap) and the burden (dry kg/tHM per material).
Along the front from the min-cost to the min-CO2 end the cost does not fall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .core.components import emissions as E
from .errors import InputError, InputProblem

#: the cap the front starts from: the largest plausible kg/tHM (never binding)
OPEN_CAP_KG_PER_THM = 1.0e4
#: most points a front may ask for
MAX_POINTS = 1000


@dataclass
class ParetoFront:
    """A cost-versus-CO2 front.

    Attributes
    ----------
    scenario : str
        The scenario's name.
    currency : str
    boundary : str
        What the CO2 counts.
    points : pandas.DataFrame
        One row per point, from the min-cost end to the min-CO2 end: ``point``, ``kind``
        (``min_cost``, ``between``, ``min_co2``), ``status``, ``co2_cap_kg_per_thm``,
        ``objective_per_thm`` (currency/tHM), ``co2_kg_per_thm``, ``co2_shadow_price_per_t``
        (currency per t CO2, dCost/dcap; 0 where the cap does not bind), then one
        ``<material>_kg_per_thm`` column per charged material (dry).
    """

    scenario: str
    currency: str
    boundary: str
    points: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-safe dict (points as records)."""
        from .output import json_value

        return {"scenario": self.scenario, "currency": self.currency, "boundary": self.boundary,
                "meta": self.meta,
                "points": [{k: json_value(v) for k, v in r.items()} for r in self.points.to_dict(orient="records")]}

    def to_json(self, indent: int = 2) -> str:
        import json

        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)

    def summary(self) -> str:
        """A readable table of the front."""
        cur = self.currency
        lines = [f"Scenario: {self.scenario}   cost versus CO2 ({len(self.points)} points)",
                 f"CO2 boundary: {self.boundary}", "",
                 f"{'point':>5} {'kind':<9}{'status':<11}{'CO2 kg/tHM':>12}{cur + '/tHM':>12}{'shadow ' + cur + '/t CO2':>20}"]
        for _, r in self.points.iterrows():
            lines.append(f"{int(r['point']):>5} {r['kind']:<9}{r['status']:<11}{r['co2_kg_per_thm']:>12.2f}"
                         f"{r['objective_per_thm']:>12.3f}{r['co2_shadow_price_per_t']:>20.2f}")
        ok = self.points[self.points["status"] == "optimal"]
        if len(ok) >= 2:
            a, b = ok.iloc[0], ok.iloc[-1]
            d_co2 = a["co2_kg_per_thm"] - b["co2_kg_per_thm"]
            if d_co2 > 0:
                lines.append("")
                lines.append(f"From least cost to least CO2: −{d_co2:,.1f} kg CO2/tHM for "
                             f"+{b['objective_per_thm'] - a['objective_per_thm']:,.3f} {cur}/tHM "
                             f"(average {1000 * (b['objective_per_thm'] - a['objective_per_thm']) / d_co2:,.2f} "
                             f"{cur}/t CO2)")
        return "\n".join(lines)

    def figure(self):
        """Cost against CO2 (matplotlib Figure, no pyplot state)."""
        from .report.plots import _figure

        fig = _figure(6.0, 4.0)
        ax = fig.add_subplot(1, 1, 1)
        ok = self.points[self.points["status"] == "optimal"]
        ax.plot(ok["co2_kg_per_thm"], ok["objective_per_thm"], "-o", color="#1f77b4", ms=4, lw=1.2)
        for kind, colour in (("min_cost", "#2ca02c"), ("min_co2", "#d62728")):
            e = ok[ok["kind"] == kind]
            if len(e):
                ax.plot(e["co2_kg_per_thm"], e["objective_per_thm"], "s", color=colour, ms=7, label=kind.replace("_", " "))
        ax.set_xlabel("CO2 [kg/tHM]")
        ax.set_ylabel(f"cost [{self.currency}/tHM]")
        ax.set_title(f"Cost versus CO2: {self.scenario}")
        ax.grid(True, lw=0.4, alpha=0.5)
        if len(ok):
            ax.legend(loc="best", fontsize=8)
        return fig

    def files(self) -> dict[str, bytes]:
        """The files of a front's folder: ``pareto.csv``, ``pareto.json``, ``pareto.svg``, ``summary.txt``."""
        from .report.plots import svg_text

        return {"pareto.csv": self.points.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8"),
                "pareto.json": (self.to_json() + "\n").encode("utf-8"),
                "pareto.svg": svg_text(self.figure()).encode("utf-8"),
                "summary.txt": (self.summary() + "\n").encode("utf-8")}


def _front_scenario(scn):
    """The scenario with an emissions section whose carbon price is 0 and cap open."""
    from .scenario import Emissions, Scenario

    em = scn.config.emissions
    data = em.model_dump() if em is not None else {}
    data.update(carbon_price_per_t=0.0, cap_kg_per_thm=OPEN_CAP_KG_PER_THM)
    cfg = scn.config.model_copy(update={"emissions": Emissions.model_validate(data)})
    return Scenario(cfg, scn.materials, scn.lost_burden, scn.source, scn.variant, scn.warnings)


def _set_objective(prob, terms: dict) -> None:
    """Replace the objective terms of a built problem and pass the new costs to its live solver."""
    f = prob.formulation
    prob._thaw()
    f.objective = dict(terms)
    be = prob._backend
    if be is not None:
        c, _ = f.cost_vector()
        be.update_costs(np.arange(f.space.n), c)


def pareto(scenario, points: int = 10, *, solver: str = "highs") -> ParetoFront:
    """Trace cost versus CO2 by ε-constraint re-solves of the CO2 cap (see the module docstring).

    Parameters
    ----------
    scenario : Scenario or path
        A scenario (LP or nonlinear); its ``emissions.boundary`` says what CO2 counts.
    points : int
        Points between the min-cost and the min-CO2 end (0-1000); the front has ``points + 2``
        rows (fewer when both ends coincide: then CO2 cannot be changed by the burden).
    solver : str
        As for :func:`burden.solve`.

    Returns
    -------
    ParetoFront

    Raises
    ------
    InputError
        ``points`` not an integer in 0-1000.
    InfeasibleError
        The scenario itself has no feasible burden (with the explanation).
    """
    from pathlib import Path

    from . import api

    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not 0 <= points <= MAX_POINTS:
        raise InputError([InputProblem("<python>", "points", f"{points!r}: give a whole number of points 0-{MAX_POINTS}")])
    if isinstance(scenario, (str, Path)):
        scenario = api.load_scenario(scenario)
    scn = _front_scenario(scenario)
    prob = api.build(scn)
    lp = scn.config.process is None
    opts = {"ranging": False} if lp else {}
    costs = dict(prob.formulation.objective)

    def run(cap: float, kind: str) -> dict:
        prob.set_limit(E.CAP_ROW, cap)
        res = api.solve(prob, solver=solver, **opts)
        return _point(res, cap, kind)

    first = api.solve(prob, solver=solver, **opts)
    if not first.ok:
        first.raise_for_status()
    rows = [_point(first, math.nan, "min_cost")]  # cap open
    co2_hi = rows[0]["co2_kg_per_thm"]
    # least CO2: the objective is the CO2 column alone
    blk = prob.formulation.space[E.BLOCK]
    from .core.space import LinExpr

    _set_objective(prob, {"co2_only": LinExpr.from_dense(blk.cols, np.array([1.0]))})
    low = api.solve(prob, solver=solver, **opts)
    _set_objective(prob, costs)
    if not low.ok:
        low.raise_for_status()
    co2_lo = float(low.output.primal[blk.start])
    # the cheapest burden at the least CO2; a hair above it so round-off cannot make it infeasible
    tol = 1e-7 * max(1.0, abs(co2_lo))
    if co2_hi - co2_lo > 10 * tol:
        caps = np.linspace(co2_hi, co2_lo + tol, points + 2)[1:]
        for k, cap in enumerate(caps):
            rows.append(run(float(cap), "min_co2" if k == len(caps) - 1 else "between"))
    df = pd.DataFrame(rows)
    df.insert(0, "point", np.arange(len(df)))
    return ParetoFront(scenario.name, scn.config.currency, E.boundary_text(scn.config.emissions.boundary), df,
                       meta={"points_between": int(points), "co2_range_kg_per_thm": [co2_lo, co2_hi],
                             "method": "epsilon-constraint on emissions.co2_kg_per_thm.max, persistent re-solves",
                             "carbon_price": "set to 0 (cost is the burden cost)"})


def _point(res, cap: float, kind: str) -> dict:
    """One row of the front from a Result."""
    p = res.problem
    d = {"kind": kind, "status": res.status, "co2_cap_kg_per_thm": cap}
    if not res.ok:
        d.update(objective_per_thm=math.nan, co2_kg_per_thm=math.nan, co2_shadow_price_per_t=math.nan)
        d.update({f"{k}_kg_per_thm": math.nan for k in p.materials})
        return d
    o = res.output
    i = o.row_names.index(E.CAP_ROW)
    # the cap row is z <= cap (den 1): its dual is dCost/dcap in currency/tHM per kg/tHM
    y = float(o.row_duals[i])
    z = float(o.primal[p.formulation.space[E.BLOCK].start])
    binding = abs(z - cap) <= 1e-6 * max(1.0, abs(cap))
    d.update(objective_per_thm=float(o.objective), co2_kg_per_thm=z,
             co2_shadow_price_per_t=1000.0 * y if binding else 0.0)
    d.update({f"{k}_kg_per_thm": float(v) for k, v in zip(p.materials, o.x)})
    return d
