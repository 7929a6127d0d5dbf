"""Mapillary API v4: the HTTP client (auth, limits, retries), discovery maths
(search boxes, tiles) and parsing of answers into database rows."""
