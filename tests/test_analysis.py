"""Molar masses, analysis normalisation and blending against published or hand-worked values."""

import numpy as np
import pytest

from burden.chemistry.analysis import AnalysisError, blend, normalise_analysis
from burden.chemistry.elements import composition, element_fraction, molar_mass, oxide_per_element
from burden.materials import default_library


@pytest.mark.parametrize("formula, published", [
    # CRC Handbook / NIST molar masses, g/mol
    ("Fe2O3", 159.687), ("FeO", 71.844), ("SiO2", 60.084), ("CaCO3", 100.086),
    ("CaMg(CO3)2", 184.399), ("P2O5", 141.943), ("Al2O3", 101.961), ("H2O", 18.015),
])
def test_molar_masses(formula, published):
    assert molar_mass(formula) == pytest.approx(published, abs=0.002)


def test_conversion_factors_of_the_primer():
    # PRIMER §1: FeO·(55.845/71.844) + Fe2O3·(2·55.845/159.69)
    assert element_fraction("FeO", "Fe") == pytest.approx(55.845 / 71.844, rel=1e-5)
    assert element_fraction("Fe2O3", "Fe") == pytest.approx(2 * 55.845 / 159.69, rel=1e-4)
    # PRIMER §3: SiO2 consumed per kg Si reduced = 60.08/28.09
    assert oxide_per_element("SiO2", "Si") == pytest.approx(60.08 / 28.09, rel=1e-3)
    assert composition("CaMg(CO3)2") == {"Ca": 1, "Mg": 1, "C": 2, "O": 6}
    with pytest.raises(ValueError):
        composition("Xy2O3")
    with pytest.raises(ValueError):
        composition("Ca(CO3")


SINTER = dict(TFe=56.70, Mn=0.386, P=0.043, S=0.043, Fe2O3=73.779, FeO=6.46, CaO=9.88, SiO2=5.43,
              MgO=1.77, Al2O3=1.966, MnO=0.498, P2O5=0.098, FeS=0.118)


def test_textbook_sinter_is_consistent_and_complete():
    a = normalise_analysis(SINTER, name="sinter")
    assert a.total_pct == pytest.approx(100.0, abs=0.01)
    assert a.species["Fe"] == pytest.approx(56.70)
    assert a.species["Mn"] == pytest.approx(0.386)
    assert a.species["S"] == pytest.approx(0.118 * 32.06 / 87.905, rel=1e-3)


def test_fe2o3_is_derived_from_tfe_and_feo():
    raw = {k: v for k, v in SINTER.items() if k != "Fe2O3"}
    a = normalise_analysis(raw)
    # (56.70 - 6.46·0.77731 - FeS Fe) / 0.69943 = 73.78
    fe_feo = 6.46 * 55.845 / 71.844
    fe_fes = 0.118 * 55.845 / 87.905
    assert a.species["Fe2O3"] == pytest.approx((56.70 - fe_feo - fe_fes) / (2 * 55.845 / 159.687), rel=1e-6)
    assert a.species["Fe2O3"] == pytest.approx(73.779, abs=0.02)


@pytest.mark.parametrize("change, field, words", [
    ({"TFe": 60.0}, "TFe", "carry"),                       # TFe contradicts FeO/Fe2O3
    ({"MnO": 0.9}, "MnO", "correct one of them"),          # Mn and MnO disagree
    ({"SiO2": -1.0}, "SiO2", "negative"),
    ({"S": 0.01}, "S", "less than"),                       # S below the FeS sulphur
    ({"CaO": 29.88}, "total", "adds up to"),               # total far above 100
])
def test_inconsistent_analyses_are_rejected(change, field, words):
    with pytest.raises(AnalysisError) as e:
        normalise_analysis({**SINTER, **change}, name="sinter")
    assert e.value.field == field
    assert words in str(e.value)


def test_fractions_instead_of_percentages_are_named():
    frac = {k: v / 100 for k, v in SINTER.items()}
    with pytest.raises(AnalysisError, match="look like fractions"):
        normalise_analysis(frac, name="sinter")


def test_fuel_ash_given_as_percent_of_ash():
    a = normalise_analysis({"C": 88.0, "ash": 11.0, "ash_SiO2": 50.0, "ash_Al2O3": 30.0, "ash_CaO": 20.0, "S": 0.6,
                            "volatiles": 0.4})
    assert a.species["SiO2"] == pytest.approx(5.5)
    assert a.species["Al2O3"] == pytest.approx(3.3)
    assert a.total_pct == pytest.approx(100.0)


def test_blend_is_the_mass_weighted_mean():
    lib = default_library()
    names = ["sinter", "pellets", "lump_ore"]
    A = np.array([[lib[n].analysis["Fe"], lib[n].analysis["SiO2"]] for n in names])
    m = np.array([1227.04, 298.00, 89.96])
    mix = blend(A, m)
    # USTB sheet 5-1 mixed-ore TFe 58.77 %
    assert mix[0] == pytest.approx(58.77, abs=0.01)
    assert mix[1] == pytest.approx((5.43 * 1227.04 + 5.60 * 298.0 + 2.47 * 89.96) / m.sum(), rel=1e-12)
    # vectorised over several mixes
    mm = np.stack([m, m * 2, np.array([1.0, 0.0, 0.0])])
    out = blend(A, mm)
    assert out.shape == (3, 2)
    assert out[2, 0] == pytest.approx(lib["sinter"].analysis["Fe"])
    with pytest.raises(ValueError):
        blend(A, np.zeros(3))


def test_default_library_is_consistent_and_cited():
    lib = default_library()
    assert {"sinter", "pellets", "lump_ore", "limestone", "dolomite", "quartzite", "coke", "nut_coke", "pci",
            "bf_dust"} <= set(lib)
    for name, m in lib.items():
        assert m.source, name
        assert 98.0 <= m.total_pct <= 101.0, name
    # dolomite from stoichiometry: CaO = M_CaO/M_CaMg(CO3)2
    d = lib["dolomite"].analysis
    assert d["CaO"] == pytest.approx(100 * molar_mass("CaO") / molar_mass("CaMg(CO3)2"), abs=0.01)
    assert d["MgO"] == pytest.approx(100 * molar_mass("MgO") / molar_mass("CaMg(CO3)2"), abs=0.01)
