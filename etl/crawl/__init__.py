"""The crawl: a durable task queue in PostGIS, fetchers, and a COPY writer."""
