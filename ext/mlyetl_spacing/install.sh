#!/usr/bin/env bash
# Build and install the mlyetl_spacing extension (C spacing walk of `mlyetl filter`) for the
# PostgreSQL server that will load it. Without it the filter uses the PL/pgSQL walk (same
# result, slower), so by default a missing build tool is reported, not fatal.
#
#   install.sh [--pg-config PATH] [--strict]
#
# --pg-config  the pg_config of the server that will load the extension. Default: the one
#              beside the server binaries the embedded cluster runs (MLYETL_PG_BIN, else
#              the newest /usr/lib/postgresql/NN/bin, /usr/pgsql-NN/bin or Homebrew's),
#              never a pg_config of another major found first on PATH.
# --strict     exit 1 with the reason instead of 0 when it cannot build or install
#              (`mlyetl db install-extension` runs it so).
#
# Builds in a temporary copy of this folder: an installed package (site-packages) may be
# read-only, and a checkout stays clean. Installing needs write access to the server's
# folders (root for a system PostgreSQL).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

pg_config="${PG_CONFIG:-}"
strict=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pg-config) pg_config="${2:?--pg-config needs a path}"; shift 2 ;;
    --strict) strict=1; shift ;;
    *) echo "install.sh: unknown argument $1 (use --pg-config PATH, --strict)" >&2; exit 2 ;;
  esac
done

give_up() {
  echo "mlyetl_spacing not installed: $1" >&2
  [ "$strict" -eq 1 ] && exit 1
  echo "(filter uses the PL/pgSQL walk)" >&2
  exit 0
}

major_of_server() {  # "postgres (PostgreSQL) 15.20 (Debian ...)" -> 15
  "$1/postgres" --version 2>/dev/null | sed -E 's/^[^)]*\) *([0-9]+).*/\1/'
}

if [ -z "$pg_config" ]; then
  best=""; best_major=0
  if [ -n "${MLYETL_PG_BIN:-}" ]; then
    candidates=("$MLYETL_PG_BIN")
  else
    candidates=(/usr/lib/postgresql/*/bin /usr/pgsql-*/bin /opt/homebrew/opt/postgresql@*/bin
                /usr/local/opt/postgresql@*/bin /usr/local/pgsql/bin)
  fi
  for dir in "${candidates[@]}"; do
    [ -x "$dir/postgres" ] && [ -x "$dir/pg_config" ] || continue
    major="$(major_of_server "$dir")"
    if [ -n "$major" ] && [ "$major" -gt "$best_major" ]; then best="$dir/pg_config"; best_major="$major"; fi
  done
  [ -n "$best" ] || give_up "no PostgreSQL server with its pg_config found (install postgresql-server-dev-NN, or pass --pg-config)"
  pg_config="$best"
fi

[ -x "$pg_config" ] || give_up "$pg_config is not an executable pg_config"
bindir="$("$pg_config" --bindir)"
config_major="$("$pg_config" --version | sed -E 's/^PostgreSQL *([0-9]+).*/\1/')"
server_major="$(major_of_server "$bindir" || true)"
if [ -n "$server_major" ] && [ "$server_major" != "$config_major" ]; then
  give_up "$pg_config is for PostgreSQL $config_major but the server in $bindir is $server_major"
fi
pgxs="$("$pg_config" --pgxs 2>/dev/null || true)"
# pgxs.mk alone is no sign of the dev package (postgresql-client ships it); the headers are.
if [ -z "$pgxs" ] || [ ! -f "$pgxs" ] || [ ! -f "$("$pg_config" --includedir-server)/postgres.h" ]; then
  give_up "PostgreSQL $config_major's server headers and PGXS are missing (Debian: apt-get install postgresql-server-dev-$config_major)"
fi
command -v make >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 || give_up "make and gcc are needed to build it"
pkglibdir="$("$pg_config" --pkglibdir)"
extdir="$("$pg_config" --sharedir)/extension"
[ -w "$pkglibdir" ] && [ -w "$extdir" ] || give_up "$pkglibdir is not writable (install as root: sudo)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/Makefile "$here"/*.c "$here"/*.sql "$here"/*.control "$work"/
if ! make -s -C "$work" PG_CONFIG="$pg_config" >"$work/build.log" 2>&1 \
   || ! make -s -C "$work" PG_CONFIG="$pg_config" install >>"$work/build.log" 2>&1; then
  tail -n 20 "$work/build.log" >&2
  give_up "the build with $pg_config failed (output above)"
fi
echo "installed the mlyetl_spacing extension for PostgreSQL $config_major into $pkglibdir" >&2
