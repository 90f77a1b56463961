"""Command line: ``burden solve | validate | materials``.

Exit codes: 0 optimal (or valid), 3 infeasible (with the explanation),
4 invalid input, 1 unexpected error.  Heavy modules are imported inside the
commands so that ``burden --help`` is fast.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_ERROR, EXIT_INFEASIBLE, EXIT_INPUT = 0, 1, 3, 4


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="burden", description="Blast furnace burden optimization.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("solve", help="solve a scenario and write its results",
                       description="Solve a scenario (YAML/TOML) for the cost-optimal burden; print it and "
                                   "write the result tables (CSV), JSON and a summary under --out.")
    s.add_argument("scenario_file", help="scenario file (.yaml, .yml, .toml)")
    s.add_argument("--scenario", "-s", help="named scenario or override defined in the file")
    s.add_argument("--out", "-o", default="out", help="output folder (default: out); results go to OUT/<scenario>/")
    s.add_argument("--json", action="store_true", help="print the result as JSON instead of the summary")
    s.add_argument("--solver", default="highs", help="solver backend (default: highs)")
    s.add_argument("--no-write", action="store_true", help="print only; write nothing")

    v = sub.add_parser("validate", help="check a scenario file and its material tables",
                       description="Validate a scenario file, every named scenario in it and its material tables.")
    v.add_argument("scenario_file")

    m = sub.add_parser("materials", help="list the materials of the default library or a table")
    m.add_argument("table", nargs="?", help="material table (.csv/.xlsx); default: the packaged library")
    m.add_argument("--columns", action="store_true", help="list the columns a material table may have")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.version:
        from . import __version__

        print(f"burden {__version__}")
        return EXIT_OK
    if not args.command:
        _parser().print_help()
        return EXIT_OK
    try:
        return {"solve": _solve, "validate": _validate, "materials": _materials}[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # noqa: BLE001 - the CLI maps every error to an exit code
        from .errors import BurdenError

        if isinstance(e, BurdenError):
            print(f"error: {e}", file=sys.stderr)
            return e.exit_code
        if args.debug:
            raise
        print(f"unexpected error: {type(e).__name__}: {e}\n(run with --debug for the traceback; "
              "please report it)", file=sys.stderr)
        return EXIT_ERROR


def _solve(args) -> int:
    from .api import load_scenario, solve
    from .output import write_result

    scn = load_scenario(args.scenario_file, scenario=args.scenario)
    res = solve(scn, solver=args.solver)
    if args.json:
        print(res.to_json())
    else:
        print(res.summary())
    if not args.no_write:
        folder = write_result(res, args.out)
        if not args.json:
            print(f"\nResults written to {folder}/")
    if res.status == "infeasible":
        return EXIT_INFEASIBLE
    if res.status != "optimal":
        print(f"error: solver status {res.output.solver_status}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _validate(args) -> int:
    from .api import load_scenario

    scn = load_scenario(args.scenario_file)
    names = scn.variants()
    for n in names:
        load_scenario(args.scenario_file, scenario=n)
    print(f"{args.scenario_file}: valid ({len(scn.materials)} charged materials"
          + (f"; scenarios/overrides checked: {', '.join(names)}" if names else "") + ")")
    for w in scn.warnings:
        print(f"warning: {w}")
    return EXIT_OK


def _materials(args) -> int:
    from .materials import KNOWN_COLUMNS, default_library, load_material_table

    if args.columns:
        print("Material table columns (analyses in wt % of the dry material):")
        print("  " + ", ".join(KNOWN_COLUMNS))
        return EXIT_OK
    mats = load_material_table(args.table) if args.table else default_library()
    print(f"{'name':<18}{'class':<12}{'TFe':>7}{'SiO2':>7}{'Al2O3':>7}{'CaO':>7}{'MgO':>7}{'C':>7}{'H2O %':>7}"
          f"{'price/t':>9}  basis  source")
    for k, m in mats.items():
        a = m.analysis
        print(f"{k:<18}{m.material_class.value:<12}{a['Fe']:>7.2f}{a['SiO2']:>7.2f}{a['Al2O3']:>7.2f}"
              f"{a['CaO']:>7.2f}{a['MgO']:>7.2f}{a['C_fix']:>7.2f}{m.moisture_pct:>7.2f}{m.price_per_t:>9.1f}  "
              f"{m.price_basis:<5}  {m.source}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
