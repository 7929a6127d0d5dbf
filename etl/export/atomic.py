"""Write-then-rename files: a reader (or a resumed run) never sees half a file."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


def temp_path_for(final: Path) -> Path:
    """A temporary name in the same folder (so the rename is atomic), unique per process."""
    return final.with_name(f".{final.name}.{os.getpid()}.part")


@contextlib.contextmanager
def atomic_file(final: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """Open a temporary file; rename it to `final` only if the block finishes."""
    tmp = temp_path_for(final)
    try:
        with open(tmp, "wb") as handle:
            yield handle, tmp
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def remove_stale_parts(folder: Path) -> int:
    """Delete the temporary files of unfinished runs (`.NAME.PID.part` and, for GDAL and
    pyarrow, which want the file's extension last, `.NAME.PID.part.EXT`); returns how many.
    Call it only while holding the folder's export lock (etl/export/outdir.py)."""
    count = 0
    for path in [*folder.glob(".*.part"), *folder.glob(".*.part.*")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            count += 1
    return count


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def safe_child(root: Path, name: str) -> Path:
    """`root/name`, refusing anything that would land outside `root` (defence in depth:
    names are built from enums and numeric ids, never from user or API text)."""
    path = (root / name).resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"refusing to write {name!r} outside {root}")
    return path
