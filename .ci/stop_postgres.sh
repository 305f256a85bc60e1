#!/usr/bin/env bash
# Stop the throwaway PostgreSQL started by start_postgres.sh and delete its data folder.
set -euo pipefail

STATE="${YTSUPPORT_PG_STATE:-${TMPDIR:-/tmp}/ytsupport-test-pg.env}"
log() { echo "stop_postgres: $*" >&2; }

if [ ! -f "$STATE" ]; then log "nothing to stop ($STATE not found)"; exit 0; fi
# shellcheck disable=SC1090
. "$STATE"

PG_CTL=""
for dir in /usr/lib/postgresql/15/bin /usr/local/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ]; then PG_CTL="$dir/pg_ctl"; break; fi
done
[ -n "$PG_CTL" ] || PG_CTL="$(command -v pg_ctl)"

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
        else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
    else
        "$@"
    fi
}

case "${PGDATA_DIR:-}" in
    */ytsupport-pg.*) ;;
    *) log "refusing to remove unexpected data folder '${PGDATA_DIR:-}'"; exit 1 ;;
esac

if [ -d "$PGDATA_DIR/data" ]; then
    as_postgres "$PG_CTL" -D "$PGDATA_DIR/data" -m fast -w stop >/dev/null 2>&1 || log "server was not running"
fi
rm -rf "$PGDATA_DIR" "$STATE"
log "stopped (port ${PG_PORT:-?})"
