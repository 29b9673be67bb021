#!/bin/sh
# reach.sh: how analysts reach analytics-mcp, and who each query is
# attributed to, end to end on loopback.
#
#   sh tests/reach.sh PGDIR BINARY
#
# PGDIR is a cluster started by tests/pg.sh; BINARY the analytics-mcp to
# test.  Needs root (it creates test accounts and runs a private sshd);
# otherwise it prints "# skip" lines and exits 0.
#
# What runs, all on 127.0.0.1 or a Unix socket, all stopped by PID:
#   - a private sshd (own host key and config, derived from
#     wrappers/sshd_config.example) with a shared service account holding
#     two analysts' keys (written by wrappers/analytics-mcp-keys), a
#     ForceCommand account attributed through SSH_USER_AUTH and the callers
#     file, and a per-analyst account;
#   - wrappers/analytics-mcp-socat with mutual TLS (certificates made here
#     with openssl) and in plain-TCP loopback mode;
#   - systemd-socket-activate --inetd on a Unix socket (the program path
#     of analytics-mcp@.service), attributed by SO_PEERCRED;
#   - the official MCP TypeScript SDK client (tests/client, installed with
#     npm ci from its lockfile) as the analyst's side.
#
# Test accounts (created once, kept): amcp-svc (the service account),
# amcp-fc (a ForceCommand service account), amcp-carol (an analyst, group
# amcp-analysts), amcp-bash (a bash account, the rc-file control).  Every
# check prints "ok - ..." or "not ok - ..."; the rest starts with "#".
# Check bodies are single-quoted and evaluated later (check NAME eval
# '...'), so they expand nothing now and use variables shellcheck cannot
# see, and functions called only from them, from trap or through "$@"
# look unreachable to it.
# shellcheck disable=SC2016,SC2034,SC2317
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd -P)
CLIENT_DIR=$TOP/tests/client
CLIENT=$CLIENT_DIR/mcp-client.mjs
# The wrappers, copied into $T/bin below (see there).
KEYS_TOOL=
SOCAT_TOOL=
PIDS=
T=
APPSQL="SELECT current_setting('application_name') AS app"

# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# Stops every background process still running, by PID.
cleanup() {
	stop_all
	[ -z "$T" ] || rm -rf "$T"
}

# ---- set-up --------------------------------------------------------------

if [ "$(id -u)" -ne 0 ]; then
	echo "# skip: needs root (test accounts, a private sshd on 127.0.0.1)"
	exit 0
fi
[ $# -eq 2 ] || { echo "usage: reach.sh PGDIR BINARY" >&2; exit 2; }
PGDIR=$(cd "$1" && pwd -P) || exit 2
BINARY=$(cd "$(dirname "$2")" && pwd -P)/$(basename "$2")
# shellcheck disable=SC1091
. "$PGDIR/env"
DSN="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=analytics_ro"

missing=
for c in /usr/sbin/sshd ssh ssh-keygen socat openssl python3 node \
    systemd-socket-activate setpriv runuser useradd ss timeout; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -n "$missing" ]; then
	not_ok "tools for the reach tests are installed (missing:$missing; \
	    run tests/deps.sh)"
	exit 1
fi

trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Everything lives under /run: sshd's StrictModes refuses an
# AuthorizedKeysFile below a world-writable directory such as /tmp.
T=$(mktemp -d /run/amcp-reach.XXXXXX) || exit 1
chmod 0755 "$T"
mkdir -p "$T/bin" "$T/etc" "$T/keys" "$T/ssl" "$T/log"
chmod 0700 "$T/keys" "$T/ssl"
# Whatever a test account runs comes from here, never from the checkout,
# whose parents may be closed to others (a clone under /root, 0700): the
# socat wrapper re-runs itself as amcp-svc for every connection.
install -m 0755 "$BINARY" "$T/bin/analytics-mcp"
install -m 0755 "$TOP/wrappers/analytics-mcp-keys" \
    "$TOP/wrappers/analytics-mcp-socat" "$T/bin/"
BIN=$T/bin/analytics-mcp
KEYS_TOOL=$T/bin/analytics-mcp-keys
SOCAT_TOOL=$T/bin/analytics-mcp-socat
AUDIT=$T/log/audit.jsonl
# Test only: every test account appends to one audit file.
: >"$AUDIT"
chmod 0666 "$AUDIT"
mkdir -p /run/sshd
chmod 0755 /run/sshd

# Creates (or repairs) test account $1 with shell $2 and an rc file that
# prints garbage without a newline: were it ever read, it would corrupt
# the MCP stream.
account() {
	if ! id "$1" >/dev/null 2>&1; then
		useradd -m -s "$2" -c "analytics-mcp reach test" "$1" ||
		    return 1
	fi
	usermod -s "$2" "$1" >/dev/null 2>&1 || return 1
	# "*" is no password but not locked ("!"); sshd without PAM refuses
	# locked accounts even for keys.
	usermod -p '*' "$1" >/dev/null 2>&1 || return 1
	home=$(getent passwd "$1" | cut -d: -f6)
	chmod 0755 "$home"
	for f in .bashrc .profile .bash_profile; do
		printf 'echo -n GARBAGE-FROM-%s\n' "$f" >"$home/$f"
		chown "$1": "$home/$f"
	done
	mkdir -p "$home/.ssh"
	printf 'echo -n GARBAGE-FROM-SSH-RC\n' >"$home/.ssh/rc"
	chown -R "$1": "$home/.ssh"
	chmod 0700 "$home/.ssh"
}

accounts_ok=1
groupadd -f amcp-analysts || accounts_ok=0
account amcp-svc /bin/sh || accounts_ok=0
account amcp-fc /bin/sh || accounts_ok=0
account amcp-carol /bin/sh || accounts_ok=0
account amcp-bash /bin/bash || accounts_ok=0
usermod -a -G amcp-analysts amcp-carol >/dev/null 2>&1 || accounts_ok=0
check "test accounts amcp-svc, amcp-fc, amcp-carol (group amcp-analysts), \
    amcp-bash exist, each with rc files that print garbage" \
    [ "$accounts_ok" -eq 1 ]

# The SDK client: npm ci from the lockfile, skipped when node_modules was
# installed from this very lockfile.
if client_install "$CLIENT_DIR" "$T/npm.log"; then
	v=$(node -p "require('$CLIENT_DIR/node_modules/@modelcontextprotocol/sdk/package.json').version")
	ok "SDK client installed from tests/client/package-lock.json \
	    (@modelcontextprotocol/sdk $v, node $(node --version))"
else
	not_ok "SDK client installed from tests/client/package-lock.json (npm ci)"
	show "$T/npm.log"
fi

# Keys: alice, bob, dave (callers file only), erin (certificate),
# carol (her own account), eve (unknown to everyone).
for k in alice bob dave erin carol eve; do
	ssh-keygen -q -t ed25519 -N '' -C "$k@laptop" -f "$T/keys/$k" || exit 1
done
ssh-keygen -q -t ed25519 -N '' -C user-ca -f "$T/keys/user_ca" || exit 1
ssh-keygen -q -s "$T/keys/user_ca" -I erin-id -n amcp-fc -V -5m:+1h \
    "$T/keys/erin.pub" 2>/dev/null || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$T/etc/ssh_host_ed25519_key" || exit 1
fp() {
	ssh-keygen -l -E sha256 -f "$1" | awk '{ print $2 }'
}

# ---- analytics-mcp-keys ----------------------------------------------------

AK=$T/etc/authorized_keys
CALLERS=$T/etc/callers
keys() {
	sh "$KEYS_TOOL" -f "$AK" -c "$CALLERS" -p "$BIN" \
	    -a "--dsn '$DSN' --audit-log $AUDIT" "$@"
}

