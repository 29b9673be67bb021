#!/bin/sh
# bootstrap_analytics_ro.sh: create or refresh the analytics_ro role, and
# give analytics-mcp's service account the password so that its DSN holds
# none.
#
#   bootstrap_analytics_ro.sh [--container NAME | -h HOST] [-p PORT]
#       [-d DB] [-U SUPERUSER] [--schemas LIST] [--sql FILE]
#       [--pw-file FILE] [--rotate] [--pgpass USER] [--service-file PATH
#       [--service NAME] [--owner USER] [--group GROUP]] [--conn-host HOST]
#       [--conn-port PORT]
#
# Run it on the database host.  On the first run it generates a strong
# password into --pw-file (default $ANALYTICS_RO_PW_FILE, else
# ~/.analytics_ro.pw; mode 0600) and reuses it afterwards (--rotate makes
# a new one).  It then applies analytics_ro_role.sql (--sql; default next
# to this script, else /usr/local/share/analytics-mcp/) as the superuser
# (-U, default postgres) to database -d (default tracksolid_db), granting
# read access to the schemas of --schemas (comma-separated plain lower-case
# names; default reporting,tracksolid,tickets,fuel), each of which must
# exist there; re-run it with a longer list to add a schema later:
#
#   --container NAME   with "docker exec -i NAME psql" inside a container
#   otherwise          with the local psql; -h/-p or PGHOST/PGPORT as usual.
#                      As root with neither -h nor PGHOST, psql runs as the
#                      postgres user (peer authentication on the socket).
#
# The password never appears in a process's arguments: psql reads it on
# stdin ("\set ro_pw ..."), and it is never printed.
#
# Then, for the account analytics-mcp runs as:
#   --pgpass USER        add or replace "HOST:PORT:DB:analytics_ro:PASSWORD"
#                        in ~USER/.pgpass (0600, owned by USER)
#   --service-file PATH  add or replace the section [NAME] (--service,
#                        default analytics) of a pg_service.conf: host,
#                        port, dbname, user and, unless --pgpass is given
#                        too, the password.  0600, owned by --owner USER
#                        (default: whoever runs this); 0640 with --group
#                        GROUP (per-analyst accounts sharing it).  libpq
#                        reads ~/.pg_service.conf, PGSERVICEFILE, then
#                        the system-wide file (Debian:
#                        /etc/postgresql-common/pg_service.conf).
# HOST and PORT there are how the service account reaches the server
# (--conn-host/--conn-port; default -h/-p, else localhost and 5432).
# analytics-mcp then needs only "--dsn service=analytics" or
# "--dsn 'host=HOST port=PORT dbname=DB user=analytics_ro'", and the same
# --schemas LIST when it is not the default.
#
# Exit status 0 when done, 1 on failure, 2 on a usage error.
set -eu

PROG=bootstrap_analytics_ro.sh
HERE=$(cd "$(dirname "$0")" && pwd -P)
CONTAINER=
HOST=
PORT=
DB=tracksolid_db
SCHEMAS=reporting,tracksolid,tickets,fuel
SUPER=postgres
SQL=
PW_FILE=${ANALYTICS_RO_PW_FILE:-${HOME:-}/.analytics_ro.pw}
ROTATE=0
PGPASS_USER=
SERVICE_FILE=
SERVICE=analytics
OWNER=
GROUP=
CONN_HOST=
CONN_PORT=
TMP=

# Prints the header comment to stderr and exits with $1 (default 2).
usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' \
	    "$0" >&2
	exit "${1:-2}"
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

say() {
	echo "$PROG: $*"
}

cleanup() {
	[ -z "$TMP" ] || rm -f "$TMP"
}

# Sets VAL to option $1's argument $2 (exits 2 if it is missing).
need() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		echo "$PROG: $1 needs a value" >&2
		usage
	fi
	VAL=$2
}

# Prints $1 with ':' and '\' escaped, as ~/.pgpass wants.
pgpass_escape() {
	printf '%s' "$1" | sed 's/[\\:]/\\&/g'
}

