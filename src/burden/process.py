"""The furnace process model: carbon and heat balance, top gas, RAFT, slag properties.

Given the material rates x (dry kg/tHM) and the blast (dry volume, temperature, O2
enrichment, moisture), :meth:`FurnaceModel.evaluate` computes, for a batch of points at
once (numpy broadcasting), every process quantity the nonlinear model constrains and the
reports show.  It is built on the LP's coefficient tables (hot metal and slag are the same
affine forms) and on the chemistry layer's functions, so there is one formula for each
number:

* carbon balance (USTB-NB; PRIMER §4): fixed carbon of the charge (net of dust) =
  C dissolved + tuyere C + C for direct reduction of Fe (r_d) and of Si, Mn, P, Ti, V
  + C for desulphurisation + solution loss of flux CO2 + water gas of bound water;
  :func:`burden.chemistry.carbon.tuyere_carbon_kg` from blast O2, moisture and injectant O;
* top gas from C, O, H, N balances (:func:`burden.chemistry.topgas.top_gas`);
* total heat balance (USTB-XLS constants; :func:`burden.chemistry.heat.total_heat_balance`),
  with the losses a fixed share of the heat income;
* RAFT by enthalpy balance (:func:`burden.chemistry.raft.raft`, Geerdes 2009);
* L_S from optical basicity (Sosinsky & Sommerville 1986 or Zhang, Chou & Pal 2013) and
  slag viscosity (Urbain or Riboud, Mills 2011).

Units: kg/tHM, Nm3/tHM, kJ/tHM, degC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .chemistry import carbon as C
from .chemistry import slag as S
from .chemistry.analysis import CANONICAL
from .chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL as VM
from .chemistry.elements import element_fraction, mass_ratio, molar_mass
from .chemistry.heat import total_heat_balance
from .chemistry.raft import Injectant, raft
from .chemistry.topgas import top_gas
from .chemistry import zones as Z
from .core.parameters import ModelParameters
from .materials import MaterialClass

#: Volatile-matter species of fuels (wt % of the dry fuel) and their gas.
VM_SPECIES = {"vm_CO": "CO", "vm_CO2": "CO2", "vm_CH4": "CH4", "vm_H2": "H2", "vm_N2": "N2"}
#: Decomposition heat of injected coal, kJ/kg (USTB-NB, PRIMER §4): the default of the
#: model parameter ``injectant_decomposition_kj_per_kg``; a scenario's value is
#: ``scenario.parameters.coal_decomposition_kj_per_kg``.
COAL_DECOMPOSITION_KJ_PER_KG = ModelParameters.default().coal_decomposition_kj_per_kg
#: Slag oxides the viscosity and optical-basicity models take.
SLAG_MODEL_OXIDES = ("CaO", "SiO2", "Al2O3", "MgO", "FeO", "MnO", "TiO2")


@dataclass(frozen=True)
class BlastState:
    """Blast per tHM: dry volume (Nm3), temperature (degC), O2 enrichment (% points
    above 21 % in the dry blast) and moisture (g per Nm3 dry blast).  Arrays broadcast."""

    dry_nm3: np.ndarray
    temperature_c: np.ndarray
    enrichment_pct: np.ndarray
    moisture_g_per_nm3: np.ndarray
    #: direct-reduction degree r_d (a decision of the NLP, block ``reduction``); None: the scenario's fixed value
    direct_reduction_degree: np.ndarray | None = None

    @property
    def h2o_nm3(self):
        return self.dry_nm3 * self.moisture_g_per_nm3 / 1000.0 / molar_mass("H2O") * VM

    @property
    def wet_nm3(self):
        return self.dry_nm3 + self.h2o_nm3

    @property
    def moisture_fraction(self):
        return self.h2o_nm3 / self.wet_nm3

    @property
    def o2_fraction(self):
        return 0.21 + self.enrichment_pct / 100.0


class FurnaceModel:
    """Process quantities of a scenario as functions of the material rates and the blast.

    Parameters
    ----------
    problem : burden.model.Problem
        The built LP problem (its coefficient tables give hot metal and slag).

    The model constants (heat-balance constants, coal decomposition heat, the [C]
    correlation) are the scenario's :attr:`~burden.scenario.Scenario.parameters`.
    """

    def __init__(self, problem):
        self.problem = problem
        scn = problem.scenario
        cfg = scn.config
        self.cfg = cfg
        self.proc = cfg.process
        params = scn.parameters
        self.parameters = params
        self.heat_constants = params.heat_constants
        self.hm_carbon = params.hm_carbon
        self.coal_decomposition_kj_per_kg = params.coal_decomposition_kj_per_kg
        names = problem.materials
        self.names = names
        mats = [scn.materials[k] for k in names]
        W = np.array([[m.analysis[s] / 100.0 for s in CANONICAL] for m in mats])  # (n, species)
        self.idx = {s: i for i, s in enumerate(CANONICAL)}
        self.W = W
        self.Wvm = np.array([[m.reported.get(k, 0.0) / 100.0 for k in VM_SPECIES] for m in mats])
        cls = [m.material_class for m in mats]
        self.is_flux = np.array([c is MaterialClass.FLUX for c in cls], dtype=float)
        self.is_inj = np.array([c is MaterialClass.INJECTANT for c in cls], dtype=float)
        self.is_fuel = np.array([c.is_fuel for c in cls], dtype=float)
        self.moisture_wet_per_dry = np.array([m.wet_per_dry - 1.0 for m in mats])
        self.dust = {s: sum(rate * m.analysis[s] / 100.0 for m, rate in scn.lost_burden.values()) for s in CANONICAL}
        self.dust_vm_co2 = sum(rate * m.reported.get("vm_CO2", 0.0) / 100.0 for m, rate in scn.lost_burden.values())
        # hot metal and slag: the LP's affine forms, stacked for batch evaluation
        qn = list(problem.quantities)
        self.qnames = {k: i for i, k in enumerate(qn)}
        self.Q = np.array([problem.quantities[k].coef for k in qn])  # (nq, n)
        self.q0 = np.array([problem.quantities[k].const for k in qn])
        # injectants as one blended coal (exact: mass-based species)
        self.inj_names = [k for k, c in zip(names, cls) if c is MaterialClass.INJECTANT]
        # two-zone heat terms per kg of each material (linear in x): carbonates by species on a CO2 basis
        # and iron-oxide decomposition with FeO in magnetite (chemistry.zones; JANAF, Robie & Hemingway)
        self.zone = params.two_zone
        carb = [Z.carbonate_heat_kj_per_kg(m.analysis["CaO"], m.analysis["MgO"], m.analysis["FeO"], m.analysis["CO2"])
                for m in mats]
        self.carbonate_kj = {k: np.array([c[k] for c in carb]) for k in Z.CARBONATE_KJ_PER_KG_CO2}
        self.iron_oxide_kj = np.array([Z.iron_oxide_heat_kj_per_kg(m.analysis["Fe2O3"], m.analysis["FeO"])
                                       for m in mats])
        self.dust_iron_oxide_kj = sum(rate * Z.iron_oxide_heat_kj_per_kg(m.analysis["Fe2O3"], m.analysis["FeO"])
                                      for m, rate in scn.lost_burden.values())
        self.dust_carbonate_kj = sum(rate * sum(Z.carbonate_heat_kj_per_kg(m.analysis["CaO"], m.analysis["MgO"],
                                                                           m.analysis["FeO"], m.analysis["CO2"]).values())
                                     for m, rate in scn.lost_burden.values())
        # constants of the thermal reserve zone (depend on T_TRZ only): bosh-gas sensible heat per
        # Nm3, coke carbon's sensible heat per kg, the wustite equilibria of CO and H2
        t_trz = self.proc.thermal_reserve_zone_c
        self.trz_gas_kj_per_nm3 = {g: float(Z.gas_sensible_kj({g: 1.0}, t_trz)) for g in ("CO", "H2", "N2")}
        self.trz_carbon_kj_per_kg = float(Z.carbon_sensible_kj_per_kg(t_trz))
        self.eta_eq_co = float(Z.wustite_eta_co_eq(t_trz))
        self.eta_eq_h2 = float(Z.wustite_eta_h2_eq(t_trz))
        rd = self.proc.direct_reduction_degree
        self.rd_fixed = rd.min if rd.is_fixed else None
        loss = self.proc
        if loss.heat_loss_mj_per_thm is not None:
            self.heat_loss_kj = 1000.0 * loss.heat_loss_mj_per_thm
        elif loss.heat_loss_gj_per_h is not None:
            # GJ/h at the production rate -> MJ/tHM: GJ/h * 24 h/day / (t/day) * 1000
            self.heat_loss_kj = 1.0e6 * loss.heat_loss_gj_per_h * 24.0 / cfg.production_t_per_day
        else:
            self.heat_loss_kj = None  # share of the heat income
        #: loss as % of the heat income when no absolute loss is given (USTB-XLS default 8 %)
        self.heat_loss_pct = loss.heat_loss_pct if loss.heat_loss_pct is not None else 8.0

    # -- helpers ----------------------------------------------------------------
    def species(self, x: np.ndarray, s: str, mask: np.ndarray | None = None) -> np.ndarray:
        """kg/tHM of canonical species ``s`` in the charge (rows of x are points)."""
        w = self.W[:, self.idx[s]]
        if mask is not None:
            w = w * mask
        return x @ w

    def quantities(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """The LP quantities (hot metal, slag, loads, ...) at each point, kg/tHM."""
        v = x @ self.Q.T + self.q0
        return {k: v[..., i] for k, i in self.qnames.items()}

    def injectant(self, x: np.ndarray):
        """(kg/tHM, Injectant) of the blended injectants at each point."""
        inj = self.is_inj
        kg = x @ inj
        safe = np.where(kg > 0, kg, 1.0)
        pct = lambda s: 100.0 * (x @ (self.W[:, self.idx[s]] * inj)) / safe  # noqa: E731
        ash = sum(pct(o) for o in ("SiO2", "Al2O3", "CaO", "MgO", "FeO", "Fe2O3", "K2O", "Na2O"))
        return kg, Injectant(c_pct=pct("C_fix"), h_pct=pct("H"), o_pct=pct("O"), n_pct=pct("N"),
                             ash_pct=ash, moisture_pct=pct("H2O_chem"),
                             decomposition_kj_per_kg=self.coal_decomposition_kj_per_kg)

    def aggregate_map(self) -> np.ndarray:
        """The linear aggregates of the material rates that :meth:`evaluate` reads, (n, m).

        Every quantity of the model depends on x (kg/tHM, shape (..., n)) only through
        ``x @ L`` with L the columns returned here: the LP quantities (hot metal, slag,
        loads; ``Q.T``), the species of the charge (``W``) and of its fluxes and injectants
        (``W`` masked), the injectant mass, the volatile matter (``Wvm``), the free moisture
        charged, and the per-kg carbonate and iron-oxide heats (all, and of the fluxes).
        :mod:`burden.nlp_derivatives` differentiates through it (chain rule: dg/dx = dg/da · Lᵀ);
        a new x-dependence in :meth:`evaluate` must add its column here (its test,
        ``tests/test_nlp_derivatives.py``, compares against a dense central-difference Jacobian).
        """
        flux, inj = self.is_flux[:, None], self.is_inj[:, None]
        carb = np.column_stack([self.carbonate_kj[k] for k in sorted(self.carbonate_kj)])
        return np.column_stack([
            self.Q.T, self.W, self.W * flux, self.W * inj, self.is_inj, self.Wvm,
            self.moisture_wet_per_dry * (1 - self.is_inj), carb, carb * flux, self.iron_oxide_kj])

    # -- the model --------------------------------------------------------------
    def evaluate(self, x: np.ndarray, blast: BlastState, full: bool = False, adjust: dict | None = None) -> dict:
        """All process quantities at the points ``x`` (shape (..., n)) and ``blast``.

        Returns a dict of arrays: ``carbon_residual_kg`` and ``heat_residual_kj`` (zero when
        the balances hold; the heat residual is the lower-zone balance in the two-zone model,
        the total balance's loss residual otherwise), ``top_gas_temperature_c`` (computed in
        the two-zone model, the assumed value otherwise), ``shaft_efficiency_pct`` with
        ``eta_w`` (gas oxidation where the solids are wüstite) and ``eta_eq`` (its equilibrium
        at T_TRZ), ``raft_c``, ``bosh_gas_nm3`` (the raceway gas) and ``lower_zone_gas_nm3`` (with
        the CO of direct reduction), ``ls``, ``viscosity_pa_s``,
        ``sulphur_eq_pct`` and, with ``full``, the carbon-balance terms, top gas, heat-balance
        terms and bosh gas.

        ``adjust`` changes one input with the burden held, for correction factors:
        ``slag_kg`` (slag mass in the heat balance), ``heat_loss_pct`` (total model),
        ``heat_loss_kj`` (two-zone model), ``direct_reduction_degree``, ``hot_metal_Si_pct``
        (Si reduced: hot-metal Si, slag SiO2 and the [C] correlation follow),
        ``hot_metal_temperature_c`` (hot metal and slag enthalpy, [C] correlation; with
        ``hold_hot_metal_C`` true the [C] is held, the enthalpy alone changes) and
        ``bound_water_kg``, each a change from the scenario's value.
        """
        proc = self.proc
        adj = adjust or {}
        zp = self.zone
        x = np.asarray(x, dtype=float)
        q = self.quantities(x)
        d = self.dust
        net = lambda s, mask=None: self.species(x, s, mask) - (d[s] if mask is None else 0.0)  # noqa: E731

        hm = {el: q[f"hot_metal.{el}"] for el in ("Fe", "Si", "Mn", "P", "S", "C", "Ti", "V")}
        slag_kg = q["slag.total"]
        if "hot_metal_Si_pct" in adj:
            dsi = 10.0 * adj["hot_metal_Si_pct"]
            hm["Si"] = hm["Si"] + dsi
            sio2 = dsi * mass_ratio("SiO2", "Si")
            q = dict(q)
            q["slag.SiO2"] = q["slag.SiO2"] - sio2
            slag_kg = slag_kg - sio2
            q["slag.total"] = slag_kg
            if self.cfg.hot_metal.C_pct == "formula":
                hm["C"] = hm["C"] + self.hm_carbon["Si"] * dsi
        t_hm = self.cfg.hot_metal.temperature_c + adj.get("hot_metal_temperature_c", 0.0)
        if ("hot_metal_temperature_c" in adj and self.cfg.hot_metal.C_pct == "formula"
                and not adj.get("hold_hot_metal_C")):
            hm["C"] = hm["C"] + 10.0 * self.hm_carbon["T"] * adj["hot_metal_temperature_c"]
        slag_s = q["slag.S"]
        fe_met = net("Fe_met")
        iron_reduced = hm["Fe"] - fe_met
        rd0 = blast.direct_reduction_degree if blast.direct_reduction_degree is not None else self.rd_fixed
        rd = rd0 + adj.get("direct_reduction_degree", 0.0)
        c_dfe = C.direct_reduction_carbon_fe_kg(hm["Fe"] / 10.0, rd, fe_met)
        c_minor = C.minor_reduction_carbon_kg(hm["Si"] / 10, hm["Mn"] / 10, hm["P"] / 10, hm["Ti"] / 10, hm["V"] / 10)
        c_ds = C.desulphurisation_carbon_kg(slag_kg, 100.0 * slag_s / slag_kg)
        flux_co2 = self.species(x, "CO2", self.is_flux)
        ore_co2 = self.species(x, "CO2", 1 - self.is_flux) - d["CO2"]
        bound_water = self.species(x, "H2O_chem", 1 - self.is_inj) - d["H2O_chem"] + adj.get("bound_water_kg", 0.0)
        c_sl = C.solution_loss_carbon_kg(flux_co2, proc.flux_co2_reacting_fraction)
        c_wg = C.water_gas_carbon_kg(bound_water, proc.bound_water_reacting_fraction)

        inj_kg, inj = self.injectant(x)
        inj_o2 = C.injectant_oxygen_nm3(inj_kg, inj.o_pct, inj.moisture_pct)
        inj_h2 = inj_kg / 100.0 * (inj.h_pct / molar_mass("H2") + inj.moisture_pct / molar_mass("H2O")) * VM
        inj_n2 = inj_kg / 100.0 * inj.n_pct / molar_mass("N2") * VM
        c_t = C.tuyere_carbon_kg(blast.wet_nm3, blast.moisture_fraction, 0.0, inj_o2, blast.o2_fraction)
        supply = net("C_fix")
        demand = hm["C"] + c_t + c_dfe + c_minor + c_ds + c_sl + c_wg
        carbon_residual = supply - demand

        vm = x @ self.Wvm  # (..., 5) kg/tHM of CO, CO2, CH4, H2, N2
        vol = {g: vm[..., i] / molar_mass(g) * VM for i, g in enumerate(VM_SPECIES.values())}
        eta_h2 = None if proc.hydrogen_utilisation == "eta_co" else proc.hydrogen_utilisation
        tg = top_gas(blast_nm3=blast.wet_nm3, iron_reduced_kg=iron_reduced, direct_reduction_degree=rd,
                     moisture_fraction=blast.moisture_fraction, oxygen_nm3=0.0,
                     dry_blast_o2_fraction=blast.o2_fraction, injectant_oxygen_nm3=inj_o2,
                     injectant_hydrogen_nm3=inj_h2, injectant_nitrogen_nm3=inj_n2,
                     direct_carbon_kg=c_dfe + c_minor + c_ds, fe2o3_kg=net("Fe2O3"), mno2_kg=0.0,
                     ore_co2_kg=ore_co2, flux_co2_kg=flux_co2,
                     flux_co2_reacting_fraction=proc.flux_co2_reacting_fraction,
                     bound_water_kg=bound_water,
                     bound_water_reacting_fraction=proc.bound_water_reacting_fraction,
                     volatile_co_nm3=vol["CO"], volatile_co2_nm3=vol["CO2"], volatile_h2_nm3=vol["H2"],
                     volatile_n2_nm3=vol["N2"], volatile_ch4_nm3=vol["CH4"], eta_h2=eta_h2)
        # free moisture of the charge evaporates at the top; injectants are dried in the mill
        moisture_kg = x @ (self.moisture_wet_per_dry * (1 - self.is_inj))
        feo_reduced = net("FeO") - q["slag.FeO"]
        top_nm3 = {"CO": tg.co_nm3, "CO2": tg.co2_nm3, "H2": tg.h2_nm3, "N2": tg.n2_nm3,
                   "CH4": tg.ch4_nm3, "H2O": tg.h2o_nm3 + moisture_kg / molar_mass("H2O") * VM}
        bosh = {"CO": (c_t + c_dfe + c_minor + c_ds + c_wg) / molar_mass("C") * VM
                + 2.0 * proc.flux_co2_reacting_fraction * flux_co2 / molar_mass("CO2") * VM,
                "H2": blast.h2o_nm3 + inj_h2 + c_wg / molar_mass("C") * VM,
                "N2": blast.wet_nm3 * (1 - blast.moisture_fraction) * (1 - blast.o2_fraction) + inj_n2}
        bosh_nm3 = bosh["CO"] + bosh["H2"] + bosh["N2"]
        out = {}
        if proc.heat_balance == "total":
            # flux carbonates as CaO equivalent of their CO2 (USTB-HW counts CaCO3 only)
            carbonate_cao = flux_co2 * mass_ratio("CaO", "CO2")
            hb = total_heat_balance(
                tuyere_carbon_kg=c_t, direct_carbon_kg=c_dfe + c_minor + c_ds + c_sl + c_wg,
                indirect_co_nm3=tg.indirect_co_nm3, h2_reduction_nm3=tg.h2_reduction_nm3,
                blast_nm3=blast.wet_nm3, blast_temperature_c=blast.temperature_c,
                moisture_fraction=blast.moisture_fraction, dry_blast_o2_fraction=blast.o2_fraction,
                fe2o3_kg=net("Fe2O3"), feo_kg=feo_reduced, si_kg=hm["Si"], mn_kg=hm["Mn"], p_kg=hm["P"],
                slag_s_kg=slag_s, carbonate_cao_kg=carbonate_cao, injectant_kg=inj_kg, hot_metal_kg=1000.0,
                slag_kg=slag_kg + adj.get("slag_kg", 0.0), top_gas_nm3=top_nm3,
                top_gas_temperature_c=proc.top_gas_temperature_c, burden_moisture_kg=moisture_kg,
                constants=self.heat_constants)
            if self.heat_loss_kj is not None:
                heat_residual = hb.expenditure["losses"] - self.heat_loss_kj - adj.get("heat_loss_kj", 0.0)
            else:
                loss_frac = (self.heat_loss_pct + adj.get("heat_loss_pct", 0.0)) / 100.0
                heat_residual = hb.expenditure["losses"] - loss_frac * hb.total_income
            t_top = proc.top_gas_temperature_c + 0.0 * heat_residual
            lower = None
        else:
            hb, lower, t_top = self._two_zone(
                x=x, blast=blast, adj=adj, zp=zp, hm=hm, t_hm=t_hm, rd=rd, iron_reduced=iron_reduced,
                slag_kg=slag_kg + adj.get("slag_kg", 0.0), slag_s=slag_s, c_t=c_t, c_dfe=c_dfe, c_minor=c_minor,
                c_ds=c_ds, flux_co2=flux_co2, bound_water=bound_water, inj_kg=inj_kg, inj=inj, demand=demand,
                tg=tg, top_nm3=top_nm3, bosh=bosh, moisture_kg=moisture_kg, q=q)
            heat_residual = lower["residual"]
        # share of the reduced Fe that hydrogen reduces (H2 + FeO = Fe + H2O; top gas closure)
        n_fe_red = iron_reduced / molar_mass("Fe")
        r_h2 = tg.h2_reduction_nm3 / VM / n_fe_red
        out.update(carbon_residual_kg=carbon_residual, heat_residual_kj=heat_residual, top_gas_temperature_c=t_top,
                   lower_zone_gas_nm3=bosh_nm3, hydrogen_reduction_degree=r_h2,
                   direct_reduction_degree=rd + 0.0 * r_h2,
                   hydrogen_per_fe=tg.hydrogen_in_nm3 / VM / n_fe_red)
        out.update(self._wustite_point(x, q, hm, c_t, c_dfe, c_minor, c_ds, c_sl, c_wg, tg))
        rf = raft(blast.temperature_c, blast.dry_nm3, blast.enrichment_pct, blast.moisture_g_per_nm3,
                  coal_kg_per_thm=inj_kg, coal=inj)
        out["raft_c"] = rf.temperature_c
        # bosh gas as plants state it (its volume per tHM or per minute is the permeability
        # measure): the raceway gas, CO, H2 and N2 from the blast and the injectants at the tuyeres;
        # the gas leaving the lower zone adds the CO of direct reduction (lower_zone_gas_nm3)
        out["bosh_gas_nm3"] = rf.bosh_gas_nm3 + 0.0 * bosh_nm3
        wt = {o: 100.0 * q[f"slag.{o}"] / slag_kg for o in SLAG_MODEL_OXIDES}
        out["slag_wt_pct"] = wt
        sc = self.cfg.sulphide_capacity
        if sc is not None:
            t_k = sc.temperature_c + 273.15
            # the Λ sets of PRIMER §6 have no TiO2: it is left out of the average
            lam = S.optical_basicity({k: v for k, v in wt.items() if k != "TiO2"}, sc.lambda_set)
            cs = (S.sulphide_capacity_sosinsky if sc.capacity_model == "sosinsky" else S.sulphide_capacity_zhang)(lam, t_k)
            ls = sc.plant_factor * S.sulphur_partition(cs, t_k, sc.oxygen_activity, sc.sulphur_activity_coefficient)
            out.update(optical_basicity=lam, sulphide_capacity=cs, ls=ls)
            s_load_net = net("S")
            out["sulphur_eq_pct"] = S.hot_metal_sulphur_pct(s_load_net, slag_kg, ls, self.cfg.distribution.S_to_gas)
        vis = self.cfg.viscosity
        if vis is not None:
            t_k = vis.temperature_c + 273.15
            f = S.viscosity_urbain if vis.model == "urbain" else S.viscosity_riboud
            out["viscosity_pa_s"] = f(wt, t_k)
        if full:
            out["carbon"] = {"supply_fixed_carbon": supply, "dissolved": hm["C"], "tuyere": c_t,
                             "direct_fe": c_dfe, "direct_minor": c_minor, "desulphurisation": c_ds,
                             "solution_loss": c_sl, "water_gas": c_wg, "demand": demand}
            out["top_gas"] = tg
            out["charge_moisture_nm3"] = moisture_kg / molar_mass("H2O") * VM   # evaporated at the top
            out["heat"] = hb
            out["lower_zone"] = lower
            out["raft"] = rf
            out["blast"] = blast
            out["bosh"] = bosh
            out["injectant_kg"] = inj_kg
            out["loss_kj"] = hb.expenditure["losses"]
        return out

    def _two_zone(self, *, x, blast, adj, zp, hm, t_hm, rd, iron_reduced, slag_kg, slag_s, c_t, c_dfe, c_minor,
                  c_ds, flux_co2, bound_water, inj_kg, inj, demand, tg, top_nm3, bosh, moisture_kg, q):
        """Lower-zone heat balance (residual, kJ/tHM), total balance and the top-gas temperature.

        Lower zone (below the thermal reserve zone at T_TRZ; Peacey & Davenport 1979 ch. 5;
        Rist & Meysson 1965): income = C burnt to CO at the tuyeres + blast sensible heat +
        sensible heat of the solids entering at T_TRZ (coke carbon, iron as Fe or, for the
        directly reduced part, FeO, slag-forming oxides); expenditure = direct reduction
        FeO + C = Fe + CO, reduction of Si, Mn, P and desulphurisation (USTB constants, net of
        their C burnt to CO), the reacting part of the flux CaCO3 (decomposition on a CO2 basis
        and CO2 + C = 2 CO), water gas of the reacting bound water, blast-moisture and
        injectant decomposition, hot metal and slag enthalpy at their temperatures, bosh gas
        leaving at T_TRZ, and the lower zone's share of the heat loss.

        Total (Hess at 25 degC): C burnt to CO, CO and H2 oxidised by indirect reduction, blast
        heat, against iron-oxide decomposition (FeO in magnetite apart), minor reductions,
        carbonates by species on a CO2 basis, solution loss, bound-water dehydration and water
        gas, moisture and injectant decomposition, hot metal, slag, evaporation of free
        moisture, loss; what remains heats the top gas, whose temperature follows (NASA
        enthalpies).  The upper-zone balance is the total minus the lower zone.
        """
        from .chemistry.heat import HeatBalance, gas_sensible_heat_kj

        proc = self.proc
        k = self.heat_constants
        t_trz = proc.thermal_reserve_zone_c
        dT = t_trz - 25.0
        v, phi, xo = blast.wet_nm3, blast.moisture_fraction, blast.o2_fraction
        blast_gas = {"O2": v * (1 - phi) * xo, "N2": v * (1 - phi) * (1 - xo), "H2O": v * phi}
        blast_heat = gas_sensible_heat_kj(blast_gas, blast.temperature_c)
        h_hm = 1000.0 * (k["hot_metal_kj_per_kg"] + zp["hot_metal_cp_kj_per_kg_k"] * (t_hm - zp["hot_metal_reference_c"]))
        t_slag = t_hm + zp["slag_over_hot_metal_c"]
        h_slag = slag_kg * (k["slag_kj_per_kg"] + zp["slag_cp_kj_per_kg_k"] * (t_slag - zp["slag_reference_c"]))
        f_sl = proc.flux_co2_reacting_fraction
        f_wg = proc.bound_water_reacting_fraction
        caco3_flux = x @ (self.carbonate_kj["CaCO3"] * self.is_flux)
        minor_dec = hm["Si"] * k["si_reduction_kj_per_kg"] + hm["Mn"] * k["mn_reduction_kj_per_kg"] \
            + hm["P"] * k["p_reduction_kj_per_kg"]
        moist_dec = blast.h2o_nm3 * Z.H2_TO_H2O_KJ_PER_NM3
        inj_dec = inj_kg * self.coal_decomposition_kj_per_kg
        inj_c = x @ (self.W[:, self.idx["C_fix"]] * self.is_inj)
        # ---- lower zone
        fe_sens = hm["Fe"] * ((1.0 - rd) * zp["iron_cp_kj_per_kg_k"]
                              + rd * mass_ratio("FeO", "Fe") * zp["wustite_cp_kj_per_kg_k"]) * dT
        oxides = slag_kg + hm["Si"] * mass_ratio("SiO2", "Si") + hm["Mn"] * mass_ratio("MnO", "Mn")
        loss_total = self.heat_loss_kj
        lower_in = {"tuyere_carbon": c_t * Z.C_TO_CO_KJ_PER_KG_C, "blast_sensible": blast_heat,
                    "charge_sensible_at_trz": (demand - inj_c) * self.trz_carbon_kj_per_kg + fe_sens
                    + oxides * zp["oxide_cp_kj_per_kg_k"] * dT}
        lower_out = {"direct_reduction_fe": rd * iron_reduced * Z.DIRECT_REDUCTION_KJ_PER_KG_FE,
                     "minor_reduction": minor_dec - c_minor * Z.C_TO_CO_KJ_PER_KG_C,
                     "desulphurisation": slag_s * k["desulphurisation_kj_per_kg_s"] - c_ds * Z.C_TO_CO_KJ_PER_KG_C,
                     "carbonates": f_sl * caco3_flux + f_sl * flux_co2 * Z.SOLUTION_LOSS_KJ_PER_KG_CO2,
                     "water_gas": f_wg * bound_water * Z.WATER_GAS_KJ_PER_KG_H2O,
                     "moisture_decomposition": moist_dec, "injectant_decomposition": inj_dec,
                     "hot_metal": h_hm, "slag": h_slag,
                     "bosh_gas_at_trz": sum(v * self.trz_gas_kj_per_nm3[g] for g, v in bosh.items())}
        # ---- total
        total_in = {"tuyere_carbon": c_t * Z.C_TO_CO_KJ_PER_KG_C,
                    "direct_carbon": (c_dfe + c_minor + c_ds) * Z.C_TO_CO_KJ_PER_KG_C,
                    "indirect_co": tg.indirect_co_nm3 * Z.CO_TO_CO2_KJ_PER_NM3,
                    "hydrogen": tg.h2_reduction_nm3 * Z.H2_TO_H2O_KJ_PER_NM3, "blast_sensible": blast_heat}
        carb_all = sum(x @ v for v in self.carbonate_kj.values()) - self.dust_carbonate_kj
        total_out = {"oxide_decomposition": x @ self.iron_oxide_kj - self.dust_iron_oxide_kj
                     - q["slag.FeO"] * Z.FEO_KJ_PER_KG,
                     "minor_reduction": minor_dec, "desulphurisation": slag_s * k["desulphurisation_kj_per_kg_s"],
                     "carbonates": carb_all, "solution_loss": f_sl * flux_co2 * Z.SOLUTION_LOSS_KJ_PER_KG_CO2,
                     "bound_water": bound_water * Z.DEHYDRATION_KJ_PER_KG_H2O
                     + f_wg * bound_water * Z.WATER_GAS_KJ_PER_KG_H2O,
                     "moisture_decomposition": moist_dec, "injectant_decomposition": inj_dec,
                     "hot_metal": h_hm, "slag": h_slag,
                     "moisture_evaporation": moisture_kg * k["water_evaporation_kj_per_kg"]}
        income = sum(total_in.values())
        if loss_total is None:
            loss_total = (self.heat_loss_pct + adj.get("heat_loss_pct", 0.0)) / 100.0 * income
        loss_total = loss_total + adj.get("heat_loss_kj", 0.0)
        share = zp["lower_zone_heat_loss_share"]
        lower_out["losses"] = share * loss_total
        total_out["losses"] = loss_total + 0.0 * income
        q_top = income - sum(total_out.values())
        t_top = Z.gas_temperature_for_heat_fast(top_nm3, q_top)
        total_out["top_gas"] = q_top
        hb = HeatBalance(income=total_in, expenditure=total_out, total_income=income,
                         losses_pct=100.0 * total_out["losses"] / income)
        lin, lout = sum(lower_in.values()), sum(lower_out.values())
        lower = {"income": lower_in, "expenditure": lower_out, "residual": lin - lout}
        return hb, lower, t_top

    def _wustite_point(self, x, q, hm, c_t, c_dfe, c_minor, c_ds, c_sl, c_wg, tg) -> dict:
        """Rist W point (Rist & Meysson 1965; PRIMER §4), hydrogen counted as a reductant beside
        carbon, as a CO equivalent: each H2 enters with the one O a CO would carry (x = 1) and
        leaves as H2O (x = 2), so that x - 1 = (CO2 + H2O)/(C + H2) is the gas oxidation.

        R = C in the gas (coke and injectant C gasified, and the carbon of the carbonate CO2 that
        reacts, CO2 + C = 2 CO) + H2 entering (kmol); the operating line has slope mu = R/Fe and
        meets x = 0 at -(y_b + y_f): y_b = O from blast, injectants, the reacting carbonate CO2
        (both its O) and bound water, plus the H2's CO-equivalent O; y_f = O from Si, Mn, P, Ti, V oxides and
        desulphurisation (then at x = 1 the line is at y_d, the O removed by direct reduction).
        Where the solids are wüstite (y_W) the gas oxidation is eta_W = (y_W + y_b + y_f)/mu - 1
        = (O in the gas - C)/(C + H2); it cannot exceed the equilibrium eta_eq at T_TRZ (CO and
        H2 equilibria weighted by C and H2).  Shaft efficiency (Peacey & Davenport 1979) =
        (x_A - 1)/(x_A,ideal - 1), 100 % when the line passes through W.
        """
        mc = molar_mass("C")
        fe = hm["Fe"]
        n_fe = fe / molar_mass("Fe")
        # solution loss CO2 + C = 2 CO: the gas gets the coke C (c_sl) and the carbonate's own C,
        # with the CO2's two O
        n_sl = c_sl / mc
        o_blast = (c_t + c_wg) / mc + 2.0 * n_sl
        o_minor = (c_minor + c_ds) / mc
        n_c = (c_t + c_dfe + c_minor + c_ds + c_wg) / mc + 2.0 * n_sl
        n_h = tg.hydrogen_in_nm3 / VM
        mu = (n_c + n_h) / n_fe
        ybf = (o_blast + n_h + o_minor) / n_fe      # n_h: the H2's CO-equivalent O
        e_co, e_h2 = self.eta_eq_co, self.eta_eq_h2
        eta_eq = (e_co * n_c + e_h2 * n_h) / (n_c + n_h)
        y_w = self.zone["wustite_o_per_fe"]
        eta_w = (y_w + ybf) / mu - 1.0
        # y_A: oxygen removed from the iron oxides of the charge (net of dust, FeO to slag kept)
        d = self.dust
        o_iron = ((self.species(x, "Fe2O3") - d["Fe2O3"]) * 3 / molar_mass("Fe2O3")
                  + (self.species(x, "FeO") - d["FeO"] - q["slag.FeO"]) / molar_mass("FeO"))
        y_a = o_iron / n_fe
        x_a = (y_a + ybf) / mu
        mu_ideal = (y_w + ybf) / (1.0 + eta_eq)
        eff = (x_a - 1.0) / ((y_a + ybf) / mu_ideal - 1.0)
        return {"shaft_efficiency_pct": 100.0 * eff, "eta_w": eta_w, "eta_eq": eta_eq + 0.0 * eta_w,
                "rist_mu": mu, "rist_ybf": ybf, "rist_x_a": x_a}


def oxygen_nm3(blast: BlastState, purity_pct: float) -> np.ndarray:
    """Technical oxygen for the enrichment, Nm3/tHM: V_dry·e/(purity − 21) (volume balance of O2)."""
    return blast.dry_nm3 * blast.enrichment_pct / (purity_pct - 21.0)


#: kg C per kg Fe directly reduced, for reports (FeO + C = Fe + CO).
C_PER_FE = mass_ratio("C", "Fe")
_ = element_fraction  # re-exported for users of this module
