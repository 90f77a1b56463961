"""Ideal-gas thermochemistry of the raceway species from NASA Glenn polynomials.

Data table
----------
Gases (CO, CO2, H2, H2O, N2, O2, CH4): the NASA Glenn least-squares
coefficients of McBride, Zehe & Gordon (2002) [1]_ (the ``thermo.inp`` file of
NASA CEA2), typed in below for the 200-1000 K and 1000-6000 K intervals. That
publication's functional form has seven coefficients for the heat capacity
and two integration constants (b1 for enthalpy, b2 for entropy):

    Cp/R = a1 T^-2 + a2 T^-1 + a3 + a4 T + a5 T^2 + a6 T^3 + a7 T^4
    H/(RT) = -a1 T^-2 + a2 ln(T)/T + a3 + a4 T/2 + a5 T^2/3 + a6 T^3/4
             + a7 T^4/5 + b1/T

Enthalpies are absolute in the NASA/JANAF convention: the elements in their
reference states have H = 0 at 298.15 K, so H(298.15 K) of a compound is its
standard enthalpy of formation.

Graphite C(gr) is not among the gases; its coefficients are the older NASA
seven-coefficient fit (a3..a7 and b1, b2 of the form above, a1 = a2 = 0) of
McBride, Gordon & Reno (1993) [2]_, intervals 200-1000 K and 1000-5000 K.

Liquid water (coal and oil moisture) uses the standard enthalpy of formation
of H2O(l), -285.83 kJ/mol [3]_; its sensible heat near 25 degC is neglected.

References
----------
.. [1] B.J. McBride, M.J. Zehe, S. Gordon, "NASA Glenn Coefficients for
   Calculating Thermodynamic Properties of Individual Species",
   NASA/TP-2002-211556, 2002 (McBride 2002).
.. [2] B.J. McBride, S. Gordon, M.A. Reno, "Coefficients for Calculating
   Thermodynamic and Transport Properties of Individual Species",
   NASA TM-4513, 1993.
.. [3] J.D. Cox, D.D. Wagman, V.A. Medvedev, CODATA Key Values for
   Thermodynamics, Hemisphere, New York, 1989.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Molar gas constant, J/(mol K) (CODATA 2018, exact).
R_J_PER_MOL_K: float = 8.314462618

#: Reference temperature of the tables, K.
T_REF_K: float = 298.15

#: Standard enthalpy of formation of liquid water, J/mol (CODATA 1989 [3]_).
H_FORMATION_H2O_LIQUID_J_PER_MOL: float = -285830.0

# species -> list of (T_low, T_high, (a1..a7), b1, b2); McBride 2002 [1]_.
NASA_COEFFICIENTS: dict[str, list[tuple[float, float, tuple[float, ...], float, float]]] = {
    "CO": [
        (200.0, 1000.0,
         (1.489045326e04, -2.922285939e02, 5.724527170e00, -8.176235030e-03,
          1.456903469e-05, -1.087746302e-08, 3.027941827e-12),
         -1.303131878e04, -7.859241350e00),
        (1000.0, 6000.0,
         (4.619197250e05, -1.944704863e03, 5.916714180e00, -5.664282830e-04,
          1.398814540e-07, -1.787680361e-11, 9.620935570e-16),
         -2.466261084e03, -1.387413108e01),
    ],
    "CO2": [
        (200.0, 1000.0,
         (4.943650540e04, -6.264116010e02, 5.301725240e00, 2.503813816e-03,
          -2.127308728e-07, -7.689988780e-10, 2.849677801e-13),
         -4.528198460e04, -7.048279440e00),
        (1000.0, 6000.0,
         (1.176962419e05, -1.788791477e03, 8.291523190e00, -9.223156780e-05,
          4.863676880e-09, -1.891053312e-12, 6.330036590e-16),
         -3.908350590e04, -2.652669281e01),
    ],
    "H2": [
        (200.0, 1000.0,
         (4.078323210e04, -8.009186040e02, 8.214702010e00, -1.269714457e-02,
          1.753605076e-05, -1.202860270e-08, 3.368093490e-12),
         2.682484665e03, -3.043788844e01),
        (1000.0, 6000.0,
         (5.608128010e05, -8.371504740e02, 2.975364532e00, 1.252249124e-03,
          -3.740716190e-07, 5.936625200e-11, -3.606994100e-15),
         5.339824410e03, -2.202774769e00),
    ],
    "H2O": [
        (200.0, 1000.0,
         (-3.947960830e04, 5.755731020e02, 9.317826530e-01, 7.222712860e-03,
          -7.342557370e-06, 4.955043490e-09, -1.336933246e-12),
         -3.303974310e04, 1.724205775e01),
        (1000.0, 6000.0,
         (1.034972096e06, -2.412698562e03, 4.646110780e00, 2.291998307e-03,
          -6.836830480e-07, 9.426468930e-11, -4.822380530e-15),
         -1.384286509e04, -7.978148510e00),
    ],
    "N2": [
        (200.0, 1000.0,
         (2.210371497e04, -3.818461820e02, 6.082738360e00, -8.530914410e-03,
          1.384646189e-05, -9.625793620e-09, 2.519705809e-12),
         7.108460860e02, -1.076003744e01),
        (1000.0, 6000.0,
         (5.877124060e05, -2.239249073e03, 6.066949220e00, -6.139685500e-04,
          1.491806679e-07, -1.923105485e-11, 1.061954386e-15),
         1.283210415e04, -1.586640027e01),
    ],
    "O2": [
        (200.0, 1000.0,
         (-3.425563420e04, 4.847000970e02, 1.119010961e00, 4.293889240e-03,
          -6.836300520e-07, -2.023372700e-09, 1.039040018e-12),
         -3.391454870e03, 1.849699470e01),
        (1000.0, 6000.0,
         (-1.037939022e06, 2.344830282e03, 1.819732036e00, 1.267847582e-03,
          -2.188067988e-07, 2.053719572e-11, -8.193467050e-16),
         -1.689010929e04, 1.738716506e01),
    ],
    "CH4": [
        (200.0, 1000.0,
         (-1.766850998e05, 2.786181020e03, -1.202577850e01, 3.917619290e-02,
          -3.619054430e-05, 2.026853043e-08, -4.976705490e-12),
         -2.331314360e04, 8.904322750e01),
        (1000.0, 6000.0,
         (3.730042760e06, -1.383501485e04, 2.049107091e01, -1.961974759e-03,
          4.727313040e-07, -3.728814690e-11, 1.623737207e-15),
         7.532066910e04, -1.219124889e02),
    ],
    # Graphite: seven-coefficient fit of McBride, Gordon & Reno 1993 [2]_,
    # written in the nine-constant layout (a1 = a2 = 0).
    "C(gr)": [
        (200.0, 1000.0,
         (0.0, 0.0, -0.310872072, 4.40353686e-03, 1.90394118e-06,
          -6.38546966e-09, 2.98964248e-12),
         -108.650794, 1.11382953),
        (1000.0, 5000.0,
         (0.0, 0.0, 1.45571829, 1.71702216e-03, -6.97562786e-07,
          1.35277032e-10, -9.67590652e-15),
         -695.138814, -8.52583033),
    ],
}

SPECIES: tuple[str, ...] = tuple(NASA_COEFFICIENTS)


def _intervals(species: str):
    try:
        return NASA_COEFFICIENTS[species]
    except KeyError:
        raise ValueError(
            f"no thermochemical data for {species!r}; known species: {', '.join(SPECIES)}"
        ) from None


def _select(species: str, t: np.ndarray):
    """Coefficient arrays (a1..a7, b1) for each temperature in ``t``."""
    ivs = _intervals(species)
    # use the low interval below its upper bound, the high one above (extrapolate outside)
    low, high = ivs[0], ivs[1]
    use_low = t < low[1]
    a = np.where(use_low[..., None], np.asarray(low[2]), np.asarray(high[2]))
    b1 = np.where(use_low, low[3], high[3])
    return a, b1


def cp_j_per_mol_k(species: str, temperature_k: ArrayLike) -> np.ndarray:
    """Isobaric molar heat capacity of an ideal gas (or graphite), J/(mol K).

    Parameters
    ----------
    species : str
        One of ``SPECIES``: CO, CO2, H2, H2O, N2, O2, CH4, C(gr).
    temperature_k : float or array
        Temperature, K (fits valid 200-6000 K, graphite 200-5000 K).

    Returns
    -------
    numpy.ndarray
        Cp, J/(mol K), same shape as ``temperature_k``.

    References
    ----------
    McBride 2002 (NASA/TP-2002-211556); graphite McBride, Gordon & Reno 1993.
    """
    t = np.asarray(temperature_k, dtype=float)
    a, _ = _select(species, t)
    cp_r = (a[..., 0] / t**2 + a[..., 1] / t + a[..., 2] + a[..., 3] * t
            + a[..., 4] * t**2 + a[..., 5] * t**3 + a[..., 6] * t**4)
    return R_J_PER_MOL_K * cp_r


def enthalpy_j_per_mol(species: str, temperature_k: ArrayLike) -> np.ndarray:
    """Absolute molar enthalpy H(T), J/mol (elements in reference state: 0 at 298.15 K).

    H(298.15 K) equals the standard enthalpy of formation, e.g. -110.53 kJ/mol
    for CO and -393.5 kJ/mol for CO2.

    Parameters
    ----------
    species : str
        One of ``SPECIES``.
    temperature_k : float or array
        Temperature, K.

    Returns
    -------
    numpy.ndarray
        Enthalpy, J/mol.

    References
    ----------
    McBride 2002 (NASA/TP-2002-211556); graphite McBride, Gordon & Reno 1993.
    """
    t = np.asarray(temperature_k, dtype=float)
    a, b1 = _select(species, t)
    h_rt = (-a[..., 0] / t**2 + a[..., 1] * np.log(t) / t + a[..., 2]
            + a[..., 3] * t / 2.0 + a[..., 4] * t**2 / 3.0 + a[..., 5] * t**3 / 4.0
            + a[..., 6] * t**4 / 5.0 + b1 / t)
    return R_J_PER_MOL_K * t * h_rt


def sensible_enthalpy_j_per_mol(species: str, temperature_k: ArrayLike) -> np.ndarray:
    """Sensible molar enthalpy H(T) - H(298.15 K), J/mol.

    Parameters
    ----------
    species : str
        One of ``SPECIES``.
    temperature_k : float or array
        Temperature, K.

    Returns
    -------
    numpy.ndarray
        H(T) - H(298.15 K), J/mol.

    References
    ----------
    McBride 2002 (NASA/TP-2002-211556).
    """
    return enthalpy_j_per_mol(species, temperature_k) - enthalpy_j_per_mol(species, T_REF_K)


def formation_enthalpy_j_per_mol(species: str) -> float:
    """Standard enthalpy of formation at 298.15 K, J/mol (McBride 2002)."""
    return float(enthalpy_j_per_mol(species, T_REF_K))
