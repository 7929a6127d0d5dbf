"""Writing the report's folder: world-readable files (a web page, like any other), each
written to a temporary name first and renamed, and the page's scripts and styles copied
from the package (nothing is fetched from the network when the page opens)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import orjson

STATIC = Path(__file__).with_name("static")
FILE_MODE, DIR_MODE = 0o644, 0o755


def make_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, FILE_MODE)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_script_data(path: Path, name: str, value: object) -> Path:
    """A script that sets window[name] to `value`: a page opened from file:// may run
    scripts beside it but not fetch JSON files."""
    return write_bytes(path, b"window." + name.encode() + b" = " + orjson.dumps(value) + b";\n")


def copy_static(out_dir: Path) -> None:
    """The page's own script and style and Leaflet (JS, CSS, images, licence) into lib/."""
    for source in sorted(STATIC.rglob("*")):
        target = out_dir / "lib" / source.relative_to(STATIC)
        if source.is_dir():
            make_dir(target)
        elif source.suffix in {".js", ".css", ".png", ".md"} or source.name == "LICENSE":
            make_dir(target.parent)
            write_bytes(target, source.read_bytes())


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class Pictures:
    """Downloaded pictures for the popups: copied into the folder while they fit a byte
    budget (the folder stays self-contained), linked by file:// URL beyond it."""

    def __init__(self, out_dir: Path, budget_bytes: int) -> None:
        self.dir = out_dir / "pictures"
        self.room = budget_bytes
        self.copied = self.linked = 0

    def link(self, image_id: int, path: str | None) -> str | None:
        if not path:
            return None
        source = Path(path)
        try:
            size = source.stat().st_size
        except OSError:
            return None  # moved or deleted since the download: no picture to show
        if size <= self.room:
            make_dir(self.dir)
            target = self.dir / f"{image_id}{source.suffix.lower() or '.jpg'}"
            shutil.copyfile(source, target)
            os.chmod(target, FILE_MODE)
            self.room -= size
            self.copied += 1
            return f"pictures/{target.name}"
        self.linked += 1
        return source.resolve().as_uri()
