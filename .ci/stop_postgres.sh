#!/usr/bin/env bash
# Stop the throwaway PostgreSQL started by start_postgres.sh and delete its data folder.
set -euo pipefail

STATE="${YTSUPPORT_PG_STATE:-${TMPDIR:-/tmp}/ytsupport-test-pg.env}"
log() { echo "stop_postgres: $*" >&2; }

if [ ! -f "$STATE" ]; then log "nothing to stop ($STATE not found)"; exit 0; fi
# shellcheck disable=SC1090
. "$STATE"

# shellcheck source=.ci/postgres_lib.sh
. "$(dirname "$0")/postgres_lib.sh"
PG_CTL="$(find_bin pg_ctl)"

case "${PGDATA_DIR:-}" in
    */ytsupport-pg.*) ;;
    *) log "refusing to remove unexpected data folder '${PGDATA_DIR:-}'"; exit 1 ;;
esac

if [ -d "$PGDATA_DIR/data" ]; then
    as_postgres "$PG_CTL" -D "$PGDATA_DIR/data" -m fast -w stop >/dev/null 2>&1 || log "server was not running"
fi
rm -rf "$PGDATA_DIR" "$STATE"
log "stopped (port ${PG_PORT:-?})"
