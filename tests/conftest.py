"""Shared fixtures: paths to the example scenarios and their raw data; slow tests skipped by default."""

import os
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def base_path() -> Path:
    return SCENARIOS / "base.yaml"


@pytest.fixture()
def base_data() -> dict:
    """The base scenario file as a dict (a fresh copy per test)."""
    return yaml.safe_load((SCENARIOS / "base.yaml").read_text())


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` run only when asked: ``-m slow`` (or an -m expression naming it) or
    ``BURDEN_SLOW_TESTS=1``; the default run stays fast."""
    if "slow" in (config.getoption("markexpr") or "") or os.environ.get("BURDEN_SLOW_TESTS", "") not in ("", "0"):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or BURDEN_SLOW_TESTS=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
