#!/bin/sh
# demo.sh: the real server against a throwaway PostgreSQL loaded with the
# sample fleet data (tests/fixture, through tests/pg.sh).
#
#   sh tests/demo.sh                      make demo: a scripted MCP session
#                                         shown as the model sees it; the
#                                         cluster is removed again
#   sh tests/demo.sh --try [--bin BIN] [DIR]
#                                         make try: start the cluster in
#                                         DIR (default /tmp/analytics-mcp-try),
#                                         or start it again, and leave it
#                                         running; print how to connect an
#                                         MCP client to BIN (default
#                                         ./analytics-mcp) and how to stop it
#   sh tests/demo.sh --stop [DIR]         make try-stop: stop the cluster of
#                                         DIR and remove DIR
set -eu

TRY_DIR=/tmp/analytics-mcp-try
top=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$top"

usage() {
	echo "usage: demo.sh [--try [--bin BIN] [DIR] | --stop [DIR]]" >&2
	exit 2
}

# The DSN of the cluster in $1 (socket directory and port): no password,
# the socket trusts every local user.
dsn_of() {
	echo "host=$1 port=$(cat "$1/port") dbname=tracksolid_db user=analytics_ro"
}

# Starts the sample cluster in $1, its output in $2.  pg.sh picks a free
# port, but another cluster may take it before the server binds it: then
# the half-made cluster is removed and the next free port tried, three
# times at most.
start_cluster() {
	n=1
	until sh tests/pg.sh start "$1" >"$2" 2>&1; do
		if [ "$n" -ge 3 ] || ! grep -q 'Address already in use' "$2"; then
			cat "$2" >&2
			return 1
		fi
		sh tests/pg.sh destroy "$1" >/dev/null 2>&1 || return 1
		n=$((n + 1))
	done
}

demo() {
	tmp=$(mktemp -d /tmp/analytics-mcp-demo.XXXXXX)
	chmod 0755 "$tmp"
	trap 'sh tests/pg.sh destroy "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM
	echo "Starting a throwaway PostgreSQL with the sample fleet data" \
	    "(tests/fixture) in $tmp ..."
	start_cluster "$tmp/pg" "$tmp/pg.log" || exit 1
	echo
	python3 tests/demo.py ./analytics-mcp "$(dsn_of "$tmp/pg")"
	sh tests/pg.sh destroy "$tmp/pg"
	cat <<EOF

== Keep going (in $top)
   make try        keeps this sample database running and prints the lines
                   that connect Claude Code, Claude Desktop or any MCP client
                   to it; make try-stop removes it again
   make check      every test; the last line is "N passed, N failed"
   README.md       "Connect" and "Deploy" for your own database

The demo's database in $tmp is removed.
EOF
}

# try DIR DIR_GIVEN BIN
try() {
	dir=$1
	case $dir in
	/*) ;;
	*) dir=$(pwd -P)/$dir ;;
	esac
	printf '%s\n' "$dir" | grep -Eqx '[A-Za-z0-9_./-]+' ||
	    { echo "demo.sh: DIR may hold only A-Z a-z 0-9 _ . / -: $dir" >&2; exit 2; }
	[ -x "$3" ] || { echo "demo.sh: $3: no such program (make all)" >&2; exit 1; }
	bin=$(cd "$(dirname "$3")" && pwd -P)/$(basename "$3")
	if [ -f "$dir/data/PG_VERSION" ]; then
		sh tests/pg.sh ctl "$dir" start
	else
		echo "Starting a throwaway PostgreSQL with the sample fleet data" \
		    "(tests/fixture) in $dir ..."
		mkdir -p "$dir"
		if ! start_cluster "$dir" "$dir.log"; then
			rm -f "$dir.log"
			sh tests/pg.sh destroy "$dir" >/dev/null 2>&1
			exit 1
		fi
		rm -f "$dir.log"
	fi
	dsn=$(dsn_of "$dir")
	stop="make -C $top try-stop"
	[ "$2" = no ] || stop="$stop TRY_DIR=$dir"
	cat <<EOF

It runs in $dir (port $(cat "$dir/port")) until you stop it, as the role
analytics_ro, read-only.  Connect an MCP client to it:

Claude Code:

    claude mcp add --transport stdio fleet-demo -- $bin --dsn '$dsn'

Claude Desktop (claude_desktop_config.json) or a project's .mcp.json:

    {"mcpServers": {"fleet-demo": {"command": "$bin", "args": ["--dsn", "$dsn"]}}}

By hand (one request per line on stdin; the reply on stdout, the audit
line on stderr):

    echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT count(*) AS incidents FROM tickets.inc"}}}' | $bin --dsn '$dsn'

Stop it and remove $dir:

    $stop
EOF
}

stop_try() {
	if [ ! -d "$1" ]; then
		echo "nothing to stop: no $1"
		return 0
	fi
	sh tests/pg.sh destroy "$1"
	echo "stopped the PostgreSQL of $1 and removed $1"
}

case ${1:-} in
'')
	demo
	;;
--try)
	shift
	bin=./analytics-mcp
	if [ "${1:-}" = --bin ]; then
		[ $# -ge 2 ] || usage
		bin=$2
		shift 2
	fi
	[ $# -le 1 ] || usage
	try "${1:-$TRY_DIR}" "$([ $# -eq 1 ] && echo yes || echo no)" "$bin"
	;;
--stop)
	[ $# -le 2 ] || usage
	stop_try "${2:-$TRY_DIR}"
	;;
*)
	usage
	;;
esac
