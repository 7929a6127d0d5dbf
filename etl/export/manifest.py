"""The manifest of a sharded export: per-shard rows, sequences, bytes and SHA-256.

While an export runs, a partial manifest beside the shards (JSON lines: the plan's
fingerprint, then one line appended per finished shard, so recording a shard costs
the same for shard 5 as for shard 50,000) lists the shards already written; a restarted
run with the same plan keeps those and writes only the rest. The final manifest
replaces the partial one when every shard is done.
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
    return out / f".manifest-{cls}.partial.jsonl"


def start_partial(path: Path, fingerprint: str, files: dict[int, ShardFile]) -> None:
    """A fresh partial manifest: the fingerprint line and the shards kept from before."""
    lines = [json.dumps({"fingerprint": fingerprint})] + [json.dumps(asdict(files[k])) for k in sorted(files)]
    with atomic_file(path) as (handle, _):
        handle.write(("\n".join(lines) + "\n").encode())


def append_partial(path: Path, entry: ShardFile) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(entry)) + "\n")


def read_partial(path: Path) -> tuple[str | None, dict[int, ShardFile]]:
    """(fingerprint, shards) of a partial manifest; a torn last line (a kill mid-write) is ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None, {}
    try:
        fingerprint = json.loads(lines[0])["fingerprint"]
    except (IndexError, ValueError, KeyError, TypeError):
        return None, {}
    files = {}
    for line in lines[1:]:
        try:
            entry = ShardFile(**json.loads(line))
        except (ValueError, TypeError):
            continue
        files[entry.shard] = entry
    return fingerprint, files


def write_manifest(path: Path, manifest: Manifest) -> None:
    with atomic_file(path) as (handle, _):
        handle.write(json.dumps(manifest.to_json(), indent=1).encode())


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`, or None when missing or unreadable (then it is rebuilt)."""
    try:
        return Manifest.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def finished_shards(out: Path, cls: str, fingerprint: str) -> dict[int, ShardFile]:
    """Shards of an earlier run of the same plan (partial or final manifest) still there, whole."""
    earlier, files = read_partial(partial_path(out, cls))
    if earlier == fingerprint:
        return _still_there(out, files)
    final = read_manifest(manifest_path(out, cls))
    if final is not None and final.fingerprint == fingerprint:
        return _still_there(out, final.files)
    return {}


def _still_there(out: Path, files: dict[int, ShardFile]) -> dict[int, ShardFile]:
    kept = {}
    for shard, entry in files.items():
        with contextlib.suppress(OSError):
            if (out / entry.path).stat().st_size == entry.bytes:
                kept[shard] = entry
    return kept
