"""Issue 14: plots with long material names and a 4-character currency; labels cut in the middle;
plot value labels with the decimals of the formatting table."""

import subprocess
import sys
import warnings

import pytest

import burden
from burden.report import plots
from burden.report.compare import compare_figures, run_from_result
from burden.report.content import limits_frame
from burden.report.style import PLOT_LABEL_MAX, fmt_value, short_label, short_labels
from test_report_render import long_names_scenario


@pytest.fixture(scope="module")
def long_result(tmp_path_factory):
    d = tmp_path_factory.mktemp("long")
    return burden.solve(long_names_scenario(d)).raise_for_status(), d


def test_short_labels_keep_start_and_end_and_stay_distinct():
    a = "sinter_strand_2_high_basicity_grade_own_production_plant_north"
    b = "sinter_strand_2_high_basicity_grade_own_production_plant_south"
    assert len(short_label(a)) == PLOT_LABEL_MAX and short_label(a).startswith("sinter_strand")
    assert short_label(a).endswith("plant_north") and "…" in short_label(a)
    assert short_label("coke") == "coke"
    la, lb = short_labels([a, b])
    assert la != lb and la.endswith("north") and lb.endswith("south")
    # names that differ only in the middle: lengthened until they differ
    c, d = "x" * 30 + "_A_" + "y" * 30, "x" * 30 + "_B_" + "y" * 30
    sc, sd = short_labels([c, d])
    assert sc != sd


def _figures(res):
    lim = limits_frame(res)
    figs = {"burden": plots.burden_figure(res), "limits": plots.limits_figure(lim, res.currency),
            "cost": plots.cost_waterfall_figure(res), "shadow": plots.shadow_price_figure(lim, res.currency),
            "ternary": plots.ternary_figure(res)}
    runs = [run_from_result(res), run_from_result(res), run_from_result(res)]
    figs.update({"compare_" + n: f for n, f in compare_figures(runs)})
    return figs


def test_every_plot_of_long_names_renders_without_warnings_and_nothing_collapses(long_result):
    res, _ = long_result
    assert res.currency == "EURO"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied ..." is a UserWarning
        figs = _figures(res)
        for name, fig in figs.items():
            plots.svg_text(fig)
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            rend = canvas.get_renderer()
            W, H = fig.bbox.width, fig.bbox.height
            for ax in fig.axes:
                pos = ax.get_position()
                # the bars keep at least a third of the width (limits strips: fixed 38 %)
                assert pos.width > 0.3 and pos.height > 0.02, (name, pos)
                ticks = [t for t in ax.get_yticklabels() + ax.get_xticklabels() if t.get_text()]
                for t in ticks:
                    assert len(t.get_text()) <= PLOT_LABEL_MAX + 20, (name, t.get_text())
                # every label, title and axis label drawn lies inside the figure (nothing cut)
                lo, hi = sorted(ax.get_ylim())
                shown = [t for t in ax.get_yticklabels() if t.get_text() and lo <= t.get_position()[1] <= hi
                         and ax.axison and ax.yaxis.get_visible()]
                for t in [ax.title, ax.xaxis.label, ax.yaxis.label] + shown:
                    if not t.get_text() or not t.get_visible():
                        continue
                    e = t.get_window_extent(rend)
                    assert e.x0 >= -1 and e.x1 <= W + 1 and e.y0 >= -1 and e.y1 <= H + 1, (name, t.get_text(), e)
    # two long names sharing the start are told apart on the burden chart
    ticks = [t.get_text() for t in figs["burden"].axes[0].get_yticklabels()]
    assert len(set(ticks)) == len(ticks)
    assert any(t.endswith("plant_north") for t in ticks)
    # the cost axis label is whole
    assert figs["cost"].axes[0].yaxis.label.get_text() == "cost [EURO/tHM]"


