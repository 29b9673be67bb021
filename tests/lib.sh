# shellcheck shell=sh
# tests/lib.sh: the shell test library, sourced by tests/reach.sh and
# tests/ship.sh.  Every check prints "ok - NAME" or "not ok - NAME" (and,
# for a failure, the first lines of what it produced as "#" lines); a
# check this machine cannot make prints "# skip - WHY".  failures counts
# the "not ok" lines: end a script with [ "$failures" -eq 0 ].
#
# Background processes are tracked by PID (track) and stopped by PID
# (stop, or stop_all from an EXIT trap); every wait is bounded.

failures=0
PIDS=

# ok NAME: a check that holds; runs of blanks (from continued strings)
# become one.
ok() {
	echo "ok - $*" | tr -s ' \t' '  '
}

# not_ok NAME [FILE]: a failed check, with the first lines of FILE.
not_ok() {
	failures=$((failures + 1))
	echo "not ok - $1" | tr -s ' \t' '  '
	[ $# -ge 2 ] && show "$2"
	return 0
}

# skip WHY: a check this machine cannot make.
skip() {
	echo "# skip - $*"
}

# note TEXT: a comment line.
note() {
	echo "# $*"
}

# show [FILE]: a file (or stdin) as "#" lines, at most 40 of them.
show() {
	if [ $# -gt 0 ]; then
		[ -s "$1" ] || return 0
		head -n 40 "$1"
	else
		head -n 40
	fi | cut -c1-300 | sed 's/^/#   /'
}

# check NAME COMMAND...: ok when COMMAND succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# check_file NAME FILE COMMAND...: the same, showing FILE on failure.
check_file() {
	name=$1 file=$2
	shift 2
	if "$@"; then ok "$name"; else not_ok "$name" "$file"; fi
}

# track PID: remember a background process to stop.
track() {
	PIDS="$PIDS $1"
}

# stop PID: stop a background process and its direct children (socat's
# and sshd's per-connection processes): SIGTERM, at most 5 s, then
# SIGKILL; reap it and forget it.
stop() {
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		kill "$c" 2>/dev/null
	done
	kill "$1" 2>/dev/null
	i=0
	while [ "$i" -lt 50 ]; do
		case $(ps -o stat= -p "$1" 2>/dev/null) in
		''|Z*) break ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	[ "$i" -lt 50 ] || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	PIDS=$(echo " $PIDS " | sed "s/ $1 / /")
	return 0
}

# stop_all: stop every tracked process.
stop_all() {
	for p in $PIDS; do
		stop "$p"
	done
}

# free_port: a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_listen PORT TENTHS: wait until something listens on TCP PORT of
# 127.0.0.1, at most TENTHS tenths of a second.
wait_listen() {
	i=0
	while [ "$i" -lt "$2" ]; do
		[ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# client_install DIR LOG: npm ci in DIR (a test client: tests/client ...)
# unless its node_modules came from this very lockfile; 0, or 1 with the
# reason in LOG.
client_install() {
	want=$(sha256sum <"$1/package-lock.json" | cut -d' ' -f1)
	stamp=$1/node_modules/.reach-lock-sha256
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is missing (Debian: apt-get install npm)" >"$2"
		return 1
	fi
	(cd "$1" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) \
	    >"$2" 2>&1 || return 1
	echo "$want" >"$stamp"
}

# wait_for TENTHS COMMAND...: wait for COMMAND to succeed, at most TENTHS
# tenths of a second.
wait_for() {
	n=$1
	shift
	i=0
	while [ "$i" -lt "$n" ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