keys add alice "$T/keys/alice.pub" 2>"$T/keys.err" &&
    keys add bob - <"$T/keys/bob.pub" 2>>"$T/keys.err" &&
    keys -m add dave "$T/keys/dave.pub" 2>>"$T/keys.err" &&
    keys add-cert erin erin-id 2>>"$T/keys.err"
rc=$?
check "analytics-mcp-keys adds alice, bob (key lines), dave (map only), \
    erin (certificate key ID)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || show "$T/keys.err"

# Succeeds if AUTHORIZED_KEYS has the exact forced-command line for $1.
has_forced_line() {
	want="restrict,command=\"$BIN --dsn '$DSN' --audit-log $AUDIT --caller $1\""
	want="$want $(cut -d' ' -f1,2 "$T/keys/$1.pub") $1"
	grep -qxF "$want" "$AK"
}
check "authorized_keys holds the forced-command lines for alice and bob \
    (restrict,command=\"PROGRAM ARGS --caller NAME\" TYPE KEY NAME), none for dave" \
    eval 'has_forced_line alice && has_forced_line bob && ! grep -q dave "$AK"'
check "the callers file maps each key's SHA256 fingerprint (as ssh-keygen \
    prints it) and erin's key ID" \
    eval 'grep -qxF "$(fp "$T/keys/alice.pub") alice" "$CALLERS" &&
    grep -qxF "$(fp "$T/keys/bob.pub") bob" "$CALLERS" &&
    grep -qxF "$(fp "$T/keys/dave.pub") dave" "$CALLERS" &&
    grep -qxF "cert:erin-id erin" "$CALLERS"'
modes=$(stat -c '%U %a' "$T/etc" "$AK" "$CALLERS" | tr '\n' ' ')
check "both files are root-owned 0644 in a root-owned 0755 directory" \
    [ "$modes" = "root 755 root 644 root 644 " ]
check "no temporary files are left next to them" \
    [ -z "$(find "$T/etc" -name '.authorized_keys.*' -o -name '.callers.*')" ]

list=$(keys list 2>&1)
check "list prints name, key type and fingerprint" eval '
    printf "%s\n" "$list" | grep -qxF "alice ssh-ed25519 $(fp "$T/keys/alice.pub")" &&
    printf "%s\n" "$list" | grep -qxF "dave - $(fp "$T/keys/dave.pub")" &&
    printf "%s\n" "$list" | grep -qxF "erin cert erin-id"'

# Runs the keys tool expecting exit status $1 and no change to the files.
refused() {
	want=$1
	shift
	before=$(cat "$AK" "$CALLERS" | cksum)
	keys "$@" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq "$want" ] && [ "$(cat "$AK" "$CALLERS" | cksum)" = "$before" ]
}
cat "$T/keys/eve.pub" "$T/keys/carol.pub" >"$T/keys/two.pub"
printf 'command="/bin/sh" %s\n' "$(cat "$T/keys/eve.pub")" >"$T/keys/opt.pub"
check "keys refuses a duplicate name (exit 1)" refused 1 add bob "$T/keys/eve.pub"
check "keys refuses a key already registered under another name" \
    refused 1 add mallory "$T/keys/alice.pub"
check "keys refuses a bad name" refused 1 add 'Mallory;x' "$T/keys/eve.pub"
check "keys refuses a private key" refused 1 add mallory "$T/keys/eve"
check "keys refuses a key line with options" refused 1 add mallory "$T/keys/opt.pub"
check "keys refuses a file with two keys" refused 1 add mallory "$T/keys/two.pub"
check "keys refuses to remove an unknown name" refused 1 remove mallory
check "keys: a usage error exits 2" refused 2 add mallory
check "keys: -a with a double quote is refused" \
    eval '! sh "$KEYS_TOOL" -f "$AK" -c "$CALLERS" -p "$BIN" -a "x\"y" \
    add mallory "$T/keys/eve.pub" 2>/dev/null'

# ---- the private sshd ------------------------------------------------------

SSHPORT=$(free_port)
FORCED="$BIN --dsn '$DSN' --audit-log $AUDIT --callers-file $CALLERS"
# The ForceCommand account takes the service account's keys (whose own
# command="... --caller" ForceCommand drops), dave's plain key and erin's
# certificate authority.
printf 'restrict %s\n' "$(cut -d' ' -f1,2 "$T/keys/dave.pub") dave" \
    >"$T/etc/authorized_keys.fc"
printf 'cert-authority,restrict %s\n' "$(cut -d' ' -f1,2 "$T/keys/user_ca.pub") ca" \
    >>"$T/etc/authorized_keys.fc"
printf '%s\n' "$(cut -d' ' -f1,2 "$T/keys/eve.pub") bash-control" \
    >"$T/etc/authorized_keys.bash"
chmod 0644 "$T/etc/authorized_keys.fc" "$T/etc/authorized_keys.bash"
carol_home=$(getent passwd amcp-carol | cut -d: -f6)
cp "$T/keys/carol.pub" "$carol_home/.ssh/authorized_keys"
chown amcp-carol: "$carol_home/.ssh/authorized_keys"
chmod 0600 "$carol_home/.ssh/authorized_keys"

{
	cat <<EOF
# reach.sh: a private sshd on 127.0.0.1 for the reach tests.
ListenAddress 127.0.0.1
Port $SSHPORT
HostKey $T/etc/ssh_host_ed25519_key
PidFile $T/sshd.pid
UsePAM no
StrictModes yes
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers amcp-svc amcp-fc amcp-carol amcp-bash
AuthorizedKeysFile .ssh/authorized_keys
AcceptEnv LANG LC_*
LoginGraceTime 20
LogLevel VERBOSE

EOF
	# The example's blocks, with this test's names and paths.
	sed -e 's/^Match User analytics$/Match User amcp-svc/' \
	    -e 's/^Match Group analysts$/Match Group amcp-analysts/' \
	    -e "s|/etc/analytics-mcp/authorized_keys|$AK|" \
	    -e "s|^\([[:space:]]*\)ForceCommand /usr/local/bin/analytics-mcp .*\$|\1ForceCommand $FORCED|" \
	    "$TOP/wrappers/sshd_config.example"
	cat <<EOF

# A service account with a config-level ForceCommand: the keys' own
# command="... --caller" is overridden, attribution is analytics-mcp's.
Match User amcp-fc
	AuthorizedKeysFile $AK $T/etc/authorized_keys.fc
	ForceCommand $FORCED
	ExposeAuthInfo yes
	PermitTTY no
	DisableForwarding yes
	PermitUserRC no

# Control: bash reads ~/.bashrc even for a forced command over ssh.
Match User amcp-bash
	AuthorizedKeysFile $T/etc/authorized_keys.bash
	ForceCommand $BIN --dsn '$DSN' --caller bash-control
	ExposeAuthInfo yes
	PermitTTY no
	DisableForwarding yes
	PermitUserRC no
EOF
} >"$T/etc/sshd_config"

if /usr/sbin/sshd -t -f "$T/etc/sshd_config" >"$T/sshd-t.log" 2>&1; then
	ok "wrappers/sshd_config.example's blocks pass sshd -t"
else
	not_ok "wrappers/sshd_config.example's blocks pass sshd -t"
	show "$T/sshd-t.log"
fi
/usr/sbin/sshd -D -e -f "$T/etc/sshd_config" >"$T/sshd.log" 2>&1 &
SSHD=$!
track "$SSHD"
if wait_listen "$SSHPORT" 100; then
	ok "a private sshd listens on 127.0.0.1:$SSHPORT"
else
	not_ok "a private sshd listens on 127.0.0.1:$SSHPORT"
	show "$T/sshd.log"
