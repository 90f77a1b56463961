"""Carbon balance of the blast furnace per tonne of hot metal (tHM).

Tuyere carbon from the blast, carbon dissolved in hot metal, carbon consumed
by direct reduction of Fe and of Si, Mn, P, Ti, V, by desulphurisation, by the
solution loss of flux CO2 and by the water-gas reaction of chemically bound
water; the fuel rate from the fuels' fixed carbon; and the inverse (blast
needed for a tuyere-carbon demand). Equations: PRIMER section 4, from USTB-NB
and USTB-HW. Every stoichiometric factor is computed from IUPAC atomic masses
(:mod:`burden.chemistry.elements`), never typed by hand.

Units: rates kg/tHM, gas volumes Nm3/tHM (0 degC, 101.325 kPa), hot-metal
and analysis compositions wt %, moisture of the blast as a volume fraction.
All functions accept floats or numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from burden.chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL, molar_mass
from burden.chemistry._arrays import _a

_C = molar_mass("C")

#: O2 needed to burn 1 kg of C to CO, Nm3/kg: 0.5 * 22.414 / 12.011 = 0.9331 (USTB-NB).
O2_NM3_PER_KG_C_TO_CO: float = 0.5 * MOLAR_VOLUME_NM3_PER_KMOL / _C

#: kg C per kg Fe for FeO + C = Fe + CO.
C_PER_FE: float = _C / molar_mass("Fe")


def blast_oxygen_nm3(
    blast_nm3: ArrayLike,
    moisture_fraction: ArrayLike = 0.0,
    oxygen_nm3: ArrayLike = 0.0,
    dry_blast_o2_fraction: ArrayLike = 0.21,
) -> np.ndarray:
    """Oxygen brought to the tuyeres by the blast, as Nm3 O2 per tHM.

    O2 = V_blast * ((1 - phi) * x_O2 + 0.5 * phi) + V_O2; with x_O2 = 0.21
    this is V_blast * (0.21 + 0.29 phi) + V_O2 (USTB-NB).

    Parameters
    ----------
    blast_nm3 : float or array
        Wet blast volume (air + moisture), Nm3/tHM.
    moisture_fraction : float or array
        Blast moisture phi, volume fraction of the wet blast (0.015 = 1.5 %).
    oxygen_nm3 : float or array
        Technical oxygen added, Nm3/tHM (counted as pure O2).
    dry_blast_o2_fraction : float or array
        O2 volume fraction of the dry blast, 0.21 for air.

    Returns
    -------
    numpy.ndarray
        O2 equivalent, Nm3/tHM (water counts as 0.5 O2 per H2O).

    References
    ----------
    USTB-NB, Blast Theoretical Fuel Rate Calculation (PRIMER section 4).
    """
    phi = _a(moisture_fraction)
    return _a(blast_nm3) * ((1.0 - phi) * _a(dry_blast_o2_fraction) + 0.5 * phi) + _a(oxygen_nm3)


def injectant_oxygen_nm3(
    injectant_kg: ArrayLike, o_pct: ArrayLike = 0.0, h2o_pct: ArrayLike = 0.0
) -> np.ndarray:
    """O2 equivalent of an injectant's oxygen and water, Nm3 O2 per tHM.

    Each O atom of the injectant gasifies one C to CO at the tuyeres, like
    blast oxygen: O2 = m * (O/100 / M_O2 + 0.5 * H2O/100 / M_H2O) * 22.414.

    Parameters
    ----------
    injectant_kg : float or array
        Injection rate, kg/tHM.
    o_pct : float or array
        Oxygen in the injectant (ultimate analysis), wt %.
    h2o_pct : float or array
        Water in the injectant, wt %.

    Returns
    -------
    numpy.ndarray
        Nm3 O2 per tHM.

    References
    ----------
    USTB-HW blast calculation (coal O and H2O reduce the blast demand).
    """
    m = _a(injectant_kg) / 100.0
    kmol_o2 = m * (_a(o_pct) / molar_mass("O2") + 0.5 * _a(h2o_pct) / molar_mass("H2O"))
    return kmol_o2 * MOLAR_VOLUME_NM3_PER_KMOL


def tuyere_carbon_kg(
    blast_nm3: ArrayLike,
    moisture_fraction: ArrayLike = 0.0,
    oxygen_nm3: ArrayLike = 0.0,
    injectant_oxygen_nm3: ArrayLike = 0.0,
    dry_blast_o2_fraction: ArrayLike = 0.21,
) -> np.ndarray:
    """Carbon burnt to CO at the tuyeres, kg/tHM.

    C_tuyere = (V_blast (0.21 + 0.29 phi) + V_O2 + O2_injectant) / 0.9331.

    Parameters
    ----------
    blast_nm3 : float or array
        Wet blast, Nm3/tHM.
    moisture_fraction : float or array
        Blast moisture, volume fraction.
    oxygen_nm3 : float or array
        Technical O2, Nm3/tHM.
    injectant_oxygen_nm3 : float or array
        O2 equivalent of injectant O and water, Nm3/tHM
        (see :func:`injectant_oxygen_nm3`).
    dry_blast_o2_fraction : float or array
        O2 fraction of the dry blast.

    Returns
    -------
    numpy.ndarray
        kg C/tHM.

    References
    ----------
    USTB-NB (PRIMER section 4).
    """
    o2 = blast_oxygen_nm3(blast_nm3, moisture_fraction, oxygen_nm3, dry_blast_o2_fraction)
    return (o2 + _a(injectant_oxygen_nm3)) / O2_NM3_PER_KG_C_TO_CO


def blast_for_tuyere_carbon_nm3(
    tuyere_carbon: ArrayLike,
    moisture_fraction: ArrayLike = 0.0,
    oxygen_nm3: ArrayLike = 0.0,
    injectant_oxygen_nm3: ArrayLike = 0.0,
    dry_blast_o2_fraction: ArrayLike = 0.21,
) -> np.ndarray:
    """Wet blast needed to burn a given tuyere carbon, Nm3/tHM (inverse of
    :func:`tuyere_carbon_kg`).

    V_blast = (0.9331 C_tuyere - V_O2 - O2_injectant) / ((1 - phi) x_O2 + 0.5 phi).

    Parameters
    ----------
    tuyere_carbon : float or array
        Carbon burnt at the tuyeres, kg/tHM.
    moisture_fraction, oxygen_nm3, injectant_oxygen_nm3, dry_blast_o2_fraction
        As in :func:`tuyere_carbon_kg`.

    Returns
    -------
    numpy.ndarray
        Wet blast, Nm3/tHM.

    References
    ----------
    USTB-HW blast calculation; USTB-NB.
    """
    phi = _a(moisture_fraction)
    per_nm3 = (1.0 - phi) * _a(dry_blast_o2_fraction) + 0.5 * phi
    need = _a(tuyere_carbon) * O2_NM3_PER_KG_C_TO_CO - _a(oxygen_nm3) - _a(injectant_oxygen_nm3)
    return need / per_nm3


def hot_metal_carbon_pct(
    temperature_c: ArrayLike,
    p_pct: ArrayLike = 0.0,
    ti_pct: ArrayLike = 0.0,
    s_pct: ArrayLike = 0.0,
    mn_pct: ArrayLike = 0.0,
    si_pct: ArrayLike = 0.0,
    coeffs: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Carbon dissolved in hot metal, wt %.

    [C] = 1.34 + 2.45e-3 T - 0.35[P] + 0.17[Ti] - 0.54[S] + 0.04[Mn] - 0.30[Si].

    Parameters
    ----------
    temperature_c : float or array
        Hot-metal temperature, degC.
    p_pct, ti_pct, s_pct, mn_pct, si_pct : float or array
        Hot-metal composition, wt %.
    coeffs : mapping, optional
        The correlation's coefficients (keys const, T, P, Ti, S, Mn, Si), e.g.
        ``scenario.parameters.hm_carbon``; default the published ones
        (:data:`burden.core.parameters.PARAMETERS`, ``hm_carbon_*``).

    Returns
    -------
    numpy.ndarray
        [C], wt %.

    References
    ----------
    USTB-NB, Blast Theoretical Fuel Rate Calculation.
    """
    from burden.core.parameters import ModelParameters

    k = coeffs if coeffs is not None else ModelParameters.default().hm_carbon
    return (k["const"] + k["T"] * _a(temperature_c) + k["P"] * _a(p_pct) + k["Ti"] * _a(ti_pct)
            + k["S"] * _a(s_pct) + k["Mn"] * _a(mn_pct) + k["Si"] * _a(si_pct))


