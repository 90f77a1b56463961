"""Two-zone furnace: W point (wüstite equilibrium), lower-zone heat balance, top-gas temperature.

The furnace is cut at the thermal reserve zone (TRZ, temperature T_TRZ about 900-1000 degC)
into an upper zone (the gas heats the charge to T_TRZ, reduces it indirectly to wüstite
and beyond, evaporates moisture, decomposes hydrates and part of the carbonates) and a
lower zone (direct reduction, reduction of Si, Mn, P, desulphurisation, the remaining
carbonates, melting and superheating of hot metal and slag, the raceway).  The lower
zone's heat balance fixes the carbon rate; the total balance (lower + upper) then gives
the top-gas temperature as an output.  The gas where the solids are wüstite cannot be
more oxidised than the Fe/FeO equilibrium at T_TRZ: the Rist W point.

All heats are enthalpy differences at 25 degC (Hess), kJ per tHM; gas sensible heats from
the NASA polynomials of :mod:`burden.chemistry.thermo_data` (McBride 2002).

References
----------
A. Rist, N. Meysson, "Recherche graphique de la mise au mille minimale du haut fourneau",
Rev. Métall. 62 (1965) 995 (Rist & Meysson 1965);
J.G. Peacey, W.G. Davenport, The Iron Blast Furnace, Pergamon, 1979, ch. 3-5
(two-zone heat balance, shaft efficiency);
M.W. Chase, NIST-JANAF Thermochemical Tables, 4th ed., J. Phys. Chem. Ref. Data Monograph 9
(1998) (JANAF): formation enthalpies of Fe2O3 (-824.248), Fe3O4 (-1120.894) and FeO
(-272.044 kJ/mol);
R.A. Robie, B.S. Hemingway, USGS Bulletin 2131 (1995) (R&H 1995): calcite (-1207.4),
magnesite (-1113.3), siderite (-755.9), goethite (-559.3), CaO (-635.1), MgO (-601.6 kJ/mol)
[L: typed from the tables' commonly quoted values; verify against the original];
USTB-XLS, CO-excess factor n(T) of the Fe/FeO-CO equilibrium (PRIMER §4): eta_eq = 1/n.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from burden.chemistry._arrays import _a
from burden.chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL as _VM
from burden.chemistry.elements import molar_mass
from burden.chemistry.thermo_data import (
    NASA_COEFFICIENTS,
    R_J_PER_MOL_K,
    T_REF_K,
    cp_j_per_mol_k,
    enthalpy_j_per_mol,
    formation_enthalpy_j_per_mol,
    sensible_enthalpy_j_per_mol,
)

_K = 273.15

#: Standard enthalpies of formation at 298.15 K, kJ/mol, of the condensed phases the
#: balances use (JANAF 1998 for the iron oxides; R&H 1995 for carbonates, goethite, CaO, MgO).
FORMATION_KJ_PER_MOL: dict[str, float] = {
    "Fe2O3": -824.248, "Fe3O4": -1120.894, "FeO": -272.044,
    "CaCO3": -1207.4, "MgCO3": -1113.3, "FeCO3": -755.9, "FeOOH": -559.3,
    "CaO": -635.1, "MgO": -601.6,
}


def _hf_gas(s: str) -> float:
    return formation_enthalpy_j_per_mol(s) / 1000.0


# -- reaction heats (Hess at 25 degC), computed, never typed ---------------------------------
#: C + 1/2 O2 = CO, kJ/kg C (NASA: -110.53 kJ/mol CO).
C_TO_CO_KJ_PER_KG_C: float = -_hf_gas("CO") / molar_mass("C") * 1000.0
#: CO + 1/2 O2 = CO2, kJ/Nm3 CO.
CO_TO_CO2_KJ_PER_NM3: float = -(_hf_gas("CO2") - _hf_gas("CO")) / _VM * 1000.0
#: H2 + 1/2 O2 = H2O(g), kJ/Nm3 H2 (also the decomposition of water vapour per Nm3 H2O).
H2_TO_H2O_KJ_PER_NM3: float = -_hf_gas("H2O") / _VM * 1000.0
#: Fe2O3 = 2 Fe + 3/2 O2, kJ/kg Fe2O3 (JANAF).
FE2O3_KJ_PER_KG: float = -FORMATION_KJ_PER_MOL["Fe2O3"] / molar_mass("Fe2O3") * 1000.0
#: FeO bound in magnetite (Fe3O4 = FeO.Fe2O3): Hf(Fe2O3) - Hf(Fe3O4) per kg FeO (JANAF, Hess).
FEO_IN_MAGNETITE_KJ_PER_KG: float = (FORMATION_KJ_PER_MOL["Fe2O3"] - FORMATION_KJ_PER_MOL["Fe3O4"]) \
    / molar_mass("FeO") * 1000.0
#: Free FeO (wüstite, silicate-bound taken alike) = Fe + 1/2 O2, kJ/kg FeO (JANAF).
FEO_KJ_PER_KG: float = -FORMATION_KJ_PER_MOL["FeO"] / molar_mass("FeO") * 1000.0
#: FeO + C = Fe + CO per kg Fe directly reduced, kJ/kg Fe (JANAF FeO, NASA CO).
DIRECT_REDUCTION_KJ_PER_KG_FE: float = (FORMATION_KJ_PER_MOL["FeO"] * -1.0 + _hf_gas("CO")) \
    / molar_mass("Fe") * 1000.0
#: Carbonate decomposition MCO3 = MO + CO2, kJ per kg CO2 released (R&H 1995, NASA CO2).
CARBONATE_KJ_PER_KG_CO2: dict[str, float] = {
    "CaCO3": (FORMATION_KJ_PER_MOL["CaO"] + _hf_gas("CO2") - FORMATION_KJ_PER_MOL["CaCO3"]) / molar_mass("CO2") * 1e3,
    "MgCO3": (FORMATION_KJ_PER_MOL["MgO"] + _hf_gas("CO2") - FORMATION_KJ_PER_MOL["MgCO3"]) / molar_mass("CO2") * 1e3,
    "FeCO3": (FORMATION_KJ_PER_MOL["FeO"] + _hf_gas("CO2") - FORMATION_KJ_PER_MOL["FeCO3"]) / molar_mass("CO2") * 1e3,
}
#: CO2 + C = 2 CO (solution loss, Boudouard), kJ per kg CO2 reacting (NASA).
SOLUTION_LOSS_KJ_PER_KG_CO2: float = (2 * _hf_gas("CO") - _hf_gas("CO2")) / molar_mass("CO2") * 1000.0
#: Chemically bound water, 2 FeOOH = Fe2O3 + H2O(g), kJ/kg H2O released (R&H 1995, JANAF, NASA).
DEHYDRATION_KJ_PER_KG_H2O: float = (FORMATION_KJ_PER_MOL["Fe2O3"] + _hf_gas("H2O") - 2 * FORMATION_KJ_PER_MOL["FeOOH"]) \
    / molar_mass("H2O") * 1000.0
#: H2O(g) + C = CO + H2 (water gas), kJ per kg H2O reacting (NASA).
WATER_GAS_KJ_PER_KG_H2O: float = (_hf_gas("CO") - _hf_gas("H2O")) / molar_mass("H2O") * 1000.0


# -- equilibria at the thermal reserve zone -------------------------------------------------
def _entropy_j_per_mol_k(species: str, t: np.ndarray) -> np.ndarray:
    """Absolute entropy of a NASA-Glenn gas, J/(mol K) (McBride 2002, S/R with b2)."""
    low, high = NASA_COEFFICIENTS[species][0], NASA_COEFFICIENTS[species][1]
    use_low = t < low[1]
    a = np.where(use_low[..., None], np.asarray(low[2]), np.asarray(high[2]))
    b2 = np.where(use_low, low[4], high[4])
    s_r = (-a[..., 0] / (2 * t**2) - a[..., 1] / t + a[..., 2] * np.log(t) + a[..., 3] * t + a[..., 4] * t**2 / 2
           + a[..., 5] * t**3 / 3 + a[..., 6] * t**4 / 4 + b2)
    return R_J_PER_MOL_K * s_r


def water_gas_shift_constant(temperature_c: ArrayLike) -> np.ndarray:
    """K = p_CO2 p_H2 / (p_CO p_H2O) of CO + H2O = CO2 + H2 from NASA data (McBride 2002).

    About 1.0 near 830 degC and 0.6 at 1000 degC.
    """
    t = _a(temperature_c) + _K
    dh = sum(c * enthalpy_j_per_mol(s, t) for s, c in (("CO2", 1), ("H2", 1), ("CO", -1), ("H2O", -1)))
    ds = sum(c * _entropy_j_per_mol_k(s, t) for s, c in (("CO2", 1), ("H2", 1), ("CO", -1), ("H2O", -1)))
    return np.exp(-(dh - t * ds) / (R_J_PER_MOL_K * t))


def wustite_eta_co_eq(temperature_c: ArrayLike) -> np.ndarray:
    """CO2/(CO+CO2) of the Fe/FeO-CO equilibrium, fraction: 1/n with USTB-XLS's CO-excess
    factor n (700-1200 degC; :func:`burden.chemistry.heat.co_excess_factor`): 0.315 at
    900 degC, 0.284 at 1000 degC.  Raises ``ValueError`` outside 700-1200 degC."""
    from burden.chemistry.heat import co_excess_factor

    return 1.0 / co_excess_factor(temperature_c)


def wustite_eta_h2_eq(temperature_c: ArrayLike) -> np.ndarray:
    """H2O/(H2+H2O) of the Fe/FeO-H2 equilibrium, fraction, by Hess from the CO equilibrium
    and the water-gas shift: p_H2O/p_H2 = (p_CO2/p_CO)_eq / K_shift.  About 0.40 at 1000 degC
    (more favourable than CO above about 820 degC, where K_shift = 1)."""
    e = wustite_eta_co_eq(temperature_c)
    r = e / (1.0 - e) / water_gas_shift_constant(temperature_c)
    return r / (1.0 + r)


# -- carbonates and iron oxides of a material ----------------------------------------------
def carbonate_split_co2(cao: float, mgo: float, feo: float, co2: float) -> dict[str, float]:
    """CO2 of one analysis (wt %) apportioned to CaCO3, MgCO3 and FeCO3.

    CaO and MgO take CO2 pro rata to their stoichiometric capacity (dolomite CaMg(CO3)2 gives
    both); CO2 beyond CaO + MgO is siderite (FeCO3) up to the FeO present; CO2 beyond that is
    counted as CaCO3 (stated, not hidden).  Returns wt % CO2 per carbonate.
    """
    cap_ca = cao * molar_mass("CO2") / molar_mass("CaO")
    cap_mg = mgo * molar_mass("CO2") / molar_mass("MgO")
    cap = cap_ca + cap_mg
    if co2 <= 0:
        return {"CaCO3": 0.0, "MgCO3": 0.0, "FeCO3": 0.0}
    if co2 <= cap:
        return {"CaCO3": co2 * cap_ca / cap, "MgCO3": co2 * cap_mg / cap, "FeCO3": 0.0}
    rest = co2 - cap
    fe = min(rest, feo * molar_mass("CO2") / molar_mass("FeO"))
    return {"CaCO3": cap_ca + rest - fe, "MgCO3": cap_mg, "FeCO3": fe}


def carbonate_heat_kj_per_kg(cao: float, mgo: float, feo: float, co2: float) -> dict[str, float]:
    """Decomposition heat of a material's carbonates, kJ per kg material, per species
    (``CaCO3``, ``MgCO3``, ``FeCO3``), on a CO2 basis (:data:`CARBONATE_KJ_PER_KG_CO2`)."""
    sp = carbonate_split_co2(cao, mgo, feo, co2)
    return {k: v / 100.0 * CARBONATE_KJ_PER_KG_CO2[k] for k, v in sp.items()}


def iron_oxide_heat_kj_per_kg(fe2o3: float, feo: float) -> float:
    """Decomposition heat of a material's iron oxides to Fe, kJ per kg material.

    FeO is bound in magnetite (Fe3O4 = FeO.Fe2O3) up to one mole per mole Fe2O3 and
    decomposes with the magnetite value; any excess is free wüstite (JANAF, Hess).
    """
    feo_mag = min(feo, fe2o3 * molar_mass("FeO") / molar_mass("Fe2O3"))
    return (fe2o3 * FE2O3_KJ_PER_KG + feo_mag * FEO_IN_MAGNETITE_KJ_PER_KG
            + (feo - feo_mag) * FEO_KJ_PER_KG) / 100.0


# -- sensible heats ---------------------------------------------------------------------------
def gas_sensible_kj(volumes_nm3: dict, temperature_c: ArrayLike) -> np.ndarray:
    """Sensible heat of a gas from 25 degC, kJ (NASA, McBride 2002)."""
    t = _a(temperature_c) + _K
    return sum(_a(v) / _VM * sensible_enthalpy_j_per_mol(s, t) for s, v in volumes_nm3.items())


def gas_temperature_for_heat(volumes_nm3: dict, heat_kj: ArrayLike, guess_c: float = 150.0,
                             iterations: int = 4) -> np.ndarray:
    """Temperature (degC) at which a gas holds ``heat_kj`` of sensible heat above 25 degC.

    Newton on the NASA enthalpies with a fixed number of steps (smooth in its inputs, so
    finite-difference derivatives of it are clean); the sensible heat is nearly linear in T,
    four steps reach 1e-9 relative from 150 degC.
    """
    t = np.zeros(np.broadcast(_a(heat_kj), *[_a(v) for v in volumes_nm3.values()]).shape) + guess_c + _K
    q = _a(heat_kj)
    for _ in range(iterations):
        h = sum(_a(v) / _VM * sensible_enthalpy_j_per_mol(s, t) for s, v in volumes_nm3.items())
        cp = sum(_a(v) / _VM * cp_j_per_mol_k(s, t) for s, v in volumes_nm3.items())
        t = t - (h - q) / cp
    return t - _K


def gas_temperature_for_heat_fast(volumes_nm3: dict, heat_kj: ArrayLike, guess_c: float = 150.0,
                                  iterations: int = 4) -> np.ndarray:
    """As :func:`gas_temperature_for_heat`, for gases below 1000 K (the top gas): the mixture's
    enthalpy is itself a NASA polynomial whose coefficients are the mole-weighted sums of the
    species' low-interval coefficients (McBride 2002), so each Newton step evaluates one
    polynomial instead of one per species.  Same result to rounding below 726.85 degC; above
    it the low-interval fit is extrapolated (a top gas that hot is flagged anyway)."""
    n = {s: _a(v) / _VM for s, v in volumes_nm3.items()}
    a = sum(n[s][..., None] * np.asarray(NASA_COEFFICIENTS[s][0][2]) for s in n)       # (..., 7)
    b1 = sum(n[s] * NASA_COEFFICIENTS[s][0][3] for s in n)
    t0 = T_REF_K

    def h(t):
        return R_J_PER_MOL_K * (-a[..., 0] / t + a[..., 1] * np.log(t) + a[..., 2] * t + a[..., 3] * t**2 / 2.0
                                + a[..., 4] * t**3 / 3.0 + a[..., 5] * t**4 / 4.0 + a[..., 6] * t**5 / 5.0 + b1)

    def cp(t):
        return R_J_PER_MOL_K * (a[..., 0] / t**2 + a[..., 1] / t + a[..., 2] + a[..., 3] * t + a[..., 4] * t**2
                                + a[..., 5] * t**3 + a[..., 6] * t**4)

    q = _a(heat_kj) + h(t0)
    t = np.zeros(np.broadcast(q, b1).shape) + guess_c + _K
    # a heat far below what the gas holds at 0 K (a top gas that cannot exist, at an iterate far
    # from a solution) sends Newton below 0 K: NaN there, which the solvers treat as infeasible,
    # not a numpy warning to the user
    with np.errstate(invalid="ignore", divide="ignore"):
        for _ in range(iterations):
            t = t - (h(t) - q) / cp(t)
    return t - _K


def carbon_sensible_kj_per_kg(temperature_c: ArrayLike) -> np.ndarray:
    """Sensible heat of graphite from 25 degC, kJ/kg C (NASA, McBride, Gordon & Reno 1993)."""
    return sensible_enthalpy_j_per_mol("C(gr)", _a(temperature_c) + _K) / molar_mass("C")
