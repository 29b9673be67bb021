#!/bin/sh
# entrypoint.sh: process 1 of the analytics-mcp image.
#
# It runs as root because sshd must: it reads the host keys, and it
# authenticates analysts and switches to the service account "analytics",
# as which every analytics-mcp session runs.  Nothing else runs as root.
#
#   1. Host keys: generated into /etc/ssh/hostkeys (a volume) on the first
#      start and reused afterwards.
#   2. /etc/analytics-mcp (a volume) holds authorized_keys and callers,
#      kept with analytics-mcp-keys; it is made root-owned 0755 as sshd's
#      StrictModes wants.
#   3. sshd starts sessions with an empty environment, so the container's
#      DATABASE_URL, MCP_* and PG* variables are handed to them through a
#      SetEnv line; a password file mounted at /run/secrets/pgpass becomes
#      the service account's ~/.pgpass (mode 0600, as libpq requires).
#   4. sshd -t checks the configuration, then sshd runs in the foreground,
#      logging to standard error.
#
# With arguments, runs them instead of sshd (after steps 1 to 3), e.g.
# "docker run --rm IMAGE analytics-mcp-keys list".
# "a && b || die" means: die unless both hold.
# shellcheck disable=SC2015
set -eu

hostkeys=/etc/ssh/hostkeys
envconf=/etc/ssh/sshd_config.d/60-analytics-mcp-env.conf
home=$(getent passwd analytics | cut -d: -f6)

install -d -m 0700 -o root -g root "$hostkeys"
[ -s "$hostkeys/ssh_host_ed25519_key" ] ||
    ssh-keygen -q -t ed25519 -N '' -C '' -f "$hostkeys/ssh_host_ed25519_key"
[ -s "$hostkeys/ssh_host_rsa_key" ] ||
    ssh-keygen -q -t rsa -b 3072 -N '' -C '' -f "$hostkeys/ssh_host_rsa_key"

# The keys volume may be mounted read-only: change it only when it is
# wrong, and stop when it is wrong and cannot be changed.
keys=/etc/analytics-mcp
[ -d "$keys" ] || install -d -m 0755 -o root -g root "$keys"
if [ "$(stat -c %u "$keys")" != 0 ] ||
    [ -n "$(find "$keys" -maxdepth 0 -perm /022)" ]; then
	chown root:root "$keys" && chmod go-w "$keys" || {
		echo "entrypoint: $keys must be owned by root and writable by" \
		    "no one else (sshd's StrictModes)" >&2
		exit 1
	}
fi
install -d -m 0750 -o analytics -g analytics /var/log/analytics-mcp

# SetEnv takes NAME="VALUE" words; refuse what would need escaping.
line=
for name in $(env | sed -n 's/^\(DATABASE_URL\|MCP_[A-Z0-9_]*\|PG[A-Z0-9_]*\)=.*/\1/p'); do
	eval "value=\${$name}"
	# shellcheck disable=SC2154 # value is set by the eval above
	case $value in
	*\"*|*\\*|*"
"*)	echo "entrypoint: $name holds a quote, backslash or newline;" \
		    "not passed to the sessions" >&2
		continue ;;
	esac
	line="$line $name=\"$value\""
done
(
	umask 077
	if [ -n "$line" ]; then
		echo "SetEnv$line" >"$envconf"
	else
		: >"$envconf"
	fi
)

if [ -f /run/secrets/pgpass ]; then
	install -m 0600 -o analytics -g analytics /run/secrets/pgpass \
	    "$home/.pgpass"
fi

mkdir -p /run/sshd
chmod 0755 /run/sshd
if [ $# -gt 0 ]; then
	exec "$@"
fi
/usr/sbin/sshd -t
exec /usr/sbin/sshd -D -e
