#!/bin/sh
# make demo: the real server against a throwaway PostgreSQL loaded with
# sample fleet data.  Starts the cluster, runs a short scripted MCP
# session, and stops the cluster again whatever happens.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d /tmp/analytics-mcp-demo.XXXXXX)
chmod 0755 "$tmp"
trap 'sh tests/pg.sh destroy "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

echo "Starting a throwaway PostgreSQL with sample fleet data..."
sh tests/pg.sh start "$tmp/pg"
# shellcheck source=/dev/null
. "$tmp/pg/env"
python3 tests/demo.py ./analytics-mcp \
    "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=analytics_ro"
