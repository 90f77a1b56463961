"""Scheduled optimisation jobs: job files, data feeds, run history, alerts, trend pages.

``burden job run JOB.yaml`` (:func:`burden.jobs.run.run_job`) and ``burden runs ...``
(:mod:`burden.cli_job`).  See the README section "Daily job".  Imported lazily, so that
``burden runs list`` loads neither pydantic models nor the model.
"""

_EXPORTS = {"Job": "spec", "JobSpec": "spec", "load_job": "spec", "run_job": "run"}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"burden.jobs.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'burden.jobs' has no attribute {name!r}")
