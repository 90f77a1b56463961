"""Material analyses: from the forms a laboratory reports to one canonical set.

Laboratories report the same element in different forms (Mn or MnO or MnO2,
P or P2O5, S or FeS or FeS2, TFe with FeO and perhaps Fe2O3).  The balances
need one form per element.  :func:`normalise_analysis` converts a reported
analysis (wt %, dry) into the canonical species :data:`CANONICAL` and checks
it: each alternative form against the others, TFe against its iron-bearing
compounds, and the total.

All conversions use molar masses from :mod:`burden.chemistry.elements`.

References
----------
.. [1] USTB-HW: burden-calculation sheets 5-1 and 5-2 of the USTB ironmaking
   course (Yang Shishan); the convention TFe = Fe(FeO) + Fe(Fe2O3) + Fe(FeS)
   and the element/oxide pairs used there.
.. [2] PRIMER §1 (shared/domain/PRIMER.md): "FeO·(55.845/71.844) +
   Fe2O3·(2·55.845/159.69) = TFe".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .elements import element_fraction, molar_mass as _molar, oxide_per_element

#: Canonical species, wt % of the dry material.  Elements are used where a
#: distribution coefficient applies (Fe, Mn, P, S, Ti, V, Zn, Cl); oxides
#: where the whole oxide reports to slag.  ``Fe`` is total iron; ``Fe_met``,
#: ``FeO`` and ``Fe2O3`` say in which form it is.  ``C``, ``H``, ``O``, ``N``
#: are total elemental carbon, hydrogen, oxygen and nitrogen (including the
#: volatile matter given as ``vm_*`` gas species); ``C_fix`` is the carbon
#: column as reported (fixed carbon of coke, carbon of coal, free carbon of
#: dust or scrap).
CANONICAL: tuple[str, ...] = (
    "Fe", "Fe_met", "FeO", "Fe2O3",
    "SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O",
    "Mn", "P", "S", "Ti", "V", "Zn", "Cl",
    "CO2", "H2O_chem", "C", "C_fix", "H", "O", "N",
)

#: Oxides that are charged and leave whole (no element split) to slag.
SLAG_OXIDES: tuple[str, ...] = ("SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O")

#: Columns accepted in a material analysis (wt %, dry).  ``ash_<oxide>``
#: columns (wt % of the ash) are accepted as well, see :data:`ASH_OXIDES`.
ANALYSIS_COLUMNS: tuple[str, ...] = (
    "TFe", "Fe_met", "FeO", "Fe2O3", "Fe3O4",
    "SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O",
    "Mn", "MnO", "MnO2", "P", "P2O5", "S", "FeS", "FeS2",
    "Ti", "TiO2", "V", "V2O5", "Zn", "ZnO", "Cl",
    "CO2", "H2O_chem", "C", "H", "O", "N",
    "vm_CO", "vm_CO2", "vm_CH4", "vm_H2", "vm_N2",
    "volatiles", "ash", "LOI", "LOI_CO2_share_pct",
)

#: ``LOI`` (loss on ignition, wt % dry) is split into CO2 (carbonates) and bound water
#: (H2O_chem, e.g. of goethite) by ``LOI_CO2_share_pct`` (% of the LOI that is CO2; the rest is
#: bound water), or checked against CO2 and H2O_chem columns given beside it.  Tolerance of that
#: check, wt % points (an LOI also holds a little S and C; plants round it to 0.1).
LOI_TOLERANCE_PCT = 0.3

#: Oxides that may be given as wt % of the ash of a fuel (column ``ash_<oxide>``).
ASH_OXIDES: tuple[str, ...] = (
    "FeO", "Fe2O3", "SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O",
    "MnO", "TiO2", "P2O5", "FeS", "ZnO",
)

# Element carried in one analysis column: (element, kg element per kg of column species)
_ELEMENT_FORMS: dict[str, list[tuple[str, str]]] = {
    # element: [(column, formula of the species in that column)]
    "Mn": [("Mn", "Mn"), ("MnO", "MnO"), ("MnO2", "MnO2")],
    "P": [("P", "P"), ("P2O5", "P2O5")],
    "Ti": [("Ti", "Ti"), ("TiO2", "TiO2")],
    "V": [("V", "V"), ("V2O5", "V2O5")],
    "Zn": [("Zn", "Zn"), ("ZnO", "ZnO")],
}
# The oxide whose mass is counted in the analysis total when only the element is given.
_DEFAULT_OXIDE = {"Mn": "MnO", "P": "P2O5", "Ti": "TiO2", "V": "V2O5", "Zn": "ZnO"}

#: Tolerances of the consistency checks (wt % points).
TFE_TOLERANCE_PCT = 0.25
ALTERNATIVE_FORM_TOLERANCE_PCT = 0.005
ALTERNATIVE_FORM_RELATIVE = 0.03
TOTAL_MIN_PCT = 90.0
TOTAL_WARN_PCT = 98.0
TOTAL_MAX_PCT = 101.5
#: factors tried on one value when a total or a TFe check fails ("62.5 typed as 6.25"); only
#: upwards: a digit too many (29.88 for 9.88) is no decimal slip and has no one right value
_TYPO_FACTORS = (10.0, 100.0)


class AnalysisError(ValueError):
    """An analysis is inconsistent; ``field`` names the offending column."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NormalisedAnalysis:
    """A material's analysis in canonical species.

    Attributes
    ----------
    species : dict
        Canonical species -> wt % of the dry material (all of :data:`CANONICAL`).
    total_pct : float
        Sum of the reported constituents, wt % (100 for a complete analysis).
    warnings : tuple of str
        Remarks that do not stop a calculation (e.g. an incomplete total).
    """

    species: dict[str, float]
    total_pct: float
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= ALTERNATIVE_FORM_TOLERANCE_PCT + ALTERNATIVE_FORM_RELATIVE * max(abs(a), abs(b))


