"""Scheduled optimisation jobs: job files, data feeds, run history, alerts, trend pages.

``burden job run JOB.yaml`` (:func:`burden.jobs.run.run_job`) and ``burden runs ...``
(:mod:`burden.cli_job`).  See the README section "Daily job".
"""

from .spec import Job, JobSpec, load_job

__all__ = ["Job", "JobSpec", "load_job"]
