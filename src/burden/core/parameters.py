"""Model constants as data: one named, unit-annotated parameter set.

Every constant of the physics that is a property of a correlation or a plant rather
than of nature (the hot-metal carbon correlation, the heat-balance constants, the
injectant decomposition heat, the reference coke-rate correction factors) is a named
entry of :data:`PARAMETERS` with its value, unit, description and source.  A
:class:`ModelParameters` holds one value for each; a scenario overrides some of them
with its ``parameters:`` section (an inline mapping or a YAML/TOML file), and a
calibration can fit them.  The defaults are the published values the model used as
module constants before (the answers of today's examples do not change).

Sources (short names as in the domain primer, ``PRIMER.md``):

[1] USTB-NB - USTBifrt/Blast_Furnace_Calculation_Models, notebook "Blast Theoretical
    Fuel Rate Calculation" (Kejiang Li, University of Science and Technology Beijing).
[2] USTB-XLS - same repository, workbook "Blast_Furnace_Mass_Energy_Balance-Cd_C_Diagram-
    Rist_Diagram.xlsx" (total heat balance of an 1800 m3 furnace).
[3] USTB-HW - problem sheets of the USTB ironmaking course (Yang Shishan), as published
    in irumeria/blast_furnace_calculation.
[4] HBBF - An1onS/HBBF, Russian blast-furnace heat-balance workbook, factor sheet.
[5] IAPWS-IF97 steam tables (latent heat of water at 25 degC).
[6] NIST-JANAF Thermochemical Tables, 4th ed. (Chase 1998).
[7] Peacey & Davenport, The Iron Blast Furnace (1979) ch. 3-5; Rist & Meysson 1965.
[8] Slag Atlas, 2nd ed. (VDEh 1995): heat capacity of liquid blast-furnace slag 1.2-1.3 J/(g K).

>>> from burden.core.parameters import ModelParameters
>>> p = ModelParameters.default().with_overrides({"hm_carbon_T": 2.5e-3})
>>> round(p.hm_carbon["T"] * 1500, 4)
3.75
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from ..errors import InputError, InputProblem, did_you_mean


@dataclass(frozen=True)
class Parameter:
    """One model constant: default ``value`` [``unit``], what it is, where it comes from."""

    value: float
    unit: str
    description: str
    source: str
    group: str


def _p(group: str, value: float, unit: str, description: str, source: str) -> Parameter:
    return Parameter(float(value), unit, description, source, group)


_C = "hm_carbon"
_H = "heat"
_F = "hbbf"
_SRC_C = "USTB-NB [1]; PRIMER §3"
_SRC_H = "USTB-XLS [2], USTB-HW [3]; PRIMER §4"
_SRC_F = "HBBF [4]; PRIMER §4"
_D = "distribution"
_S = "sulphur"
_SRC_D = "USTB-HW [3]; PRIMER §2"
_Z = "two_zone"
_SRC_JANAF = "NIST-JANAF [6] (mean over 25 degC-T_TRZ; [L] read from the tables, verify)"
#: Fields of the distribution: and sulphide_capacity: sections whose defaults are parameters.
DISTRIBUTION_FIELDS = ("Fe_to_hot_metal", "Mn_to_hot_metal", "P_to_hot_metal", "Ti_to_hot_metal", "V_to_hot_metal",
                       "S_to_gas", "alkali_to_gas", "Zn_to_gas")
SULPHUR_FIELDS = {"plant_factor": "ls_plant_factor", "oxygen_activity": "hm_oxygen_activity",
                  "sulphur_activity_coefficient": "hm_sulphur_activity_coefficient"}

#: The parameter table: name -> Parameter(value, unit, description, source, group).
#:
#: hot-metal carbon (USTB-NB):
#: [C] = const + T·T_HM + P·[P] + Ti·[Ti] + S·[S] + Mn·[Mn] + Si·[Si]   (wt %, T_HM in degC)
PARAMETERS: Mapping[str, Parameter] = MappingProxyType({
    # -- hot-metal carbon correlation (USTB-NB) -------------------------------------------
    "hm_carbon_const": _p(_C, 1.34, "wt %", "[C] correlation: constant term", _SRC_C),
    "hm_carbon_T": _p(_C, 2.45e-3, "wt % per degC", "[C] correlation: hot-metal temperature", _SRC_C),
    "hm_carbon_P": _p(_C, -0.35, "wt % per wt %", "[C] correlation: hot-metal [P]", _SRC_C),
    "hm_carbon_Ti": _p(_C, 0.17, "wt % per wt %", "[C] correlation: hot-metal [Ti]", _SRC_C),
    "hm_carbon_S": _p(_C, -0.54, "wt % per wt %", "[C] correlation: hot-metal [S]", _SRC_C),
    "hm_carbon_Mn": _p(_C, 0.04, "wt % per wt %", "[C] correlation: hot-metal [Mn]", _SRC_C),
    "hm_carbon_Si": _p(_C, -0.30, "wt % per wt %", "[C] correlation: hot-metal [Si]", _SRC_C),
    # -- total heat balance ("Chinese total heat balance") ---------------------------------
    "c_to_co_kj_per_kg_c": _p(_H, 9800.0, "kJ/kg C", "heat of C burnt to CO", _SRC_H),
    "co_to_co2_kj_per_nm3": _p(_H, 12650.0, "kJ/Nm3 CO", "heat of CO oxidised to CO2 (indirect reduction)",
                               _SRC_H),
    "h2_to_h2o_kj_per_nm3": _p(_H, 10800.0, "kJ/Nm3 H2", "heat of H2 oxidised to H2O (reduction)", _SRC_H),
    "moisture_decomposition_kj_per_nm3": _p(_H, 10800.0, "kJ/Nm3 H2O", "decomposition of blast moisture",
                                            _SRC_H),
    "fe2o3_decomposition_kj_per_kg": _p(_H, 5159.0, "kJ/kg Fe2O3", "decomposition of Fe2O3 to Fe", _SRC_H),
    "feo_decomposition_kj_per_kg": _p(_H, 4801.0, "kJ/kg FeO", "decomposition of FeO to Fe", _SRC_H),
    "si_reduction_kj_per_kg": _p(_H, 31059.0, "kJ/kg Si", "reduction of Si into hot metal", _SRC_H),
    "mn_reduction_kj_per_kg": _p(_H, 7358.0, "kJ/kg Mn", "reduction of Mn into hot metal", _SRC_H),
    "p_reduction_kj_per_kg": _p(_H, 25733.0, "kJ/kg P", "reduction of P into hot metal", _SRC_H),
    "desulphurisation_kj_per_kg_s": _p(_H, 8300.0, "kJ/kg S", "desulphurisation (S taken by the slag)",
                                       _SRC_H),
    "caco3_kj_per_kg_cao": _p(_H, 4040.0 + 0.5 * 3770.0, "kJ/kg CaO",
                              "decomposition of flux CaCO3 (4040) plus solution loss of half its CO2 "
                              "(0.5 x 3770)", _SRC_H),
    "injectant_decomposition_kj_per_kg": _p(_H, 1000.0, "kJ/kg injectant",
                                            "decomposition heat of injected coal; one value for the total "
                                            "heat balance and the raceway (RAFT)", "USTB-NB [1]; PRIMER §4, §5"),
    "hot_metal_kj_per_kg": _p(_H, 1240.0, "kJ/kg hot metal", "enthalpy of the hot metal tapped", _SRC_H),
    "slag_kj_per_kg": _p(_H, 1780.0, "kJ/kg slag", "enthalpy of the slag tapped", _SRC_H),
    "water_evaporation_kj_per_kg": _p(_H, 2441.7, "kJ/kg H2O", "latent heat of water at 25 degC (free "
                                      "moisture of the charge)", "IAPWS-IF97 [5]"),
    # -- distribution coefficients (defaults of the distribution: section) ----------------
    **{f"distribution_{k}": _p(_D, v, "fraction", d, _SRC_D) for k, v, d in (
        ("Fe_to_hot_metal", 0.9985, "share of the net Fe input reduced into the hot metal"),
        ("Mn_to_hot_metal", 0.70, "share of the net Mn input reduced into the hot metal"),
        ("P_to_hot_metal", 1.0, "share of the net P input in the hot metal"),
        ("Ti_to_hot_metal", 0.40, "share of the net Ti input reduced into the hot metal"),
        ("V_to_hot_metal", 0.80, "share of the net V input reduced into the hot metal"),
        ("S_to_gas", 0.05, "share of the net S input leaving with the top gas"),
        ("alkali_to_gas", 0.05, "share of the net K2O and Na2O input leaving with the top gas"),
        ("Zn_to_gas", 1.0, "share of the net Zn input leaving with the top gas (recirculates)"))},
    # -- sulphur partition (defaults of the sulphide_capacity: section) --------------------
    "ls_plant_factor": _p(_S, 1.0, "-", "plant factor of L_S (calibrates the optical-basicity L_S to the plant)",
                          "PRIMER §6"),
    "hm_oxygen_activity": _p(_S, 1.0e-4, "wt % (Henrian)", "oxygen activity h_O of carbon-saturated hot metal "
                             "(order of magnitude; give a plant value)", "PRIMER §6"),
    "hm_sulphur_activity_coefficient": _p(_S, 1.0, "-", "activity coefficient f_S of sulphur in the hot metal",
                                          "PRIMER §6"),
    # -- two-zone heat balance (chemistry.zones) ------------------------------------------
    "hot_metal_reference_c": _p(_Z, 1500.0, "degC", "temperature at which hot_metal_kj_per_kg holds (tapping)",
                                "USTB-XLS [2] ([L] tapping temperature of the sheet)"),
    "hot_metal_cp_kj_per_kg_k": _p(_Z, 0.824, "kJ/(kg K)", "heat capacity of liquid hot metal (Fe(l) 46.0 J/(mol K))",
                                   "NIST-JANAF [6], Fe(l)"),
    "slag_reference_c": _p(_Z, 1550.0, "degC", "temperature at which slag_kj_per_kg holds", "USTB-XLS [2] [L]"),
    "slag_cp_kj_per_kg_k": _p(_Z, 1.25, "kJ/(kg K)", "heat capacity of liquid blast-furnace slag", "Slag Atlas [8]"),
    "slag_over_hot_metal_c": _p(_Z, 50.0, "degC", "slag tapped hotter than the hot metal by this",
                                "Geerdes et al. 2009 [L]"),
    "iron_cp_kj_per_kg_k": _p(_Z, 0.67, "kJ/(kg K)", "mean heat capacity of solid Fe, 25 degC to T_TRZ "
                              "(H(1200 K) - H(298 K) about 34 kJ/mol)", _SRC_JANAF),
    "wustite_cp_kj_per_kg_k": _p(_Z, 0.77, "kJ/(kg K)", "mean heat capacity of wüstite FeO, 25 degC to T_TRZ",
                                 _SRC_JANAF),
    "oxide_cp_kj_per_kg_k": _p(_Z, 0.95, "kJ/(kg K)", "mean heat capacity of the slag-forming oxides "
                               "(CaO, SiO2, Al2O3, MgO), 25 degC to T_TRZ", _SRC_JANAF),
    "lower_zone_heat_loss_share": _p(_Z, 0.8, "fraction", "share of the furnace heat loss below the thermal "
                                     "reserve zone (bosh, belly, hearth, tuyeres are the most cooled)",
                                     "Peacey & Davenport [7] [L]; plant-calibrated"),
    "wustite_o_per_fe": _p(_Z, 1.05, "mol/mol", "y_W, O/Fe of wüstite at the W point (Fe0.95O)", "PRIMER §4; [7]"),
    # -- coke-rate correction factors of the HBBF heat balance (reference values) ----------
    "hbbf_direct_reduction_degree": _p(_F, -2.2, "kg coke/tHM per -0.01 r_d",
                                       "coke change for 0.01 less direct reduction", _SRC_F),
    "hbbf_blast_temperature_c": _p(_F, -1.4, "kg coke/tHM per +10 degC",
                                   "coke change for a 10 degC hotter blast", _SRC_F),
    "hbbf_slag_kg_per_thm": _p(_F, -1.6, "kg coke/tHM per -10 kg slag/tHM",
                               "coke change for 10 kg/tHM less slag", _SRC_F),
    "hbbf_heat_loss_pct": _p(_F, -3.7, "kg coke/tHM per -1 % heat loss",
                             "coke change for heat losses 1 % (of the heat income) lower", _SRC_F),
})

#: The change each HBBF factor refers to, in the unit of its setting (r_d, degC, kg/tHM, %).
HBBF_CHANGES: Mapping[str, float] = MappingProxyType({
    "direct_reduction_degree": -0.01, "blast_temperature_c": 10.0, "slag_kg_per_thm": -10.0,
    "heat_loss_pct": -1.0})

#: Keys of :attr:`ModelParameters.hm_carbon` (element or term of the correlation).
HM_CARBON_TERMS = ("const", "T", "P", "Ti", "S", "Mn", "Si")
#: Keys of :attr:`ModelParameters.heat_constants` (the keys of ``chemistry.heat.HEAT_CONSTANTS``).
HEAT_CONSTANT_NAMES = tuple(k for k, p in PARAMETERS.items() if p.group == _H)

_DEFAULTS = {k: p.value for k, p in PARAMETERS.items()}


def check_value(name: str, value: Any) -> tuple[float | None, str | None]:
    """(float value, None) for a valid parameter value, else (None, why not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, str):
            try:
                float(value)
                hint = "; in YAML an exponent needs a decimal point (write 1.0e-3, not 1e-3)"
            except ValueError:
                hint = ""
            return None, f"{value!r} is text, not a number{hint}"
        return None, f"{value!r} is not a number ({type(value).__name__}); give a number in {PARAMETERS[name].unit}"
    x = float(value)
    if not math.isfinite(x):
        return None, f"{x!r} is not a finite number"
    if PARAMETERS[name].group == _D and not 0.0 <= x <= 1.0:
        return None, f"{x:g} is not a fraction 0-1" + (f" (percent? {x / 100:g})" if 1 < x <= 100 else "")
    if PARAMETERS[name].group == _S and x <= 0:
        return None, f"{x:g} must be positive ({PARAMETERS[name].unit})"
    if PARAMETERS[name].group == _Z and (x <= 0 or (PARAMETERS[name].unit == "fraction" and x > 1)):
        return None, f"{x:g} must be positive ({PARAMETERS[name].unit})"
    if PARAMETERS[name].group == _H and x <= 0:
        # the heat table holds magnitudes (the balance puts them on the income or expenditure side)
        return None, f"{x:g} is not a heat: the heat constants are magnitudes > 0 in {PARAMETERS[name].unit}"
    return x, None