fi

# ssh as the analyst's MCP client runs it, as one command the client can
# spawn.  -F /dev/null: nothing from root's own configuration.
SSH=$T/bin/analyst-ssh
cat >"$SSH" <<EOF
#!/bin/sh
exec ssh -F /dev/null -T -p $SSHPORT -o BatchMode=yes \\
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \\
    -o IdentitiesOnly=yes -o IdentityAgent=none -o LogLevel=ERROR \\
    -o ConnectTimeout=10 "\$@"
EOF
chmod 0755 "$SSH"

# The analyst's ssh_config entry from wrappers/ssh_config.example, pointed
# at this sshd with alice's key.
sed -e "s|HostName dbhost.example.com|HostName 127.0.0.1|" \
    -e "s|User analytics|User amcp-svc|" \
    -e "s|IdentityFile ~/.ssh/id_fleet|IdentityFile $T/keys/alice|" \
    "$TOP/wrappers/ssh_config.example" >"$T/ssh_config"
printf '\tPort %s\n\tUserKnownHostsFile /dev/null\n\tStrictHostKeyChecking no\n\tIdentityAgent none\n' \
    "$SSHPORT" >>"$T/ssh_config"

# Prints the number of lines in the audit log.
audit_count() {
	wc -l <"$AUDIT"
}

# Prints the distinct callers of the audit lines after line $1.
audit_callers_since() {
	tail -n +"$(($1 + 1))" "$AUDIT" | python3 -c '
import json, sys
print(" ".join(sorted({json.loads(l)["caller"] for l in sys.stdin if l.strip()})))'
}

# sdk DESCRIPTION EXPECTED [CLIENT-OPTIONS...] -- COMMAND...
# Runs the SDK client, which spawns COMMAND, lists the tools and queries
# application_name.  ok when all of it works and both application_name
# and the new audit lines name EXPECTED (and no one else).
sdk() {
	desc=$1
	want=$2
	shift 2
	n0=$(audit_count)
	timeout 90 node "$CLIENT" --timeout 30000 --sql "$APPSQL" "$@" \
	    >"$T/sdk.out" 2>"$T/sdk.err"
	rc=$?
	got=$(audit_callers_since "$n0")
	if [ "$rc" -eq 0 ] &&
	    grep -q '"tools":\[[^]]*"query"' "$T/sdk.out" &&
	    grep -qF "\"rows\":[[\"analytics-mcp/$want\"]]" "$T/sdk.out" &&
	    [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "#   client exit $rc; audit log callers: '$got', expected '$want'"
		show "$T/sdk.out"
		show "$T/sdk.err"
	fi
}

# Every tool, through the SDK client, which checks each result against
# the tool's outputSchema; the control proves that check can fail.
timeout 90 node "$CLIENT" --timeout 30000 \
    --calls "$CLIENT_DIR/every-tool.json" -- "$BIN" --caller sdk \
    --dsn "$DSN" >"$T/calls.out" 2>"$T/calls.err"
check_file "the SDK client checks every tool's result against its \
    outputSchema: all pass (tests/client/every-tool.json), and the slow \
    query's progress notes reach its onprogress" "$T/calls.out" \
    eval 'grep -q "\"progress\":[1-9]" "$T/calls.out" &&
    grep -q "\"ok\":true" "$T/calls.out" &&
    [ "$(grep -o "\"ok\":true" "$T/calls.out" | wc -l)" -eq \
    "$(($(grep -o "\"name\":" "$CLIENT_DIR/every-tool.json" | wc -l) + 1))" ]'
printf '[{"name":"query","arguments":{}}]' >"$T/one-call.json"
timeout 30 node "$CLIENT" --timeout 10000 --calls "$T/one-call.json" -- \
    python3 "$CLIENT_DIR/bad-schema-server.py" >"$T/control.out" 2>&1
check_file "control: the SDK client refuses a result that breaks its \
    outputSchema" "$T/control.out" \
    grep -q "does not match the tool's output schema" "$T/control.out"

# Two analysts' keys on the shared service account.
sdk "ssh -T, service account, alice's key (ssh_config.example entry): \
    the SDK client lists tools and queries; audit log and \
    application_name say alice" alice -- ssh -F "$T/ssh_config" fleet-db
sdk "ssh -T, service account, bob's key: attributed to bob" bob -- \
    "$SSH" -i "$T/keys/bob" amcp-svc@127.0.0.1

# The service account's rc files print garbage; its shell (/bin/sh) reads
# none of them and restrict stops ~/.ssh/rc.  Control: bash does read
# ~/.bashrc under sshd, and the stream is corrupted.
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"reach","version":"1"}}}'
INITED='{"jsonrpc":"2.0","method":"notifications/initialized"}'
printf '%s\n' "$INIT" |
    timeout 30 "$SSH" -i "$T/keys/alice" amcp-svc@127.0.0.1 >"$T/raw.out" 2>/dev/null
check "the service account's first stdout byte is '{' despite its \
    garbage-printing ~/.bashrc, ~/.profile and ~/.ssh/rc" \
    [ "$(head -c 1 "$T/raw.out")" = "{" ]
printf '%s\n' "$INIT" |
    timeout 30 "$SSH" -i "$T/keys/eve" amcp-bash@127.0.0.1 >"$T/raw.out" 2>/dev/null
check "control: with bash as the login shell the same ~/.bashrc corrupts \
    the stream (so /bin/sh is what prevents it)" \
    grep -q '^GARBAGE-FROM-.bashrc{' "$T/raw.out"

# ForceCommand: attribution by SSH_USER_AUTH through the callers file.
sdk "ForceCommand account, dave's key (callers file only): attributed to \
    dave through SSH_USER_AUTH" dave -- "$SSH" -i "$T/keys/dave" amcp-fc@127.0.0.1
sdk "ForceCommand account, alice's key: the key's --caller is dropped, \
    the callers file still says alice" alice -- \
    "$SSH" -i "$T/keys/alice" amcp-fc@127.0.0.1
sdk "ForceCommand account, erin's OpenSSH certificate: attributed by key \
    ID to erin" erin -- "$SSH" -i "$T/keys/erin" \
    -o CertificateFile="$T/keys/erin-cert.pub" amcp-fc@127.0.0.1

# One account per analyst: the login name.
sdk "per-analyst account amcp-carol (Match Group, ForceCommand): attributed \
    to amcp-carol" amcp-carol -- "$SSH" -i "$T/keys/carol" amcp-carol@127.0.0.1

# Spoofing.  Each vector against the three paths: the key's --caller,
# the callers file, the login name.
printf 'publickey %s\n' "$(cut -d' ' -f1,2 "$T/keys/bob.pub")" >"$T/fake-auth"
chmod 0644 "$T/fake-auth"
for p in "alice amcp-svc alice" "dave amcp-fc dave" \
    "carol amcp-carol amcp-carol"; do
	# shellcheck disable=SC2086
	set -- $p
	key=$1 acct=$2 who=$3
	sdk "spoof via SSH_ORIGINAL_COMMAND ('analytics-mcp --caller mallory') \
	    as $acct: still $who" "$who" -- "$SSH" -i "$T/keys/$key" \
	    "$acct@127.0.0.1" analytics-mcp --caller mallory
	sdk "spoof via SendEnv LANG, LC_ALL, LC_CALLER, LC_USER=mallory as \
	    $acct: still $who" "$who" --env LANG=mallory --env LC_ALL=mallory \
	    --env LC_CALLER=mallory --env LC_USER=mallory -- \
	    "$SSH" -o SendEnv=LANG -o 'SendEnv=LC_*' -i "$T/keys/$key" \
	    "$acct@127.0.0.1"
	sdk "spoof via SetEnv SSH_USER_AUTH (a file naming bob's key), USER, \
	    LOGNAME as $acct: still $who" "$who" -- "$SSH" \
	    -o "SetEnv=SSH_USER_AUTH=$T/fake-auth USER=mallory LOGNAME=mallory" \
	    -i "$T/keys/$key" "$acct@127.0.0.1"
	sdk "spoof via MCP clientInfo name 'mallory' as $acct: still $who" "$who" \
	    --client-name mallory -- "$SSH" -i "$T/keys/$key" "$acct@127.0.0.1"
