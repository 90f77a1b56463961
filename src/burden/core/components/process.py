"""Process component: the nonlinear model's blast settings as a named column block.

Block ``blast`` (in this order): dry blast volume (Nm3/tHM), blast temperature (degC),
O2 enrichment (% points above air) and blast moisture (g/Nm3), each fixed or free
within its window of the scenario's ``blast:`` section.  The nonlinear rows that tie
them to the burden (carbon and heat balance, RAFT, sulphur, viscosity) are evaluated
by :class:`burden.process.FurnaceModel` and linearised by the NLP paths; they address
the settings by name (``Block.col("blast_temperature_c")``), never by position.
"""

from __future__ import annotations

SETTINGS = ("blast_dry_nm3", "blast_temperature_c", "oxygen_enrichment_pct", "blast_moisture_g_per_nm3")
SETTING_UNITS = {"blast_dry_nm3": "Nm3/tHM", "blast_temperature_c": "degC", "oxygen_enrichment_pct": "% points",
                 "blast_moisture_g_per_nm3": "g/Nm3"}
#: Search range of the dry blast volume, Nm3/tHM (wide: the balances fix it).
BLAST_VOLUME_RANGE = (200.0, 3000.0)


def declare(f, scn):
    """Add block ``blast`` for a scenario with a ``process:`` section; returns the block or None."""
    cfg = scn.config
    if cfg.process is None:
        return None
    b = cfg.blast
    lo = [BLAST_VOLUME_RANGE[0], b.temperature_c.min, b.oxygen_enrichment_pct.min, b.moisture_g_per_nm3.min]
    hi = [BLAST_VOLUME_RANGE[1], b.temperature_c.max, b.oxygen_enrichment_pct.max, b.moisture_g_per_nm3.max]
    return f.space.add("blast", SETTINGS, lo, hi, unit="", description="blast settings of the nonlinear model")
