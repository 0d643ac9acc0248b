#!/usr/bin/env bash
# Spark 4 runs on Java 17 or 21: Debian's headless JRE when no java is on the PATH.
set -euo pipefail
if command -v java >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "java is missing; install Debian's 'openjdk-17-jre-headless' package (needs root)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
