#!/usr/bin/env bash
# Build and install the mlyetl_spacing extension (C spacing walk of `mlyetl filter`) into
# the local PostgreSQL server, when its build tools are there (Debian:
# postgresql-server-dev-<major>, which scripts/ensure-system-packages.sh installs as root).
# Not fatal: without it the filter falls back to the PL/pgSQL walk (same result, slower).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

pg_config=""
for candidate in /usr/lib/postgresql/*/bin/pg_config "$(command -v pg_config || true)"; do
  # PGXS and the server headers (postgresql-client ships pgxs.mk without them)
  [ -x "$candidate" ] && "$candidate" --pgxs >/dev/null 2>&1 && [ -f "$("$candidate" --pgxs)" ] \
    && [ -f "$("$candidate" --includedir-server)/postgres.h" ] && pg_config="$candidate"
done
if [ -z "$pg_config" ] || ! command -v make >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1; then
  echo "mlyetl_spacing not built (needs pg_config with PGXS and the server headers, make and gcc): filter uses the PL/pgSQL walk" >&2
  exit 0
fi
if [ ! -w "$("$pg_config" --pkglibdir)" ]; then
  echo "mlyetl_spacing not installed (run 'make setup' as root to install it): filter uses the PL/pgSQL walk" >&2
  exit 0
fi
make -s -C "$here" PG_CONFIG="$pg_config" >/dev/null
make -s -C "$here" PG_CONFIG="$pg_config" install >/dev/null
echo "installed the mlyetl_spacing extension into $("$pg_config" --pkglibdir)" >&2
