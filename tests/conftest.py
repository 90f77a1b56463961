"""Shared fixtures: paths to the example scenarios and their raw data."""

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