done

# Succeeds if ssh with key $1 to account $2 is refused by sshd and no
# server ran.
ssh_refused() {
	n0=$(audit_count)
	printf '%s\n' "$INIT" |
	    timeout 30 "$SSH" -i "$T/keys/$1" "$2@127.0.0.1" >"$T/ref.out" 2>"$T/ref.err"
	rc=$?
	[ "$rc" -eq 255 ] && grep -q 'Permission denied' "$T/ref.err" &&
	    [ ! -s "$T/ref.out" ] && [ "$(audit_count)" -eq "$n0" ]
}
check "an unknown key is refused by sshd (service account)" ssh_refused eve amcp-svc
check "an unknown key is refused by sshd (ForceCommand account)" ssh_refused eve amcp-fc
check "an unknown key is refused by sshd (analyst account)" ssh_refused eve amcp-carol
check "another analyst's key does not open amcp-carol" ssh_refused alice amcp-carol

# Client disconnect during a long query: kill the ssh client, by PID.
backend() {
	sh "$TOP/tests/pg.sh" psql "$PGDIR" -Atc "SELECT pid FROM
	    pg_stat_activity WHERE application_name = 'analytics-mcp/alice'
	    AND state = 'active' AND wait_event = 'PgSleep'" 2>/dev/null
}
has_backend() {
	[ -n "$(backend)" ]
}
no_backend() {
	[ -z "$(backend)" ]
}
mkfifo "$T/kill.in"
n0=$(audit_count)
"$SSH" -i "$T/keys/alice" amcp-svc@127.0.0.1 <"$T/kill.in" >"$T/kill.out" \
    2>"$T/kill.err" &
SSHCLIENT=$!
track "$SSHCLIENT"
exec 3>"$T/kill.in"
# In a subshell: should ssh be gone already, SIGPIPE ends only that.
(printf '%s\n' "$INIT" "$INITED" \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT pg_sleep(60)"}}}' >&3) 2>/dev/null
if wait_for 150 has_backend; then
	ok "SELECT pg_sleep(60) over ssh runs as application_name analytics-mcp/alice"
	kill "$SSHCLIENT"
	if wait_for 150 no_backend; then
		ok "killing the ssh client (PID $SSHCLIENT) ends the backend"
	else
		not_ok "killing the ssh client (PID $SSHCLIENT) ends the backend"
		backend | show
	fi
	wait_for 50 eval 'tail -n +"$((n0 + 1))" "$AUDIT" | grep -q "pg_sleep(60)"'
	check "the audit log records alice's interrupted query as not ok" \
	    eval 'tail -n +"$((n0 + 1))" "$AUDIT" | grep "pg_sleep(60)" |
	    grep "\"caller\":\"alice\"" | grep -qv "\"status\":\"ok\""'
else
	not_ok "SELECT pg_sleep(60) over ssh runs as application_name analytics-mcp/alice"
	show "$T/kill.err"
fi
exec 3>&-
stop "$SSHCLIENT"

# Removing a key closes the door.
keys remove bob 2>/dev/null
check "after 'analytics-mcp-keys remove bob' bob's key is refused and \
    unmapped" eval 'ssh_refused bob amcp-svc &&
    ! grep -q " bob\$" "$CALLERS"'

# ---- per-analyst roles (analytics-mcp-keys -r) -----------------------------

# alice and bob again, each with a PostgreSQL role of their own
# (analytics_alice with a connection limit of 1, analytics_bob), so that
# the database itself keeps them apart.  Their forced commands reach the
# cluster over TCP (scram) with the passwords the tool put in amcp-svc's
# ~/.pgpass; the tool itself works as the superuser on the socket.  Every
# command the tool runs goes through $T/spy, which logs its arguments.
svc_home=$(getent passwd amcp-svc | cut -d: -f6)
SVCPASS=$svc_home/.pgpass
TCPDSN="host=127.0.0.1 port=$PGPORT dbname=$PGDATABASE user=analytics_ro"
ROLEADD="-r -u amcp-svc -t 127.0.0.1:$PGPORT"
keys_db() {
	PATH="$T/spy:$PATH" PGUSER=postgres sh "$KEYS_TOOL" -f "$AK" \
	    -c "$CALLERS" -p "$BIN" -a "--dsn '$TCPDSN' --audit-log $AUDIT" "$@"
}
mkdir -p "$T/spy"
: >"$T/spy.log"
chmod 0666 "$T/spy.log"
for c in psql runuser python3 od tr awk sed grep mktemp chmod chown mv rm \
    cat id getent cut find flock ssh-keygen sh env dirname basename wc head; do
	real=$(command -v "$c") || continue
	printf '#!/bin/sh\nprintf "%%s\\n" "$0 $*" >>%s\nexec %s "$@"\n' \
	    "$T/spy.log" "$real" >"$T/spy/$c"
	chmod 0755 "$T/spy/$c"
done
# Runs SQL $1 as the superuser on the socket, unaligned.
su_sql() {
	sh "$TOP/tests/pg.sh" psql "$PGDIR" -Atc "$1" 2>/dev/null
}
# Runs SQL $2 with psql as amcp-svc, logging in as role $1 over TCP with
# amcp-svc's ~/.pgpass.  Output in $T/rpsql.out and $T/rpsql.err.
svc_psql() {
	(cd / && timeout 20 runuser -u amcp-svc -- psql -X -At \
	    -v VERBOSITY=verbose -c "$2" \
	    "host=127.0.0.1 port=$PGPORT dbname=$PGDATABASE user=$1 connect_timeout=10") \
	    >"$T/rpsql.out" 2>"$T/rpsql.err"
}
# Prints the password of role $1 in amcp-svc's ~/.pgpass.
svc_password() {
	awk -F: -v r="$1" '$4 == r { print $5 }' "$SVCPASS" 2>/dev/null
}

keys remove alice 2>/dev/null
rm -f "$SVCPASS"
# shellcheck disable=SC2086
keys_db $ROLEADD -l 1 add alice "$T/keys/alice.pub" >"$T/keysr.out" 2>&1 &&
    keys_db $ROLEADD add bob - <"$T/keys/bob.pub" >>"$T/keysr.out" 2>&1
rc=$?
check "analytics-mcp-keys -r adds alice (-l 1) and bob, each with a role of \
    their own" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || show "$T/keysr.out"

# rolname, login, superuser, createrole, createdb, replication, bypassrls,
# inherit, connection limit, member of analytics_ro with its privileges,
# the tool's comment.
attrs() {
	su_sql "SELECT concat_ws(' ', rolname, rolcanlogin, rolsuper,
	    rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
	    rolinherit, rolconnlimit, pg_has_role(oid, 'analytics_ro', 'MEMBER'),
	    pg_has_role(oid, 'analytics_ro', 'USAGE'),
	    shobj_description(oid, 'pg_authid')) FROM pg_roles
	    WHERE rolname = '$1'"
}
check "pg_roles: analytics_alice and analytics_bob can log in, are members \
    of analytics_ro with its privileges (INHERIT), nothing more; alice's \
    connection limit is 1, bob's none" eval '
    [ "$(attrs analytics_alice)" = "analytics_alice t f f f f f t 1 t t analytics-mcp-keys: alice" ] &&
    [ "$(attrs analytics_bob)" = "analytics_bob t f f f f f t -1 t t analytics-mcp-keys: bob" ]'