def check_overrides(values: Any, *, source: str = "<python>", prefix: str = "") -> tuple[dict, list[InputProblem]]:
    """Validate parameter overrides: (name -> float, problems).

    Each problem names ``source`` and the field ``prefix + name``; an unknown name lists
    the known ones.
    """
    problems: list[InputProblem] = []
    if not isinstance(values, Mapping):
        return {}, [InputProblem(source, prefix.rstrip(".") or "parameters",
                                 f"parameters are a mapping of names to numbers, not {type(values).__name__}")]
    out: dict[str, float] = {}
    for name, value in values.items():
        where = f"{prefix}{name}"
        if name not in PARAMETERS:
            hint = did_you_mean(name, PARAMETERS)
            problems.append(InputProblem(source, where, f"unknown model parameter {name!r}; {hint}"
                                         f"(known: {', '.join(PARAMETERS)})"))
            continue
        x, why = check_value(name, value)
        if why is not None:
            problems.append(InputProblem(source, where, why))
        else:
            out[name] = x
    return out, problems


class ModelParameters:
    """The model constants of one scenario: a value for every entry of :data:`PARAMETERS`.

    Immutable and picklable.  Values are read by name (``p.hm_carbon_T``, ``p["slag_kj_per_kg"]``)
    or in groups: :attr:`hm_carbon`, :attr:`heat_constants`, :attr:`hbbf_factors`,
    :attr:`coal_decomposition_kj_per_kg`.

    Build with :meth:`default`, :meth:`with_overrides` or :meth:`from_dict`.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, float] | None = None):
        vals = dict(_DEFAULTS)
        if values:
            checked, problems = check_overrides(values)
            if problems:
                raise InputError(problems)
            vals.update(checked)
        object.__setattr__(self, "_values", MappingProxyType(vals))

    # -- construction ----------------------------------------------------------------
    @classmethod
    def default(cls) -> "ModelParameters":
        """The published values (the table's defaults)."""
        return _DEFAULT

    def with_overrides(self, values: Mapping[str, Any], *, source: str = "<python>",
                       prefix: str = "") -> "ModelParameters":
        """A copy with some values changed.

        Raises
        ------
        InputError
            An unknown name (the known names are listed), a value that is not a finite
            number (bools and text are refused); every problem names ``source`` and the
            field ``prefix + name``.
        """
        checked, problems = check_overrides(values, source=source, prefix=prefix)
        if problems:
            raise InputError(problems)
        if not checked:
            return self
        return ModelParameters({**self._values, **checked})

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "ModelParameters":
        """Parameters from :meth:`to_dict` (or any subset: the rest stay at their defaults)."""
        return cls.default().with_overrides(values)

    def to_dict(self) -> dict[str, float]:
        """Every value by name (a new dict)."""
        return dict(self._values)

    def overrides(self) -> dict[str, float]:
        """The values that differ from the defaults."""
        return {k: v for k, v in self._values.items() if v != _DEFAULTS[k]}

    def table(self):
        """The parameters as a DataFrame: name, value, unit, description, source, group, default."""
        import pandas as pd

        rows = [{"name": k, "value": self._values[k], "unit": p.unit, "description": p.description,
                 "source": p.source, "group": p.group, "default": p.value} for k, p in PARAMETERS.items()]
        return pd.DataFrame(rows, columns=["name", "value", "unit", "description", "source", "group", "default"])

    # -- groups the models read --------------------------------------------------------
    @property
    def hm_carbon(self) -> dict[str, float]:
        """USTB-NB hot-metal carbon correlation (PRIMER §3), keys const, T, P, Ti, S, Mn, Si:
        [C] wt % = const + T·T_HM[degC] + Σ_X k_X·[X] wt %."""
        return {t: self._values[f"hm_carbon_{t}"] for t in HM_CARBON_TERMS}

    @property
    def heat_constants(self) -> dict[str, float]:
        """Total-heat-balance constants (USTB-XLS), the keys of ``chemistry.heat.HEAT_CONSTANTS``."""
        return {k: self._values[k] for k in HEAT_CONSTANT_NAMES}

    @property
    def coal_decomposition_kj_per_kg(self) -> float:
        """Decomposition heat of injected coal, kJ/kg (USTB-NB), for the raceway (RAFT)."""
        return self._values["injectant_decomposition_kj_per_kg"]

    @property
    def two_zone(self) -> dict[str, float]:
        """Constants of the two-zone heat balance (:mod:`burden.chemistry.zones`), by name."""
        return {k: v for k, v in self._values.items() if PARAMETERS[k].group == _Z}

    @property
    def hbbf_factors(self) -> dict[str, tuple[float, float]]:
        """HBBF coke-rate correction factors (PRIMER §4): setting -> (change, kg coke/tHM for
        that change), the format of ``nonlinear.HBBF_FACTORS``."""
        return {k: (c, self._values[f"hbbf_{k}"]) for k, c in HBBF_CHANGES.items()}

    # -- value semantics -----------------------------------------------------------------
    def __getattr__(self, name: str) -> float:
        if not name.startswith("_") and name in PARAMETERS:
            return self._values[name]
        raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}")

    def __getitem__(self, name: str) -> float:
        if name not in PARAMETERS:
            raise KeyError(name)
        return self._values[name]

    def __setattr__(self, name, value):
        raise AttributeError("ModelParameters are immutable; use with_overrides(...)")

    __delattr__ = __setattr__

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(PARAMETERS))

    def __eq__(self, other) -> bool:
        return isinstance(other, ModelParameters) and dict(self._values) == dict(other._values)

    def __hash__(self) -> int:
        return hash(tuple(self._values.values()))

    def __reduce__(self):
        return (ModelParameters, (self.overrides(),))

    def __repr__(self) -> str:
        ov = self.overrides()
        return "ModelParameters(" + (", ".join(f"{k}={v!r}" for k, v in ov.items()) or "defaults") + ")"


_DEFAULT = ModelParameters()
