"""``burden value-in-use``: what a candidate material is worth against the current burden.

Prints the break-even price (on the material's basis, per dry and per wet t), the saving curve
over forced amounts and the materials displaced (or ``--json``), and writes
``value_in_use.json``, ``curve.csv``, ``displaced.csv``, ``summary.txt`` and
``plots/value_in_use.svg`` to ``OUT/value_in_use/<scenario>-<candidate>/`` in one atomic step.

Exit codes: 0 done, 3 the burden without the candidate is infeasible (explained), 4 a bad
candidate, amounts or output folder (nothing is written), 1 unexpected error.
"""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    s = sub.add_parser(
        "value-in-use", help="break-even price and cost saving of a candidate material",
        description="Value a material of the scenario's tables that the burden does not (or little) use: its "
                    "break-even price against the current burden (dry and wet basis; the reduced cost at zero "
                    "use), the cost saving when it is forced at fixed amounts, and the materials it displaces "
                    "(for a nonlinear scenario the coke change is included).")
    s.add_argument("scenario_file", help="scenario file (.yaml, .yml, .toml)")
    s.add_argument("--candidate", "-c", required=True, metavar="NAME", help="the material to value")
    s.add_argument("--amounts", metavar="KG,KG,...", help="forced amounts, dry kg/tHM (default 0,25,50,100,150,200 "
                                                          "up to its availability)")
    s.add_argument("--scenario", "-s", help="named scenario or override defined in the file")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.add_argument("--out", "-o", default="out", help="output folder (default: out); writes "
                                                      "OUT/value_in_use/<scenario>-<candidate>/")
    s.add_argument("--no-write", action="store_true", help="print only; write nothing")
    s.add_argument("--no-plots", action="store_true", help="write no plot")


def run(args) -> int:
    from .api import load_scenario
    from .output import check_out_dir, slug, write_folder
    from .valueinuse import value_in_use

    if not args.no_write:
        check_out_dir(args.out)
    scn = load_scenario(args.scenario_file, scenario=args.scenario)
    viu = value_in_use(scn, args.candidate, args.amounts, progress=False)
    print(viu.to_json() if args.json else viu.summary())
    if not args.no_write:
        files = {"value_in_use.json": (viu.to_json() + "\n").encode("utf-8"),
                 "summary.txt": (viu.summary() + "\n").encode("utf-8"),
                 "curve.csv": viu.curve.to_csv(index=False, lineterminator="\n").encode("utf-8"),
                 "displaced.csv": viu.displaced.to_csv(lineterminator="\n").encode("utf-8")}
        if not args.no_plots:
            from .report.plots import svg_text

            files["plots/value_in_use.svg"] = svg_text(viu.figure()).encode("utf-8")
        folder = write_folder(files, check_out_dir(args.out) / "value_in_use" / slug(f"{scn.name}-{args.candidate}"),
                              root=args.out)
        print(f"Written to {folder}/", file=sys.stderr)
    return 0
