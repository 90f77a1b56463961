"""Slag properties: basicities, optical basicity, sulphide capacity, sulphur
partition, viscosity (Urbain, Riboud) and the desulphurisation RO check.

Compositions are mappings oxide -> wt % (floats or numpy arrays, broadcast
together); temperatures in K unless the name says degC; viscosities returned
in Pa s. Equations and coefficients: PRIMER sections 6-7.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from burden.chemistry.elements import composition as _atoms
from burden.chemistry.elements import molar_mass
from burden.chemistry._arrays import _a

Composition = Mapping[str, ArrayLike]


# ----------------------------------------------------------------- basicity
def basicity_b2(cao: ArrayLike, sio2: ArrayLike) -> np.ndarray:
    """Binary basicity B2 = CaO/SiO2 (mass ratio; wt % or kg alike).

    References
    ----------
    USTB-HW; Geerdes 2009; BFXpert basicity types.
    """
    return _a(cao) / _a(sio2)


def basicity_b3(cao: ArrayLike, mgo: ArrayLike, sio2: ArrayLike) -> np.ndarray:
    """Ternary basicity B3 = (CaO + MgO)/SiO2 (mass ratio).

    References
    ----------
    BFXpert basicity types; PRIMER section 3.
    """
    return (_a(cao) + _a(mgo)) / _a(sio2)


def basicity_b4(cao: ArrayLike, mgo: ArrayLike, sio2: ArrayLike, al2o3: ArrayLike) -> np.ndarray:
    """Quaternary basicity B4 = (CaO + MgO)/(SiO2 + Al2O3) (mass ratio).

    References
    ----------
    BFXpert basicity types; PRIMER section 3.
    """
    return (_a(cao) + _a(mgo)) / (_a(sio2) + _a(al2o3))


def mole_fractions(slag_wt_pct: Composition) -> dict[str, np.ndarray]:
    """Mole fractions of the oxides of a slag analysis (normalised over the keys).

    Parameters
    ----------
    slag_wt_pct : mapping
        Oxide formula -> wt % (floats or arrays).

    Returns
    -------
    dict
        Oxide -> mole fraction.
    """
    mol = {k: _a(v) / molar_mass(k) for k, v in slag_wt_pct.items()}
    total = sum(mol.values())
    return {k: v / total for k, v in mol.items()}


# -------------------------------------------------------- optical basicity
#: Optical basicities of the oxides (PRIMER section 6).
LAMBDA_SETS: dict[str, dict[str, float]] = {
    # Duffy & Ingram / Mills (Mills 2011); Al2O3 0.60-0.61 -> 0.605
    "duffy": {"CaO": 1.0, "MgO": 0.78, "SiO2": 0.48, "Al2O3": 0.605, "FeO": 1.0, "MnO": 1.0},
    # Ghosh
    "ghosh": {"CaO": 1.0, "MgO": 0.92, "SiO2": 0.47, "Al2O3": 0.66, "FeO": 0.94, "MnO": 0.95},
}


def optical_basicity(
    slag_wt_pct: Composition, lambda_set: str | Mapping[str, float] = "duffy"
) -> np.ndarray:
    """Optical basicity of a slag, Lambda = sum x_i n_O,i L_i / sum x_i n_O,i.

    Parameters
    ----------
    slag_wt_pct : mapping
        Oxide -> wt %. Oxides without a value in the set raise ``ValueError``
        (drop them explicitly if they are to be ignored).
    lambda_set : {"duffy", "ghosh"} or mapping
        Set of oxide optical basicities (PRIMER section 6), or your own.

    Returns
    -------
    numpy.ndarray
        Lambda, dimensionless.

    References
    ----------
    Duffy & Ingram; Mills 2011 (Duffy/Mills set); Ghosh (second set), as
    listed in PRIMER section 6.
    """
    lam = LAMBDA_SETS[lambda_set] if isinstance(lambda_set, str) else dict(lambda_set)
    missing = [k for k in slag_wt_pct if k not in lam]
    if missing:
        raise ValueError(f"no optical basicity for {missing} in the chosen set; known: {sorted(lam)}")
    x = mole_fractions(slag_wt_pct)
    num = sum(x[k] * _atoms(k).get("O", 0) * lam[k] for k in x)
    den = sum(x[k] * _atoms(k).get("O", 0) for k in x)
    return num / den


# ------------------------------------------------------ sulphide capacity
def sulphide_capacity_sosinsky(optical_basicity_: ArrayLike, temperature_k: ArrayLike) -> np.ndarray:
    """Sulphide capacity C_S of Sosinsky & Sommerville (1986).

    log10 C_S = (22690 - 54640 Lambda)/T + 43.6 Lambda - 25.2.

    Parameters
    ----------
    optical_basicity_ : float or array
        Lambda.
    temperature_k : float or array
        Temperature, K.

    Returns
    -------
    numpy.ndarray
        C_S (dimensionless, wt % basis).

    References
    ----------
    D.J. Sosinsky, I.D. Sommerville, Metall. Trans. B 17B (1986) 331-337.
    """
    lam, t = _a(optical_basicity_), _a(temperature_k)
    return 10.0 ** ((22690.0 - 54640.0 * lam) / t + 43.6 * lam - 25.2)


def sulphide_capacity_zhang(optical_basicity_: ArrayLike, temperature_k: ArrayLike) -> np.ndarray:
    """Sulphide capacity C_S of Zhang, Chou & Pal (2013).

    log10 C_S = -6.08 + 4.49/Lambda + (15893 - 15864/Lambda)/T.

    Parameters
    ----------
    optical_basicity_ : float or array
        Lambda.
    temperature_k : float or array
        Temperature, K.

    Returns
    -------
    numpy.ndarray
        C_S.

    References
    ----------
    G.-H. Zhang, K.-C. Chou, U. Pal, ISIJ Int. 53 (2013) 761-767.
    """
    lam, t = _a(optical_basicity_), _a(temperature_k)
    return 10.0 ** (-6.08 + 4.49 / lam + (15893.0 - 15864.0 / lam) / t)


def sulphur_partition(
    sulphide_capacity: ArrayLike,
    temperature_k: ArrayLike,
    oxygen_activity: ArrayLike,
    sulphur_activity_coefficient: ArrayLike = 1.0,
) -> np.ndarray:
    """Equilibrium sulphur partition L_S = (%S)/[%S].

    log10 L_S = log10 C_S - 935/T + 1.375 + log10 f_S - log10 h_O.

    Parameters
    ----------
    sulphide_capacity : float or array
        C_S.
    temperature_k : float or array
        Temperature, K.
    oxygen_activity : float or array
        Henrian activity h_O of oxygen in the metal (wt % scale).
    sulphur_activity_coefficient : float or array
        f_S of sulphur in the metal (carbon-saturated iron: well above 1).

    Returns
    -------
    numpy.ndarray
        L_S. Plant values sit far below equilibrium (about 30-50, PRIMER 6):
        calibrate to plant data.

    References
    ----------
    PRIMER section 6 (thermodynamic route with C_S).
    """
    return 10.0 ** (np.log10(_a(sulphide_capacity)) - 935.0 / _a(temperature_k) + 1.375
                    + np.log10(_a(sulphur_activity_coefficient)) - np.log10(_a(oxygen_activity)))


def hot_metal_sulphur_pct(
    sulphur_load_kg: ArrayLike, slag_kg: ArrayLike, partition: ArrayLike, gas_fraction: ArrayLike = 0.05
) -> np.ndarray:
    """Sulphur in hot metal from the S balance, wt %.

    [S] = S_load (1 - lambda_S) / (10 + L_S slag/100).

    Parameters
    ----------
    sulphur_load_kg : float or array
        Sulphur entering with all materials, kg/tHM.
    slag_kg : float or array
        Slag rate, kg/tHM.
    partition : float or array
        L_S = (%S)/[%S].
    gas_fraction : float or array
        lambda_S, sulphur leaving with the gas (USTB-HW 0.05).

    Returns
    -------
    numpy.ndarray
        [S], wt %; the slag holds L_S [S] wt %.

    References
    ----------
    PRIMER section 6; USTB-HW.
    """
    return _a(sulphur_load_kg) * (1.0 - _a(gas_fraction)) / (10.0 + _a(partition) * _a(slag_kg) / 100.0)


def desulphurisation_ro_check(
    slag_wt_pct: Composition, slag_kg: ArrayLike, si_pct: ArrayLike, s_pct: ArrayLike
) -> dict[str, np.ndarray]:
    """Desulphurisation check of the Chinese textbooks (USTB-HW).

    RO_min = 50 - 0.25 (%Al2O3) + 3 (%S) - (0.3 [Si] + 30 [S]) / U and
    RO = %CaO + %MgO + %MnO + %FeO; the slag desulphurises enough if RO >= RO_min.
    The unit of U is ambiguous in the source; here U is the slag rate in
    kg/tHM, as in the USTB-HW solution program.

    Parameters
    ----------
    slag_wt_pct : mapping
        Slag analysis, wt %: CaO, MgO, Al2O3 required; MnO, FeO, S optional
        (S as sulphur, not "S/2").
    slag_kg : float or array
        Slag rate, kg/tHM.
    si_pct, s_pct : float or array
        Hot-metal Si and S, wt %.

    Returns
    -------
    dict
        ``ro`` and ``ro_min`` (wt %), ``margin`` = ro - ro_min, ``ok`` (bool).

    References
    ----------
    USTB-HW (PRIMER section 6).
    """
    g = lambda k: _a(slag_wt_pct.get(k, 0.0))  # noqa: E731
    ro = g("CaO") + g("MgO") + g("MnO") + g("FeO")
    ro_min = 50.0 - 0.25 * g("Al2O3") + 3.0 * g("S") - (0.3 * _a(si_pct) + 30.0 * _a(s_pct)) / _a(slag_kg)
    return {"ro": ro, "ro_min": ro_min, "margin": ro - ro_min, "ok": ro >= ro_min}


# --------------------------------------------------------------- viscosity
# Urbain parameters per modifier: rows B0..B3, columns (a, b, c) (Mills 2011)
_URBAIN = {
    "Ca": ((13.2, 41.5, -45.0), (30.5, -117.2, 130.0), (-40.4, 232.1, -298.6), (60.8, -156.4, 213.6)),
    "Mg": ((13.2, 15.9, -18.6), (30.5, -54.1, 33.0), (-40.4, 138.0, -112.0), (60.8, -99.8, 97.6)),
    "Mn": ((13.2, 20.0, -25.6), (30.5, 26.0, -56.0), (-40.4, -110.3, 186.2), (60.8, 64.3, -104.6)),
}


def viscosity_urbain(slag_wt_pct: Composition, temperature_k: ArrayLike) -> np.ndarray:
    """Slag viscosity by the Urbain model, Pa s.

    Mole fractions normalised by 1 + X_TiO2; X_G = SiO2, X_M = CaO + MgO + FeO
    + MnO + 2 TiO2, X_A = Al2O3, alpha = X_M/(X_M + X_A); per modifier (Ca, Mg,
    Mn with Fe) B_i = a_i + b_i alpha + c_i alpha^2 and B = B0 + B1 X_G + B2 X_G^2
    + B3 X_G^3, averaged with the modifiers' mole fractions (TiO2 adds to X_M
    only); ln A = -(0.29 B + 11.57); eta = A T exp(1000 B / T) in dPa s.

    Parameters
    ----------
    slag_wt_pct : mapping
        wt % of SiO2, Al2O3, CaO, MgO and optionally FeO, MnO, TiO2 (other
        keys raise ``ValueError``).
    temperature_k : float or array
        Temperature, K.

    Returns
    -------
    numpy.ndarray
        Viscosity, Pa s.

    References
    ----------
    G. Urbain, Steel Res. 58 (1987) 111; K.C. Mills, slag viscosity models
    (Mills 2011), PRIMER section 7.
    """
    allowed = {"SiO2", "Al2O3", "CaO", "MgO", "FeO", "MnO", "TiO2"}
    extra = set(slag_wt_pct) - allowed
    if extra:
        raise ValueError(f"Urbain model here takes {sorted(allowed)}; got also {sorted(extra)}")
    x = mole_fractions(slag_wt_pct)
    z = lambda k: x.get(k, 0.0)  # noqa: E731
    norm = 1.0 + z("TiO2")
    xg = z("SiO2") / norm
    xm = (z("CaO") + z("MgO") + z("FeO") + z("MnO") + 2.0 * z("TiO2")) / norm
    xa = z("Al2O3") / norm
    alpha = xm / (xm + xa)
    weights = {"Ca": z("CaO"), "Mg": z("MgO"), "Mn": z("MnO") + z("FeO")}
    b_sum = 0.0
    w_sum = 0.0
    for mod, rows in _URBAIN.items():
        bi = [a + b * alpha + c * alpha**2 for (a, b, c) in rows]
        b_mod = bi[0] + bi[1] * xg + bi[2] * xg**2 + bi[3] * xg**3
        b_sum = b_sum + weights[mod] * b_mod
        w_sum = w_sum + weights[mod]
    big_b = b_sum / w_sum
    a_ = np.exp(-(0.29 * big_b + 11.57))
    t = _a(temperature_k)
    return 0.1 * a_ * t * np.exp(1000.0 * big_b / t)


def viscosity_riboud(slag_wt_pct: Composition, temperature_k: ArrayLike) -> np.ndarray:
    """Slag viscosity by the Riboud model (form used by ``auxi``), Pa s.

    ln A = -17.51 + 1.73 X_CaO* + 5.82 X_CaF2 + 7.02 X_Na2O* - 33.76 X_Al2O3;
    B = 31140 - 23896 X_CaO* - 46356 X_CaF2 - 39159 X_Na2O* + 68833 X_Al2O3;
    eta = A T exp(B/T) in dPa s; X_CaO* = CaO + MgO + FeO + MnO,
    X_Na2O* = Na2O + K2O (mole fractions).

    Parameters
    ----------
    slag_wt_pct : mapping
        wt % of the oxides (SiO2, Al2O3, CaO, MgO, FeO, MnO, TiO2, CaF2, Na2O,
        K2O). SiO2 and TiO2 count only through the normalisation.
    temperature_k : float or array
        Temperature, K.

    Returns
    -------
    numpy.ndarray
        Viscosity, Pa s.

    References
    ----------
    P.V. Riboud et al., Fachber. Hüttenprax. Metallweiterverarb. 19 (1981) 859;
    Mills 2011 (PRIMER section 7). The second published set (ln A = -19.81 ...)
    gives values ten times lower and is not used.
    """
    x = mole_fractions(slag_wt_pct)
    z = lambda k: x.get(k, 0.0)  # noqa: E731
    x_cao = z("CaO") + z("MgO") + z("FeO") + z("MnO")
    x_na = z("Na2O") + z("K2O")
    x_caf2, x_al = z("CaF2"), z("Al2O3")
    ln_a = -17.51 + 1.73 * x_cao + 5.82 * x_caf2 + 7.02 * x_na - 33.76 * x_al
    b = 31140.0 - 23896.0 * x_cao - 46356.0 * x_caf2 - 39159.0 * x_na + 68833.0 * x_al
    t = _a(temperature_k)
    return 0.1 * np.exp(ln_a) * t * np.exp(b / t)
