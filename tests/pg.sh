#!/bin/sh
# pg.sh — a throwaway PostgreSQL cluster holding the tracksolid_db fixture.
#
#   sh tests/pg.sh start   DIR [PORT]   initdb, start, load fixture, create analytics_ro
#   sh tests/pg.sh stop    DIR          stop (immediate); no-op if not running
#   sh tests/pg.sh ctl     DIR start|stop|restart   server only, data kept
#   sh tests/pg.sh destroy DIR          stop and remove DIR
#   sh tests/pg.sh psql    DIR [ARGS]   psql as superuser postgres, db tracksolid_db
#
# start leaves in DIR:
#   data/          the cluster (owned by the postgres user when run as root)
#   postgres.log   the server log
#   .s.PGSQL.PORT  the Unix socket (trust for everyone)
#   ro.pw          analytics_ro's password, mode 0600, for TCP on 127.0.0.1
#                  (scram-sha-256)
#   env            sourceable: PGHOST PGPORT PGDATABASE PGUSER=analytics_ro PGTEST_DIR
#   port           the port number
#
# PORT defaults to $PGTEST_PORT, else the first free port from 54329.  An
# explicitly chosen port that is taken is an error.  Works as root (server
# commands run as the postgres user via runuser) or as any other user.
# PG_BINDIR overrides where the server binaries are looked for.
# "a && b || die" means: die unless both hold.
# shellcheck disable=SC2015
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
FIXTURE="$ROOT/tests/fixture"
ROLE_SQL="$ROOT/sql/analytics_ro_role.sql"
MARKER=.pgtest

die() {
	echo "pg.sh: $*" >&2
	exit 1
}

usage() {
	die "usage: pg.sh start DIR [PORT] | stop DIR | ctl DIR start|stop|restart | destroy DIR | psql DIR [ARGS]"
}

# Sets BINDIR to the server binaries: $PG_BINDIR, PostgreSQL 15, else the
# newest installed major version.
find_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		BINDIR=$PG_BINDIR
	elif [ -x /usr/lib/postgresql/15/bin/initdb ]; then
		BINDIR=/usr/lib/postgresql/15/bin
	else
		# shellcheck disable=SC2012 # version-sorted: find has no sort -V
		BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	fi
	[ -n "$BINDIR" ] && [ -x "$BINDIR/initdb" ] && [ -x "$BINDIR/pg_ctl" ] ||
	    die "no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin)"
}

# Runs a command as the server's owner: postgres when we are root (initdb
# and postgres refuse root), ourselves otherwise.  The working directory is
# DIR so that an unreadable cwd (e.g. /root) draws no warnings.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		(cd "$DIR" && runuser -u postgres -- "$@")
	else
		(cd "$DIR" && "$@")
	fi
}

# Sets DIR to the absolute path of $1 (which must exist).
set_dir() {
	[ -n "${1:-}" ] || usage
	[ -d "$1" ] || die "$1: no such directory"
	DIR=$(cd "$1" && pwd -P)
	DATA="$DIR/data"
	LOG="$DIR/postgres.log"
}

# Prints the last lines of the server log to stderr.
log_tail() {
	if [ -f "$LOG" ]; then
		echo "pg.sh: --- tail of $LOG ---" >&2
		tail -n 30 "$LOG" >&2
	fi
}

# Succeeds if the socket exists or TCP 127.0.0.1:$1 cannot be bound (a
# bind, not ss(8): the demo's packages have no iproute2).
port_busy() {
	[ -e "$DIR/.s.PGSQL.$1" ] && return 0
	! python3 -c 'import socket, sys
socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# Sets PORT: the argument, $PGTEST_PORT, or the first free port from 54329.
choose_port() {
	if [ -n "${1:-}" ] || [ -n "${PGTEST_PORT:-}" ]; then
		PORT=${1:-$PGTEST_PORT}
		case $PORT in
		''|*[!0-9]*) die "bad port: $PORT" ;;
		esac
		[ "$PORT" -ge 1024 ] && [ "$PORT" -le 65535 ] || die "bad port: $PORT"
		! port_busy "$PORT" || die "port $PORT is already in use"
		return
	fi
	PORT=54329
	while port_busy "$PORT"; do
		PORT=$((PORT + 1))
		[ "$PORT" -lt 54429 ] || die "no free port in 54329-54428"
	done
}

