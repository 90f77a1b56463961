"""Flux needed for a basicity set point (the textbook one-flux formula).

References
----------
.. [1] USTB-HW (PRIMER §3): Q_flux = [B2·(ΣSiO2_in − 2.14·10[Si]) − ΣCaO_in] /
   (CaO_flux − B2·SiO2_flux), with 2.14 = M_SiO2/M_Si computed here from
   atomic masses.
"""

from __future__ import annotations

import numpy as np

from .elements import oxide_per_element


def flux_for_basicity(b2, sio2_in_kg, cao_in_kg, si_hot_metal_pct, flux_cao_pct, flux_sio2_pct):
    """Flux rate that brings slag B2 = CaO/SiO2 to a set point, kg/tHM.

    Parameters
    ----------
    b2 : float or array
        Basicity set point CaO/SiO2 (-).
    sio2_in_kg, cao_in_kg : float or array
        SiO2 and CaO reaching the slag from everything except the flux
        (inputs less dust), kg/tHM.
    si_hot_metal_pct : float or array
        Hot-metal silicon, wt %; 10·[Si] kg/tHM of Si consume
        (M_SiO2/M_Si)·10·[Si] kg SiO2.
    flux_cao_pct, flux_sio2_pct : float or array
        CaO and SiO2 of the flux, wt % dry.

    Returns
    -------
    float or ndarray
        Dry flux rate, kg/tHM.  **Negative means no amount of this flux can
        reach the set point**: the burden without it is already more basic.
        The value is returned as is, never clipped, so callers can report it.

    References
    ----------
    USTB-HW burden sheets 5-1, 5-2 [1]_.
    """
    sio2_slag = np.asarray(sio2_in_kg, float) - oxide_per_element("SiO2", "Si") * 10.0 * np.asarray(si_hot_metal_pct, float)
    b2 = np.asarray(b2, float)
    out = (b2 * sio2_slag - np.asarray(cao_in_kg, float)) / (
        (np.asarray(flux_cao_pct, float) - b2 * np.asarray(flux_sio2_pct, float)) / 100.0)
    return out if out.ndim else float(out)
