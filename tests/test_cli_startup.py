"""Start-up of ``burden solve`` (issue 9: the whole process <= 0.6 s): what the solve path does
not import, and a command line parser built for one subcommand that parses as the whole one.
(Times are measured in benchmarks/bench_lp.py item 4, not asserted here.)"""

import argparse
import subprocess
import sys

import pytest

from burden import cli

from conftest import ROOT, SCENARIOS


def _subparsers(p: argparse.ArgumentParser):
    return next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))


def test_commands_are_the_subcommands_of_the_parser():
    assert tuple(_subparsers(cli._parser()).choices) == cli.COMMANDS


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_a_parser_for_one_command_has_the_same_usage_and_that_command(command):
    full, one = cli._parser(), cli._parser(command)
    assert one.format_usage() == full.format_usage()
    assert _subparsers(one).choices[command].format_help() == _subparsers(full).choices[command].format_help()


@pytest.mark.parametrize("argv", [
    ["solve", "s.yaml"], ["--debug", "solve", "s.yaml", "-s", "x", "--no-write", "--json"],
    ["solve", "s.yaml", "--report", "--format", "html", "--coke-batch", "12"],
    ["report", "s.yaml", "--no-plots"], ["validate", "s.yaml"], ["compare", "a.yaml", "b.yaml", "--no-write"],
    ["materials", "--columns"], ["pareto", "s.yaml"], ["sweep", "s.yaml", "--vary", "price.pellets=100:200:3"],
    ["value-in-use", "s.yaml", "--candidate", "pellets"], ["runs", "list", "--history", "x.db", "--limit", "3"],
    ["job", "run", "j.yaml", "--force"], ["solve", "s.yaml", "--bogus"],
])
def test_a_parser_for_one_command_parses_as_the_whole_parser(argv):
    cmd = cli._command_of(argv)
    assert cmd == next(a for a in argv if not a.startswith("--"))

    def parse(p):
        try:
            return p.parse_args(argv)
        except SystemExit as e:  # an argv this test got wrong fails alike in both
            return ("exit", e.code)

    assert parse(cli._parser(cmd)) == parse(cli._parser())


def test_words_that_are_no_command_build_the_whole_parser():
    for argv in ([], ["--version"], ["-h"], ["--help"], ["solv", "x"], ["--deb", "solve", "x"], ["--", "solve"]):
        assert cli._command_of(argv) is None


def test_burden_solve_imports_neither_pandas_nor_the_other_commands(tmp_path):
    """The solve path forms its summary, result.json and CSV files from records (no pandas, and
    so no pyarrow, which pandas 3 imports whenever it is installed; tests/test_records.py checks
    the files are those of the DataFrames) and builds the parser of `solve` only."""
    code = ("import sys; from burden.cli import main; rc = main(sys.argv[1:]); "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'scipy', 'pyomo', 'matplotlib', 'jinja2', 'sqlalchemy', "
            "'burden.cli_job', 'burden.cli_sweep', 'burden.cli_pareto', 'burden.cli_viu', 'burden.sweeps') "
            "if m in sys.modules)); sys.exit(rc)")
    p = subprocess.run([sys.executable, "-c", code, "solve", str(SCENARIOS / "base.yaml"), "--out", str(tmp_path)],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "base" / "costs.csv").read_text().startswith("class,cost_per_thm,share_pct\n")