check "amcp-svc's ~/.pgpass is 0600, owned by amcp-svc, with one \
    127.0.0.1:PORT:DB:ROLE:PASSWORD line per role" eval '
    [ "$(stat -c "%U %a" "$SVCPASS")" = "amcp-svc 600" ] &&
    [ "$(grep -Ecx "127\.0\.0\.1:$PGPORT:$PGDATABASE:analytics_(alice|bob):[0-9a-f]{48}" "$SVCPASS")" -eq 2 ] &&
    [ "$(wc -l <"$SVCPASS")" -eq 2 ]'
# Succeeds if AUTHORIZED_KEYS has the forced-command line of $1 with
# --db-user analytics_$1.
has_role_line() {
	want="restrict,command=\"$BIN --dsn '$TCPDSN' --audit-log $AUDIT"
	want="$want --db-user analytics_$1 --caller $1\""
	want="$want $(cut -d' ' -f1,2 "$T/keys/$1.pub") $1"
	grep -qxF "$want" "$AK"
}
check "authorized_keys: alice's and bob's forced commands carry --db-user \
    analytics_NAME (restrict,command=\"PROGRAM ARGS --db-user ROLE --caller \
    NAME\")" eval 'has_role_line alice && has_role_line bob'
apw=$(svc_password analytics_alice)
bpw=$(svc_password analytics_bob)
check "the passwords are neither printed nor in the arguments of any \
    command the tool runs (psql, python3, runuser, sh ... were logged)" \
    eval '[ -n "$apw" ] && [ -n "$bpw" ] &&
    ! grep -qF -e "$apw" -e "$bpw" "$T/keysr.out" "$T/spy.log" &&
    grep -q "^$T/spy/psql " "$T/spy.log" &&
    grep -q "^$T/spy/python3 " "$T/spy.log" &&
    grep -q "^$T/spy/runuser -u amcp-svc " "$T/spy.log"'
[ -n "$apw" ] || show "$T/keysr.out"
list=$(keys list 2>&1)
check "list names the role: 'alice ssh-ed25519 FINGERPRINT analytics_alice'" \
    eval 'printf "%s\n" "$list" |
    grep -qxF "alice ssh-ed25519 $(fp "$T/keys/alice.pub") analytics_alice"'
# The settings analytics_ro has per role are not inherited: each role has
# its own copy.
show_settings="SHOW default_transaction_read_only; SHOW statement_timeout;
    SHOW idle_in_transaction_session_timeout"
svc_psql analytics_bob "$show_settings"
bset=$(tr '\n' ' ' <"$T/rpsql.out")
roset=$(PGUSER=analytics_ro psql -X -At -h "$PGHOST" -c "$show_settings" \
    2>/dev/null | tr '\n' ' ')
check "analytics_bob logs in over TCP with amcp-svc's ~/.pgpass and has \
    analytics_ro's settings (read-only default, statement and idle \
    timeouts: $roset)" eval '[ "$bset" = "on 30s 1min " ] &&
    [ "$bset" = "$roset" ]'
[ "$bset" = "on 30s 1min " ] || show "$T/rpsql.err"

# Refusals that touch the database change nothing, there either.
refused_db() {
	want=$1
	shift
	before=$(cat "$AK" "$CALLERS" "$SVCPASS" | cksum)
	rob=$(attrs analytics_ro)
	keys_db "$@" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq "$want" ] &&
	    [ "$(cat "$AK" "$CALLERS" "$SVCPASS" | cksum)" = "$before" ] &&
	    [ "$(attrs analytics_ro)" = "$rob" ]
}
# shellcheck disable=SC2086
check "keys -r refuses a name whose role exists and is not its own \
    ('ro': analytics_ro), changing nothing" \
    refused_db 1 $ROLEADD add ro "$T/keys/eve.pub"
check "keys: -r with -m, and -l without -r, are usage errors (exit 2)" \
    eval 'refused_db 2 -r -m add mallory "$T/keys/eve.pub" &&
    refused_db 2 -l 2 add mallory "$T/keys/eve.pub"'
# shellcheck disable=SC2086
check "keys -r refuses --db-user among ARGS and a bad -l" eval '
    ! PGUSER=postgres sh "$KEYS_TOOL" -f "$AK" -c "$CALLERS" -p "$BIN" \
    -a "--db-user analytics_ro" $ROLEADD add mallory "$T/keys/eve.pub" \
    2>/dev/null && refused_db 1 $ROLEADD -l 0 add mallory "$T/keys/eve.pub"'

# Each analyst's session runs as the analyst's role.
WHO="SELECT current_user AS cu, session_user AS su,
    current_setting('application_name') AS app"
for who in alice bob; do
	n0=$(audit_count)
	timeout 90 node "$CLIENT" --timeout 30000 --sql "$WHO" -- \
	    "$SSH" -i "$T/keys/$who" amcp-svc@127.0.0.1 >"$T/who.out" 2>"$T/who.err"
	check "ssh -T as $who (key with --db-user): current_user and \
	    session_user are analytics_$who, application_name and the audit \
	    log say $who" eval 'grep -qF "\"rows\":[[\"analytics_$who\",\"analytics_$who\",\"analytics-mcp/$who\"]]" "$T/who.out" &&
	    [ "$(audit_callers_since "$n0")" = "$who" ]'
	grep -qF "\"rows\":[[\"analytics_$who\"" "$T/who.out" ||
	    { show "$T/who.out"; show "$T/who.err"; }
done

# The isolation proof: alice runs a long query over ssh; bob, in his own
# ssh session and with his role's password, can neither read its SQL nor
# cancel or terminate it.
# Prints the PID of role $1's backend that sleeps in pg_sleep.
sleeper() {
	su_sql "SELECT pid FROM pg_stat_activity WHERE usename = '$1'
	    AND state = 'active' AND wait_event = 'PgSleep'"
}
timeout 60 node "$CLIENT" --timeout 30000 --sql "SELECT pg_sleep(20)" -- \
    "$SSH" -i "$T/keys/alice" amcp-svc@127.0.0.1 >"$T/along.out" 2>&1 &
ALONG=$!
track "$ALONG"
if wait_for 150 eval '[ -n "$(sleeper analytics_alice)" ]'; then
	apid=$(sleeper analytics_alice)
	ok "alice's SELECT pg_sleep(20) over ssh runs as analytics_alice (PID $apid)"
else
	apid=0
	not_ok "alice's SELECT pg_sleep(20) over ssh runs as analytics_alice"
	show "$T/along.out"
fi
timeout 90 node "$CLIENT" --timeout 30000 --sql "SELECT usename, query \
    FROM pg_stat_activity WHERE pid = $apid" -- \
    "$SSH" -i "$T/keys/bob" amcp-svc@127.0.0.1 >"$T/peek.out" 2>"$T/peek.err"
# What the superuser sees: the statement alice's backend runs.
atext=$(su_sql "SELECT query FROM pg_stat_activity WHERE pid = $apid")
check "bob, over ssh, sees alice's backend but not its SQL: \
    '<insufficient privilege>' (the superuser sees '$atext')" eval '
    grep -qF "\"rows\":[[\"analytics_alice\",\"<insufficient privilege>\"]]" "$T/peek.out" &&
    [ -n "$atext" ] && [ "$atext" != "<insufficient privilege>" ]'
grep -qF '"rows":[["analytics_alice"' "$T/peek.out" ||
    { show "$T/peek.out"; show "$T/peek.err"; }
