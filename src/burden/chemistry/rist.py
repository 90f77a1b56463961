"""Rist operating diagram: coordinates, operating line, W point, shaft efficiency.

x = O/C in the gas, y = O/Fe. The operating line y = mu x - (y_f + y_b) has
slope mu = C/Fe (mol C gasified per mol Fe); y_b = O from the blast (and
injectants) per Fe; y_f = O removed by Si, Mn, P (and other minor elements,
desulphurisation) per Fe. At the top x_A = 1 + CO2/(CO + CO2); y_A is the
O/Fe of the ferrous burden (1.5 hematite, 1.333 magnetite). The wustite point
W: y_W about 1.05, x_W = 1 + eta_CO,eq at the thermal reserve zone.

References
----------
A. Rist, N. Meysson, Rev. Métall. 62 (1965) (Rist & Meysson 1965);
J.G. Peacey, W.G. Davenport, The Iron Blast Furnace, Pergamon, 1979;
USTB-XLS (Rist sheet); PRIMER section 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from burden.chemistry.elements import MOLAR_VOLUME_NM3_PER_KMOL as _VM
from burden.chemistry.elements import molar_mass
from burden.chemistry._arrays import _a


def burden_o_per_fe(fe2o3_kg: ArrayLike = 0.0, feo_kg: ArrayLike = 0.0, fe_metal_kg: ArrayLike = 0.0) -> np.ndarray:
    """O/Fe (mol/mol) of a ferrous burden from its Fe2O3, FeO and metallic Fe, y_A.

    References
    ----------
    Rist & Meysson 1965 (y_A = 1.5 for hematite).
    """
    n_fe = 2 * _a(fe2o3_kg) / molar_mass("Fe2O3") + _a(feo_kg) / molar_mass("FeO") + _a(fe_metal_kg) / molar_mass("Fe")
    n_o = 3 * _a(fe2o3_kg) / molar_mass("Fe2O3") + _a(feo_kg) / molar_mass("FeO")
    return n_o / n_fe


@dataclass(frozen=True)
class RistDiagram:
    """Rist operating line and its characteristic points.

    Attributes
    ----------
    mu : slope C/Fe, mol/mol
    y_b : O from blast and injectants per Fe, mol/mol
    y_f : O removed from minor oxides per Fe, mol/mol
    x_a : 1 + CO2/(CO+CO2) at the top
    y_a : O/Fe at the top from the operating line
    y_d : O/Fe removed by direct reduction of iron (line at x = 1)
    carbon_kg : carbon gasified, kg/tHM (= mu * n_Fe * M_C)
    x_w, y_w : wustite point
    mu_ideal : slope of the ideal line through W and (0, -(y_b + y_f))
    shaft_efficiency : (x_a - 1)/(x_a,ideal - 1), fraction
    points : dict of (x, y) pairs to draw: "E" (0, -(y_b+y_f)), "D" (1, y_d),
        "A" (x_a, y_a), "W" (x_w, y_w)
    """

    mu: np.ndarray
    y_b: np.ndarray
    y_f: np.ndarray
    x_a: np.ndarray
    y_a: np.ndarray
    y_d: np.ndarray
    carbon_kg: np.ndarray
    x_w: np.ndarray
    y_w: np.ndarray
    mu_ideal: np.ndarray
    shaft_efficiency: np.ndarray
    points: dict

    def to_dict(self) -> dict:
        """Fields as a dict (without ``points``)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "points"}


def rist_diagram(
    *,
    iron_kg: ArrayLike,
    carbon_gasified_kg: ArrayLike,
    blast_oxygen_nm3: ArrayLike,
    top_co_nm3: ArrayLike,
    top_co2_nm3: ArrayLike,
    minor_oxygen_kmol: ArrayLike = 0.0,
    y_w: ArrayLike = 1.05,
    wustite_eta_eq: ArrayLike = 0.29,
) -> RistDiagram:
    """Rist operating diagram of a furnace per tHM.

    Parameters
    ----------
    iron_kg : float or array
        Fe reduced into hot metal, kg/tHM (n_Fe = iron_kg / M_Fe).
    carbon_gasified_kg : float or array
        Carbon leaving as CO + CO2 from coke and injectants (not carbonate
        carbon), kg/tHM.
    blast_oxygen_nm3 : float or array
        O2 (equivalent) from blast, moisture and injectants, Nm3/tHM.
    top_co_nm3, top_co2_nm3 : float or array
        CO and CO2 in the top gas, Nm3/tHM (for x_A; carbonate CO2 should be
        removed by the caller if it is to be excluded).
    minor_oxygen_kmol : float or array
        O removed from SiO2, MnO, P2O5, ... (and S exchange), kmol/tHM.
    y_w : float or array
        O/Fe of wustite at the W point (about 1.05).
    wustite_eta_eq : float or array
        CO2/(CO+CO2) of the Fe/FeO equilibrium at the thermal reserve zone
        (about 0.29 at 1000 degC), giving x_W = 1 + eta_eq.

    Returns
    -------
    RistDiagram

    References
    ----------
    Rist & Meysson 1965; Peacey & Davenport 1979; USTB-XLS.
    """
    n_fe = _a(iron_kg) / molar_mass("Fe")
    mu = _a(carbon_gasified_kg) / molar_mass("C") / n_fe
    y_b = 2.0 * _a(blast_oxygen_nm3) / _VM / n_fe
    y_f = _a(minor_oxygen_kmol) / n_fe
    co, co2 = _a(top_co_nm3), _a(top_co2_nm3)
    x_a = 1.0 + co2 / (co + co2)
    y_a = mu * x_a - (y_f + y_b)
    y_d = mu - (y_f + y_b)
    x_w = 1.0 + _a(wustite_eta_eq)
    yw = _a(y_w)
    mu_ideal = (yw + y_b + y_f) / x_w
    x_a_ideal = (y_a + y_b + y_f) / mu_ideal
    eff = (x_a - 1.0) / (x_a_ideal - 1.0)
    points = {"E": (0.0 * mu, -(y_b + y_f)), "D": (1.0 + 0.0 * mu, y_d), "A": (x_a, y_a), "W": (x_w, yw)}
    return RistDiagram(mu=mu, y_b=y_b, y_f=y_f, x_a=x_a, y_a=y_a, y_d=y_d,
                       carbon_kg=mu * n_fe * molar_mass("C"), x_w=x_w, y_w=yw,
                       mu_ideal=mu_ideal, shaft_efficiency=eff, points=points)
