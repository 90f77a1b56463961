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
#: Search range of the dry blast volume, Nm3/tHM (wide: the balances fix it).
BLAST_VOLUME_RANGE = (200.0, 3000.0)


def declare(f, scn):
    """Add block ``blast`` and the process rows (``f.nonlinear``) for a scenario with a
    ``process:`` section; returns the block or None.

    Process rows (kind ``balance`` for the carbon and heat balances, which the elastic
    subproblems weigh above the operating limits; ``limit`` for the others), each with
    the scale the nonlinear paths divide it by:

    * ``process.carbon_balance`` — fixed carbon supply − demand = 0, kg/tHM (scale 10);
    * ``process.heat_balance`` — losses − loss share of the heat income = 0, kJ/tHM (1e4);
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
    kw = dict(group="process")
    rows = [window_row("process.carbon_balance", "fixed carbon supply − demand", "kg/tHM", 0.0, 0.0, scale=10.0,
                       kind="balance", description="carbon balance (USTB-NB; PRIMER §4)", **kw),
            window_row("process.heat_balance", "losses − loss share of heat income", "kJ/tHM", 0.0, 0.0, scale=1.0e4,
                       kind="balance", description="total heat balance (USTB-XLS; PRIMER §4)", **kw)]
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
