"""Atomic and molar masses, and the conversion factors between species.

Every molar-mass ratio used in the toolkit (P to P2O5, Mn to MnO, SiO2 per kg
of Si reduced, ...) is computed here from atomic masses; none is typed by hand.

References
----------
.. [1] IUPAC Commission on Isotopic Abundances and Atomic Weights (CIAAW),
   "Standard atomic weights of the elements 2021", Pure Appl. Chem. 94 (2022)
   573-600; abridged (conventional) values, g/mol.
.. [2] Normal molar volume of an ideal gas at 0 degC and 101.325 kPa,
   22.414 L/mol (CODATA 2018: 22.413 969 54 L/mol).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Standard atomic weights, g/mol (IUPAC 2021 abridged values [1]_).
ATOMIC_MASS: dict[str, float] = {
    "H": 1.008,
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "F": 18.998,
    "Na": 22.990,
    "Mg": 24.305,
    "Al": 26.982,
    "Si": 28.085,
    "P": 30.974,
    "S": 32.06,
    "Cl": 35.45,
    "K": 39.098,
    "Ca": 40.078,
    "Ti": 47.867,
    "V": 50.942,
    "Cr": 51.996,
    "Mn": 54.938,
    "Fe": 55.845,
    "Ni": 58.693,
    "Cu": 63.546,
    "Zn": 65.38,
}

#: Normal molar volume of an ideal gas, Nm3/kmol (= L/mol) at 0 degC, 1 atm [2]_.
MOLAR_VOLUME_NM3_PER_KMOL: float = 22.414

_TOKEN = re.compile(r"([A-Z][a-z]?|\(|\)|\d+)")


@lru_cache(maxsize=None)
def composition(formula: str) -> dict[str, int]:
    """Atom counts of a chemical formula such as ``"CaMg(CO3)2"``.

    Parameters
    ----------
    formula : str
        Formula with element symbols, integer counts and parentheses.

    Returns
    -------
    dict
        Element symbol -> number of atoms per formula unit.

    Raises
    ------
    ValueError
        If the formula holds an unknown element or unbalanced parentheses.
    """
    tokens = _TOKEN.findall(formula)
    if "".join(tokens) != formula or not tokens:
        raise ValueError(f"cannot parse chemical formula {formula!r}")
    stack: list[dict[str, int]] = [{}]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "(":
            stack.append({})
            i += 1
            continue
        if tok == ")":
            if len(stack) == 1:
                raise ValueError(f"unbalanced ')' in formula {formula!r}")
            group = stack.pop()
            mult = 1
            if i + 1 < len(tokens) and tokens[i + 1].isdigit():
                mult = int(tokens[i + 1])
                i += 1
            for el, n in group.items():
                stack[-1][el] = stack[-1].get(el, 0) + n * mult
            i += 1
            continue
        if tok.isdigit():
            raise ValueError(f"misplaced count in formula {formula!r}")
        if tok not in ATOMIC_MASS:
            raise ValueError(f"unknown element {tok!r} in formula {formula!r}")
        n = 1
        if i + 1 < len(tokens) and tokens[i + 1].isdigit():
            n = int(tokens[i + 1])
            i += 1
        stack[-1][tok] = stack[-1].get(tok, 0) + n
        i += 1
    if len(stack) != 1:
        raise ValueError(f"unbalanced '(' in formula {formula!r}")
    return dict(stack[0])


@lru_cache(maxsize=None)
def molar_mass(formula: str) -> float:
    """Molar mass of a formula, g/mol (= kg/kmol), from IUPAC atomic weights [1]_.

    >>> round(molar_mass("Fe2O3"), 3)
    159.687
    """
    return sum(ATOMIC_MASS[el] * n for el, n in composition(formula).items())


@lru_cache(maxsize=None)
def element_fraction(formula: str, element: str) -> float:
    """Mass fraction of ``element`` in ``formula`` (kg element per kg compound).

    >>> round(element_fraction("FeO", "Fe"), 4)
    0.7773
    """
    n = composition(formula).get(element, 0)
    return n * ATOMIC_MASS[element] / molar_mass(formula)


@lru_cache(maxsize=None)
def oxide_per_element(oxide: str, element: str) -> float:
    """kg of ``oxide`` formed per kg of ``element`` it contains.

    E.g. ``oxide_per_element("P2O5", "P")`` = 141.94/(2*30.974) = 2.2913 and
    ``oxide_per_element("SiO2", "Si")`` = 2.1393, the SiO2 consumed per kg of
    Si reduced into hot metal.
    """
    return 1.0 / element_fraction(oxide, element)


def mass_ratio(numerator: str, denominator: str) -> float:
    """Ratio of the molar masses of two formulas, e.g. ``mass_ratio("C", "Fe")``."""
    return molar_mass(numerator) / molar_mass(denominator)
