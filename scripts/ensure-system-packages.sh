#!/usr/bin/env bash
# Make sure the PostgreSQL server, PostGIS, GDAL's command-line tools, QGIS's Python
# bindings and Chromium with its driver (used by the tests as real clients) are installed.
# As root on Debian/Ubuntu they are installed with apt; otherwise this says what to install.
set -euo pipefail

major=""
for dir in /usr/lib/postgresql/*/bin; do
  [ -x "$dir/initdb" ] && major=$(basename "$(dirname "$dir")")
done

missing=()
if [ -z "$major" ]; then
  missing+=(postgresql postgresql-postgis)
elif [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
  missing+=("postgresql-$major-postgis-3")
fi
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
# The C spacing walk of `mlyetl filter` (ext/mlyetl_spacing) is built with PGXS; only where
# apt can install it (without it the filter uses its PL/pgSQL fallback). Note: apt may also
# bring the server to the dev package's minor version; restart running clusters after that.
# pgxs.mk alone is no sign of the dev package: postgresql-client ships it; the server headers are.
if [ -n "$major" ] && [ ! -f "/usr/include/postgresql/$major/server/postgres.h" ] \
   && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing+=("postgresql-server-dev-$major")
  { command -v gcc && command -v make; } >/dev/null 2>&1 || missing+=(gcc make)
fi
# The real QGIS (its Python bindings) opens the layers in the tests to check styles.
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || missing+=(python3-qgis qgis-providers)
# A real browser opens the reports in the tests (tests/report, driven by selenium).
{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || missing+=(chromium chromium-driver)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]}" >&2
  echo "install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}; macOS: brew install postgresql@15 postgis gdal)," >&2
  echo "or run PostGIS with docker/compose.yml and set MLYETL_DSN (see README)." >&2
  exit 1
fi