def hot_metal_iron_pct(
    c_pct: ArrayLike,
    si_pct: ArrayLike = 0.0,
    mn_pct: ArrayLike = 0.0,
    p_pct: ArrayLike = 0.0,
    s_pct: ArrayLike = 0.0,
    ti_pct: ArrayLike = 0.0,
    v_pct: ArrayLike = 0.0,
) -> np.ndarray:
    """Fe in hot metal by difference, wt %: 100 - C - Si - Mn - P - S - Ti - V.

    References
    ----------
    USTB-NB (Fe closes the hot-metal analysis).
    """
    return 100.0 - sum(_a(x) for x in (c_pct, si_pct, mn_pct, p_pct, s_pct, ti_pct, v_pct))


def direct_reduction_carbon_fe_kg(
    fe_pct: ArrayLike, direct_reduction_degree: ArrayLike, metallic_fe_kg: ArrayLike = 0.0
) -> np.ndarray:
    """Carbon for direct reduction of iron, kg/tHM.

    C_dFe = (M_C/M_Fe) * r_d * (10 [Fe] - Fe charged as metal), FeO + C = Fe + CO.

    Parameters
    ----------
    fe_pct : float or array
        Fe in hot metal, wt %.
    direct_reduction_degree : float or array
        r_d, fraction of the Fe reduced from FeO by carbon (0.35-0.50).
    metallic_fe_kg : float or array
        Metallic Fe charged (scrap), kg/tHM; it needs no reduction.

    Returns
    -------
    numpy.ndarray
        kg C/tHM.

    References
    ----------
    USTB-NB; USTB-HW (PRIMER section 4).
    """
    return C_PER_FE * _a(direct_reduction_degree) * (10.0 * _a(fe_pct) - _a(metallic_fe_kg))


