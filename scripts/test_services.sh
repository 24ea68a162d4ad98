#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on a free loopback port.
#
#   scripts/test_services.sh run CMD [ARG...]   start a cluster, run CMD with its settings in
#                                                the environment, stop and remove the cluster
#                                                (also when CMD fails or is interrupted); exit
#                                                with CMD's status
#   scripts/test_services.sh start              start one and print `export ...` lines for it
#   scripts/test_services.sh stop [DIR]         stop and remove one (default $TWILIGHT_TEST_PG_DIR)
#   scripts/test_services.sh restart [DIR]      stop and start it again on the same port
#
# CMD sees TWILIGHT_TEST_PG (libpq conninfo of the cluster's `postgres` database, superuser
# `postgres`, trust authentication on 127.0.0.1 only, no Unix socket) and TWILIGHT_TEST_PG_DIR
# (the cluster's folder, for `stop` / `restart`).
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user and
# its commands run through runuser; anyone else runs them as themselves. The server binaries
# come from PG_BIN, else Debian's /usr/lib/postgresql/<newest>/bin, else PATH.
set -euo pipefail

PREFIX="twilight-pg"
TMP_ROOT="${TMPDIR:-/tmp}"

die() { echo "test_services: $*" >&2; exit 2; }

pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"
        return
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
        echo "$dir"
    elif command -v initdb >/dev/null && command -v postgres >/dev/null; then
        dirname "$(command -v initdb)"
    else
        die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install them" \
            "(Debian: apt-get install postgresql-15) or set PG_BIN to their folder"
    fi
}

# Run a server command as the cluster's owner.
as_owner() {
    if [[ $(id -u) -ne 0 ]]; then
        "$@"
    elif command -v runuser >/dev/null || [[ -x /usr/sbin/runuser ]]; then
        PATH="$PATH:/usr/sbin:/sbin" runuser -u postgres -- "$@"
    else
        su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A folder this script made (a run killed early may have left it without a server or a port).
is_cluster_dir() { [[ "$(basename "$1")" == "$PREFIX".* && ( -d "$1/data" || -f "$1/owner" ) ]]; }

# "PID start-time" of a process, empty once it has ended (a zombie has ended too).
process_id() {
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
    [[ $stat == Z* ]] && return 0
    echo "$1 $(ps -o lstart= -p "$1")"
}

# Clusters whose `run` died without cleaning up (kill -9, a lost machine): their owner
# process is gone (the start time tells a reused PID apart). Clusters made by `start` have
# no owner file and are left to `stop`.
sweep_orphans() {
    local dir owner pid
    for dir in "$TMP_ROOT/$PREFIX".*; do
        [[ -f "$dir/owner" ]] || continue
        owner=$(cat "$dir/owner")
        pid=${owner%% *}
        if [[ "$(process_id "$pid")" != "$owner" ]]; then
            echo "test_services: removing the cluster of a run that died ($dir)" >&2
            stop_cluster "$dir" immediate || true
        fi
    done
}

configure() {
    local dir=$1
    # Appending and overwriting keep the files' owner (the cluster's, not ours).
    cat >>"$dir/data/postgresql.conf" <<EOF

# twilight test cluster: loopback TCP only, throwaway durability
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    cat >"$dir/data/pg_hba.conf" <<EOF
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  trust
EOF
}

# The port is the server's command line, not its configuration, so a retry can change it.
start_server() {
    local dir=$1 port=$2 bin
    bin=$(pg_bin)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null
}

# Sets CLUSTER_DIR as soon as the folder exists, so a caller's EXIT trap can remove whatever
# a signal or an error leaves half made.
start_cluster() {
    local owner=${1:-} bin dir attempt port
    bin=$(pg_bin)
    sweep_orphans
    CLUSTER_DIR=$(mktemp -d "$TMP_ROOT/$PREFIX.XXXXXX")
    dir=$CLUSTER_DIR
    [[ -n "$owner" ]] && process_id "$owner" >"$dir/owner"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || { rm -rf "$dir"; die "running as root needs the 'postgres' user to own the cluster"; }
        chown postgres: "$dir"
        as_owner test -w "$dir" || { rm -rf "$dir"; die "user postgres cannot write $dir: set TMPDIR to a folder it can reach"; }
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
    configure "$dir"
    # Another process may take the free port between our probe and the server's bind: retry.
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if start_server "$dir" "$port"; then
            echo "$port" >"$dir/port"
            return
        fi
    done
    cat "$dir/server.log" >&2 || true
    rm -rf "$dir"
    die "the PostgreSQL server did not start"
}

# mode: fast (end sessions, shut down cleanly) or immediate (for a cluster nobody uses).
stop_cluster() {
    local dir=$1 mode=${2:-fast} bin
    [[ -e "$dir" ]] || return 0
    is_cluster_dir "$dir" || die "$dir is not a test cluster"
    bin=$(pg_bin)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 \
            || as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 \
            || true
    fi
    rm -rf "$dir"
}

conninfo() { echo "host=127.0.0.1 port=$(cat "$1/port") user=postgres dbname=postgres"; }

cmd=${1:-}
[[ -n "$cmd" ]] || die "usage: $0 run CMD... | start | stop [DIR] | restart [DIR]"
shift
case "$cmd" in
    run)
        [[ $# -gt 0 ]] || die "usage: $0 run CMD [ARG...]"
        CLUSTER_DIR=""
        trap '[[ -z "$CLUSTER_DIR" ]] || stop_cluster "$CLUSTER_DIR"' EXIT
        trap 'exit 143' TERM HUP
        trap 'exit 130' INT
        start_cluster $$
        dir=$CLUSTER_DIR
        export TWILIGHT_TEST_PG_DIR="$dir"
        TWILIGHT_TEST_PG=$(conninfo "$dir")
        export TWILIGHT_TEST_PG
        echo "test_services: PostgreSQL on 127.0.0.1:$(cat "$dir/port") ($dir)" >&2
        # CMD runs in the background so a TERM for this script is handled at once (a trap
        # waits for a foreground command); it keeps our stdin and a normal SIGINT, which
        # bash would otherwise ignore in background commands.
        exec 3<&0
        ( trap - INT QUIT; exec "$@" <&3 3<&- ) &
        child=$!
        trap 'kill -TERM "$child" 2>/dev/null || true' TERM HUP
        # Ctrl-C reaches CMD from the terminal itself: wait for it to wind down.
        trap ':' INT
        status=0
        while :; do
            wait "$child" && status=0 || status=$?
            kill -0 "$child" 2>/dev/null || break
        done
        exit "$status"
        ;;
    start)
        start_cluster
        dir=$CLUSTER_DIR
        echo "export TWILIGHT_TEST_PG_DIR='$dir'"
        echo "export TWILIGHT_TEST_PG='$(conninfo "$dir")'"
        ;;
    stop)
        stop_cluster "${1:-${TWILIGHT_TEST_PG_DIR:?set TWILIGHT_TEST_PG_DIR or name the cluster folder}}"
        ;;
    restart)
        dir=${1:-${TWILIGHT_TEST_PG_DIR:?set TWILIGHT_TEST_PG_DIR or name the cluster folder}}
        is_cluster_dir "$dir" || die "$dir is not a test cluster"
        as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
        start_server "$dir" "$(cat "$dir/port")"
        ;;
    *)
        die "unknown command $cmd: use run, start, stop or restart"
        ;;
esac
