"""``burden pareto FILE --points N [--json] [--out DIR]``: cost versus CO2 (see :mod:`burden.pareto`).

Writes ``OUT/pareto/<scenario>/`` (``pareto.csv``, ``pareto.json``, ``pareto.svg``,
``summary.txt``) in one atomic step; exit 0, 3 when the scenario has no feasible burden,
4 for invalid input or an output folder that cannot be written.
"""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    """Register the ``pareto`` subcommand."""
    p = sub.add_parser("pareto", help="trace cost versus CO2 (epsilon-constraint on the CO2 cap)",
                       description="Trace the cost-versus-CO2 front of a scenario: the min-cost and min-CO2 "
                                   "burdens and N caps between them, each a persistent re-solve of the CO2 cap "
                                   "row. The carbon price is set to 0 (cost is the burden cost); CO2 counts "
                                   "what the scenario's emissions.boundary says. Writes OUT/pareto/<scenario>/ "
                                   "(pareto.csv, pareto.json, pareto.svg, summary.txt).")
    p.add_argument("scenario_file", help="scenario file (.yaml, .yml, .toml)")
    p.add_argument("--scenario", "-s", help="named scenario or override defined in the file")
    p.add_argument("--points", "-n", type=int, default=10, help="points between the two ends (default 10; 0-1000)")
    p.add_argument("--out", "-o", default="out", help="output folder (default: out); writes OUT/pareto/<scenario>/")
    p.add_argument("--json", action="store_true", help="print the front as JSON instead of the table")
    p.add_argument("--no-write", action="store_true", help="print only; write nothing")
    p.add_argument("--solver", default="highs", help="as for burden solve")


def run(args) -> int:
    """Run ``burden pareto``; returns the exit code (errors propagate to the CLI's handler)."""
    from pathlib import Path

    from .api import load_scenario
    from .errors import InfeasibleError, InputError, InputProblem
    from .output import check_out_dir, slug, write_folder
    from .pareto import MAX_POINTS, pareto

    if not 0 <= args.points <= MAX_POINTS:
        raise InputError([InputProblem("command line", "--points", f"{args.points}: give 0-{MAX_POINTS}")])
    if not args.no_write:
        check_out_dir(args.out)
    scn = load_scenario(args.scenario_file, scenario=args.scenario)
    try:
        front = pareto(scn, args.points, solver=args.solver)
    except InfeasibleError as e:
        print(f"{scn.name}: no burden meets the limits, so there is no front.\n{e}", file=sys.stderr)
        return 3
    print(front.to_json() if args.json else front.summary())
    if not args.no_write:
        folder = write_folder(front.files(), Path(args.out) / "pareto" / slug(scn.name), root=args.out)
        if not args.json:
            print(f"\nFront written to {folder}/")
    return 0
