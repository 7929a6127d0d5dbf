"""Opening layers with the real QGIS (python3-qgis from Debian, installed by `make test`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

PROBE = Path(__file__).with_name("qgis_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def libpq_conninfo(dsn: str) -> str:
    """A QGIS/libpq key=value connection string from a postgresql:// URL."""
    parts = urlsplit(dsn)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    fields = {
        "dbname": parts.path.lstrip("/"),
        "host": query.get("host") or parts.hostname or "",
        "port": str(query.get("port") or parts.port or 5432),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
    }
    return " ".join(f"{k}='{v}'" for k, v in fields.items() if v)


def open_in_qgis(dsn: str, *layers: str) -> dict[str, dict]:
    result = subprocess.run([SYSTEM_PYTHON, str(PROBE), libpq_conninfo(dsn), *layers],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {row["layer"]: row for row in rows}


@pytest.fixture(scope="session")
def qgis_available() -> None:
    """QGIS is part of the test set-up (scripts/ensure-system-packages.sh); fail loudly if absent."""
    check = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True)
    assert shutil.which(SYSTEM_PYTHON) and check.returncode == 0, (
        "QGIS's Python bindings are missing: run `make test` (it installs python3-qgis) "
        f"or apt-get install python3-qgis qgis-providers\n{check.stderr[-500:]}")
