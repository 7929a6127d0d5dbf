"""SQL filters: continent clip, urban / other split, spacing along each sequence,
de-duplication and sequence lines, stored as named results (see etl/filters/run.py)."""

from etl.filters.params import SPACING_MODES, FilterParams
from etl.filters.run import FilterReport, default_jobs, run_filter

__all__ = ["SPACING_MODES", "FilterParams", "FilterReport", "default_jobs", "run_filter"]