# Creates DIR (0755) if missing, refuses one that already holds a cluster,
# and, as root, hands it to postgres after checking that postgres can reach
# it through its parents.
prepare_dir() {
	case $1 in
	*\'*|*"
"*) die "DIR must not contain a quote or newline: $1" ;;
	esac
	mkdir -p "$1"
	set_dir "$1"
	[ ! -e "$DATA" ] || die "$DATA exists; run 'pg.sh destroy $DIR' first"
	chmod 0755 "$DIR"
	: >"$DIR/$MARKER"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || die "no postgres user to run the server as"
		chown postgres "$DIR"
		runuser -u postgres -- test -w "$DIR" -a -x "$DIR" ||
		    die "user postgres cannot reach $DIR: make its parents traversable (mktemp -d makes 0700; chmod 0755 it)"
	fi
	# sun_path holds 107 bytes: DIR plus "/.s.PGSQL.NNNNN".
	[ ${#DIR} -le 90 ] || die "DIR path too long for a Unix socket: $DIR"
}

# initdb and postgresql.conf/pg_hba.conf; the server is not started.
init_cluster() {
	as_owner "$BINDIR/initdb" -D "$DATA" -A trust --nosync -U postgres \
	    --encoding=UTF8 --locale=C >"$DIR/initdb.log" 2>&1 ||
	    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
	# Later settings win, so appending overrides initdb's defaults.
	# shellcheck disable=SC2016 # $1 is the inner sh's argument
	as_owner sh -c 'cat >>"$1"' sh "$DATA/postgresql.conf" <<EOF

# pg.sh: throwaway test cluster
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = off
full_page_writes = off
synchronous_commit = off
logging_collector = off
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
max_connections = 50
EOF
	# shellcheck disable=SC2016 # $1 is the inner sh's argument
	as_owner sh -c 'cat >"$1"' sh "$DATA/pg_hba.conf" <<EOF
# pg.sh: trust on the Unix socket, passwords on TCP.
local   all   all                   trust
host    all   all   127.0.0.1/32    scram-sha-256
host    all   all   ::1/128         scram-sha-256
EOF
	echo "$PORT" >"$DIR/port"
}

# Starts the server and waits until it accepts connections; succeeds if it
# is already running.
server_start() {
	as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1 && return 0
	as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null 2>&1 ||
	    die "server did not start (port $(cat "$DIR/port"))"
}

# Stops the server in mode $1 (fast|immediate); succeeds if it was not running.
server_stop() {
	[ -f "$DATA/postmaster.pid" ] || return 0
	as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || return 0
	as_owner "$BINDIR/pg_ctl" -D "$DATA" -m "$1" -w -t 60 stop >/dev/null 2>&1 ||
	    die "server did not stop"
}

# Runs psql as superuser postgres on the cluster's socket; later arguments
# may override the database.
su_psql() {
	PGHOST=$DIR PGPORT=$(cat "$DIR/port") PGUSER=postgres PGDATABASE=tracksolid_db \
	    "$BINDIR/psql" -X "$@"
}

# Creates tracksolid_db and loads schema.sql + data.sql in one session.
load_fixture() {
	PGOPTIONS='-c client_min_messages=warning' \
	    su_psql -q -d postgres -c 'CREATE DATABASE tracksolid_db' >/dev/null 2>"$DIR/load.err" ||
	    { cat "$DIR/load.err" >&2; die "CREATE DATABASE failed"; }
	PGOPTIONS='-c client_min_messages=warning' \
	    su_psql -q -v ON_ERROR_STOP=1 -f "$FIXTURE/schema.sql" -f "$FIXTURE/data.sql" \
	    >/dev/null 2>"$DIR/load.err" ||
	    { cat "$DIR/load.err" >&2; die "loading the fixture failed"; }
}

# Generates analytics_ro's password into DIR/ro.pw (0600) and applies the
# role SQL unchanged; the password travels on stdin, never in argv.
create_ro_role() {
	(umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$DIR/ro.pw")
	[ -s "$DIR/ro.pw" ] || die "could not generate a password"
	{
		printf '\\set ro_pw %s\n' "$(cat "$DIR/ro.pw")"
		printf "\\\\i '%s'\n" "$ROLE_SQL"
	} | su_psql -q -v ON_ERROR_STOP=1 >/dev/null 2>"$DIR/load.err" ||
	    { cat "$DIR/load.err" >&2; die "applying $ROLE_SQL failed"; }
}

# Writes DIR/env, a file to source for connecting as analytics_ro.
write_env() {
	cat >"$DIR/env" <<EOF
export PGHOST='$DIR'
export PGPORT=$PORT
export PGDATABASE=tracksolid_db
export PGUSER=analytics_ro
export PGTEST_DIR='$DIR'
EOF
}

# A failed start shows the server log and leaves no server running.
start_failed() {
	log_tail
	server_stop immediate
}

cmd_start() {
	[ $# -ge 1 ] && [ $# -le 2 ] || usage
	[ -r "$ROLE_SQL" ] || die "missing $ROLE_SQL"
	t0=$(date +%s)
	prepare_dir "$1"
	choose_port "${2:-}"
	trap 'start_failed' EXIT
	init_cluster
	server_start
	load_fixture
	create_ro_role
	write_env
	trap - EXIT
	rm -f "$DIR/load.err"
	echo "pg.sh: PostgreSQL $("$BINDIR/postgres" -V | awk '{print $3}') on $DIR port $PORT," \
	    "tracksolid_db loaded in $(($(date +%s) - t0))s; source $DIR/env"
}

cmd_ctl() {
	[ $# -eq 2 ] || usage
	set_dir "$1"
	[ -f "$DATA/PG_VERSION" ] || die "$DIR holds no cluster"
	case $2 in
	start|stop|restart) ;;
	*) usage ;;
	esac
	trap 'log_tail' EXIT
	[ "$2" = start ] || server_stop fast
	[ "$2" = stop ] || server_start
	trap - EXIT
}

cmd_stop() {
	[ $# -eq 1 ] || usage
	[ -d "$1" ] || return 0
	set_dir "$1"
	server_stop immediate
}

# Removes DIR only if pg.sh created the cluster in it.
cmd_destroy() {
	[ $# -eq 1 ] || usage
	[ -d "$1" ] || return 0
	set_dir "$1"
	[ -e "$DIR/$MARKER" ] || die "$DIR was not made by pg.sh; not removing it"
	server_stop immediate
	rm -rf "$DIR"
}

cmd_psql() {
	[ $# -ge 1 ] || usage
	set_dir "$1"
	shift
	[ -f "$DIR/port" ] || die "$DIR holds no cluster"
	su_psql "$@"
}

[ $# -ge 1 ] || usage
find_bindir
cmd=$1
shift
case $cmd in
start)   cmd_start "$@" ;;
stop)    cmd_stop "$@" ;;
ctl)     cmd_ctl "$@" ;;
destroy) cmd_destroy "$@" ;;
psql)    cmd_psql "$@" ;;
*)       usage ;;
esac
