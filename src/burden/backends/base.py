"""What every backend declares and raises.

A backend states its capabilities as a frozenset (linopy's ``SolverFeature`` idea):

============ ====================================================================
``lp``       continuous linear programs
``milp``     binary and integer columns (integrality honoured)
``duals``    row duals and reduced costs
``ranging``  objective-coefficient ranging
``iis``      an irreducible infeasible subset for an infeasible problem
``persistent`` keeps the model between solves and takes changes of costs, column
             bounds, row bounds and coefficients without a rebuild
``nlp``      nonlinear rows
============ ====================================================================

A backend that cannot honour a model (integrality, a structural change) raises; it
never silently solves something else.
"""

from __future__ import annotations

from ..errors import SolverError


class RebuildRequired(SolverError):
    """The live solver cannot take this change of the model: build the problem again
    (``burden.build(scenario)``) or call ``Problem.rebuild()``."""


class CapabilityError(SolverError):
    """The backend cannot honour the model (e.g. integrality on an LP-only solver)."""

