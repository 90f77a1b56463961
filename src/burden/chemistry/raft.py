"""Raceway adiabatic flame temperature (RAFT) by an enthalpy balance.

Definition (Geerdes 2009): the raceway is adiabatic; every oxygen atom of the
blast O2, the blast moisture and the injectants leaves as CO; hydrogen leaves
as H2 and nitrogen as N2. Coke carbon enters the raceway hot (about 1500 degC),
injectants enter at ambient temperature, and coal devolatilisation absorbs
about 1000 kJ/kg (USTB-NB). The flame temperature T_f solves

    sum_in n_i H_i(T_i) - Q_decomposition = sum_out n_j H_j(T_f) + m_ash cp_ash (T_f - T_inj)

with absolute NASA enthalpies (formation included) from
:mod:`burden.chemistry.thermo_data` (McBride 2002). Nothing is linearised, so
the usual rules of thumb (+100 degC blast -> about +70-80 degC, ...) are
outputs, not inputs.

Conventions (documented so results can be compared with other tools):

- ``blast_nm3_per_thm`` is the dry blast (air plus enrichment oxygen) per tHM,
  Nm3 at 0 degC and 101.325 kPa; moisture is given in g per Nm3 of dry blast.
- Oxygen enrichment is in percentage points of O2 in the dry blast
  (0.21 -> 0.21 + enrichment/100); the enrichment oxygen is at blast
  temperature (added to the cold blast before the stoves). Argon is counted
  as N2.
- Injectants are given by an ultimate analysis (wt %, as injected); their
  C, H, O, N enter as the elements at the injectant temperature (zero
  formation enthalpy), less the decomposition heat; their moisture enters as
  liquid water; natural gas is pure CH4. Sulphur is ignored. Injectant ash
  is heated to T_f with a constant heat capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from burden.chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL, molar_mass
from burden.chemistry.thermo_data import (
    H_FORMATION_H2O_LIQUID_J_PER_MOL,
    cp_j_per_mol_k,
    enthalpy_j_per_mol,
)

_K = 273.15
_MOL_PER_NM3 = 1000.0 / MOLAR_VOLUME_NM3_PER_KMOL  # mol per Nm3


@dataclass(frozen=True)
class Injectant:
    """Ultimate analysis of a tuyere injectant, wt % as injected.

    Attributes
    ----------
    c_pct, h_pct, o_pct, n_pct : float
        Carbon, hydrogen, oxygen and nitrogen, wt %.
    ash_pct, moisture_pct : float
        Ash and free moisture, wt %.
    decomposition_kj_per_kg : float
        Heat absorbed by decomposing 1 kg of injectant into its elements,
        kJ/kg (coal about 1000 kJ/kg, USTB-NB).
    """

    c_pct: float
    h_pct: float
    o_pct: float = 0.0
    n_pct: float = 0.0
    ash_pct: float = 0.0
    moisture_pct: float = 0.0
    decomposition_kj_per_kg: float = 0.0


#: PCI coal of the USTB-HW design sheets 5-1/5-2: C 81.94, H 2.17, O 0.81,
#: N 0.88, H2O 1.80 wt %, ash 12.05 % (sum of its ash oxides); decomposition
#: heat 1000 kJ/kg (USTB-NB).
TYPICAL_PCI = Injectant(c_pct=81.94, h_pct=2.17, o_pct=0.81, n_pct=0.88, ash_pct=12.05,
                        moisture_pct=1.80, decomposition_kj_per_kg=1000.0)

#: A heavy fuel oil treated as its elements (no decomposition heat given by
#: the sources in PRIMER; set ``decomposition_kj_per_kg`` from your data).
TYPICAL_OIL = Injectant(c_pct=86.0, h_pct=11.0, o_pct=0.5, n_pct=0.5, ash_pct=0.05,
                        moisture_pct=0.5, decomposition_kj_per_kg=0.0)


@dataclass(frozen=True)
class RaftResult:
    """Flame temperature and bosh (raceway) gas per tHM.

    Attributes
    ----------
    temperature_c : array
        Raceway adiabatic flame temperature, degC.
    co_nm3, h2_nm3, n2_nm3 : array
        Bosh gas components, Nm3/tHM.
    bosh_gas_nm3 : array
        Total bosh gas, Nm3/tHM.
    co_pct, h2_pct, n2_pct : array
        Bosh gas composition, vol %.
    tuyere_carbon_kg : array
        Carbon gasified to CO in the raceway (coke and injectant), kg/tHM.
    coke_carbon_kg : array
        Part of it supplied by coke, kg/tHM (negative means the injectant
        carbon exceeds the oxygen: the premise "all O to CO" fails).
    """

    temperature_c: np.ndarray
    co_nm3: np.ndarray
    h2_nm3: np.ndarray
    n2_nm3: np.ndarray
    bosh_gas_nm3: np.ndarray
    co_pct: np.ndarray
    h2_pct: np.ndarray
    n2_pct: np.ndarray
    tuyere_carbon_kg: np.ndarray
    coke_carbon_kg: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        """Fields as a dict of arrays (for a pandas DataFrame)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _injectant_moles(kg, inj: Injectant):
    """mol of C, H2, O (atoms), N2, liquid H2O, ash kg and decomposition J."""
    kg = np.asarray(kg, dtype=float)
    g = kg * 1000.0 / 100.0  # grams per wt %
    n_c = g * np.asarray(inj.c_pct) / molar_mass("C")
    n_h2 = g * np.asarray(inj.h_pct) / molar_mass("H2")
    n_o = g * np.asarray(inj.o_pct) / molar_mass("O")
    n_n2 = g * np.asarray(inj.n_pct) / molar_mass("N2")
    n_w = g * np.asarray(inj.moisture_pct) / molar_mass("H2O")
    ash = kg * np.asarray(inj.ash_pct) / 100.0
    q = kg * np.asarray(inj.decomposition_kj_per_kg) * 1000.0
    return n_c, n_h2, n_o, n_n2, n_w, ash, q


