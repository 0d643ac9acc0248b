#!/usr/bin/env bash
# The live-database tests start throwaway MariaDB and PostgreSQL servers on loopback:
# Debian's mariadb-server and postgresql. Installs them once; a no-op when present.
set -euo pipefail
if command -v mariadbd >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "MariaDB or PostgreSQL is missing; install Debian's 'mariadb-server' and 'postgresql' packages (needs root)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  mariadb-server mariadb-client postgresql >/dev/null
# The packages start system-wide servers where an init system runs; the tests need none.
if command -v service >/dev/null 2>&1; then
  service mariadb stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
fi