#: Columns that are canonical species one to one (no alternative forms): their wt % is the
#: species' wt % and counts once in the total.
DIRECT_SPECIES: tuple[str, ...] = ("SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O", "Cl", "CO2", "H2O_chem", "H", "O", "N")
_DIRECT = frozenset(DIRECT_SPECIES)


def check_total(total: float, name: str) -> None:
    """Raise AnalysisError if a total (wt %) is outside [TOTAL_MIN_PCT, TOTAL_MAX_PCT].

    (:func:`normalise_analysis` first looks for one value typed 10x or 100x off, see
    :func:`_mistyped_value`, and names it.)"""
    if total > TOTAL_MAX_PCT:
        raise AnalysisError("total", f"{name}: the analysis adds up to {total:.2f} % (> {TOTAL_MAX_PCT} %); "
                            "check for a constituent given twice or a typing error")
    if total < TOTAL_MIN_PCT:
        if 0.5 <= total <= 1.02:
            hint = ("the values look like fractions; give wt % (e.g. 5.43 for 5.43 % SiO2, not 0.0543)")
        else:
            hint = "a constituent is missing; complete the analysis"
        raise AnalysisError("total", f"{name}: the analysis adds up to only {total:.2f} %; {hint}")


def direct_total(total_pct: float, current: Mapping[str, float], changes: Mapping[str, float], *,
                 name: str = "material") -> float | None:
    """The checked total (wt %) of an analysis whose :data:`DIRECT_SPECIES` columns ``changes``
    replace their ``current`` values: only they and the total change (each is its own species),
    so the analysis need not be normalised again.  None when a changed column is not a direct
    species (then :func:`normalise_analysis` must run on the whole analysis).

    Raises
    ------
    AnalysisError
        A value outside 0-100 wt %, or a total outside [TOTAL_MIN_PCT, TOTAL_MAX_PCT].
    """
    if not all(k in _DIRECT for k in changes):
        return None
    total = total_pct
    for k, x in changes.items():
        x = float(x)
        if not math.isfinite(x) or not 0.0 <= x <= 100.0:
            raise AnalysisError(k, f"{name}: {k} = {x!r} is not a wt % (0-100)")
        total += x - current.get(k, 0.0)
    check_total(total, name)
    return total


def normalise_analysis(raw: Mapping[str, float], *, name: str = "material") -> NormalisedAnalysis:
    """Convert a reported analysis (wt %, dry) into canonical species and check it.

    See :func:`_normalise` for the parameters and the checks.  When a check of the total or of
    TFe fails and one value typed 10x or 100x too small (62.5 typed 6.25, 1.9 typed 0.019) would make
    the analysis add up, the error names that column and the value to write.
    """
    try:
        return _normalise(raw, name=name)
    except AnalysisError as e:
        if e.field not in ("total", "TFe"):
            raise
        hint = _mistyped_value(raw, name)
        if hint is None:
            raise
        col, x, y, total = hint
        why = str(e)[len(name) + 2:] if str(e).startswith(name + ": ") else str(e)
        why = why.split(";")[0]
        raise AnalysisError(col, f"{name}: {col} = {x:g} looks mistyped for {y:g} (as written, {why}; with "
                            f"{col} = {y:g} it adds up to {total:.2f} %); correct {col}") from None


