"""The Python API: load, build, solve.

>>> import burden
>>> scn = burden.load_scenario("scenarios/base.yaml")          # doctest: +SKIP
>>> res = burden.solve(scn)                                     # doctest: +SKIP
>>> res.burden[["dry_kg_per_thm", "cost_per_thm"]]             # doctest: +SKIP
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable

from .core.problem import Hook, Problem, build
from .results.result import Result
from . import __version__
from .scenario import Scenario, input_hash


def load_scenario(path: str | Path, scenario: str | None = None) -> Scenario:
    """Load and validate a scenario file (YAML or TOML); apply a named scenario/override."""
    return Scenario.from_file(path, scenario=scenario)


def solve(problem: Problem | Scenario | str | Path, solver: str = "highs", *, hooks: Iterable[Hook] = (),
          scenario: str | None = None, **solver_options) -> Result:
    """Solve a burden problem and return its :class:`~burden.result.Result`.

    Parameters
    ----------
    problem : Problem, Scenario or path
        A built problem (re-solved persistently: only changed prices are
        passed to the solver), a scenario (built first), or a scenario file.
    solver : str
        Registered solver name (default ``"highs"``).  For a scenario with a
        ``process:`` section (the nonlinear model): ``"slp"`` (SLP on HiGHS) or ``"slsqp"`` (scipy)
        (default: the scenario's ``process.solver``).
    hooks : callables
        Plant-specific constraints, see :func:`burden.model.build`.
    scenario : str, optional
        Named scenario/override when ``problem`` is a path.

    Returns
    -------
    Result
        Check ``result.status``; ``result.raise_for_status()`` raises
        :class:`~burden.errors.InfeasibleError` with the explanation.
    """
    t0 = time.perf_counter()
    if isinstance(problem, (str, Path)):
        problem = load_scenario(problem, scenario=scenario)
    if isinstance(problem, Scenario):
        problem = build(problem, hooks=hooks)
    elif hooks:
        raise TypeError("hooks are given to build() (or with a Scenario); this problem is already built")
    if problem.scenario.config.process is not None:
        from .nonlinear import solve_nonlinear

        res = solve_nonlinear(problem, None if solver == "highs" else solver)
        res.timings["build_s"] = time.perf_counter() - t0 - res.timings["total_s"]
        res.timings["total_s"] = time.perf_counter() - t0
        _meta(res.output, problem, res.timings)
        return res
    if solver != "highs":
        from .errors import InputError, InputProblem

        raise InputError([InputProblem("<python>", "solver", f"unknown solver {solver!r} for an LP scenario; "
                                       "available: 'highs' (slp and slsqp are for scenarios with a process: section)")])
    t1 = time.perf_counter()
    solver_options.setdefault("ranging", True)  # the Result's burden table shows price ranges
    sol = problem.backend(**solver_options).solve()
    t2 = time.perf_counter()
    sol.compile_seconds = t1 - t0
    timings = {"build_s": t1 - t0, "compile_s": 0.0, "solve_s": sol.solve_seconds, "total_s": t2 - t0}
    if sol.status == "optimal":
        # each named objective term (cost, hook, later co2 ...), currency/tHM
        sol.objective_terms = {k: e.value(sol.primal) for k, e in problem.formulation.objective.items()}
    _meta(sol, problem, timings)
    return Result(problem.snapshot(), sol, timings=timings)


def _meta(sol, problem, timings: dict) -> None:
    """Provenance of a Solution: scenario, variant (applied overrides), input hash, versions, timings."""
    scn = problem.scenario
    h = input_hash(scn)
    hooks = [getattr(f, "__qualname__", repr(f)) for f in problem.hooks]
    if problem._hook_signature is not None:
        # what the hooks (or hand edits of the Pyomo model) add is part of the input
        import hashlib

        h = hashlib.sha256((h + repr(problem._hook_signature)).encode()).hexdigest()
    sol.meta.update(scenario=scn.name, variant=scn.variant, source=scn.source, input_hash=h, hooks=hooks,
                    versions={"burden": __version__, "highspy": sol.meta.get("highspy", "")},
                    timings=dict(timings))