def minor_reduction_carbon_kg(
    si_pct: ArrayLike = 0.0,
    mn_pct: ArrayLike = 0.0,
    p_pct: ArrayLike = 0.0,
    ti_pct: ArrayLike = 0.0,
    v_pct: ArrayLike = 0.0,
) -> np.ndarray:
    """Carbon for reducing Si, Mn, P, Ti and V into hot metal, kg/tHM.

    SiO2 + 2C, MnO + C, P2O5 + 5C (per 2 P), TiO2 + 2C, V2O5 + 5C (per 2 V):
    C = 10 ([Si] 2C/Si + [Mn] C/Mn + [P] 5C/2P + [Ti] 2C/Ti + [V] 5C/2V).

    Parameters
    ----------
    si_pct, mn_pct, p_pct, ti_pct, v_pct : float or array
        Hot-metal composition, wt %.

    Returns
    -------
    numpy.ndarray
        kg C/tHM.

    References
    ----------
    USTB-NB (PRIMER section 4: 24/28, 12/55, 60/62, 24/48, 60/102).
    """
    return 10.0 * (
        _a(si_pct) * 2 * _C / molar_mass("Si")
        + _a(mn_pct) * _C / molar_mass("Mn")
        + _a(p_pct) * 5 * _C / (2 * molar_mass("P"))
        + _a(ti_pct) * 2 * _C / molar_mass("Ti")
        + _a(v_pct) * 5 * _C / (2 * molar_mass("V"))
    )


def desulphurisation_carbon_kg(slag_kg: ArrayLike, slag_s_pct: ArrayLike) -> np.ndarray:
    """Carbon consumed by desulphurisation, kg/tHM.

    [FeS] + (CaO) + C = (CaS) + Fe + CO: C = slag * (S)/100 * M_C/M_S.

    Parameters
    ----------
    slag_kg : float or array
        Slag rate, kg/tHM.
    slag_s_pct : float or array
        Sulphur in slag (as S, not "S/2"), wt %.

    Returns
    -------
    numpy.ndarray
        kg C/tHM.

    References
    ----------
    USTB-NB (PRIMER section 4).
    """
    return _a(slag_kg) * _a(slag_s_pct) / 100.0 * _C / molar_mass("S")


