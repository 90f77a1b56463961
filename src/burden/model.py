"""The burden model (kept for code written against the first core).

The formulation lives in :mod:`burden.core`: columns and expressions in
:mod:`burden.core.space`, rows in :mod:`burden.core.rows`, the balances in
:mod:`burden.core.components.burden`, the problem in :mod:`burden.core.problem`.
"""

from __future__ import annotations

from .core.components.burden import (BALANCED, HM_CARBON_COEFFS, SLAG_COMPONENTS, SLAG_S_MASS_FACTOR, Affine,
                                     quantities as build_quantities)
from .core.problem import Hook, Problem, build
from .core.rows import LimitRow, Row

__all__ = ["Affine", "BALANCED", "HM_CARBON_COEFFS", "Hook", "LimitRow", "Problem", "Row", "SLAG_COMPONENTS",
           "SLAG_S_MASS_FACTOR", "build", "build_quantities"]
