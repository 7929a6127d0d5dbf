"""mlyetl: a PostGIS-backed spatial ETL for Mapillary street-level imagery."""

__version__ = "0.1.0"
