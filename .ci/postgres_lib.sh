# Shared by start_postgres.sh and stop_postgres.sh (sourced; each defines its own `log`).

find_bin() {
    # The PostgreSQL program $1: the server's bin folder first (15, then any), then the PATH.
    local name="$1" dir
    for dir in /usr/lib/postgresql/15/bin /usr/local/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
    done
    command -v "$name" || { log "cannot find $name"; exit 1; }
}

as_postgres() {
    # Run a command as the `postgres` OS user when we are root; as ourselves otherwise.
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
        else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
    else
        "$@"
    fi
}