# Reads or creates the password file; sets PW.
password() {
	if [ "$ROTATE" -eq 1 ] || [ ! -s "$PW_FILE" ]; then
		(
			umask 077
			if command -v openssl >/dev/null 2>&1; then
				openssl rand -hex 24
			else
				od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
				echo
			fi >"$PW_FILE.new"
		) || die "cannot write $PW_FILE"
		mv -f "$PW_FILE.new" "$PW_FILE"
		say "generated a new analytics_ro password in $PW_FILE (0600)"
	else
		say "reusing the analytics_ro password in $PW_FILE"
	fi
	if [ -n "$(find "$PW_FILE" -maxdepth 0 -perm /077)" ]; then
		chmod 0600 "$PW_FILE"
		say "tightened $PW_FILE to mode 0600"
	fi
	PW=$(head -n 1 "$PW_FILE")
	# Plain characters only: the password goes into psql's \set, a
	# .pgpass line and a service file without any quoting.
	printf '%s\n' "$PW" | grep -Eqx '[A-Za-z0-9._~+/=-]{16,}' ||
	    die "$PW_FILE: want 16 or more of A-Z a-z 0-9 . _ ~ + / = -"
}

# Runs psql as the superuser with stdin as its script.
run_psql() {
	if [ -n "$CONTAINER" ]; then
		docker exec -i "$CONTAINER" psql -X -q -v ON_ERROR_STOP=1 \
		    -U "$SUPER" -d "$DB"
	elif [ "$(id -u)" -eq 0 ] && [ -z "$HOST" ] && [ -z "${PGHOST:-}" ] &&
	    [ "$SUPER" = postgres ] && id postgres >/dev/null 2>&1; then
		(cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 \
		    ${PORT:+-p "$PORT"} -d "$DB")
	else
		psql -X -q -v ON_ERROR_STOP=1 ${HOST:+-h "$HOST"} \
		    ${PORT:+-p "$PORT"} -U "$SUPER" -d "$DB"
	fi
}

# Applies the role SQL for database DB and schemas SCHEMAS (its psql
# variables db and schemas).  printf is a shell builtin: the password
# reaches psql through the pipe, never through an argument list.
apply_role() {
	if [ -n "$CONTAINER" ]; then
		command -v docker >/dev/null 2>&1 || die "docker is not installed"
		say "applying $SQL in container $CONTAINER as $SUPER ..."
	else
		say "applying $SQL to $DB as $SUPER ..."
	fi
	say "readable schemas: $SCHEMAS"
	{
		printf '\\set ro_pw %s\n' "$PW"
		printf "\\\\set db '%s'\\n\\\\set schemas '%s'\\n" "$DB" "$SCHEMAS"
		cat "$SQL"
	} | run_psql || die "applying $SQL failed"
}

# Prints the home directory of user $1.
home_of() {
	h=$(getent passwd "$1" | cut -d: -f6)
	if [ -z "$h" ] || [ ! -d "$h" ]; then
		die "user $1 has no home directory"
	fi
	echo "$h"
}

# Gives file $1 to user $2 (when that is not us), mode 0600.
give() {
	chmod 0600 "$1"
	if [ "$(id -un)" != "$2" ]; then
		chown "$2:" "$1" || die "cannot give $1 to $2 (run as root)"
	fi
}

# Adds or replaces the analytics_ro entry in ~USER/.pgpass.
write_pgpass() {
	f=$(home_of "$PGPASS_USER")/.pgpass
	prefix="$(pgpass_escape "$CONN_HOST"):$(pgpass_escape "$CONN_PORT"):"
	prefix="$prefix$(pgpass_escape "$DB"):analytics_ro:"
	TMP=$(mktemp "$f.XXXXXX") || die "cannot write next to $f"
	if [ -f "$f" ]; then
		awk -v p="$prefix" 'index($0, p) != 1' "$f" >"$TMP"
	fi
	printf '%s%s\n' "$prefix" "$PW" >>"$TMP"
	give "$TMP" "$PGPASS_USER"
	mv -f "$TMP" "$f"
	TMP=
	say "wrote the analytics_ro entry to $f (0600, $PGPASS_USER)"
}

