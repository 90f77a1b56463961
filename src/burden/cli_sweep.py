"""``burden sweep``: a scenario over ranges of its inputs (or a grid), written as CSV, Parquet and
plots to ``OUT/sweep/<scenario>/`` in one atomic step; one input at a time (``--tornado``) to
``OUT/tornado/<scenario>/``.

Exit codes: 0 the sweep ran (points that are infeasible are rows with their status), 4 a bad
path, range, grid or output folder (nothing is written), 1 unexpected error.
"""

from __future__ import annotations

import sys
import time


def add_parser(sub) -> None:
    s = sub.add_parser(
        "sweep", help="solve a scenario over ranges of its inputs (prices, limits, analyses, settings)",
        description="Re-solve a scenario over many values of its inputs, persistently and in chunks "
                    "(serially, on a Dask LocalCluster with --workers, or on a running scheduler), and "
                    "write sweep.csv, sweep.parquet and plots to OUT/sweep/<scenario>/. PATH is a scenario "
                    "key path: charge.pellets.price_per_t, charge.lump_ore.max_kg_per_thm, slag.B2.max, "
                    "slag.rate_kg_per_thm, shares.<name>.min_pct, materials.sinter.SiO2 (an analysis cell, "
                    "wt %), hot_metal.Si_pct, blast.temperature_c (nonlinear scenarios), ...")
    s.add_argument("scenario_file", help="scenario file (.yaml, .yml, .toml)")
    s.add_argument("--scenario", "-s", help="named scenario or override defined in the file")
    s.add_argument("--vary", action="append", default=[], metavar="PATH=START:STOP:N",
                   help="an input and its range (N values from START to STOP; or a comma list); several "
                        "--vary form the full grid")
    s.add_argument("--grid", metavar="CSV", help="points instead of ranges: one column per PATH, one row per "
                                                 "point (an empty cell keeps the scenario's value, a window included; "
                                                 "separated by ',', ';' or tabs)")
    s.add_argument("--tornado", action="append", default=[], metavar="PATH=LOW:HIGH",
                   help="one input at a time at its low and high value, the others at the scenario's; "
                        "writes tornado.csv, tornado.parquet and a tornado plot to OUT/tornado/<scenario>/")
    s.add_argument("--output", action="append", default=[], metavar="QUANTITY",
                   help="an extra quantity to report, kg/tHM (e.g. slag.CaO, hot_metal.C)")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, metavar="N", help="run on a Dask LocalCluster of N worker processes")
    g.add_argument("--scheduler", metavar="ADDRESS", help="run on a running Dask scheduler (tcp://host:8786)")
    s.add_argument("--chunk-size", type=int, metavar="N", help="points per task (default: an eighth of the points, "
                                                               "50-250 LPs or 5-50 NLPs)")
    s.add_argument("--solver", default=None, help="nonlinear scenarios: slp or slsqp")
    s.add_argument("--out", "-o", default="out", help="output folder (default: out); writes OUT/sweep/<scenario>/")
    s.add_argument("--no-plots", action="store_true", help="write the tables only")
    s.add_argument("--yes", action="store_true", help=f"run a sweep of more than {LARGE_SWEEP_POINTS:,} points "
                                                      "(refused without it, with the estimated time)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar (it shows only on a terminal)")


def _tornado_ranges(items) -> dict:
    from .errors import InputError, InputProblem

    out, problems = {}, []
    for it in items:
        path, eq, rng = str(it).partition("=")
        parts = rng.split(":")
        try:
            if not eq or len(parts) != 2:
                raise ValueError
            out[path.strip()] = (float(parts[0]), float(parts[1]))
        except ValueError:
            problems.append(InputProblem("--tornado", str(it), "give PATH=LOW:HIGH, e.g. "
                                         "charge.pellets.price_per_t=140:180"))
    if problems:
        raise InputError(problems)
    return out


#: A sweep of more points than this runs only with ``--yes`` (a typo in N can ask for hours).
LARGE_SWEEP_POINTS = 100_000
#: Rough seconds per point on one core, for the estimate only (a loaded 2-core machine:
#: 0.4 ms a point for an LP sweep of base.yaml, 0.25 s for nonlinear.yaml with SLP).
SECONDS_PER_POINT = {"lp": 4e-4, "nonlinear": 0.25}


