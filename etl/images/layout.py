"""Where files go: {out}/{class}_{threshold}m/{size}/{image_id}.jpg.

Keys are relative ("urban_100m/1024/42.jpg"); the sink puts them under a folder (and
checks they stay under it) or an S3 prefix. Every part comes from an enum (class, size),
a number (threshold, resize width) or a numeric image id, never from API or user text.
Temporary files live in {root}/.partial/{host}-{pid}/ ({root} is --out for a folder, so
the final rename stays on one file system); a restarted run removes the folders of its
host's dead processes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from etl.export.source import ResultInfo

SIZES = ("256", "1024", "2048", "original")


@dataclass(frozen=True)
class Layout:
    result: ResultInfo
    size: str
    resize: int | None = None  # long side of the resized copy, px

    def folder(self, cls: str) -> str:
        if cls not in ("urban", "other") or self.size not in SIZES:
            raise ValueError(f"unexpected class {cls!r} or size {self.size!r}")
        label = self.result.label(cls)
        if "/" in label or label.startswith("."):
            raise ValueError(f"unexpected folder name {label!r}")
        return f"{label}/{self.size}"

    def image_key(self, cls: str, image_id: int) -> str:
        return f"{self.folder(cls)}/{_number(image_id)}.jpg"

    def resized_key(self, cls: str, image_id: int) -> str | None:
        if self.resize is None:
            return None
        label = self.folder(cls).rpartition("/")[0]
        return f"{label}/{self.size}_resized_{int(self.resize)}/{_number(image_id)}.jpg"


def _number(image_id: int) -> int:
    if isinstance(image_id, bool) or not isinstance(image_id, int):
        raise ValueError(f"image ids are integers, not {image_id!r}")
    return image_id


def _host() -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in socket.gethostname())[:64] or "host"


def partial_dir(out: Path) -> Path:
    """This process's folder for temporary files (created on first use)."""
    path = out / ".partial" / f"{_host()}-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_stale_partials(out: Path) -> int:
    """Remove temp folders of processes of this host that are gone (killed runs)."""
    root, removed = out / ".partial", 0
    if not root.is_dir():
        return 0
    prefix = f"{_host()}-"
    for entry in root.iterdir():
        pid_text = entry.name[len(prefix):] if entry.name.startswith(prefix) else ""
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def remove_own_partial(out: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(out / ".partial" / f"{_host()}-{os.getpid()}")
        (out / ".partial").rmdir()  # only when no other job is using it


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
