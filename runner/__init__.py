"""PlanWise setup runner: the thin Click layer over the dbt project."""

__version__ = "0.1.0"