def raft(
    blast_temperature_c: ArrayLike,
    blast_nm3_per_thm: ArrayLike = 1100.0,
    oxygen_enrichment_pct: ArrayLike = 0.0,
    blast_moisture_g_per_nm3: ArrayLike = 0.0,
    coal_kg_per_thm: ArrayLike = 0.0,
    natural_gas_nm3_per_thm: ArrayLike = 0.0,
    oil_kg_per_thm: ArrayLike = 0.0,
    *,
    coal: Injectant = TYPICAL_PCI,
    oil: Injectant = TYPICAL_OIL,
    coke_temperature_c: ArrayLike = 1500.0,
    injectant_temperature_c: ArrayLike = 25.0,
    ash_cp_kj_per_kg_k: float = 1.0,
    tol_k: float = 1e-6,
    max_iter: int = 50,
) -> RaftResult:
    """Raceway adiabatic flame temperature and bosh gas, by enthalpy balance.

    All numeric arguments broadcast against each other (numpy arrays allowed).

    Parameters
    ----------
    blast_temperature_c : float or array
        Hot blast temperature, degC.
    blast_nm3_per_thm : float or array
        Dry blast (air + enrichment O2), Nm3/tHM. Only matters relative to
        the injectant rates.
    oxygen_enrichment_pct : float or array
        O2 enrichment, percentage points above 21 % O2 in the dry blast.
    blast_moisture_g_per_nm3 : float or array
        Blast moisture, g H2O per Nm3 of dry blast.
    coal_kg_per_thm : float or array
        Pulverized coal injection, kg/tHM as injected (analysis ``coal``).
    natural_gas_nm3_per_thm : float or array
        Natural gas (as CH4), Nm3/tHM.
    oil_kg_per_thm : float or array
        Oil injection, kg/tHM (analysis ``oil``).
    coal, oil : Injectant
        Ultimate analyses, wt %, and decomposition heats, kJ/kg.
    coke_temperature_c : float or array
        Temperature of the coke carbon entering the raceway, degC
        (Geerdes 2009: about 1500 degC).
    injectant_temperature_c : float or array
        Temperature of coal, oil and natural gas, degC.
    ash_cp_kj_per_kg_k : float
        Mean heat capacity of injectant ash up to T_f, kJ/(kg K).
    tol_k, max_iter : float, int
        Newton iteration controls.

    Returns
    -------
    RaftResult
        T_f in degC and the bosh gas (CO, H2, N2) in Nm3/tHM and vol %.

    References
    ----------
    .. [1] Geerdes, Toxopeus, van der Vliet, Modern Blast Furnace Ironmaking,
       IOS Press, 2009 (Geerdes 2009): definition and rules of thumb.
    .. [2] USTB-NB, Blast Theoretical Fuel Rate Calculation: coal
       decomposition heat about 1000 kJ/kg.
    .. [3] McBride, Zehe, Gordon, NASA/TP-2002-211556 (McBride 2002):
       enthalpies.
    """
    tb = np.asarray(blast_temperature_c, dtype=float) + _K
    tc = np.asarray(coke_temperature_c, dtype=float) + _K
    ti = np.asarray(injectant_temperature_c, dtype=float) + _K
    v_dry = np.asarray(blast_nm3_per_thm, dtype=float)
    x_o2 = 0.21 + np.asarray(oxygen_enrichment_pct, dtype=float) / 100.0

    n_o2 = v_dry * x_o2 * _MOL_PER_NM3
    n_n2_blast = v_dry * (1.0 - x_o2) * _MOL_PER_NM3
    n_h2o_blast = v_dry * np.asarray(blast_moisture_g_per_nm3, dtype=float) / molar_mass("H2O")
    n_ch4 = np.asarray(natural_gas_nm3_per_thm, dtype=float) * _MOL_PER_NM3

    cc, ch, co, cn, cw, cash, cq = _injectant_moles(coal_kg_per_thm, coal)
    oc, oh, oo, on, ow, oash, oq = _injectant_moles(oil_kg_per_thm, oil)

    # products (mol/tHM): every O atom as CO
    n_co = 2.0 * n_o2 + n_h2o_blast + co + cw + oo + ow
    n_h2 = n_h2o_blast + ch + cw + 2.0 * n_ch4 + oh + ow
    n_n2 = n_n2_blast + cn + on
    n_c_inj = cc + n_ch4 + oc
    n_c_coke = n_co - n_c_inj
    ash = cash + oash

    # enthalpy of the inputs, J/tHM
    h_in = (
        n_o2 * enthalpy_j_per_mol("O2", tb)
        + n_n2_blast * enthalpy_j_per_mol("N2", tb)
        + n_h2o_blast * enthalpy_j_per_mol("H2O", tb)
        + n_c_coke * enthalpy_j_per_mol("C(gr)", tc)
        + (cc + oc) * enthalpy_j_per_mol("C(gr)", ti)
        + (ch + oh) * enthalpy_j_per_mol("H2", ti)
        + 0.5 * (co + oo) * enthalpy_j_per_mol("O2", ti)
        + (cn + on) * enthalpy_j_per_mol("N2", ti)
        + (cw + ow) * H_FORMATION_H2O_LIQUID_J_PER_MOL
        + n_ch4 * enthalpy_j_per_mol("CH4", ti)
        - cq - oq
    )
    cp_ash = ash * ash_cp_kj_per_kg_k * 1000.0

    shape = np.broadcast(h_in, n_co, n_h2, n_n2, cp_ash, ti).shape
    t = np.full(shape, 2500.0)
    for _ in range(max_iter):
        h_out = (n_co * enthalpy_j_per_mol("CO", t) + n_h2 * enthalpy_j_per_mol("H2", t)
                 + n_n2 * enthalpy_j_per_mol("N2", t) + cp_ash * (t - ti))
        dh = (n_co * cp_j_per_mol_k("CO", t) + n_h2 * cp_j_per_mol_k("H2", t)
              + n_n2 * cp_j_per_mol_k("N2", t) + cp_ash)
        step = (h_out - h_in) / dh
        t = t - step
        if np.all(np.abs(step) < tol_k):
            break

    vol = MOLAR_VOLUME_NM3_PER_KMOL / 1000.0
    co_nm3, h2_nm3, n2_nm3 = n_co * vol, n_h2 * vol, n_n2 * vol
    total = co_nm3 + h2_nm3 + n2_nm3
    mc = molar_mass("C") / 1000.0
    b = lambda x: np.broadcast_to(np.asarray(x, dtype=float), shape).copy()  # noqa: E731
    return RaftResult(
        temperature_c=b(t - _K),
        co_nm3=b(co_nm3),
        h2_nm3=b(h2_nm3),
        n2_nm3=b(n2_nm3),
        bosh_gas_nm3=b(total),
        co_pct=b(100.0 * co_nm3 / total),
        h2_pct=b(100.0 * h2_nm3 / total),
        n2_pct=b(100.0 * n2_nm3 / total),
        tuyere_carbon_kg=b(n_co * mc),
        coke_carbon_kg=b(n_c_coke * mc),
    )


def raft_c(*args, **kwargs) -> np.ndarray:
    """Raceway adiabatic flame temperature only, degC; see :func:`raft`."""
    return raft(*args, **kwargs).temperature_c
