"""Top gas volume and composition from C, O, H and N balances.

Sources of the dry top gas per tHM (PRIMER section 4; USTB-HW method):

- tuyeres: every O of the blast (O2, moisture) and of the injectants burns
  one C to CO; blast moisture and injectant H give H2; blast and fuel N2 pass;
- direct reduction (Fe, Si, Mn, P, Ti, V, desulphurisation): one CO per C;
- indirect reduction: Fe2O3 -> FeO and MnO2 -> MnO by CO (one CO2 per
  formula unit), FeO -> Fe by CO for the fraction 1 - r_d of the reduced Fe
  that hydrogen does not reduce;
- hydrogen: a fraction eta_H2 of all H2 reduces FeO to H2O; the rest leaves
  as H2; ``eta_h2=None`` closes the balance with eta_H2 = eta_CO
  (solved exactly: eta_CO is linear in eta_H2);
- carbonates: ore carbonate CO2 passes; a fraction of the flux CO2 reacts
  with coke (CO2 + C = 2 CO) and the rest passes;
- chemically bound water: a fraction reacts with coke (H2O + C = CO + H2),
  the rest leaves as vapour;
- fuel volatiles (CO, CO2, H2, N2, CH4) pass unchanged.

eta_CO is reported as CO2/(CO + CO2) of the top gas. Volumes in Nm3/tHM
(0 degC, 101.325 kPa), masses in kg/tHM; every factor from atomic masses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from burden.chemistry.carbon import (
    solution_loss_carbon_kg,
    tuyere_carbon_kg,
    water_gas_carbon_kg,
)
from burden.chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL as _VM
from burden.chemistry.elements import molar_mass
from burden.chemistry._arrays import _a


def gas_utilisation(co: ArrayLike, co2: ArrayLike) -> np.ndarray:
    """CO gas utilisation eta_CO = CO2 / (CO + CO2), fraction.

    Parameters
    ----------
    co, co2 : float or array
        CO and CO2 in the top gas (any common unit: Nm3, vol %, kmol).

    Returns
    -------
    numpy.ndarray
        eta_CO, fraction.

    References
    ----------
    USTB-NB; Geerdes 2009.
    """
    co, co2 = _a(co), _a(co2)
    return co2 / (co + co2)


def carbonate_co2_kg(
    cao_kg: ArrayLike = 0.0, mgo_kg: ArrayLike = 0.0, feo_kg: ArrayLike = 0.0, mno_kg: ArrayLike = 0.0
) -> np.ndarray:
    """CO2 bound as carbonates with given oxides (CaCO3, MgCO3, FeCO3, MnCO3), kg.

    CO2 = CaO M_CO2/M_CaO + MgO M_CO2/M_MgO + FeO M_CO2/M_FeO + MnO M_CO2/M_MnO,
    for use when an analysis gives the carbonate oxides but not its CO2.

    Parameters
    ----------
    cao_kg, mgo_kg, feo_kg, mno_kg : float or array
        Oxide present as carbonate, kg.

    Returns
    -------
    numpy.ndarray
        kg CO2.

    References
    ----------
    Stoichiometry; PRIMER section 9 (dolomite from stoichiometry).
    """
    m = molar_mass("CO2")
    return (_a(cao_kg) * m / molar_mass("CaO") + _a(mgo_kg) * m / molar_mass("MgO")
            + _a(feo_kg) * m / molar_mass("FeO") + _a(mno_kg) * m / molar_mass("MnO"))


@dataclass(frozen=True)
class TopGas:
    """Top gas per tHM.

    Attributes
    ----------
    co_nm3, co2_nm3, h2_nm3, n2_nm3, ch4_nm3 : dry top gas components, Nm3/tHM
    dry_nm3 : dry top gas, Nm3/tHM
    h2o_nm3 : water vapour from H2 reduction and unreacted bound water, Nm3/tHM
    co_pct, co2_pct, h2_pct, n2_pct, ch4_pct : dry composition, vol %
    eta_co : CO2/(CO+CO2), fraction
    eta_h2 : H2 used / H2 in, fraction
    tuyere_carbon_kg : C burnt at the tuyeres, kg/tHM
    solution_loss_carbon_kg, water_gas_carbon_kg : kg/tHM
    indirect_co_nm3 : CO consumed by indirect reduction (= CO2 formed), Nm3/tHM
    h2_reduction_nm3 : H2 consumed by reduction, Nm3/tHM
    hydrogen_in_nm3 : all H2 entering, Nm3/tHM
    dry_mass_kg : mass of the dry top gas, kg/tHM
    """

    co_nm3: np.ndarray
    co2_nm3: np.ndarray
    h2_nm3: np.ndarray
    n2_nm3: np.ndarray
    ch4_nm3: np.ndarray
    dry_nm3: np.ndarray
    h2o_nm3: np.ndarray
    co_pct: np.ndarray
    co2_pct: np.ndarray
    h2_pct: np.ndarray
    n2_pct: np.ndarray
    ch4_pct: np.ndarray
    eta_co: np.ndarray
    eta_h2: np.ndarray
    tuyere_carbon_kg: np.ndarray
    solution_loss_carbon_kg: np.ndarray
    water_gas_carbon_kg: np.ndarray
    indirect_co_nm3: np.ndarray
    h2_reduction_nm3: np.ndarray
    hydrogen_in_nm3: np.ndarray
    dry_mass_kg: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        """Fields as a dict (keys as the attribute names)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def top_gas(
    *,
    blast_nm3: ArrayLike,
    iron_reduced_kg: ArrayLike,
    direct_reduction_degree: ArrayLike,
    moisture_fraction: ArrayLike = 0.0,
    oxygen_nm3: ArrayLike = 0.0,
    dry_blast_o2_fraction: ArrayLike = 0.21,
    injectant_oxygen_nm3: ArrayLike = 0.0,
    injectant_hydrogen_nm3: ArrayLike = 0.0,
    injectant_nitrogen_nm3: ArrayLike = 0.0,
    direct_carbon_kg: ArrayLike = 0.0,
    fe2o3_kg: ArrayLike = 0.0,
    mno2_kg: ArrayLike = 0.0,
    ore_co2_kg: ArrayLike = 0.0,
    flux_co2_kg: ArrayLike = 0.0,
    flux_co2_reacting_fraction: ArrayLike = 0.5,
    bound_water_kg: ArrayLike = 0.0,
    bound_water_reacting_fraction: ArrayLike = 0.3,
    volatile_co_nm3: ArrayLike = 0.0,
    volatile_co2_nm3: ArrayLike = 0.0,
    volatile_h2_nm3: ArrayLike = 0.0,
    volatile_n2_nm3: ArrayLike = 0.0,
    volatile_ch4_nm3: ArrayLike = 0.0,
    eta_h2: ArrayLike | None = None,
) -> TopGas:
    """Top gas volume and composition from C, O, H and N balances.

    Parameters
    ----------
    blast_nm3 : float or array
        Wet blast, Nm3/tHM.
    iron_reduced_kg : float or array
        Fe reduced in the furnace from FeO, kg/tHM (10 [Fe] minus metallic Fe
        charged).
    direct_reduction_degree : float or array
        r_d, fraction of ``iron_reduced_kg`` reduced by carbon.
    moisture_fraction : float or array
        Blast moisture, volume fraction of the wet blast.
    oxygen_nm3 : float or array
        Technical O2, Nm3/tHM.
    dry_blast_o2_fraction : float or array
        O2 fraction of the dry blast (0.21 for air).
    injectant_oxygen_nm3 : float or array
        O2 equivalent of injectant O and H2O, Nm3/tHM
        (:func:`burden.chemistry.carbon.injectant_oxygen_nm3`).
    injectant_hydrogen_nm3, injectant_nitrogen_nm3 : float or array
        H2 (from injectant H and H2O) and N2 of the injectants, Nm3/tHM.
    direct_carbon_kg : float or array
        Carbon gasified by direct reduction of Fe, Si, Mn, P, Ti, V and by
        desulphurisation, kg/tHM (each C takes one O from the charge).
        Excludes solution loss and water gas, computed here.
    fe2o3_kg, mno2_kg : float or array
        Fe2O3 and MnO2 charged (net of dust), reduced by CO to FeO and MnO, kg/tHM.
    ore_co2_kg : float or array
        Carbonate CO2 of ores (net of dust), passing to the gas, kg/tHM.
    flux_co2_kg, flux_co2_reacting_fraction : float or array
        Flux carbonate CO2, kg/tHM, and the part reacting with coke (USTB-HW 0.5).
    bound_water_kg, bound_water_reacting_fraction : float or array
        Chemically bound water, kg/tHM, and the part reacting with carbon
        (USTB-HW 0.3).
    volatile_co_nm3, volatile_co2_nm3, volatile_h2_nm3, volatile_n2_nm3, volatile_ch4_nm3
        Fuel volatiles passing to the top gas, Nm3/tHM.
    eta_h2 : float, array or None
        Hydrogen utilisation, fraction; None for the closure eta_H2 = eta_CO.

    Returns
    -------
    TopGas
        Volumes Nm3/tHM, composition vol %, utilisations as fractions.

    References
    ----------
    USTB-HW top-gas calculation (as coded in irumeria/blast_furnace_calculation,
    get_topgas_volumn; re-derived here from element balances); USTB-NB;
    PRIMER section 4.
    """
    mc, mco2, mh2o = molar_mass("C"), molar_mass("CO2"), molar_mass("H2O")
    phi = _a(moisture_fraction)
    v = _a(blast_nm3)
    c_t = tuyere_carbon_kg(v, phi, oxygen_nm3, injectant_oxygen_nm3, dry_blast_o2_fraction)
    c_sl = solution_loss_carbon_kg(flux_co2_kg, flux_co2_reacting_fraction)
    c_wg = water_gas_carbon_kg(bound_water_kg, bound_water_reacting_fraction)

    # hydrogen entering (Nm3 H2): blast moisture, injectants, volatiles, water gas
    h_in = (phi * v + _a(injectant_hydrogen_nm3) + _a(volatile_h2_nm3)
            + c_wg / mc * _VM)

    # CO2 not depending on eta_H2
    co2_higher = (_a(fe2o3_kg) / molar_mass("Fe2O3") + _a(mno2_kg) / molar_mass("MnO2")) * _VM
    co2_feo_total = (1.0 - _a(direct_reduction_degree)) * _a(iron_reduced_kg) / molar_mass("Fe") * _VM
    flux_co2 = _a(flux_co2_kg)
    co2_pass = (_a(ore_co2_kg) / mco2 * _VM
                + flux_co2 * (1.0 - _a(flux_co2_reacting_fraction)) / mco2 * _VM
                + _a(volatile_co2_nm3))
    # all gasified carbon as CO + CO2 (CH4 passes separately)
    c_gas_nm3 = ((c_t + _a(direct_carbon_kg) + c_sl + c_wg) / mc * _VM
                 + flux_co2 * _a(flux_co2_reacting_fraction) / mco2 * _VM
                 + co2_pass + _a(volatile_co_nm3))
    k = co2_higher + co2_feo_total + co2_pass
    if eta_h2 is None:
        # eta = (K - eta H) / G  ->  eta = K / (G + H)
        eta = k / (c_gas_nm3 + h_in)
    else:
        eta = _a(eta_h2)
    h2_red = eta * h_in
    co2 = k - h2_red
    co = c_gas_nm3 - co2
    h2 = h_in - h2_red
    n2 = v * (1.0 - phi) * (1.0 - _a(dry_blast_o2_fraction)) + _a(injectant_nitrogen_nm3) + _a(volatile_n2_nm3)
    ch4 = _a(volatile_ch4_nm3)
    h2o = h2_red + _a(bound_water_kg) * (1.0 - _a(bound_water_reacting_fraction)) / mh2o * _VM
    dry = co + co2 + h2 + n2 + ch4
    mass = (co * molar_mass("CO") + co2 * mco2 + h2 * molar_mass("H2") + n2 * molar_mass("N2")
            + ch4 * molar_mass("CH4")) / _VM
    shape = np.broadcast(dry, eta, c_t).shape
    b = lambda x: np.broadcast_to(_a(x), shape).copy()  # noqa: E731
    return TopGas(
        co_nm3=b(co), co2_nm3=b(co2), h2_nm3=b(h2), n2_nm3=b(n2), ch4_nm3=b(ch4),
        dry_nm3=b(dry), h2o_nm3=b(h2o),
        co_pct=b(100 * co / dry), co2_pct=b(100 * co2 / dry), h2_pct=b(100 * h2 / dry),
        n2_pct=b(100 * n2 / dry), ch4_pct=b(100 * ch4 / dry),
        eta_co=b(gas_utilisation(co, co2)), eta_h2=b(eta),
        tuyere_carbon_kg=b(c_t), solution_loss_carbon_kg=b(c_sl), water_gas_carbon_kg=b(c_wg),
        indirect_co_nm3=b(k - co2_pass - h2_red), h2_reduction_nm3=b(h2_red),
        hydrogen_in_nm3=b(h_in), dry_mass_kg=b(mass),
    )