def solution_loss_carbon_kg(co2_kg: ArrayLike, reacting_fraction: ArrayLike = 0.5) -> np.ndarray:
    """Carbon gasified by carbonate CO2 (CO2 + C = 2 CO), kg/tHM.

    Parameters
    ----------
    co2_kg : float or array
        CO2 released by the flux carbonates, kg/tHM.
    reacting_fraction : float or array
        Part of it reacting with coke in the high-temperature zone
        (USTB-HW: 0.5 for limestone).

    Returns
    -------
    numpy.ndarray
        kg C/tHM.

    References
    ----------
    USTB-HW (limestone CO2 half reacts with carbon).
    """
    return _a(co2_kg) * _a(reacting_fraction) * _C / molar_mass("CO2")


def water_gas_carbon_kg(bound_water_kg: ArrayLike, reacting_fraction: ArrayLike = 0.3) -> np.ndarray:
    """Carbon gasified by chemically bound water (H2O + C = CO + H2), kg/tHM.

    Parameters
    ----------
    bound_water_kg : float or array
        Chemically bound (crystal) water of the burden, kg/tHM.
    reacting_fraction : float or array
        Part reacting with carbon (USTB-HW: 0.3; the rest leaves as vapour).

    Returns
    -------
    numpy.ndarray
        kg C/tHM.

    References
    ----------
    USTB-HW.
    """
    return _a(bound_water_kg) * _a(reacting_fraction) * _C / molar_mass("H2O")


def fuel_rate_kg(
    total_carbon: ArrayLike, fixed_carbon_pct: ArrayLike, mass_shares: ArrayLike | None = None
) -> np.ndarray:
    """Fuel rate supplying a carbon demand, kg/tHM.

    fuel = C_total / (sum_j s_j FC_j / 100), with s_j the fuels' mass shares.

    Parameters
    ----------
    total_carbon : float or array
        Carbon demand, kg/tHM.
    fixed_carbon_pct : float or array
        Fixed carbon of each fuel, wt % (last axis = fuels).
    mass_shares : array, optional
        Mass shares of the fuels (normalised here); equal shares if omitted.

    Returns
    -------
    numpy.ndarray
        Total fuel, kg/tHM.

    References
    ----------
    USTB-NB (fuel rate = total C / weighted fixed C).
    """
    fc = _a(fixed_carbon_pct)
    if fc.ndim == 0:
        return _a(total_carbon) / (fc / 100.0)
    s = np.ones_like(fc) if mass_shares is None else _a(mass_shares)
    weighted = (s * fc).sum(axis=-1) / s.sum(axis=-1)
    return _a(total_carbon) / (weighted / 100.0)


def fuel_carbon_kg(fuel_kg: ArrayLike, fixed_carbon_pct: ArrayLike) -> np.ndarray:
    """Carbon supplied by fuels, kg/tHM: sum_j m_j FC_j / 100 (last axis = fuels)."""
    return (_a(fuel_kg) * _a(fixed_carbon_pct) / 100.0).sum(axis=-1)


