"""Command line: ``burden solve | report | compare | validate | materials``.

Exit codes: 0 optimal (or valid), 3 infeasible (with the explanation),
4 invalid input or an output that cannot be written (the path and the reason),
1 unexpected error.  A reader that goes away (``burden solve ... | head -1``)
silences the output and the command goes on (its results are still written).
Heavy modules are imported inside the commands so that ``burden --help`` is fast.
"""

from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_ERROR, EXIT_INFEASIBLE, EXIT_INPUT = 0, 1, 3, 4


#: The subcommands, in the order ``burden --help`` lists them (tests/test_cli_startup.py checks it).
COMMANDS = ("solve", "validate", "report", "compare", "pareto", "sweep", "value-in-use", "materials", "job", "runs")


def _command_of(argv: list[str]) -> str | None:
    """The subcommand ``argv`` names (its first word after the top-level flags), or None when
    it names none or something else (then the whole parser is built, to say what is wrong)."""
    for a in argv:
        if a not in ("--version", "--debug"):
            return a if a in COMMANDS else None
    return None


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser.  With ``only`` (a subcommand of :data:`COMMANDS`), the
    subcommands that live in their own modules (``cli_<name>``) are added only if they are
    ``only``, so ``burden solve`` does not import them; the usage line still names every
    subcommand (the same error messages)."""
    p = argparse.ArgumentParser(prog="burden", description="Blast furnace burden optimization.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = p.add_subparsers(dest="command", **({"metavar": "{" + ",".join(COMMANDS) + "}"} if only else {}))

    s = sub.add_parser("solve", help="solve a scenario and write its results",
                       description="Solve a scenario (YAML/TOML) for the cost-optimal burden; print it and "
                                   "write the result tables (CSV), JSON and a summary under --out.")
    s.add_argument("scenario_file", help="scenario file (.yaml, .yml, .toml)")
    s.add_argument("--scenario", "-s", help="named scenario or override defined in the file")
    s.add_argument("--out", "-o", default="out", help="output folder (default: out); results go to OUT/<scenario>/")
    s.add_argument("--json", action="store_true", help="print the result as JSON instead of the summary")
    s.add_argument("--solver", default="highs",
                   help="LP: highs (default); nonlinear scenarios: slp or slsqp (default: the scenario's process.solver)")
    s.add_argument("--sensitivity", action="store_true",
                   help="nonlinear scenarios: add the sensitivity of the optimum to the blast settings and PCI")
    s.add_argument("--no-write", action="store_true", help="print only; write nothing")
    s.add_argument("--export-model", metavar="PATH",
                   help="also write the LP/MILP (the linear core of a nonlinear scenario) as MPS (.mps) or "
                        "CPLEX LP (.lp), by the extension, to check it in another solver")
    s.add_argument("--report", action="store_true",
                   help="also write the report (HTML, PDF, Excel, JSON) to OUT/<scenario>/report/")
    _report_options(s)

    v = sub.add_parser("validate", help="check a scenario file and its material tables",
                       description="Validate a scenario file, every named scenario in it and its material tables.")
    v.add_argument("scenario_file")

    r = sub.add_parser("report", help="solve a scenario and write its report (HTML, PDF, Excel, JSON)",
                       description="Solve a scenario and write a self-contained report to OUT/<scenario>/report/: "
                                   "report.html (inline plots), report.pdf, report.xlsx (a sheet per table), "
                                   "report.json and plots/*.svg. Nothing is written if anything fails.")
    r.add_argument("scenario_file", help="scenario file (.yaml, .yml, .toml)")
    r.add_argument("--scenario", "-s", help="named scenario or override defined in the file")
    r.add_argument("--out", "-o", default="out", help="output folder (default: out)")
    r.add_argument("--solver", default="highs", help="solver backend (default: highs)")
    _report_options(r)

    c = sub.add_parser("compare", help="compare scenarios or stored runs side by side",
                       description="Compare two or more runs: scenario files (FILE or FILE:SCENARIO, solved now) "
                                   "or result.json files written by `burden solve`. Prints the comparison "
                                   "(differences marked *) and writes comparison.html/.json under --out.")
    c.add_argument("runs", nargs="+", metavar="RUN", help="scenario file, FILE:SCENARIO, or result.json")
    c.add_argument("--out", "-o", default="out", help="output folder (default: out); writes OUT/compare/")
    c.add_argument("--format", default="html,json", help="comma-separated: html, json (default: both)")
    c.add_argument("--solver", default="highs", help="solver backend (default: highs)")
    c.add_argument("--no-write", action="store_true", help="print only; write nothing")

    if only in (None, "pareto"):
        from . import cli_pareto

        cli_pareto.add_parser(sub)
    if only in (None, "sweep"):
        from . import cli_sweep  # light modules: the work is imported inside run()

        cli_sweep.add_parser(sub)
    if only in (None, "value-in-use"):
        from . import cli_viu

        cli_viu.add_parser(sub)

    m = sub.add_parser("materials", help="list the materials of the default library or a table")
    m.add_argument("table", nargs="?", help="material table (.csv/.xlsx); default: the packaged library")
    m.add_argument("--columns", action="store_true", help="list the columns a material table may have")
    if only in (None, "job", "runs"):
        from . import cli_job

        cli_job.add_parser(sub)
    return p


def _report_options(p) -> None:
    p.add_argument("--format", default=None, help="comma-separated report formats: html, pdf, xlsx, json "
                                                  "(default: all)")
    p.add_argument("--charges-per-day", type=float, default=120.0,
                   help="charge sheet: charges per day when no coke batch is given (default: 120)")
    p.add_argument("--coke-batch", type=float, default=None, metavar="T",
                   help="charge sheet: coke batch, wet t per charge (fixes the charges per day; the ore batch "
                        "follows from the ore/coke ratio)")
    p.add_argument("--slag-temperature", type=float, default=None, metavar="DEGC",
                   help="slag temperature for viscosity and sulphide capacity, degC (default: hot-metal temperature)")
    p.add_argument("--no-plots", action="store_true", help="report without plots")


def _options(args):
    from .report import ReportOptions, parse_formats

    fmts = parse_formats(args.format)
    return ReportOptions(formats=fmts, charges_per_day=args.charges_per_day, coke_batch_wet_t=args.coke_batch,
                         slag_temperature_c=args.slag_temperature, plots=not args.no_plots).validate("command line")


class _QuietStdout:
    """``sys.stdout`` that goes quiet when its reader goes away (a broken pipe, as in
    ``burden solve ... | head -1``): the rest of the output is dropped, the command goes on,
    and nothing is printed about it."""

    def __init__(self, stream):
        self._stream = stream
        self.broken = False

    def write(self, text):
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._silence()
        return len(text)

    def flush(self):
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._silence()

    def _silence(self):
        self.broken = True
        try:  # what is still buffered goes to /dev/null at exit, not to a broken pipe
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    saved = sys.stdout
    quiet = sys.stdout = _QuietStdout(saved) if saved is not None else saved
    try:
        return _main(argv)
    finally:
        if quiet is not None:
            quiet.flush()
        sys.stdout = saved


def _main(argv: list[str] | None) -> int:
    args = _parser(_command_of(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    if args.version:
        from . import __version__

        print(f"burden {__version__}")
        return EXIT_OK
    if not args.command:
        _parser().print_help()
        return EXIT_OK
    try:
        if args.command != "materials":  # a bad SOURCE_DATE_EPOCH fails before solving, written or not
            from .provenance import source_date_epoch

            source_date_epoch()
        return {"solve": _solve, "validate": _validate, "materials": _materials, "report": _report,
                "compare": _compare, "pareto": _lazy("cli_pareto"), "sweep": _lazy("cli_sweep"),
                "value-in-use": _lazy("cli_viu"), "job": _jobs, "runs": _jobs}[args.command](args)
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
        print(_unexpected(e), file=sys.stderr)
        return EXIT_ERROR


def _lazy(module: str):
    """The ``run`` of a subcommand module (``burden.cli_<name>``), imported when it is called."""

    def run(args) -> int:
        import importlib

        return importlib.import_module(f"burden.{module}").run(args)

    return run


def _unexpected(e: BaseException) -> str:
    return (f"unexpected error: {type(e).__name__}: {e}\n(run with --debug for the traceback; "
            "please report it)")


def _solve(args) -> int:
    from .api import build, load_scenario, solve
    from .errors import BurdenError
    from .output import check_model_path, check_out_dir, result_files, result_folder, write_folder

    opts = _options(args) if args.report else None  # bad report options fail before anything is solved
    if not args.no_write:
        check_out_dir(args.out)  # and so does an --out that cannot be a folder
    if args.export_model:
        check_model_path(args.export_model)  # a bad path fails before anything is solved
    scn = load_scenario(args.scenario_file, scenario=args.scenario)
    prob = build(scn)
    if args.export_model:
        prob.export_model(args.export_model)
        f = prob.formulation
        note = (" (the linear core only: the process rows of the nonlinear model are not linear)"
                if scn.config.process is not None else "")
        print(f"Model written to {args.export_model}: {len(f.row_names)} rows, {f.space.n} columns{note}",
              file=sys.stderr)
    res = solve(prob, solver=args.solver)
    if args.sensitivity and res.nonlinear is not None and res.ok:
        from .nonlinear import sensitivity

        res.nonlinear.extra["sensitivity"] = sensitivity(res)
    files = report_error = None
    if not args.no_write:
        files = result_files(res)
        if args.report:
            from .report import render_report

            try:  # rendered in memory: results and report then go to the folder in one step
                report = render_report(res, opts)
            except Exception as e:  # noqa: BLE001 - a failed report never costs the results
                if args.debug:
                    import traceback

                    traceback.print_exc()
                report_error = e
            else:
                from .report import keep_other_formats

                report = keep_other_formats(report, result_folder(args.out, res.scenario.name) / "report", opts.formats)
                files.update({f"report/{k}": v for k, v in report.items()})
    if args.json:
        print(res.to_json())
    else:
        print(res.summary())
        if args.sensitivity and res.nonlinear is None:  # (a nonlinear summary shows the sensitivity)
            print("\n(--sensitivity: only scenarios with a process: section (the nonlinear model) have a "
                  "sensitivity to the blast settings)")
    if files is not None:
        folder = write_folder(files, result_folder(args.out, res.scenario.name), root=args.out)
        if report_error is not None:
            e = report_error
            known = isinstance(e, BurdenError)
            print(f"error: the report could not be made, the results were written to {folder}/ without it: "
                  + (str(e) if known else _unexpected(e)), file=sys.stderr)
            if res.status == "infeasible":
                print("(the scenario is infeasible: see the explanation above)", file=sys.stderr)
            return e.exit_code if known else EXIT_ERROR
        if not args.json:
            print(f"\nResults written to {folder}/" + (" (report in report/)" if args.report else ""))
    return _exit_code(res)


def _exit_code(res) -> int:
    """0 optimal, 3 infeasible, 1 any other solver status (said on stderr)."""
    if res.status == "infeasible":
        return EXIT_INFEASIBLE
    if res.status != "optimal":
        print(f"error: solver status {res.output.solver_status}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _report(args) -> int:
    from .api import load_scenario, solve
    from .report import write_report

    from .output import check_out_dir

    opts = _options(args)
    check_out_dir(args.out)
    scn = load_scenario(args.scenario_file, scenario=args.scenario)
    res = solve(scn, solver=args.solver)
    folder = write_report(res, args.out, opts)
    print(f"{res.scenario.name}: {res.status}" + (f", {res.objective:,.2f} {res.currency}/tHM" if res.ok else ""))
    print(f"Report written to {folder}/ ({', '.join(opts.formats)})")
    if res.status == "infeasible":
        print(res.explanation, file=sys.stderr)
    return _exit_code(res)


def _compare(args) -> int:
    from .errors import InputError, InputProblem
    from .report import write_files
    from .report.compare import (compare_runs, is_run_file, load_run, render_compare_html, render_compare_json,
                                 render_text, run_from_result, split_spec)

    fmts = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    bad = [f for f in fmts if f not in ("html", "json")]
    if bad or not fmts:
        raise InputError([InputProblem("command line", "--format",
                                       f"unknown comparison format(s) {', '.join(bad) or '(none)'}; use html, json")])
    if len(args.runs) < 2:
        raise InputError([InputProblem("command line", "RUN", "give at least two runs to compare (scenario files, "
                                       "FILE:SCENARIO or result.json files)")])
    from .output import recover

    for spec in args.runs:  # a run folder an interrupted `burden solve` left renamed aside: put it back
        if is_run_file(spec):
            recover(os.path.dirname(os.path.abspath(spec)))
    if not args.no_write:
        from .output import check_out_dir

        check_out_dir(args.out)
    specs = [split_spec(s) for s in args.runs]
    runs = [load_run(p) for p, _ in specs if is_run_file(p)]  # validate stored runs before solving anything
    stored = iter(runs)
    runs = []
    scenarios = []
    for p, name in specs:
        if not is_run_file(p):
            from .api import load_scenario

            scenarios.append(load_scenario(p, scenario=name))
    it = iter(scenarios)
    for p, name in specs:
        if is_run_file(p):
            runs.append(next(stored))
        else:
            from .api import solve

            runs.append(run_from_result(solve(next(it), solver=args.solver), p + (f":{name}" if name else "")))
    tables = compare_runs(runs)
    print(render_text(runs, tables, colour=sys.stdout.isatty()))
    if not args.no_write:
        files = {}
        if "html" in fmts:
            files["comparison.html"] = render_compare_html(runs, tables).encode("utf-8")
        if "json" in fmts:
            files["comparison.json"] = render_compare_json(runs, tables).encode("utf-8")
        from pathlib import Path

        folder = write_files(files, Path(args.out) / "compare", root=args.out)
        print(f"\nComparison written to {folder}/")
    return EXIT_OK


def _jobs(args) -> int:
    from . import cli_job

    return cli_job.run(args)


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
