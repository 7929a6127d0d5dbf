"""Turning a raw download into the final files: check, EXIF, resized copy.

The header walk and the EXIF splice are plain byte work, cheap enough to run on the event
loop; a resize (Pillow, CPU-bound) runs in a worker thread. Only temporary files are
written here: the sink then puts the resized copy under its final name first and the main file last, so a
main file that exists is a finished image.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from etl.images.exif import ImageFacts, exif_bytes

THUMB_SIDES = {"256": 256, "1024": 1024, "2048": 2048}


class BadImage(Exception):
    """The download is not a JPEG of the expected size."""


def jpeg_header(data: bytes) -> tuple[list[tuple[int, int, int]], int, tuple[int, int]]:
    """Walk a JPEG's header: ((marker, start, end) per segment before the scan, where the
    scan starts, (width, height) from the frame header), else BadImage. Cheaper than asking
    Pillow, and the same walk serves to splice in the EXIF."""
    if data[:2] != b"\xff\xd8":
        raise BadImage("not a JPEG (no SOI marker)")
    segments, at, dims = [], 2, None
    end = len(data)
    while True:
        if at + 4 > end or data[at] != 0xFF:
            raise BadImage("broken JPEG header")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan
            break
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if length < 2 or at + 2 + length > end:
            raise BadImage("truncated JPEG header")
        if marker in _FRAME_MARKERS and length >= 7:
            dims = (int.from_bytes(data[at + 7:at + 9], "big"), int.from_bytes(data[at + 5:at + 7], "big"))
        segments.append((marker, at, at + 2 + length))
        at += 2 + length
    if dims is None or 0 in dims:
        raise BadImage("JPEG without a frame header")
    return segments, at, dims


_FRAME_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def check_dims(dims: tuple[int, int], size: str, width: int | None, height: int | None) -> None:
    if size in THUMB_SIDES:
        side = THUMB_SIDES[size]
        if max(dims) != side and not (width and height and max(width, height) < side):
            raise BadImage(f"expected the long side {side} px, got {dims[0]}x{dims[1]}")
    elif width and height and sorted(dims) != sorted((width, height)):
        raise BadImage(f"expected {width}x{height}, got {dims[0]}x{dims[1]}")


def with_exif(data: bytes, exif: bytes) -> tuple[bytes, tuple[int, int]]:
    """The checked JPEG `data` with its EXIF replaced by `exif` (after a JFIF APP0 if there is
    one), the picture bytes untouched; and its (width, height)."""
    if len(exif) + 2 > 0xFFFF:
        raise BadImage("EXIF block too large for one APP1 segment")
    segments, scan, dims = jpeg_header(data)
    if not data.endswith(b"\xff\xd9"):  # a cut-off file lacks the end-of-image marker
        raise BadImage("JPEG is incomplete (no end marker)")
    kept = [(m, a, b) for m, a, b in segments if not (m == 0xE1 and data[a + 4:a + 10] == b"Exif\x00\x00")]
    app1 = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    parts = [b"\xff\xd8"]
    if kept and kept[0][0] == 0xE0:
        parts.append(data[kept[0][1]:kept[0][2]])
        kept = kept[1:]
    parts.append(app1)
    parts.extend(data[a:b] for _, a, b in kept)
    parts.append(data[scan:] if isinstance(data, bytes) else bytes(data[scan:]))
    return b"".join(parts), dims


def finish_bytes(data: bytes, work: Path, resize: int | None, facts: ImageFacts, size: str, width: int | None,
                 height: int | None, draft: bool = True) -> tuple[Path, Path | None]:
    """Check a downloaded JPEG, add EXIF and write the final file (and the resized copy) into
    `work`; returns their temporary paths. The sink then puts them under their final names."""
    exif = exif_bytes(facts)
    final_bytes, dims = with_exif(data, exif)
    check_dims(dims, size, width, height)
    resized = None
    if resize is not None:
        resized = work / f"{facts.image_id}.resized.jpg"
        try:
            write_resized(io.BytesIO(data), resized, dims, resize, exif, draft)
        except (OSError, SyntaxError, ValueError) as error:  # a header we accepted but Pillow did not
            resized.unlink(missing_ok=True)
            raise BadImage(f"not a readable image: {error}") from None
    tmp = work / f"{facts.image_id}.final.jpg"
    with open(tmp, "wb") as handle:
        handle.write(final_bytes)
    return tmp, resized


def resized_size(dims: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The size with the long side `long_side` and the aspect ratio kept (never enlarged)."""
    w, h = dims
    scale = min(1.0, long_side / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def write_resized(source: Path | BinaryIO, target: Path, dims: tuple[int, int], long_side: int, exif: bytes,
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
