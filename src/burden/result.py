"""The result of a solve (moved to :mod:`burden.results.result`; kept for existing imports)."""

from .results.result import Result, explain_infeasibility, explain_nonlinear

__all__ = ["Result", "explain_infeasibility", "explain_nonlinear"]