for f in cancel terminate; do
	svc_psql analytics_bob "SELECT pg_${f}_backend($apid)"
	rc=$?
	check "bob's role, logged in with amcp-svc's ~/.pgpass, cannot \
	    pg_${f}_backend alice's query: PostgreSQL refuses it (SQLSTATE \
	    42501, insufficient privilege)" \
	    eval '[ "$rc" -ne 0 ] && grep -q "ERROR:  42501: " "$T/rpsql.err"'
	grep -q "42501" "$T/rpsql.err" || { show "$T/rpsql.out"; show "$T/rpsql.err"; }
done
check "alice's query is still running after bob's attempts" \
    eval '[ "$(sleeper analytics_alice)" = "$apid" ] &&
    [ -n "$(ps -o pid= -p "$ALONG")" ]'

# alice's one connection is taken: a second one is refused by PostgreSQL.
svc_psql analytics_alice "SELECT 1"
check "connection limit 1: a second connection as analytics_alice (psql, \
    amcp-svc's ~/.pgpass) is refused" \
    grep -q 'too many connections for role "analytics_alice"' "$T/rpsql.err"
printf '%s\n' "$INIT" "$INITED" \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT 1"}}}' \
    '{"jsonrpc":"2.0","id":3,"method":"ping"}' |
    timeout 30 "$SSH" -i "$T/keys/alice" amcp-svc@127.0.0.1 >"$T/limit.out" 2>/dev/null
check "connection limit 1: a second ssh session of alice gets an isError \
    naming the database's refusal, and the session still answers a ping" \
    eval 'grep "\"id\":2," "$T/limit.out" | grep -F "\"isError\":true" |
    grep -q "database.*too many connections for role" &&
    grep -qxF "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}" "$T/limit.out"'
su_sql "SELECT pg_cancel_backend($apid)" >/dev/null
wait_for 100 eval '[ -z "$(ps -o pid= -p "$ALONG")" ]'
stop "$ALONG"

# Control: with the shared role, the same cancel succeeds.  dave (the
# ForceCommand account, DSN user analytics_ro) runs a long query; a psql
# session as analytics_ro cancels it.
timeout 60 node "$CLIENT" --timeout 30000 --sql "SELECT pg_sleep(20)" -- \
    "$SSH" -i "$T/keys/dave" amcp-fc@127.0.0.1 >"$T/dlong.out" 2>&1 &
DLONG=$!
track "$DLONG"
dpid=
if wait_for 150 eval '[ -n "$(sleeper analytics_ro)" ]'; then
	dpid=$(sleeper analytics_ro)
	got=$(PGUSER=analytics_ro psql -X -At -h "$PGHOST" \
	    -c "SELECT pg_cancel_backend($dpid)" 2>&1)
	wait_for 100 eval '[ -z "$(ps -o pid= -p "$DLONG")" ]'
fi
check "control: with the shared role, analytics_ro cancels dave's query \
    (so the refusals above are the roles' doing)" eval '[ -n "$dpid" ] &&
    [ "$got" = t ] && grep -q "canceling statement due to user request" "$T/dlong.out"'
stop "$DLONG"

# remove: bob's key line names his role, so a plain remove drops it too,
# ending his running session first; alice's goes with -r.
timeout 60 node "$CLIENT" --timeout 30000 --sql "SELECT pg_sleep(20)" -- \
    "$SSH" -i "$T/keys/bob" amcp-svc@127.0.0.1 >"$T/blong.out" 2>&1 &
BLONG=$!
track "$BLONG"
wait_for 150 eval '[ -n "$(sleeper analytics_bob)" ]'
keys_db -u amcp-svc remove bob >"$T/rm.out" 2>&1
rc=$?
wait_for 100 eval '[ -z "$(ps -o pid= -p "$BLONG")" ]'
check "remove bob (no -r) drops analytics_bob, terminating his running \
    session, and removes his ~/.pgpass line, key and mapping" eval '
    [ "$rc" -eq 0 ] && [ -z "$(attrs analytics_bob)" ] &&
    [ -z "$(sleeper analytics_bob)" ] &&
    grep -q "terminating connection due to administrator command" "$T/blong.out" &&
    [ -z "$(svc_password analytics_bob)" ] && [ -n "$(svc_password analytics_alice)" ] &&
    ! grep -q " bob\$" "$AK" "$CALLERS" && ssh_refused bob amcp-svc'
[ "$rc" -eq 0 ] || show "$T/rm.out"
stop "$BLONG"
keys_db -r -u amcp-svc remove alice >"$T/rm.out" 2>&1
rc=$?
check "remove -r alice drops analytics_alice and her ~/.pgpass line (the \
    file stays 0600 amcp-svc); her key is gone from authorized_keys" eval '
    [ "$rc" -eq 0 ] && [ -z "$(attrs analytics_alice)" ] &&
    [ "$(stat -c "%U %a %s" "$SVCPASS")" = "amcp-svc 600 0" ] &&
    ! grep -q " alice\$" "$AK" && ssh_refused alice amcp-svc'
[ "$rc" -eq 0 ] || show "$T/rm.out"
check "remove -r of a name with no key, mapping or role is refused" \
    eval '! keys_db -r -u amcp-svc remove alice 2>/dev/null'
stop "$SSHD"

# ---- socat with mutual TLS -------------------------------------------------

# Makes key $1.key and certificate $1.crt with subject $2, signed by CA $3
# (self-signed when $3 is "self"), with extensions $4.
cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/ssl/$1.key" -out "$T/ssl/$1.csr" -subj "$2" 2>/dev/null ||
	    return 1
	printf '%s\n' "$4" >"$T/ssl/$1.ext"
	if [ "$3" = self ]; then
		openssl x509 -req -in "$T/ssl/$1.csr" -signkey "$T/ssl/$1.key" \
		    -days 2 -extfile "$T/ssl/$1.ext" -out "$T/ssl/$1.crt" 2>/dev/null
	else
		openssl x509 -req -in "$T/ssl/$1.csr" -CA "$T/ssl/$3.crt" \
		    -CAkey "$T/ssl/$3.key" -CAcreateserial -days 2 \
		    -extfile "$T/ssl/$1.ext" -out "$T/ssl/$1.crt" 2>/dev/null
	fi
}
CAEXT='basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign'
CLIEXT='extendedKeyUsage=clientAuth'
cert ca /CN=reach-ca self "$CAEXT" &&
    cert foreign-ca /CN=foreign-ca self "$CAEXT" &&
    cert server /CN=127.0.0.1 ca "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth" &&
    cert alice /CN=alice ca "$CLIEXT" &&
    cert eve /CN=eve ca "$CLIEXT" &&
    cert twocn '/CN=alice/CN=bob' ca "$CLIEXT" &&
    cert forged /CN=alice foreign-ca "$CLIEXT"
check "openssl made a CA, a server certificate for IP 127.0.0.1 and client \
    certificates (alice, eve, two CNs, alice from a foreign CA)" [ $? -eq 0 ]
