"""burden: blast furnace burden optimization.

Public API (imported lazily, so ``burden --help`` stays fast)::

    load_scenario(path, scenario=None) -> Scenario
    Scenario.from_file / Scenario.from_dict
    build(scenario, model="lp", hooks=()) -> Problem
    solve(problem_or_scenario, solver="highs") -> Result   (Result.output is the picklable Solution)
    Problem.set_prices / set_bounds / set_limit / set_analysis / update   (persistent re-solves)
    Problem.export_model(path)   (.mps or .lp)
    default_library() -> dict of Material
    sweep(scenario, vary) -> DataFrame, tornado(scenario, ranges) -> DataFrame   (many re-solves)
    value_in_use(scenario, candidate, amounts=None) -> ValueInUse
"""

__version__ = "0.1.0"

_EXPORTS = {
    "load_scenario": "api", "solve": "api",
    "build": "core.problem", "Problem": "core.problem", "Solution": "results.solution",
    "RebuildRequired": "backends.base", "CapabilityError": "backends.base",
    "Scenario": "scenario", "ScenarioConfig": "scenario",
    "Result": "results.result",
    "Material": "materials", "MaterialClass": "materials", "default_library": "materials",
    "load_material_table": "materials", "materials_from_dataframe": "materials",
    "sweep": "sweeps", "tornado": "sweeps", "value_in_use": "valueinuse",
    "BurdenError": "errors", "InputError": "errors", "InfeasibleError": "errors", "SolverError": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        mod = importlib.import_module(f"burden.{_EXPORTS[name]}")
        return getattr(mod, name)
    raise AttributeError(f"module 'burden' has no attribute {name!r}")