# Adds or replaces section [SERVICE] of the service file.
write_service() {
	owner=${OWNER:-$(id -un)}
	TMP=$(mktemp "$SERVICE_FILE.XXXXXX") || die "cannot write next to $SERVICE_FILE"
	if [ -f "$SERVICE_FILE" ]; then
		awk -v s="[$SERVICE]" '
		/^[ \t]*\[/ { skip = ($1 == s) }
		!skip' "$SERVICE_FILE" >"$TMP"
	fi
	{
		printf '[%s]\nhost=%s\nport=%s\ndbname=%s\nuser=analytics_ro\n' \
		    "$SERVICE" "$CONN_HOST" "$CONN_PORT" "$DB"
		[ -n "$PGPASS_USER" ] || printf 'password=%s\n' "$PW"
	} >>"$TMP"
	give "$TMP" "$owner"
	mode=0600
	if [ -n "$GROUP" ]; then
		chgrp "$GROUP" "$TMP" || die "cannot give $SERVICE_FILE to group $GROUP"
		chmod 0640 "$TMP"
		mode="0640, group $GROUP"
	fi
	mv -f "$TMP" "$SERVICE_FILE"
	TMP=
	say "wrote service [$SERVICE] to $SERVICE_FILE ($mode, $owner)"
}

while [ $# -gt 0 ]; do
	case $1 in
	--container)	need "$@"; CONTAINER=$VAL; shift ;;
	-h|--host)	need "$@"; HOST=$VAL; shift ;;
	-p|--port)	need "$@"; PORT=$VAL; shift ;;
	-d|--dbname)	need "$@"; DB=$VAL; shift ;;
	-U|--username)	need "$@"; SUPER=$VAL; shift ;;
	--schemas)	need "$@"; SCHEMAS=$VAL; shift ;;
	--sql)		need "$@"; SQL=$VAL; shift ;;
	--pw-file)	need "$@"; PW_FILE=$VAL; shift ;;
	--rotate)	ROTATE=1 ;;
	--pgpass)	need "$@"; PGPASS_USER=$VAL; shift ;;
	--service-file)	need "$@"; SERVICE_FILE=$VAL; shift ;;
	--service)	need "$@"; SERVICE=$VAL; shift ;;
	--owner)	need "$@"; OWNER=$VAL; shift ;;
	--group)	need "$@"; GROUP=$VAL; shift ;;
	--conn-host)	need "$@"; CONN_HOST=$VAL; shift ;;
	--conn-port)	need "$@"; CONN_PORT=$VAL; shift ;;
	--help)		usage 0 ;;
	*)		echo "$PROG: unknown argument $1" >&2; usage ;;
	esac
	shift
done
[ -z "$CONTAINER" ] || [ -z "$HOST" ] || die "--container and -h exclude each other"
printf '%s\n' "$SERVICE" | grep -Eqx '[A-Za-z0-9_.-]+' || die "bad --service name"
for v in "$DB" "${PORT:-0}" "$SUPER"; do
	printf '%s\n' "$v" | grep -Eqx '[A-Za-z0-9_.-]+' || die "bad value: $v"
done
printf '%s\n' "$SCHEMAS" | grep -Eqx '[a-z_][a-z0-9_$]*(,[a-z_][a-z0-9_$]*)*' ||
    die "--schemas: want plain lower-case schema names, comma-separated: $SCHEMAS"
[ -n "$PW_FILE" ] || die "no --pw-file and no HOME"
if [ -z "$SQL" ]; then
	SQL=$HERE/analytics_ro_role.sql
	[ -f "$SQL" ] || SQL=/usr/local/share/analytics-mcp/analytics_ro_role.sql
fi
[ -r "$SQL" ] || die "role SQL not found at $SQL"
CONN_HOST=${CONN_HOST:-${HOST:-localhost}}
CONN_PORT=${CONN_PORT:-${PORT:-5432}}
[ -z "$OWNER" ] || id "$OWNER" >/dev/null 2>&1 || die "no user $OWNER"
[ -z "$GROUP" ] || getent group "$GROUP" >/dev/null || die "no group $GROUP"
[ -z "$PGPASS_USER" ] || id "$PGPASS_USER" >/dev/null 2>&1 ||
    die "no user $PGPASS_USER"

trap cleanup EXIT
trap 'exit 1' INT TERM HUP
password
apply_role
[ -z "$PGPASS_USER" ] || write_pgpass
[ -z "$SERVICE_FILE" ] || write_service
say "analytics_ro is ready (password not printed)"
