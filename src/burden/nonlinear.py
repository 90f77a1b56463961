"""Nonlinear solve and its results: blast, balances, top gas, RAFT, slag, correction factors.

:func:`solve_nonlinear` runs the LP core first (its solution is the warm start, and an
infeasible LP core is explained as for any LP), then the nonlinear path chosen, and returns
a :class:`~burden.result.Result` whose ``nonlinear`` attribute holds a
:class:`NonlinearSolution` with the process tables.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .results.plausibility import PLAUSIBLE  # the plant ranges, one table for LP and NLP
from .nlp import SETTINGS, SOLVERS, NlpOutput, NonlinearProblem, start_point
from .process import BlastState, oxygen_nm3
from .core.parameters import ModelParameters
from .results.solution import Solution

#: Coke-rate correction factors of the HBBF Russian heat balance (PRIMER §4, from
#: An1onS/HBBF): kg coke/tHM for the change named.
HBBF_FACTORS = ModelParameters.default().hbbf_factors
#: Net heat balance of the HBBF plant, kJ/tHM: its "1 % heat loss" is 43.4 MJ/tHM (PRIMER §4).
HBBF_NET_HEAT_KJ_PER_THM = 4.34e6

#: The plant correction-factor table of PRIMER §4: change -> (change, low, high) kg coke/tHM for
#: that change (low == high for a single value).  Sources there: HBBF = An1onS/HBBF Russian heat
#: balance (blast temperature, slag, heat loss, r_d); Chinese operator rules (高炉炼铁计算题) for
#: [Si] (+40 kg per +1 %) and blast moisture (1 g/Nm3 = -6 degC of blast); enthalpy estimates
#: from NASA data for hot-metal temperature and bound water; PCI 0.75-0.95 kg/kg (USTB-HW 0.8;
#: Geerdes, Toxopeus & van der Vliet, Modern Blast Furnace Ironmaking, 2009).  A model within
#: +-35 % of the value, or inside the range, is plausible (PRIMER §4).
PLANT_TABLE = {
    "blast_temperature_c": (10.0, -1.4, -1.4),
    "blast_moisture_g_per_nm3": (10.0, 8.0, 11.0),
    "pci_kg_per_thm": (10.0, -9.5, -7.5),
    "slag_kg_per_thm": (-10.0, -1.6, -1.6),
    "heat_loss_pct": (-1.0, -3.7, -3.7),
    "direct_reduction_degree": (-0.01, -2.2, -2.2),
    "hot_metal_Si_pct": (0.1, 2.0, 4.0),
    "hot_metal_temperature_c": (50.0, 4.5, 4.5),
    "bound_water_kg_per_thm": (10.0, 6.5, 6.5),
}
#: Tolerance of the plant table (PRIMER §4): +-35 % of the value (of the nearer end of a range).
PLANT_TABLE_TOLERANCE = 0.35

SETTING_LABEL = {
    "blast_dry_nm3": ("dry blast", "Nm3/tHM"),
    "blast_temperature_c": ("blast temperature", "degC"),
    "oxygen_enrichment_pct": ("O2 enrichment", "% points"),
    "blast_moisture_g_per_nm3": ("blast moisture", "g/Nm3"),
}


@dataclass
class NonlinearSolution:
    """The nonlinear part of a result: the problem, the solver output, the process state."""

    nlp: NonlinearProblem
    output: NlpOutput
    lp_warm_start: Solution
    extra: dict = field(default_factory=dict)

    @property
    def z(self) -> np.ndarray:
        return self.output.z

    @cached_property
    def state(self) -> dict:
        return self.nlp.evaluate(self.z, full=True)

    @property
    def blast(self) -> BlastState:
        return self.nlp.blast(self.z)

    def setting(self, name: str) -> float:
        return float(self.z[self.nlp.col[name]])

    @property
    def oxygen_nm3(self) -> float:
        return float(oxygen_nm3(self.blast, self.nlp.o2_purity))

    # -- tables -----------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        t = {"blast": self.blast_table(), "process_constraints": self.constraint_table(),
             "carbon_balance": self.carbon_table(), "heat_balance": self.heat_table(),
             "top_gas": self.top_gas_table(), "raft": self.raft_table(),
             "slag_sulphur_fluidity": self.slag_table(), "rist": self.rist_table(),
             "rist_points": self.rist_points(), "furnace": self.furnace_table(),
             "plausibility": self.plausibility_table(), "convergence": self.convergence_table(),
             "correction_factors": self.correction_factors}
        t.update(self.extra)
        return t

    def blast_table(self) -> pd.DataFrame:
        """Blast settings with their windows; ``shadow_price_per_unit`` (currency/tHM per
        unit) is the reduced cost of a setting held at a bound of its window."""
        nlp = self.nlp
        rc = self.output.reduced_costs
        rows = []
        for k, name in enumerate(SETTINGS):
            i = nlp.col[name]
            v = float(self.z[i])
            lo, hi = float(nlp.lower[i]), float(nlp.upper[i])
            label, unit = SETTING_LABEL[name]
            at = bool(abs(v - lo) <= 1e-6 * max(1, abs(lo)) or abs(v - hi) <= 1e-6 * max(1, abs(hi)))
            fixed = hi == lo
            rows.append({"setting": name, "description": label, "value": v, "unit": unit, "min": lo, "max": hi,
                         "decision": not fixed, "at_bound": at and not fixed and name != "blast_dry_nm3",
                         "shadow_price_per_unit": float(rc[i]) if rc is not None and at else 0.0})
        b = self.blast
        for name, label, v in (("blast_wet_nm3", "wet blast", float(b.wet_nm3)),
                               ("technical_oxygen_nm3", f"technical O2 ({nlp.o2_purity:g} %)", self.oxygen_nm3)):
            rows.append({"setting": name, "description": label, "value": v, "unit": "Nm3/tHM", "min": math.nan,
                         "max": math.nan, "decision": False, "at_bound": False, "shadow_price_per_unit": math.nan})
        return pd.DataFrame(rows).set_index("setting")

    def constraint_table(self) -> pd.DataFrame:
        nlp = self.nlp
        g = nlp.g(self.z)
        duals = self.output.nl_duals
        rows = []
        for i, r in enumerate(nlp.rows):
            lo, hi = r.lower, r.upper
            at = (np.isfinite(lo) and abs(g[i] - lo) <= 1e-6 * max(1, abs(lo), r.scale)) or \
                 (np.isfinite(hi) and abs(g[i] - hi) <= 1e-6 * max(1, abs(hi), r.scale))
            rows.append({"name": r.name, "quantity": r.quantity, "kind": r.kind, "value": float(g[i]), "unit": r.unit,
                         "min": lo if np.isfinite(lo) else math.nan, "max": hi if np.isfinite(hi) else math.nan,
                         "binding": bool(at), "shadow_price_per_unit": float(duals[i]) if duals is not None else math.nan})
        return pd.DataFrame(rows).set_index("name")

    def carbon_table(self) -> pd.DataFrame:
        c = self.state["carbon"]
        rows = [("fixed carbon charged (net of dust)", c["supply_fixed_carbon"], "supply")]
        for k, label in (("dissolved", "dissolved in hot metal"), ("tuyere", "burnt at the tuyeres"),
                         ("direct_fe", "direct reduction of Fe"), ("direct_minor", "reduction of Si, Mn, P, Ti, V"),
                         ("desulphurisation", "desulphurisation"), ("solution_loss", "solution loss of flux CO2"),
                         ("water_gas", "water gas of bound water")):
            rows.append((label, c[k], "demand"))
        df = pd.DataFrame([{"term": a, "kg_per_thm": float(b), "side": s} for a, b, s in rows]).set_index("term")
        return df

    def heat_table(self) -> pd.DataFrame:
        """Heat balance terms, MJ/tHM.  Two-zone model: the total balance (zone ``total``; the
        top gas takes what remains, giving its temperature) and the lower zone below the
        thermal reserve zone (zone ``lower``, the balance that fixes the carbon rate); the
        upper zone is the total minus the lower zone."""
        hb = self.state["heat"]
        rows = [{"term": k, "zone": "total", "side": "income", "mj_per_thm": float(v) / 1000.0}
                for k, v in hb.income.items()]
        rows += [{"term": k, "zone": "total", "side": "expenditure", "mj_per_thm": float(v) / 1000.0}
                 for k, v in hb.expenditure.items()]
        tot = float(hb.total_income) / 1000.0
        for r in rows:
            r["pct_of_income"] = 100.0 * r["mj_per_thm"] / tot
        lz = self.state.get("lower_zone")
        if lz is not None:
            lin = sum(float(v) for v in lz["income"].values()) / 1000.0
            for side in ("income", "expenditure"):
                for k, v in lz[side].items():
                    rows.append({"term": f"lower.{k}", "zone": "lower", "side": side, "mj_per_thm": float(v) / 1000.0,
                                 "pct_of_income": 100.0 * float(v) / 1000.0 / lin})
        return pd.DataFrame(rows).set_index("term")

    def furnace_table(self) -> pd.DataFrame:
        """The furnace state an ironmaker checks first: r_d and the share of the iron hydrogen
        reduces, top-gas temperature, eta_CO at the top and where the solids are wüstite against
        its equilibrium at T_TRZ, shaft efficiency, bosh gas, heat loss."""
        st = self.state
        p = self.nlp.cfg.process
        tl = p.top_gas_temperature_limits_c if p.heat_balance == "two_zone" else None
        rows = [("direct_reduction_degree", float(st["direct_reduction_degree"]), "-",
                 p.direct_reduction_degree.min, p.direct_reduction_degree.max),
                ("hydrogen_reduction_degree", float(st["hydrogen_reduction_degree"]), "-", math.nan, math.nan),
                ("top_gas_temperature_c", float(st["top_gas_temperature_c"]), "degC",
                 tl.min if tl else math.nan, tl.max if tl else math.nan),
                ("eta_co_top", float(st["top_gas"].eta_co), "-", math.nan, math.nan),
                ("eta_at_wustite", float(st["eta_w"]), "-", math.nan, float(st["eta_eq"])),
                ("eta_equilibrium_at_trz", float(st["eta_eq"]), "-", math.nan, math.nan),
                ("thermal_reserve_zone_c", p.thermal_reserve_zone_c, "degC", math.nan, math.nan),
                ("shaft_efficiency_pct", float(st["shaft_efficiency_pct"]), "%", math.nan, p.shaft_efficiency_max_pct),
                ("bosh_gas_nm3_per_thm", float(st["bosh_gas_nm3"]), "Nm3/tHM", math.nan,
                 p.bosh_gas_max_nm3_per_thm if p.bosh_gas_max_nm3_per_thm is not None else math.nan),
                ("lower_zone_gas_nm3_per_thm", float(st["lower_zone_gas_nm3"]), "Nm3/tHM", math.nan, math.nan),
                ("heat_loss_mj_per_thm", float(st["loss_kj"]) / 1000.0, "MJ/tHM", math.nan, math.nan)]
        return pd.DataFrame([{"quantity": a, "value": b, "unit": u, "min": lo, "max": hi} for a, b, u, lo, hi in rows]
                            ).set_index("quantity")

    def plausibility_table(self) -> pd.DataFrame:
        """Named plausibility checks of the optimum (:func:`plausibility_checks`)."""
        return plausibility_checks(self)

    def top_gas_table(self) -> pd.DataFrame:
        tg = self.state["top_gas"]
        rows = []
        for g in ("co", "co2", "h2", "n2", "ch4"):
            rows.append({"component": g.upper().replace("CH4", "CH4"), "nm3_per_thm": float(getattr(tg, f"{g}_nm3")),
                         "vol_pct_dry": float(getattr(tg, f"{g}_pct"))})
        rows.append({"component": "dry total", "nm3_per_thm": float(tg.dry_nm3), "vol_pct_dry": 100.0})
        # the water of the top gas: from hydrogen's reduction and the reacting bound water, and the
        # charge's free moisture evaporated at the top (what a moisture analyser of the top gas reads)
        evap = float(self.state.get("charge_moisture_nm3", 0.0))
        rows.append({"component": "H2O of reduction and reactions", "nm3_per_thm": float(tg.h2o_nm3),
                     "vol_pct_dry": math.nan})
        rows.append({"component": "H2O evaporated from the charge", "nm3_per_thm": evap, "vol_pct_dry": math.nan})
        rows.append({"component": "H2O", "nm3_per_thm": float(tg.h2o_nm3) + evap, "vol_pct_dry": math.nan})
        df = pd.DataFrame(rows).set_index("component")
        df.attrs["eta_co"] = float(tg.eta_co)
        df.attrs["eta_h2"] = float(tg.eta_h2)
        df.attrs["top_gas_temperature_c"] = float(self.state["top_gas_temperature_c"])
        return df

    def raft_table(self) -> pd.DataFrame:
        rf = self.state["raft"]
        cfg = self.nlp.cfg
        rows = [{"quantity": "RAFT", "value": float(rf.temperature_c), "unit": "degC",
                 "min": cfg.raft_c.min if cfg.raft_c and cfg.raft_c.min is not None else math.nan,
                 "max": cfg.raft_c.max if cfg.raft_c and cfg.raft_c.max is not None else math.nan}]
        for g in ("co", "h2", "n2"):
            rows.append({"quantity": f"bosh gas {g.upper()}", "value": float(getattr(rf, f"{g}_nm3")),
                         "unit": "Nm3/tHM", "min": math.nan, "max": math.nan})
        rows.append({"quantity": "bosh gas total", "value": float(rf.bosh_gas_nm3), "unit": "Nm3/tHM",
                     "min": math.nan, "max": math.nan})
        rows.append({"quantity": "eta_CO of top gas", "value": float(self.state["top_gas"].eta_co), "unit": "-",
                     "min": math.nan, "max": math.nan})
        return pd.DataFrame(rows).set_index("quantity")

    def slag_table(self) -> pd.DataFrame:
        st = self.state
        cfg = self.nlp.cfg
        rows = []
        if "ls" in st:
            rows += [{"quantity": "optical basicity", "value": float(st["optical_basicity"]), "unit": "-",
                      "limit": math.nan},
                     {"quantity": "sulphide capacity C_S", "value": float(st["sulphide_capacity"]), "unit": "-",
                      "limit": math.nan},
                     {"quantity": "L_S = (%S)/[%S]", "value": float(st["ls"]), "unit": "-", "limit": math.nan},
                     {"quantity": "[S] in equilibrium with the slag", "value": float(st["sulphur_eq_pct"]),
                      "unit": "wt %", "limit": cfg.hot_metal.S_pct}]
        if "viscosity_pa_s" in st:
            rows.append({"quantity": f"viscosity ({cfg.viscosity.model}, {cfg.viscosity.temperature_c:g} degC)",
                         "value": float(st["viscosity_pa_s"]), "unit": "Pa s", "limit": cfg.viscosity.max_pa_s})
        return pd.DataFrame(rows, columns=["quantity", "value", "unit", "limit"]).set_index("quantity")

    @cached_property
    def rist(self):
        """Rist operating diagram of the optimum (Rist & Meysson 1965; :mod:`burden.chemistry.rist`).

        Built from the oxygen balance of the gas, with hydrogen counted as a reductant beside
        carbon, as a CO equivalent (each H2 enters with the O a CO would carry and leaves as
        H2O: x - 1 is the gas oxidation (CO2 + H2O)/(C + H2)): reductant R = C gasified + H2
        entering (kmol); y_b = O from blast, injectants, reacting carbonate CO2 and bound water,
        plus the H2's CO-equivalent O, per Fe (so that y_d, at x = 1, is the O of direct reduction);
        y_f = O from Si, Mn, P, Ti, V oxides and desulphurisation per Fe; x_A = O taken
        up / R.  The line then meets y_A = O removed from the iron oxides per Fe.
        """
        from .chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL as VMk
        from .chemistry.elements import molar_mass
        from .chemistry.rist import rist_diagram

        st = self.state
        c = st["carbon"]
        tg = st["top_gas"]
        mc = molar_mass("C")
        fm = self.nlp.fm
        x = self.z[: self.nlp.n_mat]
        q = fm.quantities(x)
        fe = q["hot_metal.Fe"]
        o_iron = ((fm.species(x, "Fe2O3") - fm.dust["Fe2O3"]) * 3 / molar_mass("Fe2O3")
                  + (fm.species(x, "FeO") - fm.dust["FeO"] - q["slag.FeO"]) / molar_mass("FeO"))
        n_h = tg.hydrogen_in_nm3 / VMk
        n_sl = c["solution_loss"] / mc        # CO2 + C = 2 CO: the carbonate's C and both its O too
        o_blast = (c["tuyere"] + c["water_gas"]) / mc + 2.0 * n_sl + n_h
        o_minor = (c["direct_minor"] + c["desulphurisation"]) / mc
        reductant = (c["tuyere"] + c["direct_fe"] + c["direct_minor"] + c["desulphurisation"]
                     + c["water_gas"]) / mc + 2.0 * n_sl + n_h
        x_a = (o_iron + o_blast + o_minor) / reductant
        return rist_diagram(iron_kg=fe, carbon_gasified_kg=reductant * mc,
                            blast_oxygen_nm3=0.5 * o_blast * VMk,
                            top_co_nm3=reductant * (2.0 - x_a), top_co2_nm3=reductant * (x_a - 1.0),
                            minor_oxygen_kmol=o_minor, y_w=self.nlp.problem.scenario.parameters.wustite_o_per_fe,
                            wustite_eta_eq=float(st["eta_eq"]))

    def rist_table(self) -> pd.DataFrame:
        r = self.rist
        rows = [("slope mu = C/Fe", r.mu, "mol/mol"), ("y_b, O from blast (and H2 as CO equivalent) per Fe", r.y_b, "mol/mol"),
                ("y_f, O from minor oxides per Fe", r.y_f, "mol/mol"), ("x_A = O/(C + H2) at the top", r.x_a, "mol/mol"),
                ("y_A = O/Fe at the top", r.y_a, "mol/mol"), ("y_d, direct reduction", r.y_d, "mol/mol"),
                ("shaft efficiency", 100.0 * r.shaft_efficiency, "%"),
                ("x_W = 1 + eta_eq at T_TRZ", r.x_w, "mol/mol"), ("y_W, O/Fe of wustite", r.y_w, "mol/mol"),
                ("eta (CO and H2) where the solids are wustite", float(self.state["eta_w"]), "-"),
                ("eta equilibrium at T_TRZ (CO and H2)", float(self.state["eta_eq"]), "-")]
        return pd.DataFrame([{"quantity": a, "value": float(b), "unit": u} for a, b, u in rows]).set_index("quantity")

    def rist_points(self) -> pd.DataFrame:
        """Points to draw the operating line (E, D, A) and the wüstite point W: x = O/C, y = O/Fe."""
        pts = self.rist.points
        return pd.DataFrame([{"point": k, "x_o_per_c": float(np.asarray(v[0])), "y_o_per_fe": float(np.asarray(v[1]))}
                             for k, v in pts.items()]).set_index("point")

    def convergence_table(self) -> pd.DataFrame:
        """Iterations: objective (currency/tHM), largest scaled violation, step and trust-region
        radius relative to each variable's scale; the last row ("check") is the LP linearised at
        the solution, whose optimum must be the solution itself."""
        o = self.output
        cols = {"objective": f"objective_{self.nlp.problem.scenario.config.currency}_per_thm",
                "violation": "max_violation_scaled", "step": "step_relative", "radius": "trust_radius_relative"}
        df = pd.DataFrame(o.history) if o.history else pd.DataFrame(
            columns=["iteration", "objective", "violation", "step", "radius"])
        df = df.rename(columns=cols)
        obj = pd.to_numeric(df[cols["objective"]], errors="coerce")
        df.insert(2, f"objective_change_{self.nlp.problem.scenario.config.currency}_per_thm", obj.diff())
        df.attrs.update(solver=o.solver, status=o.status, message=o.message, iterations=o.iterations,
                        max_violation=o.max_violation, seconds=o.seconds)
        return df

    @cached_property
    def correction_factors(self) -> pd.DataFrame:
        if self.output.status != "optimal":
            return pd.DataFrame()
        return implied_correction_factors(self.nlp, self.z)



def solve_path(nlp: NonlinearProblem, start: np.ndarray, method: str,
               lp_start: np.ndarray | None = None) -> NlpOutput:
    """The nonlinear solver path from ``start`` (shape (nz,)): ``method`` (``slp`` or ``slsqp``);
    for SLP, when it stalls or fails, the SLSQP polish from its last iterate (SLP converges
    fast at vertex optima and slowly on some curved limits), and when the polish fails too,
    SLSQP from ``lp_start`` (default ``start``; the LP warm start: the polish can stall on a
    curved limit such as the top-gas floor at high O2).  The histories and messages of the
    stages are joined, so the convergence table says which path was taken; ``solver`` is
    ``slp+slsqp`` when a polish ran.  One path for :func:`solve_nonlinear` and the sweeps."""
    lp_start = start if lp_start is None else lp_start
    o = SOLVERS[method](nlp, start)
    if o.status not in ("stalled", "failed") or method != "slp":
        return o
    first = o
    o = SOLVERS["slsqp"](nlp, first.z)
    o.history = first.history + [{"iteration": f"slsqp polish ({o.iterations} it.)", "objective": o.objective,
                                  "violation": o.max_violation, "step": math.nan, "radius": math.nan}] + o.history
    o.message = f"slp {first.status} after {first.iterations} iterations; slsqp polish: {o.message}"
    o.iterations += first.iterations
    o.solver = "slp+slsqp"
    if o.status != "optimal":
        fresh = SOLVERS["slsqp"](nlp, lp_start)
        if fresh.status == "optimal":
            fresh.history = o.history + [{"iteration": f"slsqp from the LP start ({fresh.iterations} it.)",
                                          "objective": fresh.objective, "violation": fresh.max_violation,
                                          "step": math.nan, "radius": math.nan}] + fresh.history
            fresh.message = f"{o.message}; slsqp from the LP start: {fresh.message}"
            fresh.iterations += o.iterations
            fresh.solver = "slp+slsqp"
            o = fresh
    return o


def plausibility_checks(sol: "NonlinearSolution") -> pd.DataFrame:
    """Named checks of a nonlinear optimum against thermodynamics and plant ranges.

    Columns: check, value, unit, min, max, ok, note.  Thermodynamic checks (shaft efficiency
    <= 100 %, gas oxidation where the solids are wüstite <= its equilibrium at T_TRZ, hot
    metal [C] from a charged carbon source, hot metal [C] below graphite saturation) are
    hard; the plant ranges of :data:`PLAUSIBLE` flag an unusual but possible furnace.
    """
    st = sol.state
    res = sol.nlp
    x = sol.z[: res.n_mat]
    q = res.fm.quantities(x)
    fuels = float(x @ res.fm.is_fuel)
    c_supply = float(st["carbon"]["supply_fixed_carbon"])
    t_hm = res.cfg.hot_metal.temperature_c
    c_pct = float(q["hot_metal.C"]) / 10.0
    si_pct = float(q["hot_metal.Si"]) / 10.0
    # graphite saturation of Fe-C-Si melts: [C]sat = 1.30 + 2.57e-3 T - 0.31 [Si] (Neumann,
    # Schenck & Patterson 1959, as quoted by Geerdes 2009 [L])
    c_sat = 1.30 + 2.57e-3 * t_hm - 0.31 * si_pct
    rows = [("shaft_efficiency_pct", float(st["shaft_efficiency_pct"]), "%", math.nan, 100.0,
             "Rist W point: above 100 % the gas would be more oxidised than the Fe/FeO equilibrium"),
            ("eta_at_wustite", float(st["eta_w"]), "-", math.nan, float(st["eta_eq"]),
             "gas oxidation where the solids are wüstite vs the equilibrium at T_TRZ"),
            ("hot_metal_C_source_kg_per_thm", c_supply, "kg/tHM", 10.0 * c_pct, math.nan,
             "fixed carbon charged must at least supply the carbon dissolved in the hot metal"),
            ("hot_metal_C_pct", c_pct, "wt %", math.nan, c_sat, "below graphite saturation"),
            ("fuel_rate_kg_per_thm", fuels, "kg/tHM", *PLAUSIBLE["fuel_rate_kg_per_thm"], "plant range"),
            ("slag_rate_kg_per_thm", float(q["slag.total"]), "kg/tHM", *PLAUSIBLE["slag_rate_kg_per_thm"],
             "plant range"),
            ("raft_c", float(st["raft_c"]), "degC", *PLAUSIBLE["raft_c"], "plant range"),
            ("top_gas_temperature_c", float(st["top_gas_temperature_c"]), "degC",
             *PLAUSIBLE["top_gas_temperature_c"], "plant range" + (" (assumed, heat_balance: total)"
                                                                   if res.cfg.process.heat_balance == "total" else "")),
            ("hot_metal_Ti_pct", float(q["hot_metal.Ti"]) / 10.0, "wt %", *PLAUSIBLE["hot_metal_Ti_pct"],
             "plant range"),
            ("direct_reduction_degree", float(st["direct_reduction_degree"]), "-",
             *PLAUSIBLE["direct_reduction_degree"], "plant range")]
    out = []
    for name, v, unit, lo, hi, note in rows:
        tol = 1e-6 * max(1.0, abs(v))
        ok = not ((np.isfinite(lo) and v < lo - tol) or (np.isfinite(hi) and v > hi + tol))
        out.append({"check": name, "value": v, "unit": unit, "min": lo, "max": hi, "ok": bool(ok), "note": note})
    return pd.DataFrame(out).set_index("check")


def plausibility_warnings(sol: "NonlinearSolution") -> list[str]:
    """The failed plausibility checks as warning lines (empty when all pass)."""
    if sol.output.status != "optimal":
        return []
    df = sol.plausibility_table()
    out = []
    for name, r in df[~df["ok"]].iterrows():
        lim = " ".join(x for x in ((f"min {r['min']:.4g}" if np.isfinite(r["min"]) else ""),
                                   (f"max {r['max']:.4g}" if np.isfinite(r["max"]) else "")) if x)
        out.append(f"plausibility: {name} = {r['value']:.4g} {r['unit']} outside {lim} ({r['note']})")
    return out


def solve_nonlinear(problem, method: str | None = None):
    """Solve a scenario with a ``process:`` section; see the module docstring."""
    from .results.result import Result

    t0 = time.perf_counter()
    method = method or problem.scenario.config.process.solver
    if method not in SOLVERS:
        from .errors import InputError, InputProblem

        raise InputError([InputProblem("<python>", "solver", f"unknown nonlinear solver {method!r}; "
                                       f"available: {', '.join(SOLVERS)}")])
    be = problem.backend(ranging=False)  # compiles any hook additions first
    if problem.formulation.space.is_mip:
        from .backends.base import CapabilityError

        ints = [n for n, i in zip(problem.formulation.space.column_names(), problem.formulation.space.integer) if i]
        raise CapabilityError(f"the nonlinear paths (SLP, SLSQP) cannot honour integrality, and the model has "
                              f"binary or integer columns ({', '.join(ints)}); fix the discrete choice in the "
                              "hook (one solve per choice) or solve the linear model")
    lp = be.solve()
    t1 = time.perf_counter()
    if lp.status != "optimal":
        return Result(problem.snapshot(), lp, timings={"lp_s": t1 - t0, "total_s": t1 - t0})
    nlp = NonlinearProblem(problem)
    z0 = start_point(nlp, lp.primal)
    o = solve_path(nlp, z0, method)
    t2 = time.perf_counter()
    comp = nlp.comp
    status = o.status if o.status in ("optimal", "infeasible") else "error"
    nan_rows = np.full(len(comp.row_names), np.nan)
    out = Solution(status=status, solver_status=f"{o.solver}: {o.message}", objective=o.objective,
                   layout=problem.formulation.space.layout(), primal=np.array(o.z, dtype=float),
                   reduced_costs=o.reduced_costs if o.reduced_costs is not None else np.full(nlp.nz, np.nan),
                   row_names=comp.row_names, row_values=nlp.A @ o.z, row_lower=comp.row_lower.copy(),
                   row_upper=comp.row_upper.copy(), row_duals=o.row_duals if o.row_duals is not None else nan_rows,
                   cost_ranging=o.cost_ranging, iterations=o.iterations, solve_seconds=o.seconds,
                   objective_terms={**{k: e.value(o.z) for k, e in problem.formulation.objective.items()},
                                    "oxygen": float(o.objective - nlp.cost @ o.z)},
                   meta={"solver": o.solver})
    res = Result(problem.snapshot(), out, timings={"lp_s": t1 - t0, "nlp_s": t2 - t1, "total_s": t2 - t0})
    res.nonlinear = NonlinearSolution(nlp, o, lp)
    return res


def lp_with_fixed_fuels(result) -> np.ndarray:
    """The burden of the LP with the nonlinear optimum's fuel rates and blast settings fixed.

    Fuels (coke and injectant classes) and the four blast variables are fixed at the
    nonlinear solution; the LP's rows are kept and the process rows enter linearised at the
    solution (they are linear in the burden except through the η_H2 = η_CO closure and the
    slag-composition terms).  HiGHS solves it; at a nonlinear optimum it returns the same
    burden.  Returns the material rates, kg/tHM.
    """
    sol = result.nonlinear
    nlp = sol.nlp
    z = sol.z
    fixed = {nlp.col[k]: float(z[nlp.col[k]]) for k in SETTINGS}
    for j, k in enumerate(result.problem.materials):
        if result.scenario.materials[k].material_class.is_fuel:
            fixed[j] = float(z[j])
    g0, J = nlp.jacobian(z)
    sub = nlp.linear_subproblem(z, g0, J, settings_fixed=fixed)
    if sub is None:
        raise RuntimeError("the LP with fixed fuel rates is infeasible")
    return sub["z"][: nlp.n_mat]


# ---------------------------------------------------------------------------
# implied correction factors

def _balance_coke(nlp: NonlinearProblem, z: np.ndarray, adjust: dict | None = None,
                  indirect_co_degree: float | None = None,
                  shaft_efficiency_pct: float | None = None, eta_h2: float | None = None) -> tuple[float, float]:
    """(coke kg/tHM, dry blast Nm3/tHM) of :func:`balance_point`."""
    zz = balance_point(nlp, z, adjust, indirect_co_degree, shaft_efficiency_pct, eta_h2)
    return float(zz[nlp.problem.materials.index(_coke_name(nlp))]), float(zz[nlp.col["blast_dry_nm3"]])


def balance_point(nlp: NonlinearProblem, z: np.ndarray, adjust: dict | None = None,
                  indirect_co_degree: float | None = None,
                  shaft_efficiency_pct: float | None = None, eta_h2: float | None = None,
                  top_gas_temperature_c: float | None = None) -> np.ndarray:
    """Solve the balances for the coke rate with everything else held.

    Held: the burden, the blast settings and the degree of indirect reduction by CO,
    r_i,CO = 1 - r_d - r_H2, with r_H2 = eta_H2 * H2/Fe the share of the Fe that hydrogen
    reduces at the hydrogen utilisation eta_H2 of ``z``: hydrogen from moisture, injectants or
    bound water lowers r_d by the iron it reduces, the way the HBBF table, which lists r_d as
    a factor of its own, treats natural gas.  (eta_H2 is held at its value, not re-closed on
    eta_CO: otherwise more carbon, by diluting the top gas, would raise r_d.)  In the two-zone
    model the heat balance is the lower zone's.  ``indirect_co_degree`` is r_i,CO to hold
    (that of the unchanged point; default: its value at ``z``); the ``direct_reduction_degree``
    adjustment changes it.

    With ``shaft_efficiency_pct`` given instead, the furnace keeps that approach to the W
    point and r_d follows (Rist & Meysson 1965: the operating line pivots on the point the
    shaft efficiency fixes): the marginal rates of a two-zone optimum whose W-point limit binds.

    With ``top_gas_temperature_c`` given (two-zone model), the heat balance closed is the total
    one at that top-gas temperature instead of the lower zone's (:func:`plant_basis_point`).

    Newton on the residuals (coke, dry blast, r_d); returns the point (shape (nz,)) with the
    coke rate, the dry blast and r_d re-solved (evaluate it with ``nlp.fm.evaluate`` and the
    same ``adjust`` for the top-gas temperature and the rest).

    Raises
    ------
    numpy.linalg.LinAlgError
        The balances are singular in (coke, blast, r_d) at ``z`` (no coke in the charge).
    """
    j_coke = nlp.problem.materials.index(_coke_name(nlp))
    j_v = nlp.col["blast_dry_nm3"]
    j_rd = nlp.col["direct_reduction_degree"]
    cols = (j_coke, j_v, j_rd)
    z = z.copy()
    adjust = dict(adjust or {})
    d_rd = adjust.pop("direct_reduction_degree", 0.0)
    if indirect_co_degree is None or eta_h2 is None:
        ev = nlp.evaluate(z)
        eta_h2 = float(ev["hydrogen_reduction_degree"]) / float(ev["hydrogen_per_fe"]) if eta_h2 is None else eta_h2
        if indirect_co_degree is None:
            indirect_co_degree = 1.0 - float(ev["direct_reduction_degree"]) - float(ev["hydrogen_reduction_degree"])
    target = indirect_co_degree - d_rd
    keep_eff = shaft_efficiency_pct is not None
    scale = np.array([1.0, 1e-3, 100.0])

    hold_top = top_gas_temperature_c is not None and nlp.cfg.process.heat_balance == "two_zone"

    def f(Z):
        """Residuals (scaled) at the points Z, shape (k, nz) -> (k, 3): one batched evaluation."""
        ev = nlp.fm.evaluate(Z[:, : nlp.n_mat], nlp.blast(Z), adjust=adjust)
        r = [ev["carbon_residual_kg"],
             (ev["top_gas_temperature_c"] - top_gas_temperature_c) * 1e3 if hold_top else ev["heat_residual_kj"],
             (ev["shaft_efficiency_pct"] - shaft_efficiency_pct) / 100.0 if keep_eff else
             1.0 - ev["direct_reduction_degree"] - eta_h2 * ev["hydrogen_per_fe"] - target]
        return np.stack([np.broadcast_to(np.asarray(v, dtype=float), (len(Z),)) for v in r], axis=1) * scale

    h = np.array([1e-4, 1e-4, 1e-7])
    for _ in range(30):
        # the point and its three forward-difference neighbours in one evaluation
        Z = np.repeat(z[None, :], 4, axis=0)
        for c, j in enumerate(cols):
            Z[c + 1, j] += h[c]
        R = f(Z)
        r = R[0]
        J = ((R[1:] - r) / h[:, None]).T
        step = np.linalg.solve(J, -r)
        for c, j in enumerate(cols):
            z[j] += step[c]
        if np.max(np.abs(step[:2])) < 1e-9 and abs(step[2]) < 1e-12:
            break
    return z


def plant_basis_point(nlp: NonlinearProblem, z: np.ndarray, adjust: dict | None = None,
                      top_gas_temperature_c: float | None = None, indirect_co_degree: float | None = None,
                      eta_h2: float | None = None) -> np.ndarray:
    """Solve for the coke rate on the basis of a plant correction-factor table.

    Plant tables (the HBBF Russian heat balance of PRIMER §4, operator rules) are computed
    from a total heat balance with the top-gas temperature an input and r_d a factor of its
    own.  On that basis everything else is held: the burden, the blast settings, the degree
    of indirect reduction by CO r_i,CO (hydrogen lowers r_d by the iron it reduces, as in
    :func:`balance_point`; default: its value at ``z``), the hot-metal analysis (pass
    ``hold_hot_metal_C`` in ``adjust`` for a temperature change) and the top-gas temperature
    (default: its value at ``z``); the coke rate, the dry blast and r_d close the carbon
    balance and the total heat balance.  In the two-zone model the total balance at a held
    top-gas temperature is the upper-zone energy balance closed at that temperature (lower +
    upper = total, Hess at 25 degC), so the lower zone's T_TRZ is what gives way; in the total
    model it is the model's own heat balance.

    These are the factors to compare with a plant table like for like.  The two-zone model's
    own marginals (:func:`balance_point`) differ where the heat is needed: a lower-zone demand
    (hot-metal temperature) costs more coke, whose bosh gas carries heat to the top, and an
    upper-zone demand (bound water, the slag's heating to T_TRZ) costs less while the top gas
    has heat to spare (Rist & Meysson 1965; Geerdes et al. 2009).

    Returns the point (shape (nz,)).

    Raises
    ------
    numpy.linalg.LinAlgError
        The balances are singular at ``z`` (no coke in the charge).
    """
    if top_gas_temperature_c is None:
        top_gas_temperature_c = float(nlp.evaluate(z)["top_gas_temperature_c"])
    return balance_point(nlp, z, adjust, indirect_co_degree=indirect_co_degree, eta_h2=eta_h2,
                         top_gas_temperature_c=top_gas_temperature_c)


def _coke_name(nlp: NonlinearProblem) -> str:
    cfg = nlp.cfg
    if cfg.process.coke:
        return cfg.process.coke
    from .materials import MaterialClass

    mats = nlp.problem.scenario.materials
    return next(k for k, m in mats.items() if m.material_class is MaterialClass.COKE
                and not (m.min_kg_per_thm is not None and m.min_kg_per_thm == m.max_kg_per_thm))


def implied_correction_factors(nlp: NonlinearProblem, z: np.ndarray) -> pd.DataFrame:
    """Coke-rate correction factors the balance model implies at ``z``.

    Each row changes one input, holds the burden and the other settings, and solves the
    carbon and heat balances again for the coke rate and the blast volume: the change of
    the coke rate is the factor, in the form plants use (kg coke/tHM per change), with the
    HBBF table's value where it has one (PRIMER §4).

    ``coke_change_kg_per_thm`` holds the degree of indirect reduction by CO (hydrogen lowers
    r_d by the iron it reduces; :func:`_balance_coke`) and, in the two-zone model, closes the
    lower-zone heat balance: the model's own marginal.  When r_d is a decision,
    ``coke_change_at_w_point_kg_per_thm`` holds the shaft efficiency instead: the marginal
    rate of an optimum on the W-point limit (NaN otherwise).

    ``coke_change_plant_basis_kg_per_thm`` is the factor on a plant table's basis
    (:func:`plant_basis_point`: total heat balance at the held top-gas temperature, r_i,CO and
    the hot-metal analysis held), beside the table's value or range
    ``plant_table_low_kg_per_thm``..``plant_table_high_kg_per_thm`` (:data:`PLANT_TABLE`,
    PRIMER §4) and ``plant_table_deviation_pct`` = 100·(ours / table − 1) against the table's
    value or the nearer end of its range (0 inside it; +20 %: a fifth more coke change than
    the table, −20 %: a fifth less).
    """
    ev0 = nlp.evaluate(z)
    ri0 = 1.0 - float(ev0["direct_reduction_degree"]) - float(ev0["hydrogen_reduction_degree"])
    eta0 = float(ev0["hydrogen_reduction_degree"]) / float(ev0["hydrogen_per_fe"])
    eff0 = float(ev0["shaft_efficiency_pct"])
    j_rd = nlp.col["direct_reduction_degree"]
    w_pinned = bool(nlp.upper[j_rd] > nlp.lower[j_rd])   # r_d a decision: report the W-point marginals too

    j_coke = nlp.problem.materials.index(_coke_name(nlp))
    t_top0 = float(ev0["top_gas_temperature_c"])

    def _plant(zz, adjust=None):
        return float(plant_basis_point(nlp, zz, adjust, top_gas_temperature_c=t_top0, indirect_co_degree=ri0,
                                       eta_h2=eta0)[j_coke])

    def _bal(zz, adjust=None, plant_adjust=None):
        c = _balance_coke(nlp, zz, adjust, indirect_co_degree=ri0, eta_h2=eta0)[0]
        cw = _balance_coke(nlp, zz, adjust, shaft_efficiency_pct=eff0)[0] if w_pinned else math.nan
        return c, cw, _plant(zz, adjust if plant_adjust is None else plant_adjust)

    base_coke = _balance_coke(nlp, z, indirect_co_degree=ri0, eta_h2=eta0)[0]
    base_plant = _plant(z)
    col = nlp.col
    pci = [k for k in nlp.fm.inj_names]
    pci_rows = {f"{k}_kg_per_thm" for k in pci}
    rows = []

    def add(name, change, unit, cokes):
        coke, coke_w, coke_p = cokes
        ref = nlp.problem.scenario.parameters.hbbf_factors.get(name)
        hbbf = ref[1] * change / ref[0] if ref else math.nan
        table = PLANT_TABLE.get("pci_kg_per_thm" if name in pci_rows else name)
        lo, hi = (table[1] * change / table[0], table[2] * change / table[0]) if table else (math.nan, math.nan)
        lo, hi = min(lo, hi), max(lo, hi)
        # a row without a plant-table value has no plant basis to compare on (O2: at a held top-gas
        # temperature its effect is the total balance's artefact the two-zone model removes)
        plant = coke_p - base_plant if table else math.nan
        dev = 0.0 if lo <= plant <= hi else 100.0 * (plant / (lo if plant < lo else hi) - 1.0)
        rows.append({"change_of": name, "change": change, "unit": unit, "coke_change_kg_per_thm": coke - base_coke,
                     "coke_kg_per_thm_per_unit": (coke - base_coke) / change, "hbbf_kg_per_thm": hbbf,
                     "coke_change_at_w_point_kg_per_thm": coke_w - base_coke,
                     "coke_change_plant_basis_kg_per_thm": plant,
                     "plant_table_low_kg_per_thm": lo, "plant_table_high_kg_per_thm": hi,
                     "plant_table_deviation_pct": dev if table else math.nan})

    zz = z.copy()
    zz[col["blast_temperature_c"]] += 10.0
    add("blast_temperature_c", 10.0, "degC", _bal(zz))
    zz = z.copy()
    zz[col["blast_moisture_g_per_nm3"]] += 10.0
    add("blast_moisture_g_per_nm3", 10.0, "g/Nm3", _bal(zz))
    zz = z.copy()
    zz[col["oxygen_enrichment_pct"]] += 1.0
    add("oxygen_enrichment_pct", 1.0, "% points", _bal(zz))
    if pci:
        zz = z.copy()
        zz[nlp.problem.materials.index(pci[0])] += 10.0
        add(f"{pci[0]}_kg_per_thm", 10.0, "kg/tHM", _bal(zz))
    add("slag_kg_per_thm", -10.0, "kg/tHM", _bal(z, {"slag_kg": -10.0}))
    if nlp.cfg.process.heat_balance == "two_zone":
        # plant basis (HBBF): 1 % of a 4.34 GJ/tHM net heat balance = 43.4 MJ/tHM of loss
        add("heat_loss_pct", -1.0, "% of the net heat balance (43.4 MJ/tHM, HBBF basis)",
            _bal(z, {"heat_loss_kj": -HBBF_NET_HEAT_KJ_PER_THM / 100.0}))
    else:
        add("heat_loss_pct", -1.0, "% of heat income", _bal(z, {"heat_loss_pct": -1.0}))
    add("direct_reduction_degree", -0.01, "-", (_balance_coke(nlp, z, {"direct_reduction_degree": -0.01},
                                                              indirect_co_degree=ri0, eta_h2=eta0)[0], math.nan,
                                                _plant(z, {"direct_reduction_degree": -0.01})))
    add("hot_metal_Si_pct", 0.1, "wt %", _bal(z, {"hot_metal_Si_pct": 0.1}))
    # the plant basis holds the hot-metal analysis: the enthalpy of hotter metal alone
    add("hot_metal_temperature_c", 50.0, "degC", _bal(z, {"hot_metal_temperature_c": 50.0},
                                                      {"hot_metal_temperature_c": 50.0, "hold_hot_metal_C": True}))
    add("bound_water_kg_per_thm", 10.0, "kg/tHM", _bal(z, {"bound_water_kg": 10.0}))
    df = pd.DataFrame(rows).set_index("change_of")
    df.attrs["coke_kg_per_thm"] = base_coke
    return df


#: Two one-sided slopes are one derivative when they differ by at most this fraction of the
#: larger (plus the solver's noise, see :func:`sensitivity`); otherwise the optimum sits on a
#: kink (a limit becomes active or inactive at the setting's value) and no central value holds.
KINK_REL_TOL = 0.25


def sensitivity(result, settings=SETTINGS[1:], *, rel_step: float = 0.01,
                kink_rel_tol: float = KINK_REL_TOL) -> pd.DataFrame:
    """Sensitivity of the optimum to the blast settings and the injectant rate.

    Each setting is fixed at its optimal value, at the value − a step and at the value + a
    step, and the nonlinear problem solved again; from these re-solves the two one-sided
    slopes of the optimal cost (currency/tHM per unit) and coke rate (kg/tHM per unit):
    ``*_down`` = (f(v) − f(v − h))/h and ``*_up`` = (f(v + h) − f(v))/h.

    At a bound of the setting's window only the slope into the window exists (what the
    bound's shadow price means; ``difference`` = ``forward``/``backward``).  Inside the
    window the optimum may sit on a kink (another limit, e.g. the coke minimum, becomes
    active on one side): the central difference would average two unrelated slopes (it can
    even be near zero between a steep fall and a rise), so when the one-sided slopes of the
    cost or the coke differ in sign or by more than ``kink_rel_tol`` of the larger,
    ``difference`` is ``kink`` and the single-value columns
    (``cost_<cur>_per_thm_per_unit``, ``coke_kg_per_thm_per_unit``) are NaN; the down/up
    columns hold both slopes.  Otherwise they hold the central difference.

    Returns
    -------
    DataFrame indexed by setting: value, unit, step, difference, the single-value columns and
    ``cost_<cur>_per_thm_per_unit_down``/``_up``, ``coke_kg_per_thm_per_unit_down``/``_up``.
    """
    from .scenario import Scenario, Window
    from .core.problem import build

    sol = result.nonlinear
    nlp = sol.nlp
    scn = result.scenario
    cur = scn.config.currency
    rows = []
    coke = _coke_name(nlp)
    targets = list(settings) + [f"{k}_kg_per_thm" for k in nlp.fm.inj_names]

    def resolve(name, mat, val):
        if name in SETTINGS:
            key = {"blast_temperature_c": "temperature_c", "oxygen_enrichment_pct": "oxygen_enrichment_pct",
                   "blast_moisture_g_per_nm3": "moisture_g_per_nm3"}[name]
            blast = scn.config.blast.model_copy(update={key: Window(min=val, max=val)})
            cfg = scn.config.model_copy(update={"blast": blast})
            s2 = Scenario(cfg, scn.materials, scn.lost_burden, scn.source, scn.variant, scn.warnings)
        else:
            mats = dict(scn.materials)
            mats[mat] = mats[mat].with_changes(min_kg_per_thm=val, max_kg_per_thm=val,
                                               min_t_per_day=None, max_t_per_day=None)
            s2 = Scenario(scn.config, mats, scn.lost_burden, scn.source, scn.variant, scn.warnings)
        r2 = solve_nonlinear(build(s2, hooks=result.problem.hooks), sol.output.solver or None)
        if r2.status != "optimal":
            return math.nan, math.nan
        return float(r2.objective), float(r2.x[coke])

    def differs(a, b, scale, h):
        # solver noise: the re-solves agree to ~1e-6 relative (optimality tolerance), over a step h
        noise = 1e-5 * max(1.0, abs(scale)) / h
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        if abs(a - b) <= noise:
            return False
        if a * b < 0 and min(abs(a), abs(b)) > noise:
            return True
        return abs(a - b) > kink_rel_tol * max(abs(a), abs(b))

    for name in targets:
        mat = None
        if name in SETTINGS:
            v = sol.setting(name)
            h = max(abs(v) * rel_step, {"blast_temperature_c": 5.0}.get(name, 0.1))
        else:
            mat = name[: -len("_kg_per_thm")]
            v = float(result.x[mat])
            h = max(abs(v) * rel_step, 1.0)
        # the column's bounds in the formulation (t/day limits converted once, by the model)
        j = nlp.col[name] if name in SETTINGS else result.problem.x_block.col(mat)
        lo_b, hi_b = float(nlp.lower[j]), float(nlp.upper[j])
        at_lo = abs(v - lo_b) <= 1e-6 * max(1.0, abs(lo_b)) and hi_b > lo_b
        at_hi = abs(v - hi_b) <= 1e-6 * max(1.0, abs(hi_b)) and hi_b > lo_b
        c0, k0 = resolve(name, mat, v)
        cm, km = (math.nan, math.nan) if at_lo else resolve(name, mat, v - h)
        cp, kp = (math.nan, math.nan) if at_hi else resolve(name, mat, v + h)
        cost_dn, cost_up = (c0 - cm) / h, (cp - c0) / h
        coke_dn, coke_up = (k0 - km) / h, (kp - k0) / h
        if at_lo:
            kind, cost, ck = "forward", cost_up, coke_up
        elif at_hi:
            kind, cost, ck = "backward", cost_dn, coke_dn
        elif differs(cost_dn, cost_up, c0, h) or differs(coke_dn, coke_up, k0, h):
            kind, cost, ck = "kink", math.nan, math.nan
        else:
            kind, cost, ck = "central", (cp - cm) / (2 * h), (kp - km) / (2 * h)
        label, unit = SETTING_LABEL.get(name, (name, "kg/tHM"))
        rows.append({"setting": name, "value": v, "unit": unit, "step": h, "difference": kind,
                     f"cost_{cur}_per_thm_per_unit": cost, "coke_kg_per_thm_per_unit": ck,
                     f"cost_{cur}_per_thm_per_unit_down": cost_dn, f"cost_{cur}_per_thm_per_unit_up": cost_up,
                     "coke_kg_per_thm_per_unit_down": coke_dn, "coke_kg_per_thm_per_unit_up": coke_up})
    return pd.DataFrame(rows).set_index("setting")
