"""Solver registry: backends by name, with their declared capabilities.

=========== ==================================================== =========================
name        what                                                 capabilities
=========== ==================================================== =========================
``highs``   HiGHS direct from the sparse rows (default)          lp, milp, duals, ranging,
                                                                 iis, persistent
``pyomo``   the generated Pyomo model through a Pyomo solver     per solver (appsi_highs:
            (:class:`burden.backends.pyomo.PyomoBackend`)       lp, milp, duals)
=========== ==================================================== =========================
"""

from __future__ import annotations

from .backends.base import CapabilityError, RebuildRequired
from .backends.highs import CAPABILITIES as HIGHS_CAPABILITIES
from .backends.highs import HighsBackend, new_highs

SOLVERS = {"highs": HIGHS_CAPABILITIES}


def get_solver(name: str = "highs"):
    """Capabilities of the backend registered under ``name`` (InputError if unknown)."""
    try:
        return SOLVERS[name]
    except KeyError:
        from .errors import InputError

        raise InputError(f"unknown solver {name!r}; available: {', '.join(SOLVERS)}") from None


__all__ = ["CapabilityError", "HighsBackend", "RebuildRequired", "SOLVERS", "get_solver", "new_highs"]
