"""Total heat balance ("Chinese total heat balance") and the Rd-C method.

Constants are those of USTB-XLS and the USTB-HW solution (PRIMER section 4):
C -> CO 9800 kJ/kg C; CO -> CO2 12650 kJ/Nm3 CO; H2 -> H2O 10800 kJ/Nm3 H2;
blast-moisture decomposition 10800 kJ/Nm3 H2O; Fe2O3 decomposition 5159 kJ/kg
Fe2O3, FeO 4801 kJ/kg FeO; Si 31059, Mn 7358, P 25733 kJ/kg reduced;
desulphurisation 8300 kJ/kg S; CaCO3 4040 + 0.5 x 3770 kJ/kg CaO; injectant
decomposition about 1000 kJ/kg; hot metal about 1240 kJ/kg; slag about
1780 kJ/kg. Sensible heats of the blast and the top gas use the NASA
enthalpies of :mod:`burden.chemistry.thermo_data` (McBride 2002) from 25 degC.
All quantities per tHM, kJ; losses (cooling and radiation) by difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from burden.chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL as _VM
from burden.chemistry.thermo_data import sensible_enthalpy_j_per_mol
from burden.chemistry._arrays import _a
from burden.core.parameters import ModelParameters

#: Heat-balance constants (PRIMER section 4; USTB-XLS; USTB-HW), kJ per unit named: the
#: defaults of the model-parameter table (:data:`burden.core.parameters.PARAMETERS`, group
#: "heat", with units and sources), read-only.  A scenario's own values are
#: ``scenario.parameters.heat_constants``.
HEAT_CONSTANTS: Mapping[str, float] = MappingProxyType(ModelParameters.default().heat_constants)

_K = 273.15
_KMOL_PER_NM3 = 1.0 / _VM


def gas_sensible_heat_kj(volumes_nm3: dict[str, ArrayLike], temperature_c: ArrayLike) -> np.ndarray:
    """Sensible heat of a gas from 25 degC, kJ: sum V_i/22.414 * (H_i(T) - H_i(298.15)).

    Parameters
    ----------
    volumes_nm3 : dict
        Species (CO, CO2, H2, H2O, N2, O2, CH4) -> Nm3.
    temperature_c : float or array
        Gas temperature, degC.

    References
    ----------
    McBride 2002 (NASA/TP-2002-211556).
    """
    t = _a(temperature_c) + _K
    return sum(_a(v) * _KMOL_PER_NM3 * sensible_enthalpy_j_per_mol(s, t) for s, v in volumes_nm3.items())


@dataclass(frozen=True)
class HeatBalance:
    """Total heat balance per tHM, kJ/tHM.

    Attributes
    ----------
    income : dict
        ``tuyere_carbon``, ``direct_carbon``, ``indirect_co``, ``hydrogen``,
        ``blast_sensible``, ``other``.
    expenditure : dict
        ``oxide_decomposition``, ``minor_reduction``, ``desulphurisation``,
        ``carbonates``, ``injectant_decomposition``, ``moisture_decomposition``,
        ``hot_metal``, ``slag``, ``top_gas``, ``losses`` (by difference).
    total_income : total income
    losses_pct : losses as % of income
    """

    income: dict
    expenditure: dict
    total_income: np.ndarray
    losses_pct: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        """Flat dict ``income.<term>``, ``expenditure.<term>``, totals."""
        out = {f"income.{k}": v for k, v in self.income.items()}
        out.update({f"expenditure.{k}": v for k, v in self.expenditure.items()})
        out["total_income"] = self.total_income
        out["losses_pct"] = self.losses_pct
        return out


def total_heat_balance(
    *,
    tuyere_carbon_kg: ArrayLike,
    direct_carbon_kg: ArrayLike,
    indirect_co_nm3: ArrayLike,
    h2_reduction_nm3: ArrayLike,
    blast_nm3: ArrayLike,
    blast_temperature_c: ArrayLike,
    moisture_fraction: ArrayLike = 0.0,
    dry_blast_o2_fraction: ArrayLike = 0.21,
    fe2o3_kg: ArrayLike = 0.0,
    feo_kg: ArrayLike = 0.0,
    si_kg: ArrayLike = 0.0,
    mn_kg: ArrayLike = 0.0,
    p_kg: ArrayLike = 0.0,
    slag_s_kg: ArrayLike = 0.0,
    carbonate_cao_kg: ArrayLike = 0.0,
    injectant_kg: ArrayLike = 0.0,
    hot_metal_kg: ArrayLike = 1000.0,
    slag_kg: ArrayLike = 0.0,
    top_gas_nm3: dict[str, ArrayLike] | None = None,
    top_gas_temperature_c: ArrayLike = 150.0,
    other_income_kj: ArrayLike = 0.0,
    burden_moisture_kg: ArrayLike = 0.0,
    constants: Mapping[str, float] | None = None,
) -> HeatBalance:
    """Total heat balance of the blast furnace, losses by difference.

    Parameters
    ----------
    tuyere_carbon_kg, direct_carbon_kg : float or array
        C burnt to CO at the tuyeres and by direct reduction, kg/tHM.
    indirect_co_nm3 : float or array
        CO oxidised to CO2 by indirect reduction, Nm3/tHM.
    h2_reduction_nm3 : float or array
        H2 oxidised to H2O by reduction, Nm3/tHM.
    blast_nm3, blast_temperature_c, moisture_fraction, dry_blast_o2_fraction
        Wet blast Nm3/tHM, degC, moisture volume fraction, O2 of dry blast.
    fe2o3_kg, feo_kg : float or array
        Iron oxides reduced to Fe (decomposition heat), kg/tHM.
    si_kg, mn_kg, p_kg : float or array
        Si, Mn, P reduced into hot metal, kg/tHM.
    slag_s_kg : float or array
        Sulphur taken by the slag, kg/tHM.
    carbonate_cao_kg : float or array
        CaO charged as CaCO3 (flux), kg/tHM.
    injectant_kg : float or array
        Tuyere injectant (coal), kg/tHM.
    hot_metal_kg, slag_kg : float or array
        Hot metal (1000) and slag, kg/tHM.
    top_gas_nm3 : dict, optional
        Top gas species -> Nm3/tHM (dry gas plus H2O vapour).
    top_gas_temperature_c : float or array
        Top gas temperature, degC.
    other_income_kj : float or array
        Any further income (e.g. slag formation heat), kJ/tHM.
    burden_moisture_kg : float or array
        Free moisture of the charge, evaporated at the top: expenditure
        2441.7 kJ/kg (latent heat of water at 25 degC, IAPWS-IF97 steam
        tables); its vapour's sensible heat belongs in ``top_gas_nm3``.
    constants : mapping, optional
        Heat constants (kJ per unit named) replacing those of ``HEAT_CONSTANTS``, e.g.
        ``scenario.parameters.heat_constants``; keys not given keep the default.

    Returns
    -------
    HeatBalance
        Terms in kJ/tHM.

    References
    ----------
    USTB-XLS (total heat balance); USTB-HW solution; PRIMER section 4.
    """
    k = dict(HEAT_CONSTANTS)
    k.update(constants or {})
    v, phi, x = _a(blast_nm3), _a(moisture_fraction), _a(dry_blast_o2_fraction)
    blast_gas = {"O2": v * (1 - phi) * x, "N2": v * (1 - phi) * (1 - x), "H2O": v * phi}
    income = {
        "tuyere_carbon": _a(tuyere_carbon_kg) * k["c_to_co_kj_per_kg_c"],
        "direct_carbon": _a(direct_carbon_kg) * k["c_to_co_kj_per_kg_c"],
        "indirect_co": _a(indirect_co_nm3) * k["co_to_co2_kj_per_nm3"],
        "hydrogen": _a(h2_reduction_nm3) * k["h2_to_h2o_kj_per_nm3"],
        "blast_sensible": gas_sensible_heat_kj(blast_gas, blast_temperature_c),
        "other": _a(other_income_kj),
    }
    expenditure = {
        "oxide_decomposition": (_a(fe2o3_kg) * k["fe2o3_decomposition_kj_per_kg"]
                                + _a(feo_kg) * k["feo_decomposition_kj_per_kg"]),
        "minor_reduction": (_a(si_kg) * k["si_reduction_kj_per_kg"] + _a(mn_kg) * k["mn_reduction_kj_per_kg"]
                            + _a(p_kg) * k["p_reduction_kj_per_kg"]),
        "desulphurisation": _a(slag_s_kg) * k["desulphurisation_kj_per_kg_s"],
        "carbonates": _a(carbonate_cao_kg) * k["caco3_kj_per_kg_cao"],
        "injectant_decomposition": _a(injectant_kg) * k["injectant_decomposition_kj_per_kg"],
        "moisture_decomposition": v * phi * k["moisture_decomposition_kj_per_nm3"],
        "hot_metal": _a(hot_metal_kg) * k["hot_metal_kj_per_kg"],
        "slag": _a(slag_kg) * k["slag_kj_per_kg"],
        "top_gas": (gas_sensible_heat_kj(top_gas_nm3, top_gas_temperature_c)
                    if top_gas_nm3 else 0.0 * v),
        "moisture_evaporation": _a(burden_moisture_kg) * k["water_evaporation_kj_per_kg"],
    }
    total_in = sum(income.values())
    expenditure["losses"] = total_in - sum(expenditure.values())
    return HeatBalance(income=income, expenditure=expenditure, total_income=total_in,
                       losses_pct=100.0 * expenditure["losses"] / total_in)


# ------------------------------------------------------------------ Rd-C
#: CO excess factor n for indirect reduction of FeO by CO vs temperature, degC
#: (USTB-XLS section 4, PRIMER section 4).
CO_EXCESS_FACTOR: dict[float, float] = {700.0: 2.50, 800.0: 2.88, 900.0: 3.17, 1000.0: 3.52,
                                        1100.0: 3.82, 1200.0: 4.12}


def co_excess_factor(temperature_c: ArrayLike) -> np.ndarray:
    """CO excess factor n at a temperature, linear interpolation of USTB-XLS (700-1200 degC).

    Outside the table the end values are NOT extrapolated: ``ValueError``.
    """
    t = _a(temperature_c)
    keys = np.array(sorted(CO_EXCESS_FACTOR))
    if np.any((t < keys[0]) | (t > keys[-1])):
        raise ValueError("co_excess_factor: table covers 700-1200 degC (USTB-XLS)")
    return np.interp(t, keys, [CO_EXCESS_FACTOR[k] for k in keys])


@dataclass(frozen=True)
class RdC:
    """Rd-C diagram results, per kg Fe.

    Attributes
    ----------
    a, b : coefficients of C_heat = A + B r_d, kg C/kg Fe
    rd_min : r_d at the minimum carbon rate
    carbon_min_kg_per_kg_fe : minimum carbon, kg C/kg Fe
    """

    a: np.ndarray
    b: np.ndarray
    rd_min: np.ndarray
    carbon_min_kg_per_kg_fe: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        """Fields as a dict."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def rd_c(
    net_heat_kj_per_kg_fe: ArrayLike, blast_heat_kj_per_kg_c: ArrayLike, co_excess: ArrayLike,
    constants: Mapping[str, float] | None = None,
) -> RdC:
    """Rd-C method: heat-carbon line, reductant lines and the minimum carbon rate.

    C_heat = A + B r_d with A = (Q - 5076)/(9800 + q_b) and
    B = (5076 + 0.215 q_b)/(9800 + q_b); C_d = (M_C/M_Fe) r_d;
    C_i = n (M_C/M_Fe)(1 - r_d). The minimum carbon rate is where C_i meets
    C_heat + C_d: r_d* = (n k - A)/(B + k + n k), C_min = n k (1 - r_d*),
    k = M_C/M_Fe.

    Parameters
    ----------
    net_heat_kj_per_kg_fe : float or array
        Q, net heat demand per kg Fe, kJ/kg Fe.
    blast_heat_kj_per_kg_c : float or array
        q_b, blast sensible heat per kg tuyere carbon, kJ/kg C.
    co_excess : float or array
        n, CO excess factor (:func:`co_excess_factor`).
    constants : mapping, optional
        Heat constants; ``c_to_co_kj_per_kg_c`` (default 9800 kJ/kg C) is the 9800 above.

    Returns
    -------
    RdC

    References
    ----------
    USTB-XLS section 4; USTB-NB, The Rd-C Diagram for Blast Furnace.
    """
    from burden.chemistry.carbon import C_PER_FE

    q, qb, n = _a(net_heat_kj_per_kg_fe), _a(blast_heat_kj_per_kg_c), _a(co_excess)
    c_co = (constants or HEAT_CONSTANTS).get("c_to_co_kj_per_kg_c", HEAT_CONSTANTS["c_to_co_kj_per_kg_c"])
    a = (q - 5076.0) / (c_co + qb)
    b = (5076.0 + 0.215 * qb) / (c_co + qb)
    k = C_PER_FE
    rd = (n * k - a) / (b + k + n * k)
    return RdC(a=a, b=b, rd_min=rd, carbon_min_kg_per_kg_fe=n * k * (1.0 - rd))
