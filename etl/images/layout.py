"""Where files go: {out}/{class}_{threshold}m/{size}/{image_id}.jpg.

Every part of a path comes from an enum (class, size), a number (threshold, resize
width) or a numeric image id, never from API or user text, and each path is checked
to stay under --out. Temporary files live in {out}/.partial/{host}-{pid}/ (same file
system, so the final rename is atomic); a restarted run removes the folders of its
host's dead processes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from etl.export.atomic import safe_child
from etl.export.source import ResultInfo

SIZES = ("256", "1024", "2048", "original")


@dataclass(frozen=True)
class Layout:
    out: Path
    result: ResultInfo
    size: str
    resize: int | None = None  # long side of the resized copy, px

    def folder(self, cls: str) -> Path:
        if cls not in ("urban", "other") or self.size not in SIZES:
            raise ValueError(f"unexpected class {cls!r} or size {self.size!r}")
        return safe_child(self.out, f"{self.result.label(cls)}/{self.size}")

    def image_path(self, cls: str, image_id: int) -> Path:
        return self.folder(cls) / f"{int(image_id)}.jpg"

    def resized_path(self, cls: str, image_id: int) -> Path | None:
        if self.resize is None:
            return None
        return self.folder(cls).parent / f"{self.size}_resized_{int(self.resize)}" / f"{int(image_id)}.jpg"


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
