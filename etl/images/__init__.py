"""Download a result's images: fresh thumbnail URLs, streamed downloads, EXIF, resized copies.

Outcomes are kept in the `image_downloads` table, so a rerun skips what is done and
`--retry-failed` retries what failed.
"""