def _mistyped_value(raw: Mapping[str, float], name: str) -> tuple[str, float, float, float] | None:
    """(column, value, corrected value, total) when exactly one value of ``raw`` times 10 or 100
    gives an analysis that passes every check with a total of
    [:data:`TOTAL_MIN_PCT`, :data:`TOTAL_MAX_PCT`]; else None (no candidate, or several: then
    no guess is offered).  Only run when a check failed."""
    found = []
    for col, x in raw.items():
        try:
            x = float(x)
        except (TypeError, ValueError):
            return None
        if col in ("LOI_CO2_share_pct",) or not math.isfinite(x) or x <= 0:
            continue
        for f in _TYPO_FACTORS:
            y = float(f"{x * f:.10g}")
            if y > 100:
                continue
            trial = dict(raw)
            trial[col] = y
            try:
                t = _normalise(trial, name=name).total_pct
            except AnalysisError:
                continue
            if TOTAL_MIN_PCT <= t <= TOTAL_MAX_PCT:
                found.append((col, x, y, t))
                break
    return found[0] if len(found) == 1 else None


def _normalise(raw: Mapping[str, float], *, name: str = "material") -> NormalisedAnalysis:
    """Convert a reported analysis (wt %, dry) into canonical species and check it.

    Parameters
    ----------
    raw : mapping
        Column -> wt % of the dry material; columns from
        :data:`ANALYSIS_COLUMNS` and ``ash_<oxide>`` (wt % of ash).  Missing
        columns count as 0.  Where an element is given in several forms
        (e.g. ``Mn`` and ``MnO``) the forms must agree; a 0 in one form means
        "not reported".
    name : str
        Material name, used in messages.

    Returns
    -------
    NormalisedAnalysis

    Raises
    ------
    AnalysisError
        Negative or non-finite values, forms that disagree, TFe that does not
        match FeO/Fe2O3/Fe_met/sulphides, a total outside
        [:data:`TOTAL_MIN_PCT`, :data:`TOTAL_MAX_PCT`] (with a hint when the
        values look like fractions rather than percentages).
    """
    v: dict[str, float] = {}
    for key, value in raw.items():
        x = float(value)
        if not math.isfinite(x):
            raise AnalysisError(key, f"{name}: {key} is not a number ({value!r}); give a value in wt %")
        if x < 0 and key == "LOI":
            raise AnalysisError(key, f"{name}: LOI = {x:g} is a gain on ignition (magnetite taking up oxygen), "
                                "not a loss of CO2 or water; write 0")
        if x < 0:
            raise AnalysisError(key, f"{name}: {key} = {x:g} is negative; analyses are wt % >= 0")
        if x > 100:
            raise AnalysisError(key, f"{name}: {key} = {x:g} exceeds 100 wt %")
        v[key] = x
    g = lambda k: v.get(k, 0.0)  # noqa: E731
    warnings: list[str] = []

    # Fuel ash given as wt % of ash: convert to wt % of the material.
    ash_cols = {k: x for k, x in v.items() if k.startswith("ash_")}
    if ash_cols:
        if g("ash") <= 0:
            raise AnalysisError("ash", f"{name}: ash_* columns are given but ash is 0; give the ash content in wt %")
        ash_sum = sum(ash_cols.values())
        if abs(ash_sum - 100) > 2.0 and ash_sum > 0:
            raise AnalysisError(
                "ash_*", f"{name}: the ash analysis (ash_* columns) sums to {ash_sum:.2f} %, not 100 %")
        for k, x in ash_cols.items():
            ox = k[4:]
            if ox not in ASH_OXIDES:
                raise AnalysisError(k, f"{name}: unknown ash oxide column {k!r}; known: "
                                    + ", ".join("ash_" + o for o in ASH_OXIDES))
            if g(ox) > 0:
                raise AnalysisError(k, f"{name}: {ox} is given both as {k} (% of ash) and as {ox} (% of material)")
            v[ox] = x * g("ash") / 100.0

    s: dict[str, float] = {k: 0.0 for k in CANONICAL}
    total = 0.0

    # Elements reported in alternative forms.
    for el, forms in _ELEMENT_FORMS.items():
        given = [(col, formula, g(col)) for col, formula in forms if g(col) > 0]
        if not given:
            continue
        values = [(col, x * element_fraction(formula, el) if formula != el else x) for col, formula, x in given]
        # The element column is the reference when given (laboratories report it directly).
        ref_col, ref_el = next(((c, e) for c, e in values if c == el), values[0])
        for col, el_val in values:
            if not _close(el_val, ref_el):
                raise AnalysisError(col, f"{name}: {col} = {g(col):g} % means {el_val:.4f} % {el}, but "
                                    f"{ref_col} = {g(ref_col):g} % means {ref_el:.4f} % {el}; correct one of them")
        s[el] = ref_el
        compounds = [x for col, formula, x in given if col != el]
        # Mass in the total: the compound reported, else the usual oxide.
        total += compounds[0] if compounds else ref_el * oxide_per_element(_DEFAULT_OXIDE[el], el)

    # Sulphur: S (total), FeS, FeS2.  Fe in sulphides belongs to TFe; S above
    # the sulphide S (e.g. organic S of coke) is counted as S.
    sulphide_s = g("FeS") * element_fraction("FeS", "S") + g("FeS2") * element_fraction("FeS2", "S")
    sulphide_fe = g("FeS") * element_fraction("FeS", "Fe") + g("FeS2") * element_fraction("FeS2", "Fe")
    if g("S") > 0:
        if g("S") < sulphide_s and not _close(g("S"), sulphide_s):
            raise AnalysisError("S", f"{name}: S = {g('S'):g} % (total sulphur) is less than the "
                                f"{sulphide_s:.4f} % S carried by FeS/FeS2; correct S or the sulphide")
        s["S"] = max(g("S"), sulphide_s)
    else:
        s["S"] = sulphide_s
    total += g("FeS") + g("FeS2") + (s["S"] - sulphide_s)

    # Magnetite: Fe3O4 = FeO·Fe2O3, split into those two by molar masses (the balances know
    # FeO and Fe2O3); its Fe (3·55.845/231.531 = 72.36 %) belongs to TFe.
    mag = g("Fe3O4")
    mag_feo = mag * _molar("FeO") / _molar("Fe3O4")
    mag_fe2o3 = mag * _molar("Fe2O3") / _molar("Fe3O4")

    # Iron: TFe = Fe_met + Fe(FeO) + Fe(Fe3O4) + Fe(Fe2O3) + Fe(sulphides).
    fe_feo = g("FeO") * element_fraction("FeO", "Fe")
    fe_known = g("Fe_met") + fe_feo + mag * element_fraction("Fe3O4", "Fe") + sulphide_fe
    f_fe2o3 = element_fraction("Fe2O3", "Fe")
    if "Fe2O3" in v and g("Fe2O3") > 0:
        fe_total = fe_known + g("Fe2O3") * f_fe2o3
        if g("TFe") > 0 and abs(fe_total - g("TFe")) > TFE_TOLERANCE_PCT:
            raise AnalysisError("TFe", f"{name}: TFe = {g('TFe'):g} % but Fe_met, FeO, Fe3O4, Fe2O3 and sulphides "
                                f"carry {fe_total:.3f} % Fe; correct TFe, FeO or Fe2O3")
        fe2o3 = g("Fe2O3")
        fe_total = g("TFe") if g("TFe") > 0 else fe_total
    elif g("TFe") == 0:
        fe_total, fe2o3 = fe_known, 0.0
    else:
        fe_total = g("TFe")
        rest = fe_total - fe_known
        if rest < -TFE_TOLERANCE_PCT:
            raise AnalysisError("TFe", f"{name}: TFe = {fe_total:g} % is less than the Fe in FeO, Fe3O4, Fe_met "
                                f"and sulphides ({fe_known:.3f} %); correct TFe or FeO")
        fe2o3 = max(rest, 0.0) / f_fe2o3
    s["Fe"], s["Fe_met"], s["FeO"], s["Fe2O3"] = fe_total, g("Fe_met"), g("FeO") + mag_feo, fe2o3 + mag_fe2o3
    total += g("Fe_met") + g("FeO") + fe2o3 + mag

    for k in DIRECT_SPECIES + ("C",):
        s[k] = g(k)
        total += g(k)

    # Loss on ignition: CO2 and bound water by the stated split, or a check of the columns beside it.
    if g("LOI") > 0:
        if g("CO2") > 0 or g("H2O_chem") > 0:
            if "LOI_CO2_share_pct" in v:
                raise AnalysisError("LOI_CO2_share_pct", f"{name}: CO2/H2O_chem are given, so the LOI needs no "
                                    "split; leave LOI_CO2_share_pct empty (or give LOI alone with the split)")
            given = g("CO2") + g("H2O_chem")
            if abs(given - g("LOI")) > LOI_TOLERANCE_PCT + 0.02 * g("LOI"):
                raise AnalysisError("LOI", f"{name}: LOI = {g('LOI'):g} % but CO2 + H2O_chem = {given:.3f} %; "
                                    "correct one of them, or leave CO2/H2O_chem at 0 and state the split in "
                                    "LOI_CO2_share_pct")
        elif "LOI_CO2_share_pct" in v:
            share = g("LOI_CO2_share_pct") / 100.0
            s["CO2"], s["H2O_chem"] = g("LOI") * share, g("LOI") * (1.0 - share)
            total += g("LOI")
        else:
            raise AnalysisError("LOI", f"{name}: LOI = {g('LOI'):g} % needs its split into CO2 and bound water: "
                                "add a column LOI_CO2_share_pct (the % of the LOI that is CO2: 100 for limestone "
                                "or dolomite, 0 for the bound water of a goethitic ore), or give CO2 and H2O_chem "
                                "instead of LOI")
    elif g("LOI_CO2_share_pct") > 0:
        raise AnalysisError("LOI_CO2_share_pct", f"{name}: LOI_CO2_share_pct is given but LOI is 0; give the LOI "
                            "(wt %) or leave the cell empty")
    s["C_fix"] = g("C")

    # Volatile matter of fuels given as gas species (wt % of the dry fuel).
    vm = {k: g(k) for k in ("vm_CO", "vm_CO2", "vm_CH4", "vm_H2", "vm_N2")}
    vm_sum = sum(vm.values())
    if vm_sum > 0:
        if g("volatiles") > 0 and abs(vm_sum - g("volatiles")) > 0.05 + 0.02 * g("volatiles"):
            raise AnalysisError("volatiles", f"{name}: volatiles = {g('volatiles'):g} % but the vm_* species "
                                f"sum to {vm_sum:.3f} %")
        s["C"] += vm["vm_CO"] * element_fraction("CO", "C") + vm["vm_CO2"] * element_fraction("CO2", "C") \
            + vm["vm_CH4"] * element_fraction("CH4", "C")
        s["O"] += vm["vm_CO"] * element_fraction("CO", "O") + vm["vm_CO2"] * element_fraction("CO2", "O")
        s["H"] += vm["vm_CH4"] * element_fraction("CH4", "H") + vm["vm_H2"]
        s["N"] += vm["vm_N2"]
        total += vm_sum
    elif g("volatiles") > 0:
        # Volatile matter reported only as a total: counted in the total, its
        # elements unknown (give vm_* or H/O/N to use them in gas balances).
        total += g("volatiles")

    # Ash reported as a total only (no oxide breakdown): counted in the total.
    ash_oxides = sum(g(o) for o in ASH_OXIDES)
    if g("ash") > 0 and not ash_cols and ash_oxides == 0:
        total += g("ash")
        warnings.append(f"{name}: ash {g('ash'):g} % has no oxide analysis; it is not counted in slag")

    check_total(total, name)
    if total < TOTAL_WARN_PCT:
        warnings.append(f"{name}: the analysis adds up to {total:.2f} % (unreported constituents)")
    return NormalisedAnalysis(species=s, total_pct=total, warnings=tuple(warnings))


def blend(analyses: np.ndarray, masses: np.ndarray) -> np.ndarray:
    """Mass-weighted analysis of a mix ("mixed ore").

    Parameters
    ----------
    analyses : array (..., n_materials, n_species)
        wt % of each species in each material (same basis, e.g. dry).
    masses : array (..., n_materials)
        Mass of each material in the mix (any unit, e.g. kg/tHM dry).

    Returns
    -------
    array (..., n_species)
        wt % of each species in the mix: sum_j m_j·w_ij / sum_j m_j.  Exact
        for mass-based species (USTB-HW [1]_ computes the mixed ore this way).

    Raises
    ------
    ValueError
        If the total mass is zero or negative.
    """
    a = np.asarray(analyses, dtype=float)
    m = np.asarray(masses, dtype=float)
    tot = m.sum(axis=-1)
    if np.any(tot <= 0):
        raise ValueError("blend: the total mass of the mix must be positive")
    return np.einsum("...j,...ji->...i", m, a) / tot[..., None]
