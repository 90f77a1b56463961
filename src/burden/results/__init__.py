"""Results: the picklable :class:`~burden.results.solution.Solution` of a backend and the
:class:`~burden.results.result.Result` façade with its tables."""

from .solution import Solution

__all__ = ["Solution"]
