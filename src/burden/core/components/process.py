"""Process component: the nonlinear model's blast settings as a named column block.

Block ``blast`` (in this order): dry blast volume (Nm3/tHM), blast temperature (degC),
O2 enrichment (% points above air) and blast moisture (g/Nm3), each fixed or free
within its window of the scenario's ``blast:`` section.  The nonlinear rows that tie
them to the burden (carbon and heat balance, RAFT, sulphur, viscosity) are evaluated
by :class:`burden.process.FurnaceModel` and linearised by the NLP paths; they address
the settings by name (``Block.col("blast_temperature_c")``), never by position.
"""

from __future__ import annotations

import math

from ..rows import window_row

SETTINGS = ("blast_dry_nm3", "blast_temperature_c", "oxygen_enrichment_pct", "blast_moisture_g_per_nm3")
SETTING_UNITS = {"blast_dry_nm3": "Nm3/tHM", "blast_temperature_c": "degC", "oxygen_enrichment_pct": "% points",
                 "blast_moisture_g_per_nm3": "g/Nm3"}
#: Process decisions beside the blast (block ``reduction``): the direct-reduction degree r_d.
REDUCTION = ("direct_reduction_degree",)
#: Search range of the dry blast volume, Nm3/tHM (wide: the balances fix it).
BLAST_VOLUME_RANGE = (200.0, 3000.0)


def declare(f, scn):
    """Add block ``blast`` and the process rows (``f.nonlinear``) for a scenario with a
    ``process:`` section; returns the block or None.

    Process rows (kind ``balance`` for the carbon and heat balances, which the elastic
    subproblems weigh above the operating limits; ``limit`` for the others), each with
    the scale the nonlinear paths divide it by:

    * ``process.carbon_balance`` — fixed carbon supply − demand = 0, kg/tHM (scale 10);
    * ``process.heat_balance`` — two-zone (default): lower-zone heat income − expenditure = 0; total: losses
      − loss share of the heat income = 0, kJ/tHM (1e4);
    * ``process.wustite_point`` — shaft efficiency <= its maximum, % (1);
    * ``process.top_gas_temperature`` — computed top-gas temperature in its window, degC (10; two-zone only);
    * ``process.bosh_gas`` — bosh gas <= its maximum, Nm3/tHM (10; when given);
    * ``raft_c`` — RAFT within its window, degC (10);
    * ``slag.sulphur_capacity`` — S the slag cannot hold at the [S] target <= 0, kg/tHM (0.1);
    * ``slag.viscosity`` — viscosity at the stated temperature <= max, Pa s (0.05).
    """
    cfg = scn.config
    if cfg.process is None:
        return None
    b = cfg.blast
    lo = [BLAST_VOLUME_RANGE[0], b.temperature_c.min, b.oxygen_enrichment_pct.min, b.moisture_g_per_nm3.min]
    hi = [BLAST_VOLUME_RANGE[1], b.temperature_c.max, b.oxygen_enrichment_pct.max, b.moisture_g_per_nm3.max]
    block = f.space.add("blast", SETTINGS, lo, hi, unit="", description="blast settings of the nonlinear model")
    p = cfg.process
    f.space.add("reduction", REDUCTION, [p.direct_reduction_degree.min], [p.direct_reduction_degree.max], unit="",
                description="direct-reduction degree r_d (fixed, or a decision settled by the W point)")
    kw = dict(group="process")
    two_zone = p.heat_balance == "two_zone"
    rows = [window_row("process.carbon_balance", "fixed carbon supply − demand", "kg/tHM", 0.0, 0.0, scale=10.0,
                       kind="balance", description="carbon balance (USTB-NB; PRIMER §4)", **kw),
            (window_row("process.heat_balance", "lower-zone heat income − expenditure", "kJ/tHM", 0.0, 0.0,
                        scale=1.0e4, kind="balance",
                        description="heat balance of the zone below the thermal reserve zone (Rist & Meysson 1965; "
                                    "Peacey & Davenport 1979)", **kw) if two_zone else
             window_row("process.heat_balance", "losses − loss share of heat income", "kJ/tHM", 0.0, 0.0, scale=1.0e4,
                        kind="balance", description="total heat balance (USTB-XLS; PRIMER §4)", **kw)),
            window_row("process.wustite_point", "shaft efficiency (approach of the operating line to the W point)",
                       "%", -math.inf, p.shaft_efficiency_max_pct, scale=1.0, kind="limit",
                       description="Rist W point: the gas cannot be more oxidised than the Fe/FeO equilibrium at "
                                   f"T_TRZ = {p.thermal_reserve_zone_c:g} degC", **kw)]
    if two_zone:
        w = p.top_gas_temperature_limits_c
        rows.append(window_row("process.top_gas_temperature", "top-gas temperature (upper-zone balance)", "degC",
                               -math.inf if w.min is None else w.min, math.inf if w.max is None else w.max,
                               scale=10.0, kind="limit", description="top-gas temperature window", **kw))
    if p.bosh_gas_max_nm3_per_thm is not None:
        rows.append(window_row("process.bosh_gas", "bosh gas volume", "Nm3/tHM", -math.inf,
                               p.bosh_gas_max_nm3_per_thm, scale=10.0, kind="limit",
                               description="bosh gas limit (permeability of the lower furnace)", **kw))
    if cfg.raft_c is not None:
        rows.append(window_row("raft_c", "RAFT", "degC", -math.inf if cfg.raft_c.min is None else cfg.raft_c.min,
                               math.inf if cfg.raft_c.max is None else cfg.raft_c.max, scale=10.0, kind="limit",
                               description="raceway adiabatic flame temperature window", **kw))
    if cfg.sulphide_capacity is not None:
        rows.append(window_row("slag.sulphur_capacity", "S the slag cannot hold at [S] target", "kg/tHM", -math.inf,
                               0.0, scale=0.1, kind="limit", description="L_S from optical basicity", **kw))
    if cfg.viscosity is not None:
        rows.append(window_row("slag.viscosity", f"viscosity at {cfg.viscosity.temperature_c:g} degC", "Pa s",
                               -math.inf, cfg.viscosity.max_pa_s, scale=0.05, kind="limit",
                               description=f"slag viscosity ({cfg.viscosity.model})", **kw))
    f.nonlinear = rows
    return block