def test_plot_value_labels_use_the_decimals_of_the_tables(long_result):
    res, _ = long_result
    lim = limits_frame(res)
    fig = plots.shadow_price_figure(lim, res.currency)
    texts = [t.get_text().strip() for t in fig.axes[0].texts]
    col = next(c for c in lim.columns if str(c).startswith("shadow price ["))
    b = lim[lim["binding"] & (lim[col].abs() > 1e-12)]
    want = {("+" if v > 0 else "") + fmt_value(float(v), "EURO/tHM per unit", "EURO") for v in b[col]}
    assert set(texts) == want
    assert all(len(t.split(".")[1]) == 4 for t in texts)  # 4 decimals of currency/tHM per unit
    cost = plots.cost_waterfall_figure(res)
    vals = [t.get_text() for t in cost.axes[0].texts]
    assert all(len(v.split(".")[1]) == 2 for v in vals)     # 2 decimals of currency/tHM
    burden_fig = plots.burden_figure(res)
    first = burden_fig.axes[0].texts[0].get_text().split()[0]
    assert first == fmt_value(float(res.burden["dry_kg_per_thm"].iloc[0]), "kg/tHM")


def test_cli_compare_of_long_names_prints_no_warning(long_result, tmp_path):
    _, d = long_result
    p = subprocess.run([sys.executable, "-m", "burden.cli", "compare", str(d / "long.yaml"), str(d / "long.yaml"),
                        "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "Warning" not in p.stderr and "warn" not in p.stderr.lower(), p.stderr


@pytest.mark.parametrize("write", [False, True])
def test_invalid_source_date_epoch_is_refused_written_or_not(tmp_path, monkeypatch, capsys, write):
    """Issue 14: ``SOURCE_DATE_EPOCH=abc`` exits 4 with the same message with and without
    ``--no-write``, before solving (nothing printed on stdout, nothing written)."""
    from burden.cli import main
    from conftest import SCENARIOS

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    out = tmp_path / "out"
    args = ["solve", str(SCENARIOS / "base.yaml")] + (["--out", str(out)] if write else ["--no-write"])
    assert main(args) == 4
    cap = capsys.readouterr()
    assert "SOURCE_DATE_EPOCH" in cap.err and "'abc' is not a time" in cap.err
    assert "cost" not in cap.out.lower()            # refused before the solve printed anything
    assert not out.exists()
    assert main(["compare", str(SCENARIOS / "base.yaml"), str(SCENARIOS / "base.yaml"), "--no-write"]) == 4


def test_terminal_cuts_long_names_in_the_middle_so_shared_prefixes_stay_apart(tmp_path):
    """Issue 14: two charged materials whose names share a 63-character start are told apart in the
    terminal summary (the end of each name is kept)."""
    path = long_names_scenario(tmp_path)
    old = "lump_ore_calibrated_8_to_40_mm_screened_at_the_stockhouse_bins"
    new = "blast_furnace_pellets_acid_grade_imported_via_harbour_stockyard_lump"
    for f in (path, tmp_path / "plant.csv"):
        f.write_text(f.read_text().replace(old, new))
    res = burden.solve(path).raise_for_status()
    charged = res.burden[res.burden["dry_kg_per_thm"] > 1].index
    assert new in charged and "blast_furnace_pellets_acid_grade_imported_via_harbour_stockyard" in charged
    text = res.summary() if callable(getattr(res, "summary", None)) else str(res)
    rows = [ln.strip().split("  ")[0] for ln in text.splitlines() if ln.strip().startswith("blast_furnace")]
    assert len(rows) >= 2 and len(set(rows)) == len(rows), rows
    assert any(r.endswith("stockyard_lump") for r in rows) and any(r.endswith("r_stockyard") for r in rows)
    assert all("…" in r for r in rows)


def test_value_in_use_chart_of_a_long_candidate_name_keeps_its_axes(tmp_path):
    """The value-in-use chart names the candidate on its axes: a 63-character name is cut in the
    middle and both axes keep their width (a real value-in-use run on the long-name scenario)."""
    from burden.valueinuse import value_in_use

    name = "lump_ore_calibrated_8_to_40_mm_screened_at_the_stockhouse_bins"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = value_in_use(long_names_scenario(tmp_path), name, amounts="0,40,80", workers=1)
        fig = v.figure()
        plots.svg_text(fig)
    for ax in fig.axes:
        assert ax.get_position().width > 0.25
        assert len(ax.xaxis.label.get_text()) <= PLOT_LABEL_MAX + len(" forced [dry kg/tHM]")
