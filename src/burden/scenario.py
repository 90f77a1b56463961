"""Scenario files: YAML or TOML, strict validation, named overrides.

A scenario says which materials are charged and within which limits, what hot
metal and slag are wanted, and how elements distribute.  Files are validated
strictly (unknown keys, wrong units, min > max, unknown materials); every
problem is reported with the file, the dotted field and the fix.

Named ``overrides`` are partial scenarios merged into the base; ``scenarios``
combine overrides by name (the calliope convention)::

    overrides:
      cheap_pellets: {charge: {pellets: {price_per_t: 140}}}
      more_pellets:  {charge: {pellets: {max_kg_per_thm: 900}}}
    scenarios:
      high_pellet: [more_pellets, cheap_pellets]

Units are in the key names: ``_pct`` wt %, ``_kg_per_thm`` kg per tonne of hot
metal (dry), ``_t_per_day``, ``_c`` degC.  Distribution coefficients are
fractions 0-1.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Mapping, Union

import yaml
from functools import cached_property

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model,
                      field_serializer, field_validator, model_serializer, model_validator)
from typing_extensions import Annotated

from .core.parameters import PARAMETERS, ModelParameters, check_overrides, check_value
from .errors import InputError, InputProblem, clip, did_you_mean, echo, number_problem, pydantic_message
from .materials import (Material, MaterialClass, MaterialTable, default_library, group_members, load_material_table,
                        materials_from_dataframe, materials_from_records)


def _numeric_shape(model: type, name: str) -> str | None:
    """How a field of ``model`` holds numbers: "number" (a float, maybe optional or in a union
    with a word), "window" (a :class:`Window`: a number or {min, max}), "numbers" (a mapping of
    names to floats), or None."""
    import typing

    cache = model.__dict__.get("_numeric_shapes_cache")
    if cache is None:
        cache = {}
        type.__setattr__(model, "_numeric_shapes_cache", cache)
    if name in cache:
        return cache[name]
    info = model.model_fields.get(name)
    shape = None
    if info is not None:
        ann = info.annotation
        args = set(typing.get_args(ann)) | {ann}
        for a in list(args):  # Annotated[float | None, ...] and friends
            args |= set(typing.get_args(a))
        if typing.get_origin(ann) is dict:
            shape = "numbers" if typing.get_args(ann)[1] is float else None
        elif float in args:
            shape = "number"
        elif any(isinstance(a, type) and a.__name__ == "Window" for a in args):
            shape = "window"
    cache[name] = shape
    return shape


def _window_end_problem(x, kind: str) -> str | None:
    """A window on a mass rate or a percentage (a limit: slag wt %, hot-metal wt %, loads and
    rates in kg/tHM, t/day) cannot end below 0 (the rule ``set_limit`` applies to limit rows)."""
    if isinstance(x, (int, float)) and not isinstance(x, bool) and x < 0 and kind.endswith(
            ("_pct", "_kg_per_thm", "_t_per_day")):
        return f"{x:g} is below 0; a window on a {'percentage' if kind.endswith('_pct') else 'rate'} gives numbers >= 0"
    return None


def _as_number(v):
    """``v`` as a number where pydantic would read it as one (numeric text too), else ``v``."""
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return v


#: the kind of quantity of a mapping of numbers, for the plausible range (lost_burden: kg/tHM)
_MAPPING_KIND = {"lost_burden": "lost_burden_kg_per_thm"}


class _Strict(BaseModel):
    #: the kind of quantity of a field whose name does not tell it (errors.QUANTITY_KINDS)
    _NUMBER_KINDS: ClassVar[dict] = {}
    # validate_default: a default must pass the same checks as the value written out,
    # so that a dumped scenario (model_dump() writes every default) loads again
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, v, info):
        """The one rule for every number of a scenario (:func:`burden.errors.number_problem`):
        no yes/no values, finite, within the plausible range of its kind (told by the key
        name; a window's ends by the window's name)."""
        if v is None:  # an optional field left out (most defaults): nothing to check
            return v
        if info.context is ENDS_CHECKED and cls is Window:
            return v   # a limit check (core.problem): the holder's window rule checked both ends
        name = info.field_name
        kind = cls._NUMBER_KINDS.get(name, name)
        shape = _numeric_shape(cls, name)
        if shape is None:
            return v
        if shape == "numbers":
            if isinstance(v, Mapping):
                for k, x in v.items():
                    why = number_problem(_as_number(x), _MAPPING_KIND.get(name, kind))
                    if why:
                        raise ValueError(f"{clip(str(k), 40)}: {why}")
            return v
        if shape == "window" and isinstance(v, Mapping):
            for end in ("min", "max"):
                x = _as_number(v.get(end))
                why = number_problem(x, kind) or _window_end_problem(x, kind)
                if why:
                    raise ValueError(f"{end}: {why}")
            return v
        why = number_problem(_as_number(v), kind)
        if why:
            raise ValueError(why)
        return v


#: validation context of a limit value's check (``core.problem._check_in_scenario``): the
#: holder's rule for the window field has checked both ends under the window's own name (the
#: stricter kind), so a Window's min/max need not be checked again under the names min/max
ENDS_CHECKED = object()


class Window(_Strict):
    """A window ``min <= value <= max``; either end may be open (None).

    In a file, a bare number means a fixed value (min = max).
    """

    min: float | None = None
    max: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _number_is_fixed(cls, data):
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"min": data, "max": data}
        return data

    @model_validator(mode="after")
    def _ordered(self):
        for end in ("min", "max"):
            v = getattr(self, end)
            if v is not None and not math.isfinite(v):
                raise ValueError(f"{end} must be a finite number")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} > max {self.max:g}; swap them")
        return self

    @property
    def is_fixed(self) -> bool:
        return self.min is not None and self.min == self.max

    def describe(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        if self.is_fixed:
            return f"= {self.min:g}{u}"
        if self.min is not None and self.max is not None:
            return f"{self.min:g}-{self.max:g}{u}"
        if self.min is not None:
            return f">= {self.min:g}{u}"
        if self.max is not None:
            return f"<= {self.max:g}{u}"
        return "free"


def _window_within(v: Window | None, lo: float, hi: float, what: str) -> Window | None:
    """Reject a window with an end outside [lo, hi]; ``what`` says what the ends are."""
    if v is not None:
        for end in ("min", "max"):
            x = getattr(v, end)
            if x is not None and not lo <= x <= hi:
                raise ValueError(f"{end} = {x:g} is not {what}")
    return v


def _fraction(v: float) -> float:
    """A fraction 0-1; a value 1-100 is a percentage typed for it (the fix is given)."""
    if 1 < v <= 100:
        raise ValueError(f"{v:g} looks like a percentage; give a fraction between 0 and 1 (e.g. {v / 100:g})")
    if not (0 <= v <= 1):
        raise ValueError(f"{v:g} is not a fraction between 0 and 1")
    return v


def _pct_window(v: Window | None, what: str) -> Window | None:
    """Reject a percentage window that looks like a fraction (0 < value < 1)."""
    if v is None:
        return v
    for end in ("min", "max"):
        x = getattr(v, end)
        if x is not None and 0 < x < 1:
            raise ValueError(f"{end} = {x:g} looks like a fraction; {what} is in wt % (write {x * 100:g} for {x * 100:g} %)")
    return v


class HotMetal(_Strict):
    """Hot-metal targets and limits, wt %.

    ``Fe_pct`` omitted: iron by difference, so the hot metal sums to 100 %.
    ``C_pct`` "formula": [C] from the USTB-NB correlation (PRIMER §3).
    ``Si_pct`` and ``S_pct`` are targets; ``Mn_pct``, ``P_pct``, ``Ti_pct``,
    ``V_pct`` follow from the burden via the distribution coefficients and
    may be limited by a window (or fixed by a number).
    """

    temperature_c: float = Field(1500.0, description="hot-metal temperature, degC")
    Fe_pct: float | None = None
    Si_pct: float = 0.45
    S_pct: float = 0.030
    C_pct: Union[float, Literal["formula"]] = "formula"
    Mn_pct: Window | None = None
    P_pct: Window | None = None
    Ti_pct: Window | None = None
    V_pct: Window | None = None

    @field_validator("temperature_c")
    @classmethod
    def _temp(cls, v):
        if v > 1700:
            raise ValueError(f"{v:g} degC is too hot for hot metal; was it given in kelvin? (1773 K = 1500 degC)")
        if v < 1300:
            raise ValueError(f"{v:g} degC is below the liquidus of hot metal (typically 1450-1550 degC)")
        return v

    @field_validator("Fe_pct")
    @classmethod
    def _fe(cls, v):
        if v is not None and not (80 <= v <= 99):
            raise ValueError(f"{v:g} is not a hot-metal Fe content in wt % (typically 93-95)")
        return v

    @field_validator("Si_pct", "S_pct")
    @classmethod
    def _small(cls, v, info):
        if not (0 <= v <= 5):
            raise ValueError(f"{v:g} is outside 0-5 wt %")
        # a target typed as a fraction: [Si] is 0.2-1.0 % and [S] 0.015-0.06 % in practice
        # (PRIMER §3); 0.004 for 0.4 % Si or 0.0003 for 0.03 % S is below any hot metal made
        lowest = {"Si_pct": 0.05, "S_pct": 0.001}[info.field_name]
        if 0 < v < lowest:
            raise ValueError(f"{v:g} looks like a fraction; hot-metal {info.field_name[:-4]} is in wt % "
                             f"(write {v * 100:g} for {v * 100:g} %)")
        return v

    @field_validator("C_pct")
    @classmethod
    def _c(cls, v):
        if v != "formula" and not (2 <= v <= 6):
            raise ValueError(f"{v:g} is not a hot-metal carbon in wt % (typically 4.2-5.0); or write 'formula'")
        return v


def _default(name: str) -> float:
    """The default of a setting that is a model parameter (one definition, with its source)."""
    return PARAMETERS[name].value


class Distribution(_Strict):
    """Distribution coefficients: the fraction (0-1) of each element's net
    input (inputs less dust) that goes where.  Defaults: the model parameters
    ``distribution_<field>`` (USTB-HW, PRIMER §2), which a ``parameters:`` section
    may change; a value written here wins.

    ``free`` for Mn, P, Ti or V leaves the split to the burden: the hot-metal target
    (``hot_metal.Mn_pct: 0.5``, a fixed value) is met and the rest of the net input goes to
    the slag, the split η = 10·target/net following from the burden; a row keeps η ≤ 1 (the
    net input covers the target).
    """

    Fe_to_hot_metal: float = _default("distribution_Fe_to_hot_metal")
    Mn_to_hot_metal: Union[float, Literal["free"]] = _default("distribution_Mn_to_hot_metal")
    P_to_hot_metal: Union[float, Literal["free"]] = _default("distribution_P_to_hot_metal")
    Ti_to_hot_metal: Union[float, Literal["free"]] = _default("distribution_Ti_to_hot_metal")
    V_to_hot_metal: Union[float, Literal["free"]] = _default("distribution_V_to_hot_metal")
    S_to_gas: float = _default("distribution_S_to_gas")
    alkali_to_gas: float = _default("distribution_alkali_to_gas")
    Zn_to_gas: float = _default("distribution_Zn_to_gas")

    @field_validator("*")
    @classmethod
    def _fraction(cls, v):
        return v if v == "free" else _fraction(v)


class Slag(_Strict):
    """Slag limits.  B2 = CaO/SiO2, B3 = (CaO+MgO)/SiO2,
    B4 = (CaO+MgO)/(SiO2+Al2O3); ``MgO_pct``/``Al2O3_pct`` wt % of slag, and a window
    on any other slag component the same way (``CaO_pct``, ``SiO2_pct``, ``MnO_pct``,
    ``FeO_pct``, ``TiO2_pct``, ``V2O5_pct``, ``P2O5_pct``, ``K2O_pct``, ``Na2O_pct``, ``ZnO_pct``, ``S_pct``);
    ``sulphur_partition_LS`` (optional) is the plant L_S = (%S)/[%S]: the slag
    must be able to hold the sulphur at the hot-metal S target.
    """

    B2: Window | None = None
    B3: Window | None = None
    B4: Window | None = None
    MgO_pct: Window | None = None
    Al2O3_pct: Window | None = None
    rate_kg_per_thm: Window | None = None
    sulphur_partition_LS: float | None = None
    # windows on the other slag components, wt % of the slag (core.rows.SLAG_PCT_WINDOWS)
    CaO_pct: Window | None = None
    SiO2_pct: Window | None = None
    MnO_pct: Window | None = None
    FeO_pct: Window | None = None
    TiO2_pct: Window | None = None
    V2O5_pct: Window | None = None
    P2O5_pct: Window | None = None
    K2O_pct: Window | None = None
    Na2O_pct: Window | None = None
    S_pct: Window | None = None
    ZnO_pct: Window | None = None

    @field_validator("MgO_pct", "Al2O3_pct", "CaO_pct", "SiO2_pct")
    @classmethod
    def _pct(cls, v, info):
        # the major oxides are never below 1 % of a slag: a value below 1 is a fraction; the minor
        # ones (MnO, FeO, TiO2, ... 0.2-1 %) are taken as written
        return _pct_window(v, f"slag {info.field_name[:-4]}")

    @field_validator("MnO_pct", "FeO_pct", "TiO2_pct", "V2O5_pct", "P2O5_pct", "K2O_pct", "Na2O_pct", "ZnO_pct", "S_pct")
    @classmethod
    def _minor_pct(cls, v, info):
        # minor components are often below 1 wt % (FeO 0.3-1, S 1-2): only the wt % range
        return _window_within(v, 0.0, 100.0, "a wt % of the slag (0-100)")

    @field_validator("B2", "B3", "B4")
    @classmethod
    def _basicity(cls, v, info):
        if v is not None:
            for end in ("min", "max"):
                x = getattr(v, end)
                if x is not None and not (0.3 <= x <= 3.0):
                    raise ValueError(f"{end} = {x:g} is not a slag basicity ratio (typically 0.9-1.5)")
        return v

    @field_validator("sulphur_partition_LS")
    @classmethod
    def _ls(cls, v):
        if v is not None and not (1 <= v <= 500):
            raise ValueError(f"L_S = {v:g} is outside 1-500 (plant values are 20-80)")
        return v


class Loads(_Strict):
    """Loads, kg per tonne of hot metal, summed over every input including fuels.

    alkali = K2O + Na2O; zinc as Zn; sulphur as S; phosphorus as P; chlorine as Cl.
    """

    alkali_kg_per_thm: Window | None = None
    zinc_kg_per_thm: Window | None = None
    sulphur_kg_per_thm: Window | None = None
    phosphorus_kg_per_thm: Window | None = None
    chlorine_kg_per_thm: Window | None = None


class Share(_Strict):
    """A share limit: sum of ``materials`` as % of sum of ``of``, on a ``basis``: ``dry``
    mass (default), ``wet`` mass (as charged, with each material's moisture) or ``Fe``
    (iron units: the Fe the materials bring, e.g. pellets as % of the ferrous Fe).

    Both accept a material name, a list of names, or a class name
    (``ferrous``, ``flux``, ``coke``, ``injectant``).  When ``materials`` are not all part of
    ``of`` the share is a ratio and may exceed 100 % (ore/coke, ``of: coke``: ~400 %).
    """

    materials: Union[str, list[str]]
    of: Union[str, list[str]] = "ferrous"
    min_pct: float | None = None
    max_pct: float | None = None
    basis: Literal["dry", "wet", "Fe"] = "dry"
    _NUMBER_KINDS: ClassVar[dict] = {"min_pct": "share_or_ratio", "max_pct": "share_or_ratio"}

    @model_validator(mode="after")
    def _check(self):
        for end in ("min_pct", "max_pct"):
            x = getattr(self, end)
            if x is not None and x < 0:
                raise ValueError(f"{end} = {x:g} is below 0 %")
            if x is not None and 0 < x < 1:
                raise ValueError(f"{end} = {x:g} looks like a fraction; shares are in % (write {x * 100:g})")
        if self.min_pct is None and self.max_pct is None:
            raise ValueError("give min_pct and/or max_pct")
        if self.min_pct is not None and self.max_pct is not None and self.min_pct > self.max_pct:
            raise ValueError(f"min_pct {self.min_pct:g} > max_pct {self.max_pct:g}; swap them")
        return self


class Mix(_Strict):
    """Chemistry windows on a group of materials, e.g. the ferrous mix: its analysis as the
    rate-weighted mean of the materials' (dry basis), wt %, and its basicities.

    ``materials``: a material name, a list, or a class name (``ferrous`` ...).
    Properties (each a window, :data:`burden.core.rows.MIX_PROPERTIES`): ``TFe_pct``,
    ``SiO2_pct``, ``Al2O3_pct``, ``CaO_pct``, ``MgO_pct``, ``Mn_pct``, ``P_pct``,
    ``S_pct``, ``B2`` = CaO/SiO2, ``B4`` = (CaO+MgO)/(SiO2+Al2O3).
    """

    materials: Union[str, list[str]] = "ferrous"
    TFe_pct: Window | None = None
    SiO2_pct: Window | None = None
    Al2O3_pct: Window | None = None
    CaO_pct: Window | None = None
    MgO_pct: Window | None = None
    Mn_pct: Window | None = None
    P_pct: Window | None = None
    S_pct: Window | None = None
    B2: Window | None = None
    B4: Window | None = None

    @field_validator("TFe_pct", "SiO2_pct", "Al2O3_pct", "CaO_pct", "MgO_pct", "Mn_pct", "P_pct", "S_pct")
    @classmethod
    def _pct(cls, v, info):
        _window_within(v, 0.0, 100.0, "a wt % (0-100)")
        if info.field_name == "TFe_pct":   # TFe is tens of %: below 1 is a fraction
            return _pct_window(v, "TFe of the mix")
        return v

    @field_validator("B2", "B4")
    @classmethod
    def _basicity(cls, v):
        if v is not None and any(x is not None and x <= 0 for x in (v.min, v.max)):
            raise ValueError("a basicity is a ratio of positive masses; give a number > 0")
        return _window_within(v, 0.0, 10.0, "a basicity of a burden mix (sinter 1.6-2.2, acid pellets ~0.1, "
                                            "the ferrous mix 0.8-1.6)")


class ChargeEntry(_Strict):
    """A charged material: availability and optional overrides of its table row.

    ``fixed_kg_per_thm`` fixes the rate (fuels, scrap); the min/max fields
    limit it.  ``wet_t_per_charge`` fixes it from the batch weight as the plant writes
    it (wet t of the material per charge, with the scenario's ``hot_metal_t_per_charge``):
    dry kg/tHM = wet t × (1 − moisture/100) × 1000 / (t hot metal per charge).
    ``price_per_t``/``price_basis``/``moisture_pct`` override the material table.
    """

    min_kg_per_thm: float | None = Field(None, ge=0)
    max_kg_per_thm: float | None = Field(None, ge=0)
    min_t_per_day: float | None = Field(None, ge=0)
    max_t_per_day: float | None = Field(None, ge=0)
    fixed_kg_per_thm: float | None = Field(None, ge=0)
    price_per_t: float | None = Field(None, ge=0)
    price_basis: Literal["dry", "wet"] | None = None
    moisture_pct: float | None = Field(None, ge=0, lt=100)
    wet_t_per_charge: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _check(self):
        if self.wet_t_per_charge is not None and any(v is not None for v in (
                self.fixed_kg_per_thm, self.min_kg_per_thm, self.max_kg_per_thm, self.min_t_per_day,
                self.max_t_per_day)):
            raise ValueError("wet_t_per_charge fixes the rate from the batch weight; give it or the kg/tHM and t/day "
                             "limits, not both")
        if self.min_kg_per_thm is not None and self.max_kg_per_thm is not None and self.min_kg_per_thm > self.max_kg_per_thm:
            raise ValueError(f"min_kg_per_thm {self.min_kg_per_thm:g} > max_kg_per_thm {self.max_kg_per_thm:g}; swap them")
        if self.min_t_per_day is not None and self.max_t_per_day is not None and self.min_t_per_day > self.max_t_per_day:
            raise ValueError(f"min_t_per_day {self.min_t_per_day:g} > max_t_per_day {self.max_t_per_day:g}; swap them")
        if self.fixed_kg_per_thm is not None and any(
                v is not None for v in (self.min_kg_per_thm, self.max_kg_per_thm, self.min_t_per_day, self.max_t_per_day)):
            raise ValueError("fixed_kg_per_thm excludes min/max limits; give one or the other")
        return self


class Replacement(_Strict):
    """Coke follows the injectant at a fixed replacement ratio:
    coke = coke_ref - ratio·(injectant - injectant_ref), kg/tHM dry.
    """

    coke: str
    injectant: str
    ratio: float = Field(..., gt=0, le=2)
    coke_reference_kg_per_thm: float = Field(..., gt=0)
    injectant_reference_kg_per_thm: float = Field(..., ge=0)


class CorrectionFactor(_Strict):
    """One coke-rate correction factor: kg coke/tHM per unit change from ``reference``.

    ``value`` is the current value of a setting the LP does not compute (blast
    temperature, moisture, r_d, ...); quantities the LP computes (slag rate, a
    material rate, hot-metal Si) take theirs from the burden.
    """

    per_unit: float
    reference: float
    value: float | None = None


class Correction(_Strict):
    """Plant coke-rate correction factors (the linear fuel model plants use today):

    coke = coke_reference + Σ per_unit·(value − reference).

    Keys of ``factors``: ``slag_kg_per_thm`` (from the burden), ``hot_metal_Si_pct``
    (the Si target), ``<material>_kg_per_thm`` for a charged material (e.g. PCI: a
    replacement ratio −0.85), or any other setting name with its ``value``.
    """

    coke: str
    coke_reference_kg_per_thm: float = Field(..., gt=0)
    factors: dict[str, CorrectionFactor]


class Fuels(_Strict):
    replacement: Replacement | None = None
    correction: Correction | None = None

    @model_validator(mode="after")
    def _one(self):
        if self.replacement is not None and self.correction is not None:
            raise ValueError("give either replacement (a ratio) or correction (factors), not both; "
                             "a replacement ratio is a correction factor on the injectant rate")
        return self


class Process(_Strict):
    """Fuel rate from the carbon and heat balances (switches on the nonlinear model).

    The rate of ``coke`` (default: the one coke-class material that is not
    fixed) follows from two balances per tHM: carbon (fixed carbon of the
    charge = C dissolved + tuyere C + C of direct reduction, desulphurisation,
    solution loss and water gas; USTB-NB, PRIMER §4) and heat: with
    ``heat_balance: two_zone`` (default) the balance of the zone below the
    thermal reserve zone, the top-gas temperature computed from the upper zone
    and kept in ``top_gas_temperature_limits_c`` (Rist & Meysson 1965; Peacey &
    Davenport 1979; :mod:`burden.chemistry.zones`); with ``total`` the USTB-XLS
    total heat balance at an assumed top-gas temperature.  The Rist W point is
    a limit in both (``shaft_efficiency_max_pct``); r_d is fixed (a number) or
    a decision (a window).  The heat loss is given once: MJ/tHM, GJ/h at the
    production rate, or % of the heat income (8 % if none is given).
    """

    direct_reduction_degree: Window = Field(
        Window(min=0.45, max=0.45),
        description="r_d, fraction of Fe reduced by C: a number fixes it, a window {min, max} makes it a "
                    "decision that the W point (shaft_efficiency_max_pct) and the heat balance settle")
    hydrogen_utilisation: Union[float, Literal["eta_co"]] = Field(
        "eta_co", description="eta_H2, fraction of H2 that reduces; 'eta_co' closes with eta_H2 = eta_CO")
    heat_loss_pct: float | None = Field(None, ge=0.0, le=30.0,
                                        description="cooling and radiation losses, % of heat income (8 when no "
                                                    "heat loss is given: the USTB-XLS share)")
    heat_loss_mj_per_thm: float | None = Field(None, ge=0.0, le=3000.0,
                                               description="cooling and radiation losses, MJ/tHM (as plants state it)")
    heat_loss_gj_per_h: float | None = Field(None, ge=0.0, le=2000.0,
                                             description="cooling and radiation losses, GJ/h at the production rate")
    top_gas_temperature_c: float = Field(150.0, ge=50.0, le=400.0,
                                         description="assumed top-gas temperature of heat_balance: total only")
    heat_balance: Literal["two_zone", "total"] = Field(
        "two_zone", description="two_zone: lower-zone balance fixes the carbon, the top-gas temperature is computed "
                                "(Rist & Meysson 1965; Peacey & Davenport 1979); total: USTB total heat balance "
                                "with an assumed top-gas temperature")
    thermal_reserve_zone_c: float = Field(950.0, ge=700.0, le=1200.0,
                                          description="T_TRZ, degC (900-1000 in practice; OPERATIONS §2)")
    shaft_efficiency_max_pct: float = Field(
        95.0, gt=0.0, le=100.0, description="largest shaft efficiency (approach to the W point), %; 85-95 in good "
                                            "practice, never above 100 (Peacey & Davenport 1979)")
    top_gas_temperature_limits_c: Window = Field(
        Window(min=100.0, max=300.0),
        description="window of the computed top-gas temperature (two_zone): the floor keeps the top above the "
                    "dew point, the ceiling protects the top equipment")
    bosh_gas_max_nm3_per_thm: float | None = Field(
        None, gt=0.0, description="largest bosh gas volume, Nm3/tHM: the raceway gas (CO, H2, N2 from the blast and "
                                  "the injectants at the tuyeres), the permeability measure of plant practice")
    slag_handling_cost_per_t: float = Field(0.0, ge=0.0, description="cost of handling slag, currency per t slag")
    flux_co2_reacting_fraction: float = Field(0.5, ge=0.0, le=1.0, description="USTB-HW 0.5")
    bound_water_reacting_fraction: float = Field(0.3, ge=0.0, le=1.0, description="USTB-HW 0.3")
    coke: str | None = None
    solver: Literal["slp", "slsqp"] = "slp"

    @field_validator("direct_reduction_degree")
    @classmethod
    def _rd(cls, v):
        if v.min is None or v.max is None:
            raise ValueError("give r_d as a number or a window with both min and max")
        if v.min < 0.0 or v.max > 0.9:
            what = f"r_d = {v.min:g}" if v.is_fixed else f"r_d window {v.min:g}-{v.max:g}"
            hint = f"; write {v.max / 100:g} for {v.max:g} %" if 1.0 < v.max <= 90.0 else ""
            raise ValueError(f"{what} is outside 0-0.9: r_d is a fraction of the Fe reduced by carbon{hint}")
        return v

    @field_validator("heat_loss_pct", "heat_loss_mj_per_thm")
    @classmethod
    def _loss_unit(cls, v, info):
        if v is None or v == 0:
            return v
        if info.field_name == "heat_loss_pct" and v < 0.5:
            raise ValueError(f"{v:g} looks like a fraction; the heat loss is in % of the heat income (write "
                             f"{v * 100:g} for {v * 100:g} %)")
        if info.field_name == "heat_loss_mj_per_thm" and v < 20:
            raise ValueError(f"{v:g} MJ/tHM is below any furnace's losses (300-600 MJ/tHM): GJ/tHM? (write "
                             f"{v * 1000:g} for {v:g} GJ/tHM)")
        return v

    @field_validator("thermal_reserve_zone_c", mode="before")
    @classmethod
    def _trz_kelvin(cls, v):
        if isinstance(v, (int, float)) and not isinstance(v, bool) and 1200 < v <= 1500:
            raise ValueError(f"{v:g} degC is above any thermal reserve zone (900-1000 degC); was it given in "
                             f"kelvin? ({v:g} K = {v - 273.15:g} degC)")
        return v

    @field_validator("top_gas_temperature_limits_c")
    @classmethod
    def _top_kelvin(cls, v):
        if v.max is not None and v.max > 450:
            raise ValueError(f"max {v.max:g} degC is above any top gas (100-300 degC; equipment limits 300-400); "
                             "was it given in kelvin?")
        return v

    @field_validator("shaft_efficiency_max_pct")
    @classmethod
    def _eff(cls, v):
        if v <= 1.0:
            raise ValueError(f"{v:g} looks like a fraction; the shaft efficiency is in % (write {v * 100:g} for "
                             f"{v * 100:g} %)")
        if v < 50.0:
            raise ValueError(f"{v:g} % is below any furnace's shaft efficiency (85-95 % in good practice, "
                             "Peacey & Davenport 1979)")
        return v

    @model_validator(mode="after")
    def _one_loss(self):
        given = [k for k in ("heat_loss_mj_per_thm", "heat_loss_gj_per_h", "heat_loss_pct")
                 if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give the heat loss once, not as {' and '.join(given)}")
        return self

    @field_validator("hydrogen_utilisation")
    @classmethod
    def _eta(cls, v):
        if v != "eta_co" and not (0.0 <= v <= 1.0):
            raise ValueError(f"{v:g} is not a fraction between 0 and 1 (or 'eta_co')")
        return v


class Blast(_Strict):
    """Blast settings: a number fixes a setting, a window makes it a decision.

    ``temperature_c`` hot blast, degC; ``oxygen_enrichment_pct`` percentage
    points of O2 above 21 % in the dry blast; ``moisture_g_per_nm3`` g H2O
    per Nm3 of dry blast; ``oxygen_price_per_nm3`` price of technical oxygen
    (``oxygen_purity_pct`` pure), currency per Nm3.
    """

    temperature_c: Window = Window(min=1150.0, max=1150.0)
    oxygen_enrichment_pct: Window = Window(min=0.0, max=0.0)
    moisture_g_per_nm3: Window = Window(min=10.0, max=10.0)
    oxygen_price_per_nm3: float = Field(0.0, ge=0.0)
    oxygen_purity_pct: float = Field(99.5, gt=21.0, le=100.0)

    @field_validator("temperature_c")
    @classmethod
    def _tb(cls, v):
        for end in ("min", "max"):
            x = getattr(v, end)
            if x is None:
                raise ValueError("give both min and max (or one number)")
            if x > 1400:
                raise ValueError(f"{x:g} degC is above any hot-blast stove; was it given in kelvin?")
            if x < 500:
                raise ValueError(f"{x:g} degC is below any hot-blast stove's (900-1300 degC; the balances of "
                                 "this model need a hot blast)")
        return v

    @field_validator("oxygen_enrichment_pct", "moisture_g_per_nm3")
    @classmethod
    def _closed(cls, v, info):
        for end in ("min", "max"):
            x = getattr(v, end)
            if x is None:
                raise ValueError("give both min and max (or one number)")
            if x < 0:
                raise ValueError(f"{x:g} is negative")
        if info.field_name == "oxygen_enrichment_pct" and v.max > 25:
            raise ValueError(f"{v.max:g} percentage points above air is not a blast enrichment (typically 0-10)")
        if info.field_name == "oxygen_enrichment_pct":
            for end in ("min", "max"):
                x = getattr(v, end)
                if 0 < x < 0.2:
                    raise ValueError(f"{end} = {x:g} looks like a fraction; the enrichment is in percentage points "
                                     f"of O2 above air (write {x * 100:g} for {x * 100:g} %)")
        # blast moisture: 5-50 g/Nm3 with steam addition; 100 g/Nm3 (12 % H2O by volume) is beyond
        # any furnace's and beyond the raceway model's range (the flame falls below 1500 degC)
        if info.field_name == "moisture_g_per_nm3" and v.max > 100:
            raise ValueError(f"{v.max:g} g/Nm3 is not a blast moisture (typically 5-50; 100 at the most)")
        return v


class Viscosity(_Strict):
    """Slag viscosity limit: model (Urbain or Riboud, Mills 2011) at a temperature."""

    max_pa_s: float = Field(..., gt=0, le=10)
    temperature_c: float = Field(1500.0, ge=1300, le=1700)
    model: Literal["urbain", "riboud"] = "urbain"


class SulphideCapacity(_Strict):
    """L_S from optical basicity and temperature, scaled to the plant.

    L_S = plant_factor · 10^(log C_S − 935/T + 1.375 + log f_S − log h_O)
    (PRIMER §6) with C_S from Sosinsky-Sommerville or Zhang-Chou-Pal and Λ
    from the chosen set.  ``oxygen_activity`` h_O (Henrian, wt % scale) and
    ``sulphur_activity_coefficient`` f_S of the hot metal default to 1e-4 and
    1 (orders of magnitude for carbon-saturated iron; give plant values);
    ``plant_factor`` (default 1) calibrates L_S to plant data.  The slag
    must hold the sulphur at the hot-metal S target, i.e. the [S] in
    equilibrium with the slag is at most ``hot_metal.S_pct``.
    """

    plant_factor: float = Field(_default("ls_plant_factor"), gt=0)
    oxygen_activity: float = Field(_default("hm_oxygen_activity"), gt=0, le=1.0)
    sulphur_activity_coefficient: float = Field(_default("hm_sulphur_activity_coefficient"), gt=0, le=100.0)
    capacity_model: Literal["sosinsky", "zhang"] = "sosinsky"
    lambda_set: Literal["duffy", "ghosh"] = "duffy"
    temperature_c: float = Field(1500.0, ge=1300, le=1700)


#: EU ETS hot-metal product benchmark, t CO2 per t hot metal, by allocation period:
#: 2013-2020 Commission Decision 2011/278/EU; 2021-2025 Commission Implementing Regulation
#: (EU) 2021/447; 2026-2030 the value of the Commission's draft implementing regulation for
#: 2026-2030 (OPERATIONS §7: "1.248 proposed"; the shared docs give no regulation number).
ETS_HOT_METAL_BENCHMARK_T_PER_T = {"2013-2020": 1.328, "2021-2025": 1.288, "2026-2030": 1.248}


class EmissionsBoundary(_Strict):
    """What CO2 counts (``emissions.boundary``).

    Default: the direct CO2 of the furnace by carbon mass balance, all top-gas carbon
    counted as emitted.  ``exported_top_gas_share`` (fraction 0-1) of the top-gas carbon
    leaves the boundary as exported gas and is credited; ``upstream_t_co2_per_t`` adds
    t CO2 per dry t of a material or material class (e.g. coke ovens, sinter plant) charged.
    """

    exported_top_gas_share: float = 0.0
    upstream_t_co2_per_t: dict[str, float] = Field(default_factory=dict)

    @field_validator("exported_top_gas_share")
    @classmethod
    def _share(cls, v):
        return _fraction(v)

    @field_validator("upstream_t_co2_per_t")
    @classmethod
    def _factors(cls, v):
        for k, x in v.items():
            if not 0 <= x <= 5:
                raise ValueError(f"{k}: {x:g} t CO2/t is not an upstream factor (coke ovens and sinter plants "
                                 "emit 0.1-0.8 t CO2/t; give 0-5); was it given in kg/t?")
        return v


class Emissions(_Strict):
    """CO2 of the burden (``emissions:``): a carbon price in the objective, a cap, the
    boundary, and the EU ETS hot-metal benchmark period the result is compared with.

    ``carbon_price_per_t`` currency per t CO2 (objective term ``co2``);
    ``cap_kg_per_thm`` the most CO2 per tHM (row ``emissions.co2_kg_per_thm.max``);
    ``benchmark`` one of :data:`ETS_HOT_METAL_BENCHMARK_T_PER_T` or null (no comparison).
    """

    carbon_price_per_t: float = Field(0.0, ge=0)
    cap_kg_per_thm: float | None = Field(None, gt=0)
    boundary: EmissionsBoundary = EmissionsBoundary()
    benchmark: Literal["2013-2020", "2021-2025", "2026-2030"] | None = "2021-2025"

    @field_validator("cap_kg_per_thm")
    @classmethod
    def _cap(cls, v):
        if v is not None and v < 10:
            raise ValueError(f"{v:g} kg CO2/tHM is far below any blast furnace (1,300-1,700 kg/tHM); "
                             "was it given in t/tHM? (1.5 t = 1500 kg)")
        return v

class Uncertainty(_Strict):
    """Scatter of the analyses (``uncertainty:``), for Monte Carlo and chance-constrained burdens.

    Standard deviations are in wt % points of the dry material, per charged material and analysis
    component (``SiO2``, ``CaO``, ``TFe`` ...), from three sources; where more than one gives the
    same material and component, ``analyses`` wins over ``analyses_table``, which wins over
    ``history``.  Deviations are independent normal unless ``correlated`` (history only).  See
    :mod:`burden.uncertainty`.
    """

    analyses: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="material -> component -> standard deviation, wt % points")
    analyses_table: str | None = Field(None, description="CSV with columns material, component, sigma_pct")
    history: str | None = Field(None, description="CSV of lot analyses (column material, one column per "
                                                  "component, wt %): sample standard deviation per component")
    correlated: bool = Field(False, description="history only: use the lots' sample covariance")
    closure: Literal["none", "proportional"] = Field(
        "none", description="proportional: the other constituents of a material scale so its analysis total "
                            "stays at its nominal value")
    samples: int = Field(4000, ge=100, le=200_000, description="Monte Carlo samples (each sample's limited "
                                                                "quantities are kept for the histograms)")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="seed of numpy's PCG64 generator")
    confidence: float | None = Field(None, description="chance-constrained burden: each limit held with this "
                                                       "probability (e.g. 0.95)")
    method: Literal["soc", "bertsimas_sim"] = Field(
        "soc", description="soc: per-row second-order cone (cvxpy + Clarabel); bertsimas_sim: budget form, an LP "
                           "solved by HiGHS")
    allocation: Literal["per_row", "joint"] = Field(
        "per_row", description="per_row: each limit holds with the confidence; joint: all at once (the risk "
                               "1 - confidence split evenly over the limits, Boole's inequality)")
    budget: float | None = Field(None, gt=0, le=1000, description="Bertsimas-Sim budget Γ per row (default √K of "
                                                                   "the K uncertain terms of the row)")

    @field_validator("samples", "seed", "correlated", mode="before")
    @classmethod
    def _no_yes_no(cls, v, info):
        if info.field_name != "correlated" and isinstance(v, bool):
            raise ValueError(f"a yes/no value ({str(v).lower()}) is not a number; write the number")
        if info.field_name == "correlated" and not isinstance(v, bool):
            raise ValueError("write true or false")
        return v

    @field_validator("analyses", mode="before")
    @classmethod
    def _sigmas(cls, v):
        if not isinstance(v, Mapping):
            raise ValueError("give a mapping material -> {component: standard deviation in wt % points}")
        bad = []
        for mat, comps in v.items():
            if not isinstance(comps, Mapping):
                bad.append(f"{clip(str(mat), 40)}: give a mapping component -> standard deviation "
                           "(wt % points), e.g. {SiO2: 0.25}")
                continue
            for comp, x in comps.items():
                why = number_problem(_as_number(x), "sigma")
                if why is None and not isinstance(_as_number(x), (int, float)):
                    why = f"{echo(x)} is not a number"
                if why is None and not 0 <= float(x) <= 20:
                    why = (f"{float(x):g} is not a standard deviation of an analysis in wt % points "
                           "(give 0-20; lot-to-lot scatter is typically 0.1-1)")
                if why:
                    bad.append(f"{clip(str(mat), 40)}.{clip(str(comp), 40)}: {why}")
        if bad:
            raise ValueError("; ".join(bad[:20]))
        return v

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, v):
        if v is not None and not 0.5 <= v < 1.0:
            hint = f" (write {v / 100:g} for {v:g} %)" if 50 <= v < 100 else ""
            raise ValueError(f"{v:g} is not a probability of holding a limit; give 0.5 <= confidence < 1{hint}")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        if not (self.analyses or self.analyses_table or self.history):
            raise ValueError("give the standard deviations: analyses: {material: {component: sigma}}, "
                             "analyses_table: FILE or history: FILE")
        if self.correlated and not self.history:
            raise ValueError("correlated: true estimates the covariance from history: FILE; give the file")
        if self.method == "bertsimas_sim" and self.correlated:
            raise ValueError("method bertsimas_sim takes independent deviations; with correlated: true use method soc")
        if self.budget is not None and self.method != "bertsimas_sim":
            raise ValueError("budget is the Γ of method bertsimas_sim; remove it or set method: bertsimas_sim")
        return self


def _parameter_value(name: str):
    def check(v):
        if v is None:
            return v
        x, why = check_value(name, v)
        if why is not None:
            raise ValueError(why)
        return x
    return check


class _ParameterOverridesBase(_Strict):
    """Overrides of the model parameters (:data:`burden.core.parameters.PARAMETERS`):
    a value per name, None = the default."""

    @model_serializer(mode="wrap")
    def _given_only(self, handler):
        return {k: v for k, v in handler(self).items() if v is not None}

    def values(self) -> dict[str, float]:
        """The parameters given (name -> value)."""
        return {k: getattr(self, k) for k in type(self).model_fields if getattr(self, k) is not None}


#: The ``parameters:`` section: one optional number per model parameter (unknown names are
#: refused with the known ones listed).
ParameterOverrides = create_model(
    "ParameterOverrides", __base__=_ParameterOverridesBase, __module__=__name__,
    **{k: (Annotated[Union[float, None], BeforeValidator(_parameter_value(k))],
           Field(None, description=f"{p.description}, {p.unit} (default {p.value:g}; {p.source})"))
       for k, p in PARAMETERS.items()})


class ScenarioConfig(_Strict):
    """The validated content of a scenario file (see the module docstring)."""

    name: str = "scenario"
    description: str = ""
    currency: str = "USD"
    production_t_per_day: float = Field(..., gt=0, description="hot metal, t/day")
    hot_metal_t_per_charge: float | None = Field(None, gt=0, description="t of hot metal per charge (batch), "
                                                 "for charges given as batch weights (charge.<m>.wet_t_per_charge)")
    materials: list[Any] = Field(default_factory=lambda: ["default"],
                                 description="material tables: 'default', file paths, or DataFrames (Python)")
    charge: dict[str, ChargeEntry]
    lost_burden: dict[str, float] = Field(default_factory=dict, description="material -> dry kg/tHM")
    hot_metal: HotMetal = HotMetal()
    distribution: Distribution = Distribution()
    slag: Slag = Slag()
    loads: Loads = Loads()
    shares: dict[str, Share] = Field(default_factory=dict)
    mixes: dict[str, Mix] = Field(default_factory=dict)
    fuels: Fuels = Fuels()
    process: Process | None = None
    blast: Blast | None = Field(None, description="blast settings; with process: the defaults of Blast when omitted")
    raft_c: Window | None = None
    viscosity: Viscosity | None = None
    sulphide_capacity: SulphideCapacity | None = None
    emissions: Emissions | None = Field(None, description="CO2: carbon price, cap, boundary, benchmark")
    uncertainty: Uncertainty | None = Field(None, description="scatter of the analyses (Monte Carlo, chance constraints)")
    parameters: ParameterOverrides = Field(  # type: ignore[valid-type]
        default_factory=ParameterOverrides,
        description="model-parameter overrides (inline, or a YAML/TOML file relative to the scenario file)")
    overrides: dict[str, dict] = Field(default_factory=dict)
    scenarios: dict[str, list[str]] = Field(default_factory=dict)
    variant: str | None = Field(None, description="the named scenario or override applied to these settings (set "
                                                  "when one is applied; kept so that a dumped scenario keeps its "
                                                  "name and output folder)")

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters_mapping(cls, v):
        if v is None:
            return {}
        if isinstance(v, (str, Path)):
            raise ValueError("a parameter file is read by Scenario.from_file/from_dict (relative to the "
                             "scenario file); here give a mapping of parameter names to numbers")
        return v

    @model_validator(mode="before")
    @classmethod
    def _blast_default_with_process(cls, data):
        # the nonlinear model always has blast settings; an LP scenario has none (None),
        # so "given" and "default" are told apart by value, not by model_fields_set
        if isinstance(data, Mapping) and data.get("process") is not None and data.get("blast") is None:
            data = dict(data)
            data["blast"] = Blast()
        return data

    @field_validator("scenarios", mode="before")
    @classmethod
    def _one_name(cls, v):
        if isinstance(v, Mapping):
            return {k: [x] if isinstance(x, str) else x for k, x in v.items()}
        return v

    @field_serializer("materials", mode="plain")
    def _dump_tables(self, v, info):
        """Dump material tables so that they load again: in Python, DataFrames stay
        DataFrames (copies) and dicts of Material become read-only
        :class:`~burden.materials.MaterialTable` objects; in JSON, both become lists
        of table rows (records)."""
        out = []
        for t in v:
            if isinstance(t, Path):
                out.append(str(t) if info.mode == "json" else t)
            elif isinstance(t, Mapping):
                out.append(_material_records(t.values()) if info.mode == "json" else MaterialTable(t))
            elif hasattr(t, "to_dict") and hasattr(t, "columns"):
                out.append(_dataframe_records(t) if info.mode == "json" else t.copy())
            else:
                out.append(copy.deepcopy(t))
        return out

    @field_validator("charge")
    @classmethod
    def _nonempty(cls, v):
        if not v:
            raise ValueError("no materials are charged; list them under charge:")
        return v

    @model_validator(mode="after")
    def _nonlinear_needs_process(self):
        if self.process is None:
            for key in ("raft_c", "viscosity", "sulphide_capacity"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key} needs the nonlinear model: add a process: section "
                                     "(fuel rate from the heat and carbon balances)")
            if self.blast is not None:
                raise ValueError("blast settings need the nonlinear model: add a process: section")
        if self.sulphide_capacity is not None and self.slag.sulphur_partition_LS is not None:
            raise ValueError("give either slag.sulphur_partition_LS (fixed L_S) or sulphide_capacity, not both")
        try:
            _window_within(self.raft_c, 1500.0, 2500.0, "a raceway flame temperature in degC (typically 2000-2300; "
                                                        "was it given in kelvin? 2323 K = 2050 degC)")
        except ValueError as e:
            raise ValueError(f"raft_c.{e}") from None
        p = self.process
        if p is not None and p.heat_loss_gj_per_h is not None:
            mj = p.heat_loss_gj_per_h * 24.0 * 1000.0 / self.production_t_per_day
            if mj > 3000.0:
                raise ValueError(f"process.heat_loss_gj_per_h: {p.heat_loss_gj_per_h:g} GJ/h at {self.production_t_per_day:g} "
                                 f"t/day is {mj:,.0f} MJ/tHM, beyond any furnace's losses (300-600 MJ/tHM); check "
                                 "the unit (GJ/h) and the production")
        return self

    @field_validator("lost_burden")
    @classmethod
    def _dust(cls, v):
        for k, x in v.items():
            if not (0 <= x <= 200) or not math.isfinite(x):
                raise ValueError(f"{k}: {x:g} kg/tHM is not a dust rate (typically 5-25 kg/tHM)")
        return v


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

def _material_records(materials) -> list[dict]:
    return [m.to_record() for m in materials]


def _dataframe_records(df) -> list[dict]:
    df = df.reset_index(drop=True) if "name" in df.columns else df.reset_index()
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}
            for rec in df.to_dict(orient="records")]


def _with_file_references_resolved(data: Mapping, base_dir: Path, source: str) -> dict:
    """``data`` with the file references of the scenario and of each override resolved:
    material table paths made absolute, a ``parameters:`` file read into its mapping."""

    def resolve(d: Mapping, where: str) -> dict:
        d = dict(d)
        if "materials" in d:
            d["materials"] = _absolute_tables(d["materials"], base_dir)
        if isinstance(d.get("parameters"), (str, Path)):
            d["parameters"] = _read_parameter_file(d["parameters"], base_dir, source, where + "parameters")
        unc = d.get("uncertainty")
        if isinstance(unc, Mapping):  # the uncertainty files, like material tables, relative to the file
            d["uncertainty"] = {k: (os.path.abspath(Path(v).expanduser() if Path(v).expanduser().is_absolute()
                                                    else base_dir / Path(v).expanduser())
                                    if k in ("analyses_table", "history") and isinstance(v, (str, Path)) else v)
                                for k, v in unc.items()}
        return d

    data = resolve(data, "")
    overrides = data.get("overrides")
    if isinstance(overrides, Mapping):
        data["overrides"] = {n: resolve(ov, f"overrides.{n}.") if isinstance(ov, Mapping) else ov
                             for n, ov in overrides.items()}
    return data


#: libyaml's safe loader when PyYAML was built with it (8x faster on large files), else the pure one
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: a scenario (or parameter) file nests at most this deep; files that plants write nest 4-6 levels
MAX_YAML_DEPTH = 64
#: at most this many nodes once aliases are expanded (a scenario has hundreds; an "alias bomb"
#: of a few lines expands to billions and would exhaust memory or time)
MAX_YAML_NODES = 2_000_000


def _yaml_problems(text: str, source: str) -> list[InputProblem]:
    """Check a YAML document's shape from its event stream, before any Python object is built:
    nesting depth, size with aliases expanded, and duplicate keys (with the key path and both
    lines).  The event stream is flat (no recursion), so a 100,000-level file or an alias bomb
    costs one linear pass; libyaml's composer recurses in C and would crash on the former."""
    from yaml import events as ev

    problems: list[InputProblem] = []
    stack: list[dict] = []  # per open collection: kind, path part, size, anchor, keys seen
    sizes: dict[str, int] = {}  # anchor -> expanded size
    total = 0

    def path() -> str:
        out = ""
        for fr in stack:
            part = fr["part"]
            if part is not None:
                out += part if part.startswith("[") or not out else "." + clip(part, 40)
        return clip(out, 120)

    def value_added(size: int, anchor, start_line: int, scalar_key=None) -> None:
        # a node of ``size`` completed inside the innermost collection
        nonlocal total
        if anchor is not None:
            sizes[anchor] = size
        if not stack:
            total = size
            return
        fr = stack[-1]
        fr["size"] += size
        if fr["size"] > MAX_YAML_NODES:
            raise _TooLarge()
        if fr["kind"] == "map":
            if fr["expect_key"]:
                key = scalar_key if scalar_key is not None else f"<key at line {start_line}>"
                seen = fr["keys"].get(key)
                if seen is not None and scalar_key is not None:
                    where = f"{path()}.{clip(key, 40)}" if path() else clip(key, 40)
                    problems.append(InputProblem(source, where, f"key {echo(key)} appears twice (lines {seen} and "
                                                 f"{start_line}); YAML would keep the last one silently; keep one"))
                else:
                    fr["keys"][key] = start_line
                fr["cur_key"] = key
            fr["expect_key"] = not fr["expect_key"]
        else:
            fr["index"] += 1

    def child_part() -> str | None:
        if not stack:
            return None
        fr = stack[-1]
        return str(fr["cur_key"]) if fr["kind"] == "map" else f"[{fr['index']}]"

    class _TooLarge(Exception):
        pass

    try:
        for e in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(e, (ev.MappingStartEvent, ev.SequenceStartEvent)):
                if len(stack) >= MAX_YAML_DEPTH:
                    return [InputProblem(source, path(), f"the file nests deeper than {MAX_YAML_DEPTH} levels "
                                         f"(line {e.start_mark.line + 1}); a scenario needs about 5 - is it the "
                                         "right file?")]
                part = child_part() if stack and (stack[-1]["kind"] == "seq" or not stack[-1]["expect_key"]) else None
                stack.append({"kind": "map" if isinstance(e, ev.MappingStartEvent) else "seq", "part": part,
                              "size": 1, "anchor": e.anchor, "line": e.start_mark.line + 1, "keys": {},
                              "expect_key": True, "cur_key": None, "index": 0})
            elif isinstance(e, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                fr = stack.pop()
                value_added(fr["size"], fr["anchor"], fr["line"])
            elif isinstance(e, ev.ScalarEvent):
                value_added(1, e.anchor, e.start_mark.line + 1, scalar_key=e.value)
            elif isinstance(e, ev.AliasEvent):
                value_added(sizes.get(e.anchor, 1), None, e.start_mark.line + 1)
    except yaml.YAMLError as e:
        # newer PyYAML refuses deep flow nesting itself while scanning ahead of the events
        if "nesting depth" in str(e):
            line = getattr(getattr(e, "problem_mark", None), "line", None)
            at = f" (line {line + 1})" if line is not None else ""
            return [InputProblem(source, path(), f"the file nests deeper than {MAX_YAML_DEPTH} levels{at}; a scenario "
                                 "needs about 5 - is it the right file?")]
        raise
    except _TooLarge:
        return [InputProblem(source, "", f"the file holds more than {MAX_YAML_NODES:,} values once its aliases "
                             "(*name) are expanded; a scenario has a few hundred - is it the right file, or an "
                             "alias that repeats itself?")]
    return problems


def _yaml_load(text: str, source: str = "", duplicates: list | None = None):
    """``yaml.safe_load`` through the C loader when available (same safe schema), after
    :func:`_yaml_problems` has checked depth, size and duplicate keys (an InputError if not).

    With a ``duplicates`` list, duplicate keys (the only problems) are appended to it and the
    file is read anyway (the later value), so that the rest of the file is checked in the same
    run; the caller reports them with its own problems."""
    problems = _yaml_problems(text, source)
    if problems:
        dup = [p for p in problems if "appears twice" in p.message]
        if duplicates is None or len(dup) < len(problems):
            raise InputError(problems)
        duplicates.extend(dup)
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def _read_parameter_file(path, base_dir: Path, source: str, field: str) -> dict:
    """The mapping of a parameter file (YAML or TOML; the names at the top level or under
    ``parameters:``), checked: problems name the parameter file and the parameter."""
    p = Path(path).expanduser()
    p = p if p.is_absolute() else base_dir / p
    if not p.is_file():
        raise InputError([InputProblem(source, field, f"parameter file {str(path)!r} not found (looked for {p}; "
                                       "relative paths are relative to the scenario file)")])
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else _yaml_load(text, str(p))
    except (yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError([InputProblem(str(p), "", f"cannot parse the parameter file: {clip(e, 500)}")])
    except RecursionError:
        raise InputError([InputProblem(str(p), "", "the file nests too deeply to be a parameter file")])
    if isinstance(data, Mapping) and set(data) == {"parameters"} and isinstance(data["parameters"], Mapping):
        data = data["parameters"]
    if not isinstance(data, Mapping):
        raise InputError([InputProblem(str(p), "", "a parameter file is a mapping of parameter names to numbers")])
    _, problems = check_overrides(data, source=str(p))
    if problems:
        raise InputError(problems)
    return dict(data)


def _absolute_tables(tables, base_dir: Path) -> list:
    """Material table paths made absolute (relative ones are relative to ``base_dir``), so
    that the validated config means the same wherever it is loaded again."""
    if not isinstance(tables, (list, tuple)):
        return tables
    out = []
    for t in tables:
        if isinstance(t, Path) or (isinstance(t, str) and t != "default"):
            p = Path(t).expanduser()
            out.append(os.path.abspath(p if p.is_absolute() else base_dir / p))
        else:
            out.append(t)
    return out

def _deep_merge(base: dict, extra: Mapping) -> dict:
    out = copy.deepcopy(base)
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class reached by following ``loc`` from ScenarioConfig."""
    import typing

    model: Any = ScenarioConfig
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        if part not in model.model_fields:
            return None
        ann = model.model_fields[part].annotation
        # unwrap Optional / dict[str, X]
        for _ in range(3):
            origin = typing.get_origin(ann)
            if origin in (Union, getattr(__import__("types"), "UnionType", None)):
                args = [a for a in typing.get_args(ann) if a is not type(None)]
                ann = args[0] if args else ann
            elif origin is dict:
                ann = typing.get_args(ann)[1]
                break
            else:
                break
        model = ann
    return model


def _translate(e: ValidationError, source: str, prefix: tuple = ()) -> list[InputProblem]:
    problems = []
    for err in e.errors():
        loc = tuple(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        # pydantic adds union-member tags to loc (e.g. 'float', 'literal[...]'); drop them
        loc = tuple(p for p in loc if not (p in ("float", "int", "str", "list[str]", "Window")
                                            or p.startswith("literal[") or p.startswith("union[")))
        path = ".".join(prefix + loc)
        typ = err["type"]
        if typ == "extra_forbidden":
            # the extra key is the last element as given (a key may look like a union tag: 'float')
            key = str(err["loc"][-1]) if err["loc"] else ""
            loc = loc[:-1] if loc and loc[-1] == key else loc
            loc = loc + (key,)
            parent = _model_at(loc[:-1])
            allowed = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            msg = f"unknown key {echo(key)}{hint}" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
            # units live in key names: explain when the key looks like a unit mix-up
            if close and close[0].split("_")[0] == key.split("_")[0] and close[0] != key and loc[:1] != ("parameters",):
                msg += "; units are part of the key name"
            problems.append(InputProblem(source, clip(".".join(prefix + loc[:-1] + (key,)), 200), msg))
        elif typ == "missing":
            problems.append(InputProblem(source, path, "required field is missing"))
        else:
            problems.append(InputProblem(source, clip(path, 200), pydantic_message(err)))
    # de-duplicate (unions report each member); the members' complaints about one field are one
    # problem ("Input should be a valid number or Input should be 'formula'")
    seen, out = set(), []
    by_field: dict[str, int] = {}
    for p in problems:
        if (p.field, p.message) in seen:
            continue
        seen.add((p.field, p.message))
        i = by_field.get(p.field)
        if i is not None and p.field and out[i].message.startswith("Input should") \
                and p.message.startswith("Input should"):
            got = ""
            a, b = out[i].message, p.message
            if " (got " in b and b.endswith(")"):
                b, got = b[:b.index(" (got ")], b[b.index(" (got "):]
                a = a[:a.index(" (got ")] if " (got " in a else a
            out[i] = InputProblem(p.source, p.field, a + " or " + b[len("Input should "):] + got)
            continue
        by_field[p.field] = len(out)
        out.append(p)
    return out


def read_scenario_file(path: str | Path, duplicates: list | None = None) -> dict:
    """Read a YAML (``.yaml``/``.yml``) or TOML (``.toml``) scenario file to a dict (duplicate
    YAML keys: see :func:`_yaml_load`)."""
    p = Path(path)
    src = str(path)
    if not p.is_file():
        raise InputError([InputProblem(src, "", "scenario file not found; check the path")])
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        elif p.suffix.lower() in (".yaml", ".yml"):
            data = _yaml_load(text, src, duplicates)
        else:
            raise InputError([InputProblem(src, "", "scenario files are .yaml, .yml or .toml")])
    except InputError:
        raise
    except (yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError([InputProblem(src, "", f"cannot parse the file: {clip(e, 500)}")])
    except RecursionError:
        raise InputError([InputProblem(src, "", "the file nests too deeply to be a scenario (a scenario nests "
                                       "about 5 levels); is it the right file?")])
    if data is None:
        raise InputError([InputProblem(src, "", "the scenario file is empty")])
    if not isinstance(data, dict):
        raise InputError([InputProblem(src, "", "a scenario file is a mapping of keys (name:, charge:, ...)")])
    return data


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with its materials resolved.

    Build one with :meth:`from_file` or :meth:`from_dict`.

    Attributes
    ----------
    config : ScenarioConfig
        The validated settings.
    materials : dict
        Charged materials (name -> :class:`~burden.materials.Material`) in
        the order of ``charge``, with scenario overrides applied.
    lost_burden : dict
        Lost-burden materials (name -> (Material, dry kg/tHM)).
    source : str
        The file (or "<python>").
    variant : str or None
        The named scenario or override applied, if any.
    """

    config: ScenarioConfig
    materials: dict[str, Material]
    lost_burden: dict[str, tuple[Material, float]]
    source: str = "<python>"
    variant: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.config.name + (f" [{self.variant}]" if self.variant else "")

    @cached_property
    def parameters(self) -> ModelParameters:
        """The model constants of this scenario: the defaults of
        :data:`burden.core.parameters.PARAMETERS` with the ``parameters:`` section (and
        those of the applied overrides) on top."""
        return ModelParameters.default().with_overrides(self.config.parameters.values(), source=self.source,
                                                        prefix="parameters.")

    @classmethod
    def from_file(cls, path: str | Path, scenario: str | None = None) -> "Scenario":
        """Load a YAML/TOML scenario file; apply the named scenario or override."""
        dups: list[InputProblem] = []   # keys written twice: told with every other problem of the file
        data = read_scenario_file(path, dups)
        try:
            scn = cls.from_dict(data, base_dir=Path(path).parent, source=str(path), scenario=scenario)
        except InputError as e:
            if dups:
                raise InputError(dups + list(e.problems)) from None
            raise
        if dups:
            raise InputError(dups)
        return scn

    @classmethod
    def from_dict(cls, data: Mapping, *, base_dir: str | Path = ".", source: str = "<python>",
                  scenario: str | None = None) -> "Scenario":
        """Validate a scenario given as a dict (the content of a scenario file).

        ``materials`` may list ``"default"``, file paths (relative to
        ``base_dir``, default the current directory), pandas DataFrames, dicts of
        name -> Material, or lists of table rows (dicts, as in a JSON dump).
        Paths are stored absolute in :attr:`config`, so
        ``Scenario.from_dict(scn.config.model_dump())`` (or of
        ``model_dump(mode="json")``) gives the same scenario from any directory,
        without ``base_dir``.
        """
        if not isinstance(data, Mapping):
            raise InputError([InputProblem(source, "", "a scenario is a mapping of keys (name:, charge:, ...)")])
        too_deep = _nesting_problem(data, source)
        if too_deep:
            raise InputError([too_deep])
        try:
            data = _with_file_references_resolved(data, Path(base_dir), source)
            problems = _override_problems(data, source)
            if problems:
                # every problem of the file at once: the tables and the charged names too
                raise InputError(problems + _tables_and_names_problems(data, Path(base_dir), source))
            variant = None
            if scenario is not None:
                data, variant = _apply_variant(data, scenario, source)
                data = {**data, "variant": variant}
            try:
                cfg = ScenarioConfig.model_validate(data)
                variant = cfg.variant
            except ValidationError as e:
                # every problem of the file at once: the tables and the charged names too
                raise InputError(_translate(e, source) + _tables_and_names_problems(data, Path(base_dir), source))
        except RecursionError:
            raise InputError([InputProblem(source, "", "the scenario nests too deeply (a scenario nests about 5 "
                                           "levels)")]) from None
        return _resolve(cfg, Path(base_dir), source, variant)

    def variants(self) -> list[str]:
        """Names of the scenarios and overrides defined in the file."""
        return list(self.config.scenarios) + [o for o in self.config.overrides if o not in self.config.scenarios]

    def with_prices(self, prices: Mapping[str, float]) -> "Scenario":
        """A copy with material prices (per t, on each material's basis) changed."""
        mats = dict(self.materials)
        for k, p in prices.items():
            if k not in mats:
                raise InputError([InputProblem(self.source, f"prices.{k}", "not a charged material")])
            why = number_problem(_as_number(p), "price_per_t")
            if why is None and not isinstance(_as_number(p), (int, float)):
                why = f"{echo(p)} is not a number"
            if why is not None:
                raise InputError([InputProblem(self.source, f"prices.{k}", why)])
            mats[k] = mats[k].with_changes(price_per_t=float(p))
        return Scenario(self.config, mats, self.lost_burden, self.source, self.variant, self.warnings)


def _nesting_problem(data: Mapping, source: str) -> InputProblem | None:
    """A problem if ``data`` (a scenario given in Python) nests deeper than a YAML file may
    (:data:`MAX_YAML_DEPTH`), found without recursion."""
    stack = [(data, 1)]
    seen = 0
    while stack:
        obj, depth = stack.pop()
        seen += 1
        if depth > MAX_YAML_DEPTH:
            return InputProblem(source, "", f"the scenario nests deeper than {MAX_YAML_DEPTH} levels; a scenario "
                                "nests about 5")
        if seen > MAX_YAML_NODES:
            return InputProblem(source, "", f"the scenario holds more than {MAX_YAML_NODES:,} values")
        if isinstance(obj, Mapping):
            stack.extend((v, depth + 1) for v in obj.values())
        elif isinstance(obj, (list, tuple)):
            stack.extend((v, depth + 1) for v in obj)
    return None


def _override_problems(data: Mapping, source: str) -> list[InputProblem]:
    """Every problem of the file: of the base and of each override under ``overrides:`` merged
    into it (checked on load, whichever is applied), each override's as
    ``overrides.<name>.<field>``; and names in ``scenarios:`` that are not overrides."""
    problems: list[InputProblem] = []
    try:
        ScenarioConfig.model_validate(data)
        base_seen: set = set()
    except ValidationError as e:
        base = _translate(e, source)
        problems.extend(base)
        base_seen = {(p.field, p.message) for p in base}
    overrides = data.get("overrides")
    if not isinstance(overrides, Mapping):
        overrides = {}
    # the base without what an override cannot touch (tables are checked once, not per override)
    light = {k: v for k, v in data.items() if k not in ("overrides", "scenarios", "materials")}
    for name, ov in overrides.items():
        where = f"overrides.{clip(str(name), 40)}"
        if not isinstance(ov, Mapping):
            problems = [p for p in problems if p.field != where]  # ours instead of the schema's words
            problems.append(InputProblem(source, where, "an override is a mapping of scenario keys"))
            continue
        if "overrides" in ov or "scenarios" in ov:
            problems.append(InputProblem(source, where, "an override cannot define overrides or scenarios"))
            continue
        merged = _deep_merge(light, {k: v for k, v in ov.items() if k != "materials"})
        try:
            ScenarioConfig.model_validate(merged)
        except ValidationError as e:
            for p in _translate(e, source):
                if (p.field, p.message) not in base_seen:
                    problems.append(InputProblem(p.source, f"{where}.{p.field}" if p.field else where, p.message))
    scenarios = data.get("scenarios")
    if isinstance(scenarios, Mapping):
        for sname, names in scenarios.items():
            for n in [names] if isinstance(names, str) else names if isinstance(names, list) else []:
                if isinstance(n, str) and n not in overrides:
                    problems.append(InputProblem(source, f"scenarios.{clip(str(sname), 40)}",
                                                 f"names override {echo(n)}, which is not defined under overrides:"))
    return problems


def _apply_variant(data: dict, scenario: str, source: str) -> tuple[dict, str]:
    overrides = data.get("overrides") or {}
    scenarios = data.get("scenarios") or {}
    if scenario in scenarios:
        names = scenarios[scenario]
        if isinstance(names, str):
            names = [names]
    elif scenario in overrides:
        names = [scenario]
    else:
        known = list(scenarios) + list(overrides)
        close = difflib.get_close_matches(scenario, known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError([InputProblem(source, f"--scenario {scenario}",
                                       f"no scenario or override of that name{hint} (defined: {', '.join(known) or 'none'})")])
    merged = {k: v for k, v in data.items()}
    for n in names:
        if n not in overrides:
            raise InputError([InputProblem(source, f"scenarios.{scenario}", f"names override {n!r}, which is not defined under overrides:")])
        ov = overrides[n]
        if not isinstance(ov, Mapping):
            raise InputError([InputProblem(source, f"overrides.{n}", "an override is a mapping of scenario keys")])
        if "overrides" in ov or "scenarios" in ov:
            raise InputError([InputProblem(source, f"overrides.{n}", "an override cannot define overrides or scenarios")])
        merged = _deep_merge(merged, ov)
    return merged, scenario


def _with_parameter_defaults(cfg: ScenarioConfig) -> ScenarioConfig:
    """Settings whose defaults are model parameters take the ``parameters:`` values where the
    section does not write them (a value written in ``distribution:`` or ``sulphide_capacity:``
    wins).  The values then stand in the settings, so a dumped config gives them again."""
    from .core.parameters import DISTRIBUTION_FIELDS, SULPHUR_FIELDS

    given = cfg.parameters.values()
    if not given:
        return cfg
    upd = {}
    d = cfg.distribution
    dd = {k: given[f"distribution_{k}"] for k in DISTRIBUTION_FIELDS
          if f"distribution_{k}" in given and k not in d.model_fields_set}
    if dd:
        upd["distribution"] = d.model_copy(update=dd)
    sc = cfg.sulphide_capacity
    if sc is not None:
        sd = {k: given[p] for k, p in SULPHUR_FIELDS.items() if p in given and k not in sc.model_fields_set}
        if sd:
            upd["sulphide_capacity"] = sc.model_copy(update=sd)
    return cfg.model_copy(update=upd) if upd else cfg


#: the analysis columns that provide each species a limit can use
_SPECIES_COLUMNS: dict[str, tuple[str, ...]] = {
    "SiO2": ("SiO2", "ash_SiO2"), "Al2O3": ("Al2O3", "ash_Al2O3"), "CaO": ("CaO", "ash_CaO"),
    "MgO": ("MgO", "ash_MgO"), "Mn": ("Mn", "MnO", "MnO2", "ash_MnO"), "P": ("P", "P2O5", "ash_P2O5"),
    "Ti": ("Ti", "TiO2", "ash_TiO2"), "V": ("V", "V2O5"), "K2O": ("K2O", "ash_K2O"), "Na2O": ("Na2O", "ash_Na2O"),
    "Zn": ("Zn", "ZnO", "ash_ZnO"), "Fe": ("TFe", "Fe_met", "FeO", "Fe2O3", "Fe3O4", "FeS", "FeS2", "ash_FeO",
                                           "ash_Fe2O3"),
}
#: the species of each slag oxide window (the element of the analysis that forms it)
_SLAG_OXIDE_SPECIES = {"CaO": "CaO", "SiO2": "SiO2", "MnO": "Mn", "FeO": "Fe", "TiO2": "Ti", "V2O5": "V",
                       "P2O5": "P", "K2O": "K2O", "Na2O": "Na2O", "ZnO": "Zn"}


def _limit_species(slag: Mapping, hot_metal: Mapping) -> list[tuple[str, str]]:
    """(field, species) of every limit that uses a species of the material analyses, given the
    ``slag:`` and ``hot_metal:`` sections (key -> window or None)."""
    out = []
    for key, species in (("B2", ("CaO", "SiO2")), ("B3", ("CaO", "MgO", "SiO2")),
                         ("B4", ("CaO", "MgO", "SiO2", "Al2O3")), ("MgO_pct", ("MgO",)),
                         ("Al2O3_pct", ("Al2O3",))):
        if slag.get(key) is not None:
            out += [(f"slag.{key}", sp) for sp in species]
    for ox, sp in _SLAG_OXIDE_SPECIES.items():
        if slag.get(f"{ox}_pct") is not None:
            out.append((f"slag.{ox}_pct", sp))
    for key in ("Mn", "P", "Ti", "V"):
        if hot_metal.get(f"{key}_pct") is not None:
            out.append((f"hot_metal.{key}_pct", key))
    return out


def _species_problems(cfg, materials: Mapping[str, Material], source: str) -> list[InputProblem]:
    """A limit on a species that no table of the charged materials has a column for (the
    species would be read as 0 everywhere and the limit would mean nothing, or could not be met).
    ``cfg`` is a :class:`ScenarioConfig` or the scenario's mapping."""
    if not materials or any(not m.table_columns for m in materials.values()):
        return []  # a material not read from a table (built in Python): its columns are not known
    if isinstance(cfg, ScenarioConfig):
        slag, hm = dict(cfg.slag), dict(cfg.hot_metal)
    else:
        slag, hm = cfg.get("slag"), cfg.get("hot_metal")
        slag, hm = (x if isinstance(x, Mapping) else {} for x in (slag, hm))
    have = set().union(*(m.table_columns for m in materials.values()))
    problems = []
    for field_, sp in _limit_species(slag, hm):
        cols = _SPECIES_COLUMNS[sp]
        if not have.intersection(cols):
            problems.append(InputProblem(source, field_, f"uses {sp}, but no table of the charged materials has a "
                                         f"{' or '.join(c for c in cols if not c.startswith('ash_'))} column; add "
                                         "the column to the material table (wt % dry) or remove the limit"))
    return problems


def _tables_and_names_problems(data: Mapping, base_dir: Path, source: str) -> list[InputProblem]:
    """The problems of the material tables of a scenario whose schema failed, and of the charged
    names against them (so that one run reports them with the schema's)."""
    tables = data.get("materials", ["default"])
    if not isinstance(tables, (list, tuple)):
        return []
    try:
        library, problems, broken, _ = _load_tables(tables, base_dir, source)
    except Exception:  # noqa: BLE001 - the schema error is reported whatever the tables hold
        return []
    for key in ("charge", "lost_burden"):
        section = data.get(key)
        if isinstance(section, Mapping):
            for name in section:
                if isinstance(name, str) and name not in library and name not in broken:
                    hint = did_you_mean(name, library)
                    known = (f"known: {clip(', '.join(library), 400)}" if library else
                             "no table was read: fix the table problems listed")
                    problems.append(InputProblem(source, f"{key}.{clip(name, 40)}", f"unknown material "
                                                 f"{echo(name)}; {hint}({known})"))
    charge = data.get("charge")
    if isinstance(charge, Mapping) and charge and not problems and all(n in library for n in charge):
        problems += _species_problems(data, {n: library[n] for n in charge}, source)
    return problems


class _AnyName(frozenset):
    """The names of a table that could not be read: any name may be one of them."""

    def __contains__(self, name) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


_ANY_NAME = _AnyName()


def _load_tables(tables, base_dir: Path, source: str) -> tuple[dict[str, Material], list[InputProblem], set,
                                                                list[str]]:
    """(library, problems, names of materials in tables with problems, notes of materials two of
    the user's tables define) of a scenario's ``materials:`` list; later tables override earlier ones."""
    problems: list[InputProblem] = []
    library: dict[str, Material] = {}
    broken: set = set()
    _origin: dict[str, str] = {}
    _overridden: list[str] = []
    for i, tab in enumerate(tables):
        try:
            if isinstance(tab, str) and tab == "default":
                mats = default_library()
            elif isinstance(tab, (str, Path)):
                p = Path(tab)
                mats = load_material_table(p if p.is_absolute() else base_dir / p)
            elif isinstance(tab, Mapping) and all(isinstance(v, Material) for v in tab.values()):
                mats = dict(tab)
            elif hasattr(tab, "to_dict") and hasattr(tab, "columns"):
                mats = materials_from_dataframe(tab, source=f"materials[{i}] (DataFrame)")
            elif isinstance(tab, (list, tuple)) and tab and all(isinstance(r, Mapping) for r in tab):
                mats = materials_from_records(list(tab), source=f"materials[{i}] (table rows)")
            else:
                problems.append(InputProblem(source, f"materials[{i}]",
                                             "give 'default', a CSV/Excel path, or (in Python) a DataFrame "
                                             "or a list of table rows"))
                broken = _ANY_NAME
                continue
        except InputError as e:
            problems.extend(e.problems)
            names = getattr(e, "material_names", None)
            # a table not read at all (missing, unreadable): no charged name can be called unknown
            broken = _ANY_NAME if names is None or broken is _ANY_NAME else broken | set(names)
            continue
        # later tables override earlier ones (a plant table its own sinter over the library's);
        # a material two of the user's tables define is told, with the table that wins
        if isinstance(tab, (str, Path)) and tab != "default":
            for n in mats:
                if n in _origin and _origin[n] != "default":
                    _overridden.append(f"material {n!r} is in {_origin[n]} and {tab}: the row of {tab} is used "
                                       "(later tables override earlier ones)")
                _origin[n] = str(tab)
        elif isinstance(tab, str):
            _origin.update(dict.fromkeys(mats, "default"))
        library.update(mats)
    return library, problems, broken, _overridden


def _resolve(cfg: ScenarioConfig, base_dir: Path, source: str, variant: str | None) -> Scenario:
    cfg = _with_parameter_defaults(cfg)
    # every problem at once: the tables' problems, then those of the names and limits (a name in
    # a table with problems is not called unknown)
    library, problems, broken, overrides_told = _load_tables(cfg.materials, base_dir, source)
    n_table_problems = len(problems)

    def unknown(name: str, where: str) -> InputProblem:
        hint = did_you_mean(name, library)
        known = (f"known: {clip(', '.join(library), 400)}" if library else
                 "no table was read: fix the table problems listed")
        return InputProblem(source, where, f"unknown material {echo(name)}; {hint}({known})")

    materials: dict[str, Material] = {}
    for name, entry in cfg.charge.items():
        if name not in library:
            if name not in broken:
                problems.append(unknown(name, f"charge.{name}"))
            continue
        m = library[name]
        if m.material_class is MaterialClass.LOST_BURDEN:
            problems.append(InputProblem(source, f"charge.{name}", "is a lost_burden material; list it under lost_burden:"))
            continue
        changes: dict[str, Any] = {}
        for f in ("price_per_t", "price_basis", "moisture_pct"):
            if getattr(entry, f) is not None:
                changes[f] = getattr(entry, f)
        if entry.wet_t_per_charge is not None:
            if cfg.hot_metal_t_per_charge is None:
                problems.append(InputProblem(source, f"charge.{name}.wet_t_per_charge",
                                             "a batch weight needs the hot metal per charge: add "
                                             "hot_metal_t_per_charge (t) to the scenario"))
                continue
            moist = changes.get("moisture_pct", m.moisture_pct)
            kg = entry.wet_t_per_charge * (1.0 - moist / 100.0) * 1000.0 / cfg.hot_metal_t_per_charge
            why = number_problem(kg, "fixed_kg_per_thm")
            if why:
                problems.append(InputProblem(source, f"charge.{name}.wet_t_per_charge",
                                             f"{entry.wet_t_per_charge:g} t per charge with {cfg.hot_metal_t_per_charge:g} "
                                             f"t of hot metal per charge is {kg:,.0f} dry kg/tHM: {why}; batch weights "
                                             f"are in t (was it given in kg? {entry.wet_t_per_charge:g} kg = "
                                             f"{entry.wet_t_per_charge / 1000:g} t)"))
                continue
            changes.update(min_kg_per_thm=kg, max_kg_per_thm=kg, min_t_per_day=None, max_t_per_day=None)
        elif entry.fixed_kg_per_thm is not None:
            changes.update(min_kg_per_thm=entry.fixed_kg_per_thm, max_kg_per_thm=entry.fixed_kg_per_thm,
                           min_t_per_day=None, max_t_per_day=None)
        else:
            for f in ("min_kg_per_thm", "max_kg_per_thm", "min_t_per_day", "max_t_per_day"):
                if getattr(entry, f) is not None:
                    changes[f] = getattr(entry, f)
        m = m.with_changes(**changes) if changes else m
        lo, hi = m.availability_kg_per_thm(cfg.production_t_per_day)
        if lo > hi + 1e-9:
            problems.append(InputProblem(source, f"charge.{name}",
                                         f"the minimum ({lo:.1f} kg/tHM) exceeds the maximum ({hi:.1f} kg/tHM) once "
                                         f"t/day limits are converted at {cfg.production_t_per_day:g} tHM/day"))
        materials[name] = m

    lost: dict[str, tuple[Material, float]] = {}
    for name, rate in cfg.lost_burden.items():
        if name not in library:
            if name not in broken:
                problems.append(unknown(name, f"lost_burden.{name}"))
            continue
        if library[name].material_class is not MaterialClass.LOST_BURDEN:
            problems.append(InputProblem(source, f"lost_burden.{name}",
                                         f"is a {library[name].material_class.value} material, not lost_burden"))
            continue
        lost[name] = (library[name], float(rate))

    classes = {c.value for c in MaterialClass}

    def check_group(g, where):
        names = [g] if isinstance(g, str) else list(g)
        for n in names:
            if n not in materials and n not in classes and n not in broken:
                if n in library:
                    problems.append(InputProblem(source, where, f"material {n!r} is not charged in this scenario"))
                    continue
                # a group names charged materials or material classes: suggest from both
                close = difflib.get_close_matches(str(n), sorted(classes) + list(materials) + list(library), n=1,
                                                  cutoff=0.6)
                hint = (f"did you mean {close[0]!r}" + ("" if close[0] in materials or close[0] in classes else
                                                        " (in the tables, not charged)") + "? ") if close else ""
                problems.append(InputProblem(source, where, f"unknown material or class {echo(n)}; {hint}(classes: "
                                             f"{', '.join(sorted(classes))}; charged: {clip(', '.join(materials), 300)})"))

    for sname, sh in cfg.shares.items():
        check_group(sh.materials, f"shares.{sname}.materials")
        check_group(sh.of, f"shares.{sname}.of")
        part, whole = group_members(sh.materials, materials), group_members(sh.of, materials)
        if part and part == whole:
            problems.append(InputProblem(source, f"shares.{sname}.of",
                                         "'materials' and 'of' are the same materials: their share is always 100 % "
                                         "(or 0 when none is charged); name the whole they are part of in 'of' "
                                         "(e.g. of: ferrous)"))
        elif part and part <= whole:
            for end in ("min_pct", "max_pct"):
                x = getattr(sh, end)
                if x is not None and x > 100:
                    problems.append(InputProblem(source, f"shares.{sname}.{end}",
                                                 f"{x:g} %: the materials are part of 'of', so their share is at "
                                                 "most 100 %; give 0-100 (a ratio to other materials, e.g. ore to "
                                                 "coke, names them in 'of')"))
        if sh.basis == "Fe" and whole and all(materials[k].analysis.get("Fe", 0) <= 0 for k in whole):
            problems.append(InputProblem(source, f"shares.{sname}.of", "no material of 'of' carries iron: "
                                         "an Fe-basis share needs iron-bearing materials (or basis: dry)"))
    for el in ("Mn", "P", "Ti", "V"):
        if getattr(cfg.distribution, f"{el}_to_hot_metal") == "free":
            w = getattr(cfg.hot_metal, f"{el}_pct")
            typical = {'Mn': 0.5, 'P': 0.1, 'Ti': 0.1, 'V': 0.2}[el]
            if w is None:
                problems.append(InputProblem(source, f"distribution.{el}_to_hot_metal",
                                             f"a free split needs the hot-metal target it meets: write "
                                             f"hot_metal.{el}_pct as a number (e.g. {el}_pct: {typical:g}) or a "
                                             f"target with a tolerance (e.g. {{min: {typical * 0.9:g}, max: "
                                             f"{typical * 1.1:g}}})"))
            elif not w.is_fixed and (w.min is None or w.max is None):
                problems.append(InputProblem(source, f"hot_metal.{el}_pct",
                                             "a target with a tolerance needs both ends (min and max): with one "
                                             "end open the optimisation may put all the net input in the hot metal "
                                             "or none of it"))
            elif not w.is_fixed and (cfg.process is not None or getattr(cfg, "uncertainty", None) is not None
                                     or getattr(cfg, "emissions", None) is not None):
                problems.append(InputProblem(source, f"hot_metal.{el}_pct",
                                             "a target with a tolerance and a free split is for the linear model "
                                             "without uncertainty: or emissions: sections; give the target as a number "
                                             "here"))
    for mname, mx in cfg.mixes.items():
        if "." in mname:
            problems.append(InputProblem(source, f"mixes.{mname}", "a mix name cannot contain '.'; use _"))
        check_group(mx.materials, f"mixes.{mname}.materials")
    if cfg.emissions is not None:
        for n in cfg.emissions.boundary.upstream_t_co2_per_t:
            check_group(n, f"emissions.boundary.upstream_t_co2_per_t.{n}")
    rep = cfg.fuels.replacement
    if rep is not None:
        for role, n in (("coke", rep.coke), ("injectant", rep.injectant)):
            if n not in materials:
                problems.append(unknown(n, f"fuels.replacement.{role}") if n not in library else
                                InputProblem(source, f"fuels.replacement.{role}", f"{n!r} is not charged"))
            elif materials[n].min_kg_per_thm is not None and materials[n].min_kg_per_thm == materials[n].max_kg_per_thm \
                    and role == "coke":
                problems.append(InputProblem(source, f"charge.{n}",
                                             "coke follows the replacement ratio, so its rate cannot also be fixed"))
    if cfg.process is not None:
        cokes = [k for k, m in materials.items() if m.material_class is MaterialClass.COKE
                 and not (m.min_kg_per_thm is not None and m.min_kg_per_thm == m.max_kg_per_thm)]
        if cfg.process.coke is not None:
            if cfg.process.coke not in materials:
                problems.append(unknown(cfg.process.coke, "process.coke") if cfg.process.coke not in library else
                                InputProblem(source, "process.coke", f"{cfg.process.coke!r} is not charged"))
            elif cfg.process.coke not in cokes:
                problems.append(InputProblem(source, "process.coke",
                                             f"{cfg.process.coke!r} must be a coke whose rate is not fixed "
                                             "(its rate follows from the heat and carbon balances)"))
        elif len(cokes) != 1 and not broken:
            problems.append(InputProblem(source, "process.coke",
                                         "name the coke whose rate follows from the balances "
                                         f"(coke-class materials not fixed: {', '.join(cokes) or 'none'})"))
        for key in ("replacement", "correction"):
            if getattr(cfg.fuels, key) is not None:
                problems.append(InputProblem(source, f"fuels.{key}",
                                             "with process: the coke rate follows from the balances; "
                                             f"fixed {key} factors would contradict them (remove one)"))
    corr = cfg.fuels.correction
    if corr is not None:
        if corr.coke not in materials:
            problems.append(unknown(corr.coke, "fuels.correction.coke") if corr.coke not in library else
                            InputProblem(source, "fuels.correction.coke", f"{corr.coke!r} is not charged"))
        elif materials[corr.coke].min_kg_per_thm is not None and \
                materials[corr.coke].min_kg_per_thm == materials[corr.coke].max_kg_per_thm:
            problems.append(InputProblem(source, f"charge.{corr.coke}",
                                         "the coke follows the correction factors, so its rate cannot also be fixed"))
        from .core.components.fuels import correction_term

        for key, f in corr.factors.items():
            where = f"fuels.correction.factors.{key}"
            kind, mat = correction_term(key, f, materials)
            if kind in ("slag", "si_target"):
                continue
            if kind == "material":
                if mat == corr.coke:
                    problems.append(InputProblem(source, where, "the coke cannot correct itself"))
                continue
            if key.endswith("_kg_per_thm") and key[: -len("_kg_per_thm")] in library:
                problems.append(InputProblem(source, where, f"{key[:-11]!r} is not charged"))
            elif f.value is None:
                problems.append(InputProblem(source, where, "a setting the LP does not compute needs its current "
                                             "value: add value: ... (or use slag_kg_per_thm, hot_metal_Si_pct, "
                                             "<material>_kg_per_thm)"))
    if broken is _ANY_NAME:  # a table not read: the checks of the materials wait for it
        problems = problems[:n_table_problems]
    elif broken:  # a name in a table with problems is reported there, not as "not charged" here
        problems = [p for i, p in enumerate(problems) if i < n_table_problems
                    or not any(f"{n!r}" in p.message or p.field.endswith(f".{n}") for n in broken)]
    if not broken:
        problems.extend(_species_problems(cfg, materials, source))
    hm = cfg.hot_metal
    if hm.Fe_pct is not None:
        fixed = [hm.Si_pct, hm.S_pct] + [w.min for w in (hm.Mn_pct, hm.P_pct, hm.Ti_pct, hm.V_pct)
                                           if w is not None and w.is_fixed]
        if hm.C_pct != "formula":
            fixed.append(hm.C_pct)
            # checkable when Mn and P are fixed (Ti, V count when fixed, else assumed absent)
            all_fixed = all(w is not None and w.is_fixed for w in (hm.Mn_pct, hm.P_pct))
            if all_fixed and abs(hm.Fe_pct + sum(fixed) - 100) > 0.05:
                problems.append(InputProblem(source, "hot_metal.Fe_pct",
                                             f"Fe {hm.Fe_pct:g} % and the fixed elements sum to "
                                             f"{hm.Fe_pct + sum(fixed):.3f} %, not 100 %; correct them or omit Fe_pct "
                                             "(iron by difference)"))
    if cfg.uncertainty is not None:
        from .uncertainty import noise_problems

        problems += noise_problems(cfg.uncertainty, materials, source)
    if problems:
        raise InputError(problems)
    warnings = tuple(dict.fromkeys([*overrides_told, *(w for m in materials.values() for w in m.warnings)]))
    return Scenario(cfg, materials, lost, source, variant, warnings)


_HASHES: dict = {}


def input_hash(scn: "Scenario") -> str:
    """SHA-256 of what a scenario feeds the model: its settings (without the file paths of the
    material tables; the uncertainty files by their content), the resolved materials and lost
    burden, and the model parameters.  Equal inputs give equal hashes wherever the files lie;
    kept per Scenario object (immutable)."""
    import hashlib
    import json

    hit = _HASHES.get(id(scn))
    if hit is not None and hit[0] is scn:
        return hit[1]
    cfg = scn.config.model_dump(mode="json", exclude={"materials", "overrides", "scenarios", "variant"})
    unc = cfg.get("uncertainty") or {}
    for key in ("analyses_table", "history"):   # files that feed the model: by content, not path
        if unc.get(key):
            try:
                unc[key] = "sha256:" + hashlib.sha256(Path(unc[key]).read_bytes()).hexdigest()
            except OSError:
                unc[key] = "unreadable:" + str(unc[key])

    def mat(m):
        d = {k: getattr(m, k) for k in ("material_class", "price_per_t", "price_basis", "moisture_pct",
                                        "min_kg_per_thm", "max_kg_per_thm", "min_t_per_day", "max_t_per_day")}
        d["material_class"] = m.material_class.value
        d["analysis"] = dict(m.analysis)
        return d

    doc = {"config": cfg, "materials": {k: mat(m) for k, m in scn.materials.items()},
           "lost_burden": {k: [mat(m), r] for k, (m, r) in scn.lost_burden.items()},
           "parameters": scn.parameters.to_dict()}
    h = hashlib.sha256(json.dumps(doc, sort_keys=True, allow_nan=True, default=str).encode()).hexdigest()
    if len(_HASHES) > 256:
        _HASHES.clear()
    _HASHES[id(scn)] = (scn, h)
    return h
