"""Export a filter result: a shard plan, sharded CSVs with a manifest, GeoPackage, GeoParquet.

Every writer streams from PostgreSQL (COPY or a server-side cursor) into a temporary
file beside the target and renames it when complete, so a reader never sees half a file.
"""
