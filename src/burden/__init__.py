"""burden: blast furnace burden optimization."""

__version__ = "0.1.0"
