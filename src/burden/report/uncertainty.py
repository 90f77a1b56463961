"""Report section "Uncertain analyses": tables and histograms from a Result's uncertainty analysis.

Reads :attr:`burden.results.result.Result.uncertainty` (computed by :mod:`burden.uncertainty`);
computes nothing of its own beyond arranging the numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .content import Figure, Section, Table, round15


def _u(unit: str) -> str:
    return "" if unit == "-" else unit


def uncertainty_section(result, opts) -> Section | None:
    """The section for a result whose scenario has ``uncertainty:`` (None otherwise).

    Tables: the scattering analysis values; each analysis-sensitive limit with its nominal
    value, σ and violation probability at the optimum (and at the chance-constrained burden);
    with ``confidence``, the windows and the minimum width each can hold, and the chance-constrained
    burden with its cost of robustness.  Figures (``opts.plots``): histograms of each limited
    quantity with its window.
    """
    ua = getattr(result, "uncertainty", None)
    if ua is None:
        return None
    cur = result.currency
    mc = ua.nominal
    vp = mc.violation_probability
    ch = ua.chance
    chp = ch.monte_carlo.violation_probability if ch is not None and ch.monte_carlo is not None else None
    items = []
    an = pd.DataFrame(ua.noise.table())
    an = an.rename(columns={"sigma_pct": "sigma [wt % points]"})
    items.append(Table("uncertainty_analyses", "Scatter of the analyses (standard deviations)", an,
                       note=("Independent normal deviations" if ua.noise.independent else
                             "Normal deviations with the lots' sample covariance")
                       + (f"; closure: {ua.noise.closure}." if ua.noise.closure != "none" else
                          "; totals are not renormalised (closure: none).")))
    rm = mc.rows
    rows = {"limit": rm.names, "quantity": rm.quantity, "sense": rm.sense,
            "limit value [see unit]": rm.theta.tolist(), "nominal value [see unit]": mc.nominal.tolist(),
            "sigma [see unit]": mc.sigma_value.tolist(), "unit": [_u(u) for u in rm.unit],
            "P(violation) at optimum [-]": [vp[n] for n in rm.names]}
    if chp is not None:
        rows["P(violation) chance-constrained [-]"] = [chp[n] for n in rm.names]
    df = pd.DataFrame(rows)
    joint = {"limit": "joint (any limit)", "quantity": "", "sense": "", "limit value [see unit]": np.nan,
             "nominal value [see unit]": np.nan, "sigma [see unit]": np.nan, "unit": "",
             "P(violation) at optimum [-]": vp["joint"]}
    if chp is not None:
        joint["P(violation) chance-constrained [-]"] = chp["joint"]
    df = pd.concat([df, pd.DataFrame([joint])], ignore_index=True)
    items.append(Table("uncertainty_violations", "Violation probability of each limit (Monte Carlo)", df,
                       highlight=[p >= 0.25 for p in df["P(violation) at optimum [-]"]],
                       note=f"{mc.samples:,} samples, seed {mc.seed}; standard error at most "
                            f"{0.5 / np.sqrt(max(mc.samples, 1)):.3f}. sigma: first-order standard deviation of the "
                            "quantity at the optimum."))
    if ua.confidence is not None and ua.windows:
        w = pd.DataFrame([{"limit": x["limit"], "quantity": x["quantity"], "min [see unit]": x["min"],
                           "max [see unit]": x["max"], "width [see unit]": x["width"],
                           "min width at confidence [see unit]": x["min_width_at_confidence"],
                           "margin needed [see unit]": x["margin_needed"], "unit": _u(x["unit"]),
                           "narrower than noise": "yes" if x["narrower_than_noise"] else ""} for x in ua.windows])
        w = w.astype({c: float for c in w.columns if "[see unit]" in c})
        items.append(Table("uncertainty_windows", f"Windows against the analysis noise at {ua.confidence:.0%}", w,
                           highlight=[x["narrower_than_noise"] for x in ua.windows],
                           note="A window holds both ends at the confidence only if it is at least 2·z·σ wide "
                                "(σ at the nominal optimum); one-sided limits need the margin z·σ."))
    if ch is not None:
        info = [("method", ch.method), ("confidence", f"{ch.confidence:g} ({ch.allocation.replace('_', ' ')})"),
                ("status", ch.status)]
        if ch.message:
            info.append(("message", ch.message))
        if ch.status == "optimal":
            info += [(f"cost [{cur}/tHM]", f"{ch.objective:.4f}"),
                     (f"nominal cost [{cur}/tHM]", f"{ch.nominal_objective:.4f}"),
                     (f"cost of robustness [{cur}/tHM]", f"{ch.cost_of_robustness_per_thm:+.4f}"),
                     ("cost of robustness [%]", f"{ch.cost_of_robustness_pct:+.3f}")]
        items.append(Table("uncertainty_chance", "Chance-constrained burden", pd.DataFrame(info, columns=["item", "value"])))
        if ch.z is not None:
            xs = ch.z[ua.x_cols[0]:ua.x_cols[1]]
            nom = result.x.to_numpy()
            b = pd.DataFrame({"material": ua.materials, "optimum [kg/tHM]": nom, "chance-constrained [kg/tHM]": xs,
                              "change [kg/tHM]": xs - nom})
            items.append(Table("uncertainty_burden", "Burden: nominal optimum and chance-constrained", b))
    for t in items:
        t.df = round15(t.df)
    if opts.plots and rm.names:
        from .plots import png_bytes, svg_text

        fig = histograms_figure(ua)
        items.append(Figure("uncertainty_histograms", "Distributions of the limited quantities", svg_text(fig),
                            png_bytes(fig) if "pdf" in opts.formats else None,
                            "Monte Carlo of the analyses: each limited quantity at the optimum (blue) and at the "
                            "chance-constrained burden (orange); the window shaded, its ends in green."))
    intro = ("How likely the burden is to leave its windows when the analyses scatter as given; "
             "the rows are the formulation's own, linear in the analysis deviations for a fixed burden.")
    return Section("uncertainty", "Uncertain analyses", items, intro=intro)


def histograms_figure(ua):
    """Histograms (40 bins) of each analysis-sensitive limited quantity, with its window."""
    from .plots import OK, WINDOW, _figure, _plain_text

    @_plain_text
    def draw():
        mc = ua.nominal
        rm = mc.rows
        ch = ua.chance
        mc2 = ch.monte_carlo if ch is not None else None
        stems = list(dict.fromkeys(rm.stems))
        n = max(len(stems), 1)
        cols = 2 if n > 1 else 1
        nr = (n + cols - 1) // cols
        fig = _figure(7.5, 2.0 * nr + 0.4)
        axes = np.atleast_1d(fig.subplots(nr, cols, squeeze=False)).ravel()
        for ax, stem in zip(axes, stems):
            idx = [i for i, s in enumerate(rm.stems) if s == stem]
            i0 = idx[0]
            v = mc.values[:, i0]
            data = [v] + ([mc2.values[:, i0]] if mc2 is not None else [])
            lo = hi = None
            for i in idx:
                if rm.sense[i] == ">=":
                    lo = rm.theta[i]
                elif rm.sense[i] == "<=":
                    hi = rm.theta[i]
                else:
                    lo, hi = rm.theta[i], rm.theta_max[i]
            allv = np.concatenate([d[np.isfinite(d)] for d in data])
            ends = [e for e in (lo, hi) if e is not None]
            left = min([float(np.min(allv))] + ends) if allv.size else 0.0
            right = max([float(np.max(allv))] + ends) if allv.size else 1.0
            pad = 0.03 * (right - left or 1.0)
            bins = np.linspace(left - pad, right + pad, 41)
            ax.axvspan(lo if lo is not None else left - pad, hi if hi is not None else right + pad, color=WINDOW, lw=0)
            ax.hist(v, bins=bins, color=OK, alpha=0.75, label="optimum")
            if mc2 is not None:
                ax.hist(mc2.values[:, i0], bins=bins, color="#ff7f0e", alpha=0.6, label="chance-constrained")
            for e in ends:
                ax.axvline(e, color="#2ca02c", lw=1.2)
            u = _u(rm.unit[i0])
            ax.set_title(f"{rm.quantity[i0]}" + (f" [{u}]" if u else ""), fontsize=8.5)
            ax.set_yticks([])
            ax.tick_params(axis="x", labelsize=7)
        for ax in axes[len(stems):]:
            ax.set_visible(False)
        if mc2 is not None and stems:
            axes[0].legend(fontsize=7, frameon=False)
        return fig

    return draw()