# socat runs as amcp-svc (-u): it reads the server key, no client key.
chmod 0755 "$T/ssl"
chmod 0600 "$T/ssl"/*.key
chgrp amcp-svc "$T/ssl/server.key"
chmod 0640 "$T/ssl/server.key"
printf '# analysts allowed over TLS\nalice\n' >"$T/etc/socat-allow"
chmod 0644 "$T/etc/socat-allow"

# The program socat starts, counted: one line per start, with its user.
STARTS=$T/log/starts
: >"$STARTS"
chmod 0666 "$STARTS"
cat >"$T/bin/counted-mcp" <<EOF
#!/bin/sh
echo "\$(id -un) \$*" >>$STARTS
exec $BIN "\$@"
EOF
chmod 0755 "$T/bin/counted-mcp"

TLSPORT=$(free_port)
sh "$SOCAT_TOOL" -b 127.0.0.1 -p "$TLSPORT" -c "$T/ssl/server.crt" \
    -k "$T/ssl/server.key" -C "$T/ssl/ca.crt" -a "$T/etc/socat-allow" \
    -u amcp-svc -P "$T/bin/counted-mcp" -- --dsn "$DSN" --audit-log "$AUDIT" \
    >"$T/socat.log" 2>&1 &
SOCATD=$!
track "$SOCATD"
if wait_listen "$TLSPORT" 100; then
	ok "analytics-mcp-socat listens with mutual TLS on 127.0.0.1:$TLSPORT"
else
	not_ok "analytics-mcp-socat listens with mutual TLS on 127.0.0.1:$TLSPORT"
	show "$T/socat.log"
fi
OSSL="OPENSSL:127.0.0.1:$TLSPORT,cafile=$T/ssl/ca.crt"

sdk "socat mTLS, client certificate CN=alice: the SDK client lists tools \
    and queries; attributed to alice" alice -- \
    socat - "$OSSL,cert=$T/ssl/alice.crt,key=$T/ssl/alice.key"
check "socat and the server process it starts run as the unprivileged \
    user amcp-svc (-u)" eval '[ "$(cut -d" " -f1 "$STARTS" | sort -u)" = amcp-svc ] &&
    [ "$(ps -o user= -p "$SOCATD")" = amcp-svc ]'

# Succeeds if connecting with socat address options $1 gets no reply and
# starts no analytics-mcp.
tls_refused() {
	s0=$(wc -l <"$STARTS")
	printf '%s\n' "$INIT" | timeout 20 socat -t 5 - "$1" >"$T/tls.out" 2>/dev/null
	[ ! -s "$T/tls.out" ] && [ "$(wc -l <"$STARTS")" -eq "$s0" ]
}
check "socat mTLS: no client certificate is refused, no server process" \
    tls_refused "$OSSL"
check "socat mTLS: a certificate from a foreign CA (CN=alice) is refused, \
    no server process" \
    tls_refused "$OSSL,cert=$T/ssl/forged.crt,key=$T/ssl/forged.key"
check "socat mTLS: plain TCP to the TLS port is refused, no server process" \
    tls_refused "TCP:127.0.0.1:$TLSPORT"
check "socat mTLS: a CN not in the allow-list (eve) is refused, no server \
    process" tls_refused "$OSSL,cert=$T/ssl/eve.crt,key=$T/ssl/eve.key"
check "socat mTLS: a certificate with two CNs is refused, no server process" \
    tls_refused "$OSSL,cert=$T/ssl/twocn.crt,key=$T/ssl/twocn.key"
check "the refusals are logged with the reason" eval '
    grep -q "several common names" "$T/socat.log" &&
    grep -q "not in $T/etc/socat-allow" "$T/socat.log"'

# A 1 MiB request line, intact: md5 of a 1 MiB literal, computed both here
# and by PostgreSQL.
head -c 524288 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/big.hex"
{
	printf "SELECT md5('"
	cat "$T/big.hex"
	printf "') AS h"
} >"$T/big.sql"
md5=$(md5sum <"$T/big.hex" | cut -d' ' -f1)
timeout 90 node "$CLIENT" --timeout 30000 --sql-file "$T/big.sql" -- \
    socat - "$OSSL,cert=$T/ssl/alice.crt,key=$T/ssl/alice.key" \
    >"$T/big.out" 2>"$T/big.err"
if [ "$(wc -c <"$T/big.sql")" -gt 1048576 ] &&
    grep -qF "\"rows\":[[\"$md5\"]]" "$T/big.out"; then
	ok "socat mTLS: a 1 MiB request line arrives intact (md5 matches)"
else
	not_ok "socat mTLS: a 1 MiB request line arrives intact (md5 matches)"
	show "$T/big.out"
	show "$T/big.err"
fi

timeout 90 node "$CLIENT" --timeout 30000 \
    --sql "SELECT pg_sleep(1.5)::text AS slept, 42 AS answer" -- \
    socat - "$OSSL,cert=$T/ssl/alice.crt,key=$T/ssl/alice.key" \
    >"$T/slow.out" 2>"$T/slow.err"
if grep -qF '"rows":[["",42]]' "$T/slow.out"; then
	ok "socat mTLS: a 1.5 s query (longer than socat's default -t 0.5) \
	    gets its answer"
else
	not_ok "socat mTLS: a 1.5 s query (longer than socat's default -t 0.5) \
	    gets its answer"
	show "$T/slow.out"
	show "$T/slow.err"
fi

# A client that half-closes right after its request (printf | socat): the
# server's socat waits -t (35 s here) for the answer; with socat's default
# 0.5 s it would cut off the 1.5 s query.  analytics-mcp must finish a
# request whose client has stopped sending but still reads.
printf '%s\n' "$INIT" "$INITED" \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT pg_sleep(1.5)::text AS slept, 42 AS answer"}}}' |
    timeout 30 socat -t 30 - "$OSSL,cert=$T/ssl/alice.crt,key=$T/ssl/alice.key" \
    >"$T/half.out" 2>"$T/half.err"
if grep '"id":2' "$T/half.out" | grep -qF '"rows":[["",42]]'; then
	ok "socat mTLS: a client that half-closes after its request still gets \
	    the answer to a 1.5 s query (-t 35, not socat's 0.5)"
else
	not_ok "socat mTLS: a client that half-closes after its request still \
	    gets the answer to a 1.5 s query (-t 35, not socat's 0.5)"
	show "$T/half.out"
	tail -n 3 "$AUDIT" | show
fi
stop "$SOCATD"

# Half-close timeout and refusals of the wrapper itself (dry runs).
socat_x() {
	sh "$SOCAT_TOOL" -x -u amcp-svc -P "$BIN" -c "$T/ssl/server.crt" \
	    -k "$T/ssl/server.key" -C "$T/ssl/ca.crt" -a "$T/etc/socat-allow" "$@"
}
check "analytics-mcp-socat: -t defaults to the statement timeout + 5 (35, \
    or 65 with --statement-timeout 60)" eval '
    socat_x 2>/dev/null | grep -q -- " socat -d -t 35 OPENSSL-LISTEN:.*verify=1" &&
    socat_x -- --statement-timeout 60 2>/dev/null | grep -q -- " -t 65 "'
check "analytics-mcp-socat refuses -t not longer than the statement timeout" \
    eval '! socat_x -t 30 2>/dev/null'
check "analytics-mcp-socat refuses --caller among analytics-mcp's arguments" \
    eval '! socat_x -- --caller mallory 2>/dev/null'
check "analytics-mcp-socat refuses plain TCP on a non-loopback address" \
    eval '! socat_x -T -n tcp-tester -b 0.0.0.0 >/dev/null 2>&1'
check "analytics-mcp-socat refuses to serve as root without -u" \
    eval '! sh "$SOCAT_TOOL" -x -P "$BIN" -c "$T/ssl/server.crt" \
    -k "$T/ssl/server.key" -C "$T/ssl/ca.crt" -a "$T/etc/socat-allow" \
    2>/dev/null'

# Plain TCP on loopback: loud, and one fixed caller.
TCPPORT=$(free_port)
sh "$SOCAT_TOOL" -T -n tcp-tester -b 127.0.0.1 -p "$TCPPORT" -u amcp-svc \
    -P "$BIN" -- --dsn "$DSN" --audit-log "$AUDIT" >"$T/plain.log" 2>&1 &
PLAIND=$!
track "$PLAIND"
wait_listen "$TCPPORT" 100
check "plain TCP on loopback warns loudly on stderr" \
    grep -q 'WARNING: PLAIN TCP, NO TLS' "$T/plain.log"
sdk "plain TCP on loopback: attributed to the fixed caller tcp-tester" \
    tcp-tester -- socat - "TCP:127.0.0.1:$TCPPORT"
stop "$PLAIND"

# ---- systemd socket activation (analytics-mcp@.service's program) ---------

SOCK=$T/amcp.sock
systemd-socket-activate --inetd -a -l "$SOCK" -- \
    setpriv --reuid=amcp-svc --regid=amcp-svc --init-groups -- \
    "$BIN" --dsn "$DSN" --audit-log "$AUDIT" --callers-file "$CALLERS" \
    >"$T/activate.log" 2>&1 &
ACTD=$!
track "$ACTD"
if wait_for 100 test -S "$SOCK"; then
	# What analytics-mcp.socket does: SocketGroup=, SocketMode=0660.
	chgrp amcp-analysts "$SOCK"
	chmod 0660 "$SOCK"
	ok "systemd-socket-activate --inetd listens on a Unix socket (0660, \
	    group amcp-analysts)"
else
	not_ok "systemd-socket-activate --inetd listens on a Unix socket"
	show "$T/activate.log"
fi
sdk "Unix socket, connected to by amcp-carol; the server runs as amcp-svc: \
    attributed to amcp-carol by SO_PEERCRED" amcp-carol -- \
    runuser -u amcp-carol -- socat - "UNIX-CONNECT:$SOCK"
n0=$(audit_count)
printf '%s\n' "$INIT" | timeout 20 runuser -u amcp-fc -- \
    socat - "UNIX-CONNECT:$SOCK" >"$T/sock.out" 2>/dev/null
check "a user outside group amcp-analysts cannot connect to the socket" \
    eval '[ ! -s "$T/sock.out" ] && [ "$(audit_count)" -eq "$n0" ]'
stop "$ACTD"

# ---- --check and the role bootstrap ---------------------------------------

out=$(runuser -u amcp-carol -- "$BIN" --check --dsn "$DSN" </dev/null 2>&1)
check "--check prints the caller (amcp-carol by login name) and \
    application_name" eval 'printf "%s\n" "$out" | grep -q "^caller: amcp-carol\( \|\$\)" &&
    printf "%s\n" "$out" | grep -qx "application_name: analytics-mcp/amcp-carol"'

# The bootstrap re-applies the role with the cluster's own password file
# (so nothing changes) and gives amcp-svc a ~/.pgpass and a service file;
# analytics-mcp then logs in over TCP (scram) with no password in its DSN.
svc_home=$(getent passwd amcp-svc | cut -d: -f6)
rm -f "$svc_home/.pgpass"
cp "$PGDIR/ro.pw" "$T/ro.pw"
mkdir -p "$T/fakebin"
cat >"$T/fakebin/docker" <<EOF
#!/bin/sh
# A stand-in for "docker exec -i NAME psql ...": logs its arguments, then
# runs the psql part against the test cluster as its superuser.
printf '%s\n' "\$*" >>$T/docker.argv
[ "\$1" = exec ] && [ "\$2" = -i ] || exit 1
shift 3
PGHOST=$PGHOST PGPORT=$PGPORT exec "\$@"
EOF
chmod 0755 "$T/fakebin/docker"
sh "$TOP/sql/bootstrap_analytics_ro.sh" --pw-file "$T/ro.pw" \
    -h "$PGHOST" -p "$PGPORT" -d "$PGDATABASE" -U postgres \
    --conn-host 127.0.0.1 --conn-port "$PGPORT" --pgpass amcp-svc \
    >"$T/boot.out" 2>&1
rc=$?
pw=$(cat "$T/ro.pw")
check "bootstrap_analytics_ro.sh applies the role (local psql) and writes \
    amcp-svc's ~/.pgpass (0600, owned by amcp-svc)" eval '[ "$rc" -eq 0 ] &&
    [ "$(stat -c "%U %a" "$svc_home/.pgpass")" = "amcp-svc 600" ] &&
    grep -qxF "127.0.0.1:$PGPORT:$PGDATABASE:analytics_ro:$pw" "$svc_home/.pgpass"'
[ "$rc" -eq 0 ] || show "$T/boot.out"
out=$(runuser -u amcp-svc -- "$BIN" --check --caller pgpass-test \
    --dsn "host=127.0.0.1 port=$PGPORT dbname=$PGDATABASE user=analytics_ro" \
    </dev/null 2>&1)
check "analytics-mcp as amcp-svc logs in over TCP with ~/.pgpass, no \
    password in the DSN" eval 'printf "%s\n" "$out" | grep -qx "role: analytics_ro"'
rm -f "$svc_home/.pgpass"

# Succeeds if user $1 logs in as analytics_ro through service "analytics"
# of $T/etc/pg_service.conf (TCP, scram).
service_login() {
	out=$(runuser -u "$1" -- env PGSERVICEFILE="$T/etc/pg_service.conf" \
	    "$BIN" --check --caller service-test --dsn service=analytics \
	    </dev/null 2>&1)
	printf '%s\n' "$out" | grep -qx "role: analytics_ro"
}
boot() {
	sh "$TOP/sql/bootstrap_analytics_ro.sh" -h "$PGHOST" -p "$PGPORT" \
	    -d "$PGDATABASE" -U postgres --conn-host 127.0.0.1 \
	    --conn-port "$PGPORT" --service-file "$T/etc/pg_service.conf" \
	    --owner amcp-svc --group amcp-analysts "$@" >>"$T/boot.out" 2>&1
}
boot --pw-file "$T/ro.pw"
rc=$?
check "bootstrap --service-file writes a pg_service.conf (0640, amcp-svc, group amcp-analysts) \
    that amcp-svc and analyst amcp-carol use with --dsn service=analytics" \
    eval '[ "$rc" -eq 0 ] &&
    [ "$(stat -c "%U %G %a" "$T/etc/pg_service.conf")" = "amcp-svc amcp-analysts 640" ] &&
    service_login amcp-svc && service_login amcp-carol &&
    ! service_login amcp-fc'
[ "$rc" -eq 0 ] || show "$T/boot.out"
cp "$T/ro.pw" "$T/rotated.pw"
boot --pw-file "$T/rotated.pw" --rotate
rc=$?
check "bootstrap --rotate makes a new password (0600) and the service file \
    follows it" eval '[ "$rc" -eq 0 ] &&
    [ "$(stat -c %a "$T/rotated.pw")" = 600 ] &&
    ! cmp -s "$T/ro.pw" "$T/rotated.pw" && service_login amcp-svc'
# Back to the cluster's own password.
boot --pw-file "$T/ro.pw"
check "bootstrap restores the cluster's password" service_login amcp-svc
check "the bootstrap never prints the password" \
    eval '! grep -qF "$pw" "$T/boot.out" &&
    ! grep -qF "$(cat "$T/rotated.pw")" "$T/boot.out"'
: >"$T/docker.argv"
PATH="$T/fakebin:$PATH" sh "$TOP/sql/bootstrap_analytics_ro.sh" \
    --container timescale_db --pw-file "$T/ro.pw" -d "$PGDATABASE" \
    >"$T/boot2.out" 2>&1
rc=$?
check "bootstrap --container runs docker exec -i NAME psql, the password \
    on stdin only" eval '[ "$rc" -eq 0 ] &&
    grep -q "^exec -i timescale_db psql " "$T/docker.argv" &&
    ! grep -qF "$pw" "$T/docker.argv" "$T/boot2.out"'
[ "$rc" -eq 0 ] || show "$T/boot2.out"

[ "$failures" -eq 0 ]
