"""The manifest of a sharded export: per-shard rows, sequences, bytes and SHA-256.

While an export runs, a partial manifest beside the shards lists the shards already
written; a restarted run with the same plan (same fingerprint) keeps those and writes
only the rest. The final manifest replaces the partial one when every shard is done.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from etl.export.atomic import atomic_file

FORMAT = "mlyetl-csv-shards/1"


@dataclass
class ShardFile:
    shard: int
    path: str  # relative to the manifest's folder
    rows: int
    sequences: int
    bytes: int
    sha256: str


@dataclass
class Manifest:
    result: str
    cls: str
    shards: int
    rows: int
    sequences: int
    largest_sequence: int
    fingerprint: str
    columns: list[str]
    files: dict[int, ShardFile] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def to_json(self) -> dict:
        body = {k: v for k, v in asdict(self).items() if k not in ("files", "cls")}
        body = {"format": FORMAT, "class": self.cls, **body}
        body["files"] = [asdict(self.files[k]) for k in sorted(self.files)]
        return body

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        files = {f["shard"]: ShardFile(**f) for f in data.get("files", [])}
        fields = {k: data[k] for k in ("result", "shards", "rows", "sequences", "largest_sequence",
                                       "fingerprint", "columns", "created_at")}
        return cls(cls=data["class"], files=files, **fields)


def manifest_path(out: Path, cls: str) -> Path:
    return out / f"manifest-{cls}.json"


def partial_path(out: Path, cls: str) -> Path:
    return out / f".manifest-{cls}.partial.json"


def write_manifest(path: Path, manifest: Manifest) -> None:
    with atomic_file(path) as (handle, _):
        handle.write(json.dumps(manifest.to_json(), indent=1).encode())


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`, or None when missing or unreadable (then it is rebuilt)."""
    try:
        return Manifest.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def finished_shards(out: Path, manifest: Manifest | None, fingerprint: str) -> dict[int, ShardFile]:
    """Shards of an earlier run of the same plan whose file is still there, whole."""
    if manifest is None or manifest.fingerprint != fingerprint:
        return {}
    kept = {}
    for shard, entry in manifest.files.items():
        with contextlib.suppress(OSError):
            if (out / entry.path).stat().st_size == entry.bytes:
                kept[shard] = entry
    return kept
