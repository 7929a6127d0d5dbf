"""Turning a raw download into the final files: check, EXIF, resized copy.

Runs in a worker thread (Pillow work is CPU-bound) and writes temporary files only; the
sink then puts the resized copy under its final name first and the main file last, so a
main file that exists is a finished image.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from etl.images.exif import ImageFacts, exif_bytes, write_with_exif

THUMB_SIDES = {"256": 256, "1024": 1024, "2048": 2048}


class BadImage(Exception):
    """The download is not a JPEG of the expected size."""


def check_jpeg(raw: Path, size: str, width: int | None, height: int | None) -> tuple[int, int]:
    """(width, height) of a complete JPEG of the asked size, else BadImage."""
    try:
        with Image.open(raw) as image:
            if image.format != "JPEG":
                raise BadImage(f"not a JPEG but {image.format}")
            dims = image.size
    except (OSError, SyntaxError) as error:
        raise BadImage(f"not a readable image: {error}") from None
    with open(raw, "rb") as handle:  # a cut-off file lacks the end-of-image marker
        handle.seek(-2, os.SEEK_END)
        if handle.read(2) != b"\xff\xd9":
            raise BadImage("JPEG is incomplete (no end marker)")
    if size in THUMB_SIDES:
        side = THUMB_SIDES[size]
        if max(dims) != side and not (width and height and max(width, height) < side):
            raise BadImage(f"expected the long side {side} px, got {dims[0]}x{dims[1]}")
    elif width and height and sorted(dims) != sorted((width, height)):
        raise BadImage(f"expected {width}x{height}, got {dims[0]}x{dims[1]}")
    return dims


def resized_size(dims: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The size with the long side `long_side` and the aspect ratio kept (never enlarged)."""
    w, h = dims
    scale = min(1.0, long_side / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def finish(raw: Path, work: Path, resize: int | None, facts: ImageFacts, size: str, width: int | None,
           height: int | None, draft: bool = True) -> tuple[Path, Path | None]:
    """Check `raw` and write the final file (and the resized copy) into `work`; returns
    their temporary paths. The sink then puts them under their final names."""
    dims = check_jpeg(raw, size, width, height)
    exif = exif_bytes(facts)
    resized = None
    if resize is not None:
        resized = work / f"{facts.image_id}.resized.jpg"
        write_resized(raw, resized, dims, resize, exif, draft)
    tmp = work / f"{facts.image_id}.final.jpg"
    try:
        with open(raw, "rb") as source, open(tmp, "wb") as target:
            write_with_exif(source, target, exif)
    except ValueError as error:  # a header Pillow accepted but the segment walk did not
        tmp.unlink(missing_ok=True)
        if resized is not None:
            resized.unlink(missing_ok=True)
        raise BadImage(str(error)) from None
    return tmp, resized


def write_resized(source: Path, target: Path, dims: tuple[int, int], long_side: int, exif: bytes,
                  draft: bool = True) -> tuple[int, int]:
    """A copy whose long side is `long_side`, the aspect ratio kept; returns its size."""
    new_size = resized_size(dims, long_side)
    with Image.open(source) as image:
        if draft:
            # JPEG can decode at 1/2, 1/4 or 1/8 scale (DCT scaling) to the smallest size at
            # least as large as asked: far less work than a full decode; LANCZOS finishes
            image.draft("RGB", new_size)
        copy = image.convert("RGB").resize(new_size, Image.Resampling.LANCZOS)
    copy.save(target, "JPEG", quality=90, exif=exif)
    return new_size


def resize_existing(final: Path, target: Path, long_side: int, draft: bool = True) -> None:
    """A resized copy of an image downloaded earlier without --resize (no network)."""
    with Image.open(final) as image:
        dims, exif = image.size, image.info.get("exif", b"")
    write_resized(final, target, dims, long_side, exif, draft)