def _check_size(args, scn, sw) -> None:
    """Refuse (InputError, exit 4) a sweep above :data:`LARGE_SWEEP_POINTS` without ``--yes``,
    saying how long it would take; with ``--yes`` print the estimate on stderr."""
    import math

    from .errors import InputError, InputProblem

    if args.grid:
        n = len(sw.read_grid(args.grid))
        where = f"--grid {args.grid}"
    elif args.vary:
        n = math.prod(len(v) for v in sw.parse_vary(args.vary).values())
        where = "--vary"
    else:
        return
    if n <= LARGE_SWEEP_POINTS:
        return
    per = SECONDS_PER_POINT["nonlinear" if scn.config.process is not None else "lp"]
    cores = args.workers or 1
    est = n * per / cores
    text = (f"{n:,} points: about {est / 3600:.1f} h" if est >= 3600 else f"{n:,} points: about {est / 60:.0f} min")
    text += f" on {cores} core{'s' if cores > 1 else ''} ({per * 1e3:g} ms a point, a rough figure)"
    if not args.yes:
        raise InputError([InputProblem(where, "", f"{text}; add --yes to run it, or give fewer points")])
    print(f"sweep of {text}", file=sys.stderr)


def run(args) -> int:
    from .errors import InputError, InputProblem
    from .output import check_out_dir, slug, write_folder
    from .api import load_scenario
    from . import sweeps as sw

    if args.tornado and (args.vary or args.grid):
        raise InputError([InputProblem("--tornado", "", "give --tornado alone (one input at a time), not with "
                                       "--vary or --grid")])
    if args.workers is not None and args.workers < 1:
        raise InputError([InputProblem("--workers", str(args.workers), "give a whole number >= 1")])
    if args.chunk_size is not None and args.chunk_size < 1:
        raise InputError([InputProblem("--chunk-size", str(args.chunk_size), "give a whole number >= 1")])
    check_out_dir(args.out)
    scn = load_scenario(args.scenario_file, scenario=args.scenario)
    kw = dict(workers=args.workers, scheduler=args.scheduler, chunk_size=args.chunk_size,
              progress=False if args.no_progress else None, solver=args.solver, outputs=tuple(args.output))
    cur = scn.config.currency
    t0 = time.perf_counter()
    files: dict[str, bytes] = {}
    if args.tornado:
        t = sw.tornado(scn, _tornado_ranges(args.tornado), **kw)
        elapsed = time.perf_counter() - t0
        files["tornado.csv"] = t.to_csv(index=False, lineterminator="\n").encode("utf-8")
        files["tornado.parquet"] = _parquet(t)
        if not args.no_plots:
            from .report.plots import svg_text
            from .report.study_plots import tornado_figure

            files["plots/tornado.svg"] = svg_text(tornado_figure(t, cur)).encode("utf-8")
        print(f"Tornado of {scn.name}: {len(t)} inputs, {2 * len(t) + 1} solves in {elapsed:.2f} s")
        for _, r in t.iterrows():
            print(f"  {r['path']:<40} {r['low']:>10g} -> {r['objective_low']:10.3f}   {r['high']:>10g} -> "
                  f"{r['objective_high']:10.3f}   swing {r['swing']:.3f} {cur}/tHM")
    else:
        _check_size(args, scn, sw)
        df = sw.sweep(scn, args.vary or None, grid=args.grid, **kw)
        elapsed = time.perf_counter() - t0
        files["sweep.csv"] = df.to_csv(index=False, lineterminator="\n").encode("utf-8")
        files["sweep.parquet"] = _parquet(df)
        paths = list(df.columns[1:df.columns.get_loc("status")])
        if not args.no_plots:
            from .report.plots import svg_text
            from .report.study_plots import sweep_burden_figure, sweep_objective_figure

            for i, p in enumerate(paths):
                name = slug(p)
                files[f"plots/objective_{name}.svg"] = svg_text(sweep_objective_figure(df, p, cur)).encode("utf-8")
                files[f"plots/burden_{name}.svg"] = svg_text(sweep_burden_figure(df, p)).encode("utf-8")
        counts = df["status"].value_counts()
        ok = df[df["status"] == "optimal"]["objective_per_thm"]
        where = (f" on a local cluster of {args.workers} workers (its start included)" if args.workers else
                 f" on {args.scheduler}" if args.scheduler else "")
        print(f"Sweep of {scn.name}: {len(df)} points over {', '.join(paths)} in {elapsed:.2f} s{where} "
              f"({len(df) / elapsed:,.0f} points/s)")
        print("  status: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if len(ok):
            print(f"  objective {ok.min():.3f} .. {ok.max():.3f} {cur}/tHM")
    kind = "tornado" if args.tornado else "sweep"
    folder = write_folder(files, check_out_dir(args.out) / kind / slug(scn.name), root=args.out)
    print(f"Written to {folder}/", file=sys.stderr)
    return 0


def _parquet(df) -> bytes:
    """The DataFrame as Parquet (pyarrow), in memory (written with the folder, atomically)."""
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, engine="pyarrow", index=False)
    return buf.getvalue()
