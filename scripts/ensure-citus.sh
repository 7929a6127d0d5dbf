#!/usr/bin/env bash
# The Citus tests (tests/citus) need Citus in the PostgreSQL server. No Debian package ships
# it: when it is missing, build it from the vendored source (CITUS_VENDOR, by default
# ../shared/vendor/citus next to the clone; see its README). Users install Citus from its
# own packages or Docker image instead (docs/scale.md).
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin=$dir; done
sharedir=$("${pg_bin:?no PostgreSQL server found}/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$(basename "$(dirname "$pg_bin")")")
[ -f "$sharedir/extension/citus.control" ] && exit 0
vendor=${CITUS_VENDOR:-../shared/vendor/citus}
if [ ! -x "$vendor/build.sh" ] && [ ! -f "$vendor/build.sh" ]; then
  echo "Citus is not installed and $vendor/build.sh is missing: set CITUS_VENDOR or install Citus" >&2
  exit 1
fi
echo "building Citus from $vendor (a few minutes)" >&2
PG_CONFIG="$pg_bin/pg_config" bash "$vendor/build.sh"
