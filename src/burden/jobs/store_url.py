"""URL helpers of the run history (light: no SQLAlchemy, no pydantic)."""

from __future__ import annotations

from pathlib import Path


def resolve_sqlite_url(url: str, base_dir: Path) -> str:
    """A relative SQLite file in ``url`` made absolute against ``base_dir``; other URLs unchanged."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            rest = url[len(prefix):]
            if rest and not rest.startswith("/") and not rest.startswith(":memory:"):
                return prefix + str((base_dir / rest).resolve())
    return url
