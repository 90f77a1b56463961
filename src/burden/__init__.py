"""burden: blast furnace burden optimization.

Public API (imported lazily, so ``burden --help`` stays fast)::

    load_scenario(path, scenario=None) -> Scenario
    Scenario.from_file / Scenario.from_dict
    build(scenario, model="lp", hooks=()) -> Problem
    solve(problem_or_scenario, solver="highs") -> Result
    default_library() -> dict of Material
"""

__version__ = "0.1.0"

_EXPORTS = {
    "load_scenario": "api", "solve": "api",
    "build": "model", "Problem": "model",
    "Scenario": "scenario", "ScenarioConfig": "scenario",
    "Result": "result",
    "Material": "materials", "MaterialClass": "materials", "default_library": "materials",
    "load_material_table": "materials", "materials_from_dataframe": "materials",
    "BurdenError": "errors", "InputError": "errors", "InfeasibleError": "errors", "SolverError": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        mod = importlib.import_module(f"burden.{_EXPORTS[name]}")
        return getattr(mod, name)
    raise AttributeError(f"module 'burden' has no attribute {name!r}")
