#!/usr/bin/env bash
# .ci/postgres.sh start|stop [PORT]: a throwaway PostgreSQL cluster on 127.0.0.1 for the tests.
#
# start: installs Debian's postgresql when it is missing, creates a cluster in a temporary
#        directory owned by the `postgres` user (initdb refuses root), listening on 127.0.0.1:PORT
#        (default 55432) only, with role `shepherd` (password auth, scram-sha-256) owning database
#        `shepherd`, and prints the `export …` lines the tests read:
#            eval "$(.ci/postgres.sh start)"
#        A cluster already running there is reused; SHEPHERD_TEST_PG_STARTED says whether this
#        call started it (1) or found it (0), so that a caller stops only what it started.
# stop:  stops that cluster and removes it.
set -euo pipefail
command=${1:-start}
PORT=${2:-55432}
STATE=/tmp/shepherd-postgres-$PORT
PASSWORD=shepherd-test-password

pgbin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        echo "== installing postgresql from Debian's packages" >&2
        apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$dir"
}

as_postgres() { runuser -u postgres -- "$@"; }

exports() {
    echo "export SHEPHERD_TEST_POSTGRES_URL=postgres://shepherd@127.0.0.1:$PORT/shepherd"
    echo "export SHEPHERD_TEST_POSTGRES_PASSWORD=$PASSWORD"
    echo "export SHEPHERD_TEST_PGDATA=$STATE/data"
    echo "export SHEPHERD_TEST_PGBIN=$BIN"
    echo "export SHEPHERD_TEST_PG_STARTED=${1:-0}"
}

case "$command" in
start)
    BIN=$(pgbin)
    if [ -d "$STATE/data" ] && as_postgres "$BIN/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1; then
        exports
        exit 0
    fi
    rm -rf "$STATE"
    mkdir -p "$STATE"
    chown postgres "$STATE"
    printf '%s\n' "$PASSWORD" >"$STATE/pwfile"
    chown postgres "$STATE/pwfile"
    as_postgres "$BIN/initdb" -D "$STATE/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$STATE/pwfile" >"$STATE/initdb.log" 2>&1
    cat >>"$STATE/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$STATE'
fsync = off
CONF
    as_postgres "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w start >/dev/null
    as_postgres "$BIN/psql" -h "$STATE" -p "$PORT" -U postgres -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE shepherd LOGIN PASSWORD '$PASSWORD'" -c "CREATE DATABASE shepherd OWNER shepherd" >/dev/null
    exports 1
    ;;
stop)
    BIN=$(pgbin)
    if [ -d "$STATE/data" ]; then
        as_postgres "$BIN/pg_ctl" -D "$STATE/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$STATE"
    ;;
*)
    echo "usage: $0 start|stop [PORT]" >&2
    exit 2
    ;;
esac