@dataclass(frozen=True)
class CarbonBalance:
    """Carbon balance per tHM (kg C/tHM unless stated).

    Attributes
    ----------
    blast_oxygen_nm3 : O2 (equivalent) at the tuyeres, Nm3/tHM
    tuyere : carbon burnt to CO at the tuyeres
    hot_metal_c_pct : [C], wt %
    dissolved : carbon dissolved in hot metal, 10 [C]
    direct_fe : direct reduction of Fe
    direct_minor : reduction of Si, Mn, P, Ti, V
    desulphurisation : desulphurisation
    solution_loss : flux CO2 + C = 2 CO
    water_gas : bound H2O + C = CO + H2
    total : sum of the above
    fuel_rate : total / weighted fixed carbon, kg fuel/tHM
    """

    blast_oxygen_nm3: np.ndarray
    tuyere: np.ndarray
    hot_metal_c_pct: np.ndarray
    dissolved: np.ndarray
    direct_fe: np.ndarray
    direct_minor: np.ndarray
    desulphurisation: np.ndarray
    solution_loss: np.ndarray
    water_gas: np.ndarray
    total: np.ndarray
    fuel_rate: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        """Fields as a dict (keys as the attribute names)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def carbon_balance(
    *,
    blast_nm3: ArrayLike,
    hot_metal_temperature_c: ArrayLike,
    direct_reduction_degree: ArrayLike,
    si_pct: ArrayLike = 0.0,
    mn_pct: ArrayLike = 0.0,
    p_pct: ArrayLike = 0.0,
    s_pct: ArrayLike = 0.0,
    ti_pct: ArrayLike = 0.0,
    v_pct: ArrayLike = 0.0,
    moisture_fraction: ArrayLike = 0.0,
    oxygen_nm3: ArrayLike = 0.0,
    injectant_oxygen_nm3: ArrayLike = 0.0,
    dry_blast_o2_fraction: ArrayLike = 0.21,
    slag_kg: ArrayLike = 0.0,
    slag_s_pct: ArrayLike = 0.0,
    metallic_fe_kg: ArrayLike = 0.0,
    flux_co2_kg: ArrayLike = 0.0,
    flux_co2_reacting_fraction: ArrayLike = 0.5,
    bound_water_kg: ArrayLike = 0.0,
    bound_water_reacting_fraction: ArrayLike = 0.3,
    hot_metal_c_pct: ArrayLike | None = None,
    fixed_carbon_pct: ArrayLike = 100.0,
    fuel_mass_shares: ArrayLike | None = None,
) -> CarbonBalance:
    """Carbon demand of the furnace from the blast and the hot metal (USTB-NB method).

    total C = C_tuyere + 10[C] + C_dFe + C_d,minor + C_dS (+ solution loss of
    flux CO2 + water gas of bound water); fuel = total C / weighted fixed C.
    [C] comes from :func:`hot_metal_carbon_pct` unless given; [Fe] closes the
    analysis (:func:`hot_metal_iron_pct`).

    Parameters
    ----------
    blast_nm3 : wet blast, Nm3/tHM
    hot_metal_temperature_c : degC
    direct_reduction_degree : r_d, fraction
    si_pct, mn_pct, p_pct, s_pct, ti_pct, v_pct : hot metal, wt %
    moisture_fraction : blast moisture, volume fraction
    oxygen_nm3 : technical O2, Nm3/tHM
    injectant_oxygen_nm3 : O2 equivalent of injectant O and H2O, Nm3/tHM
    dry_blast_o2_fraction : O2 fraction of the dry blast
    slag_kg, slag_s_pct : slag rate kg/tHM and its S, wt %
    metallic_fe_kg : metallic Fe charged, kg/tHM
    flux_co2_kg, flux_co2_reacting_fraction : flux CO2 kg/tHM and part reacting
    bound_water_kg, bound_water_reacting_fraction : bound water kg/tHM and part reacting
    hot_metal_c_pct : [C] wt % if known (else the USTB-NB formula)
    fixed_carbon_pct : fuels' fixed carbon, wt % (last axis = fuels)
    fuel_mass_shares : mass shares of the fuels for the weighted fixed carbon

    Returns
    -------
    CarbonBalance
        Terms in kg C/tHM, fuel rate in kg/tHM.

    References
    ----------
    USTB-NB, Blast Theoretical Fuel Rate Calculation; USTB-HW.
    """
    o2 = blast_oxygen_nm3(blast_nm3, moisture_fraction, oxygen_nm3, dry_blast_o2_fraction)
    o2 = o2 + _a(injectant_oxygen_nm3)
    c_t = o2 / O2_NM3_PER_KG_C_TO_CO
    c_pct = (hot_metal_carbon_pct(hot_metal_temperature_c, p_pct, ti_pct, s_pct, mn_pct, si_pct)
             if hot_metal_c_pct is None else _a(hot_metal_c_pct))
    fe = hot_metal_iron_pct(c_pct, si_pct, mn_pct, p_pct, s_pct, ti_pct, v_pct)
    dissolved = 10.0 * c_pct
    d_fe = direct_reduction_carbon_fe_kg(fe, direct_reduction_degree, metallic_fe_kg)
    d_minor = minor_reduction_carbon_kg(si_pct, mn_pct, p_pct, ti_pct, v_pct)
    d_s = desulphurisation_carbon_kg(slag_kg, slag_s_pct)
    sl = solution_loss_carbon_kg(flux_co2_kg, flux_co2_reacting_fraction)
    wg = water_gas_carbon_kg(bound_water_kg, bound_water_reacting_fraction)
    total = c_t + dissolved + d_fe + d_minor + d_s + sl + wg
    return CarbonBalance(
        blast_oxygen_nm3=o2,
        tuyere=c_t,
        hot_metal_c_pct=c_pct,
        dissolved=dissolved,
        direct_fe=d_fe,
        direct_minor=d_minor,
        desulphurisation=d_s,
        solution_loss=sl,
        water_gas=wg,
        total=total,
        fuel_rate=fuel_rate_kg(total, fixed_carbon_pct, fuel_mass_shares),
    )


#: kg CO2 per kg C, M(CO2)/M(C) = 44.009/12.011 = 3.664 (the EU ETS mass-balance factor,
#: OPERATIONS §7; computed from IUPAC atomic masses, never typed).
CO2_PER_C: float = molar_mass("CO2") / _C


def material_carbon_pct(c_pct: ArrayLike, carbonate_co2_pct: ArrayLike = 0.0) -> np.ndarray:
    """Total carbon of a material, wt % of the dry material.

    C_total = C + CO2_carbonate * M_C/M_CO2, where ``C`` is the canonical total elemental
    carbon of an analysis (fixed carbon of coke, carbon of coal, free carbon of dust or
    scrap, and the carbon of volatile matter given as ``vm_CO``/``vm_CO2``/``vm_CH4``; see
    :data:`burden.chemistry.analysis.CANONICAL`) and ``carbonate_co2_pct`` the CO2 bound in
    carbonates (the ``CO2`` column).

    Parameters
    ----------
    c_pct : float or array
        Elemental carbon, wt %.
    carbonate_co2_pct : float or array
        Carbonate CO2, wt %.

    Returns
    -------
    numpy.ndarray
        wt % C.

    References
    ----------
    IPCC 2006 Guidelines Vol. 3 ch. 4.2 (Tier 2 mass balance: carbon contents of every
    input); OPERATIONS §7.

    Examples
    --------
    >>> round(float(material_carbon_pct(0.0, 43.97)), 3)   # CaCO3: 12.0 % C
    12.0
    """
    return _a(c_pct) + _a(carbonate_co2_pct) / CO2_PER_C


def direct_co2_kg(
    carbon_in_kg: ArrayLike,
    hot_metal_carbon_kg: ArrayLike,
    dust_carbon_kg: ArrayLike = 0.0,
    exported_top_gas_share: ArrayLike = 0.0,
) -> np.ndarray:
    """Direct CO2 of the blast furnace by carbon mass balance, kg CO2/tHM.

    CO2 = (1 - s) * (C_in - C_hot_metal - C_dust) * M_CO2/M_C: every carbon atom charged
    that leaves neither in the hot metal nor in the dust leaves in the top gas (CO, CO2,
    CH4) and is counted as emitted, except the share ``s`` of the top gas exported across
    the boundary (credited to its user).

    Parameters
    ----------
    carbon_in_kg : float or array
        Carbon in everything charged and injected (fuels, carbonates, ores, scrap), kg/tHM.
    hot_metal_carbon_kg : float or array
        Carbon dissolved in the hot metal, 10 [C], kg/tHM.
    dust_carbon_kg : float or array
        Carbon leaving in top dust and sludge, kg/tHM.
    exported_top_gas_share : float or array
        Fraction 0-1 of the top-gas carbon exported (default 0: all counted).

    Returns
    -------
    numpy.ndarray
        kg CO2/tHM.

    References
    ----------
    IPCC 2006 Vol. 3 ch. 4.2.2.3 (Tier 2); EU ETS Monitoring and Reporting Regulation
    (EU) 2018/2066 Art. 25 (mass balance, 3.664 t CO2/t C); OPERATIONS §7.

    Examples
    --------
    >>> round(float(direct_co2_kg(400.0, 48.0, 5.0)), 1)
    1271.4
    """
    top_gas_c = _a(carbon_in_kg) - _a(hot_metal_carbon_kg) - _a(dust_carbon_kg)
    return (1.0 - _a(exported_top_gas_share)) * top_gas_c * CO2_PER_C
