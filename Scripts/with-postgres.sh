#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server.
#
#   Scripts/with-postgres.sh swift test
#
# If VIGIL_POSTGRES_URL is already set, the command runs against that server unchanged. Otherwise a
# temporary cluster is created (initdb --auth=trust), started on a free loopback port with its socket
# in the temporary directory, and the command runs with
#
#   VIGIL_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres
#   VIGIL_POSTGRES_DATA=<data directory>     (for tests that restart the server)
#   VIGIL_POSTGRES_BIN=<server bin directory>
#
# The server is stopped and the directory deleted on exit; the script exits with the command's status.
# Works as root (server binaries run as the `postgres` user through runuser, since initdb refuses
# root) and as an ordinary user. The bin directory comes from `pg_config --bindir`, else the newest
# /usr/lib/postgresql/*/bin, else VIGIL_POSTGRES_BIN when set.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

if [[ -n "${VIGIL_POSTGRES_URL:-}" ]]; then
    exec "$@"
fi

find_bin() {
    local candidate
    if [[ -n "${VIGIL_POSTGRES_BIN:-}" && -x "${VIGIL_POSTGRES_BIN}/initdb" ]]; then
        echo "$VIGIL_POSTGRES_BIN"; return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        candidate="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$candidate" && -x "$candidate/initdb" ]]; then echo "$candidate"; return 0; fi
    fi
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$candidate/initdb" ]]; then echo "$candidate"; return 0; fi
    done
    return 1
}

BIN="$(find_bin)" || { echo "with-postgres: no PostgreSQL server binaries found (initdb, pg_ctl)" >&2; exit 2; }

# As root, the server runs as `postgres`; otherwise as the current user.
if [[ "$(id -u)" -eq 0 ]]; then
    SERVER_USER=postgres
    id "$SERVER_USER" >/dev/null 2>&1 || { echo "with-postgres: running as root needs a 'postgres' user" >&2; exit 2; }
    as_server() { runuser -u "$SERVER_USER" -- "$@"; }
else
    SERVER_USER="$(id -un)"
    as_server() { "$@"; }
fi

BASE="$(mktemp -d "${TMPDIR:-/tmp}/vigil-postgres.XXXXXX")"
DATA="$BASE/data"
LOG="$BASE/server.log"
chmod 0755 "$BASE"
[[ "$(id -u)" -eq 0 ]] && chown "$SERVER_USER" "$BASE"

cleanup() {
    local status=$?
    if [[ -f "$DATA/postmaster.pid" ]]; then
        as_server "$BIN/pg_ctl" -D "$DATA" stop -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$BASE"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_server "$BIN/initdb" -D "$DATA" --auth=trust -U postgres --no-sync -E UTF8 >"$BASE/initdb.log" 2>&1 || {
    cat "$BASE/initdb.log" >&2; echo "with-postgres: initdb failed" >&2; exit 2; }

port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

started=""
for _ in $(seq 1 20); do
    PORT=$(( 20000 + RANDOM % 40000 ))
    port_is_free "$PORT" || continue
    if as_server "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $BASE -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null 2>&1; then
        started=1
        break
    fi
done
if [[ -z "$started" ]]; then
    cat "$LOG" >&2 2>/dev/null || true
    echo "with-postgres: the server did not start" >&2
    exit 2
fi

# Ready means accepting TCP connections, not just "started".
for _ in $(seq 1 100); do
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; then break; fi
    sleep 0.1
done

export VIGIL_POSTGRES_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export VIGIL_POSTGRES_DATA="$DATA"
export VIGIL_POSTGRES_BIN="$BIN"
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($DATA)" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
