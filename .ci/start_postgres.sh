#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 for the tests and print the URL to use.
#
#   eval "$(.ci/start_postgres.sh)"      # exports YTSUPPORT_TEST_PG_URL
#   .venv/bin/python -m pytest
#   .ci/stop_postgres.sh
#
# The server listens on 127.0.0.1 only (first free port from YTSUPPORT_PG_PORT, default 54329),
# trusts local connections (tests only: never use this set-up for real data), keeps its data in
# a mktemp folder owned by `postgres`, and runs without fsync. Run as root, the server runs as the
# `postgres` OS user. State (data folder, port) goes to $YTSUPPORT_PG_STATE for stop_postgres.sh.
# Progress goes to stderr; stdout carries only the `export` line.
set -euo pipefail

PORT="${YTSUPPORT_PG_PORT:-54329}"
STATE="${YTSUPPORT_PG_STATE:-${TMPDIR:-/tmp}/ytsupport-test-pg.env}"
DB_NAME="ytsupport_test"

log() { echo "start_postgres: $*" >&2; }

# shellcheck source=.ci/postgres_lib.sh
. "$(dirname "$0")/postgres_lib.sh"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

INITDB="$(find_bin initdb)"
PG_CTL="$(find_bin pg_ctl)"

if [ -f "$STATE" ]; then
    # shellcheck disable=SC1090
    . "$STATE"
    if [ -n "${PGDATA_DIR:-}" ] && as_postgres "$PG_CTL" -D "$PGDATA_DIR/data" status >/dev/null 2>&1; then
        log "already running on port $PG_PORT (data in $PGDATA_DIR)"
        echo "export YTSUPPORT_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
        exit 0
    fi
fi

while port_in_use "$PORT"; do PORT=$((PORT + 1)); done

PGDATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ytsupport-pg.XXXXXX")"
chmod 700 "$PGDATA_DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PGDATA_DIR"; fi

log "initdb in $PGDATA_DIR/data"
as_postgres "$INITDB" -D "$PGDATA_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
log "starting on 127.0.0.1:$PORT"
as_postgres "$PG_CTL" -D "$PGDATA_DIR/data" -l "$PGDATA_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
printf 'PGDATA_DIR=%q\nPG_PORT=%q\n' "$PGDATA_DIR" "$PORT" > "$STATE"
as_postgres "$(dirname "$PG_CTL")/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE $DB_NAME" >/dev/null 2>&1 \
    || as_postgres "$(dirname "$PG_CTL")/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB_NAME"
log "ready: database $DB_NAME"
echo "export YTSUPPORT_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PORT/$DB_NAME"
