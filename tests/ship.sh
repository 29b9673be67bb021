#!/bin/sh
# ship.sh: what a packager or a DBA relies on.  The manual pages, install
# and uninstall, the dist tarball, the Arch package built for real, the
# Dockerfile, and the runbook's verification steps.
#
#   sh tests/ship.sh [PGDIR] BINARY
#
# PGDIR is a cluster started by tests/pg.sh (tests/run passes its own);
# without it a throwaway cluster is started here and destroyed at the end.
# Each check prints "ok - ..." or "not ok - ..."; everything else starts
# with "# ".  The exit status is 1 if any check failed.
# Check bodies are single-quoted and evaluated later (check NAME OUT eval
# '...'), so they expand nothing now and use variables shellcheck cannot
# see; "a && b || c" and ls of known names are used knowingly.
# shellcheck disable=SC2016,SC2034,SC2015,SC2012
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
case $# in
1)	PGDIR='' BIN=$1 ;;
2)	PGDIR=$1 BIN=$2 ;;
*)	echo "usage: ship.sh [PGDIR] BINARY" >&2
	exit 2 ;;
esac
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)
tmp=$(mktemp -d /tmp/analytics-mcp-ship.XXXXXX)
chmod 0755 "$tmp"
own_pg=

cleanup() {
	[ -n "$own_pg" ] && sh tests/pg.sh destroy "$tmp/pg" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=tests/lib.sh
. tests/lib.sh

# The files install puts under PREFIX (wrappers in SBINDIR), as
# "MODE PATH" without the leading slash; MANEXT is appended to man pages.
install_list() {
	prefix=${1#/} sbindir=${2#/} manext=${3:-}
	cat <<EOF
755 $prefix/bin/analytics-mcp
755 $sbindir/analytics-mcp-keys
755 $sbindir/analytics-mcp-socat
644 $prefix/share/man/man1/analytics-mcp.1$manext
644 $prefix/share/man/man7/analytics-mcp-deploy.7$manext
644 $prefix/share/man/man8/analytics-mcp-keys.8$manext
644 $prefix/share/man/man8/analytics-mcp-socat.8$manext
644 $prefix/share/analytics-mcp/analytics_ro_role.sql
755 $prefix/share/analytics-mcp/bootstrap_analytics_ro.sh
644 $prefix/share/analytics-mcp/examples/sshd_config.example
644 $prefix/share/analytics-mcp/examples/ssh_config.example
644 $prefix/lib/systemd/system/analytics-mcp.socket
644 $prefix/lib/systemd/system/analytics-mcp@.service
644 $prefix/lib/systemd/system/analytics-mcp-socat.service
EOF
}

# "MODE PATH" of every file and symlink under $1, sorted.
list_tree() {
	(cd "$1" && find . -mindepth 1 ! -type d -printf '%m %P\n') | sort
}

# ---- 1. the manual pages --------------------------------------------------

echo "# manual pages"
pages=$(ls man/*.[1-8] 2>/dev/null | wc -l)
make -s lint >"$tmp/lint" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/lint" ] && [ "$pages" -ge 4 ]; then
	ok "make lint: mandoc -Tlint clean on $pages pages"
else
	echo "make lint exited $rc on $pages pages (4 expected)" >>"$tmp/lint"
	not_ok "make lint: mandoc -Tlint clean" "$tmp/lint"
fi

# Options: every --word in --help against the .It Fl entries of the page.
"$BIN" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/opt.help"
sed -n 's/^\.It Fl -\([a-z][a-z-]*\).*/--\1/p' man/analytics-mcp.1 |
    sort -u >"$tmp/opt.man"
{
	echo "only in --help:"
	comm -23 "$tmp/opt.help" "$tmp/opt.man"
	echo "only in analytics-mcp(1):"
	comm -13 "$tmp/opt.help" "$tmp/opt.man"
} >"$tmp/opt.diff"
check_file "the options of --help and analytics-mcp(1) are the same set ($(wc -l <"$tmp/opt.help") options)" \
    "$tmp/opt.diff" cmp -s "$tmp/opt.help" "$tmp/opt.man"

# The wrappers' options (their getopts letters) against their pages.
for w in keys socat; do
	sed -n 's/^while getopts \([a-zA-Z:]*\) .*/\1/p' \
	    "wrappers/analytics-mcp-$w" | tr -d ':' | fold -w1 | sort -u \
	    >"$tmp/wopt.src"
	sed -n 's/^\.It Fl \([a-zA-Z]\)\( .*\)\{0,1\}$/\1/p' \
	    "man/analytics-mcp-$w.8" | sort -u >"$tmp/wopt.man"
	{
		echo "getopts: $(tr '\n' ' ' <"$tmp/wopt.src")"
		echo "page:    $(tr '\n' ' ' <"$tmp/wopt.man")"
	} >"$tmp/wopt.diff"
	check_file "the options of analytics-mcp-$w and analytics-mcp-$w(8) are the same set ($(wc -l <"$tmp/wopt.src") letters)" \
	    "$tmp/wopt.diff" eval '[ -s "$tmp/wopt.src" ] &&
	    cmp -s "$tmp/wopt.src" "$tmp/wopt.man"'
done

# Environment: every variable the sources read is in ENVIRONMENT.
grep -ho 'getenv("[A-Z_]*")' mcp-stdio/*.c | sed 's/getenv("\(.*\)")/\1/' |
    sort -u >"$tmp/env.src"
sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' man/analytics-mcp.1 |
    grep -o 'Ev [A-Z_][A-Z_]*' | sed 's/^Ev //' | sort -u >"$tmp/env.man"
comm -23 "$tmp/env.src" "$tmp/env.man" >"$tmp/env.diff"
check_file "ENVIRONMENT of analytics-mcp(1) names every variable the sources read ($(wc -l <"$tmp/env.src"))" \
    "$tmp/env.diff" test ! -s "$tmp/env.diff"

# Limits: each limit of extern.h, with its value, in its row of the
# Limits table of the page.
python3 - mcp-stdio/extern.h man/analytics-mcp.1 >"$tmp/limits" 2>&1 <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
page = open(sys.argv[2]).read()

def value(name):
    m = re.search(r"#define\s+" + name + r"\s+(.+?)\s*(?:/\*|$)", src, re.M)
    if not m:
        raise SystemExit("%s: not in extern.h" % name)
    return eval(re.sub(r"(\d+)u\b", r"\1", m.group(1)))

v = value
table = page[page.index(".Ss Limits"):]
table = table[:table.index(".El")]
rows = [l[4:].split(" Ta ") for l in table.splitlines()
        if l.startswith(".It ") and " Ta " in l]
want = [
    ("request line", 1, v("LINE_MAX_DEFAULT")),
    ("request line", 2, "%d to %d" % (v("LINE_MAX_MIN"), v("LINE_MAX_CEIL"))),
    ("JSON nesting", 1, v("JSON_DEPTH_MAX")),
    ("JSON tokens", 1, v("JSON_TOKENS_MAX")),
    ("Ar max_rows", 1, v("ROWS_DEFAULT")),
    ("row ceiling", 1, v("ROWS_CEIL_DEFAULT")),
    ("row ceiling", 2, "1 to %d" % v("ROWS_CEIL_MAX")),
    ("result budget", 1, v("BYTES_DEFAULT")),
    ("result budget", 2, "%d to %d" % (v("BYTES_MIN"), v("BYTES_MAX"))),
    ("value shown whole", 1, v("CELL_DEFAULT")),
    ("value shown whole", 2, "%d to %d" % (v("CELL_MIN"), v("BYTES_MAX"))),
    ("call deadline", 1, v("TIMEOUT_DEFAULT")),
    ("call deadline", 2, "1 to %d" % v("TIMEOUT_MAX")),
    ("cancel grace", 1, v("CANCEL_GRACE_MS") // 1000),
    ("data memory", 1, v("MEMORY_DEFAULT_MB")),
    ("data memory", 2, "%d to %d" % (v("MEMORY_MIN_MB"), v("MEMORY_MAX_MB"))),
    ("reply line", 1, v("REPLY_FACTOR") * v("BYTES_DEFAULT") +
     v("REPLY_SLACK")),
    ("embedded json depth", 1, v("EMBED_DEPTH_MAX")),
    ("notices per call", 1, v("NOTES_MAX")),
    ("notices per call", 1, v("NOTE_BYTES_MAX")),
    ("GeoJSON decimals", 1, v("GEO_DECIMALS")),
    ("GeoJSON collections", 1, v("GEO_NEST_MAX")),
    ("array dimensions", 1, v("ARRAY_DIMS_MAX")),
    ("sample_table", 1, v("SAMPLE_DEFAULT")),
    ("sample_table", 2, "1 to %d" % v("SAMPLE_MAX")),
    ("requests queued", 1, v("PENDING_MAX")),
    ("connect timeout (seconds)", 1, v("CONNECT_TIMEOUT_S")),
    ("rows per FETCH", 1, v("FETCH_BATCH_MIN")),
    ("SQL in a syslog line", 1, v("AUDIT_SQL_MAX")),
    ("readable schemas", 2, "1 to %d" % v("SCHEMAS_MAX")),
    ("caller name", 2, "1 to %d" % v("CALLER_MAX")),
]
bad = 0
for label, col, val in want:
    row = [r for r in rows if label in r[0]]
    if len(row) != 1 or not re.search(r"(^|\D)%s(\D|$)" % re.escape(str(val)),
                                       row[0][col]):
        print("Limits row %r, column %d: want %s, have %s" %
              (label, col, val, row[0][col] if len(row) == 1 else
               "%d rows" % len(row)))
        bad += 1
sys.exit(1 if bad else 0)
EOF
check_file "every limit of extern.h has its value in the Limits table of analytics-mcp(1)" \
    "$tmp/limits" test ! -s "$tmp/limits"

# ---- 2. install and uninstall ----------------------------------------------

echo "# install"
dest=$tmp/destdir
mkdir "$dest"
if make -s install DESTDIR="$dest" PREFIX=/usr/local >"$tmp/install.log" 2>&1
then
	list_tree "$dest" >"$tmp/installed"
	install_list /usr/local /usr/local/sbin | sort >"$tmp/expected"
	diff "$tmp/expected" "$tmp/installed" >"$tmp/install.diff"
	check_file "make install DESTDIR PREFIX=/usr/local: exactly the $(wc -l <"$tmp/expected") expected files with their modes" \
	    "$tmp/install.diff" test ! -s "$tmp/install.diff"
	check_file "make install creates SYSCONFDIR/analytics-mcp, mode 755" \
	    /dev/null test "$(stat -c %a "$dest/etc/analytics-mcp" 2>&1)" = 755
	v=$("$dest/usr/local/bin/analytics-mcp" --version 2>&1)
	echo "$v" >"$tmp/version"
	check_file "the installed binary's --version prints \"analytics-mcp $VERSION\"" \
	    "$tmp/version" test "$v" = "analytics-mcp $VERSION"
	# The repository's units are what install writes for the default
	# prefix, and each ExecStart names a program install put there.
	: >"$tmp/units.log"
	for u in wrappers/systemd/*.service wrappers/systemd/*.socket; do
		inst=$dest/usr/local/lib/systemd/system/${u##*/}
		cmp "$u" "$inst" >>"$tmp/units.log" 2>&1 ||
		    diff "$u" "$inst" >>"$tmp/units.log" 2>&1
		prog=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$inst")
		[ -z "$prog" ] || [ -x "$dest$prog" ] ||
		    echo "$u: ExecStart=$prog, not installed" >>"$tmp/units.log"
	done
	check_file "the repository's systemd units are the installed ones, each ExecStart a program make install put there" \
	    "$tmp/units.log" test ! -s "$tmp/units.log"
	make -s uninstall DESTDIR="$dest" PREFIX=/usr/local \
	    >"$tmp/uninstall.log" 2>&1
	(cd "$dest" && find . -mindepth 1) >>"$tmp/uninstall.log"
	check_file "make uninstall leaves nothing in DESTDIR" "$tmp/uninstall.log" \
	    test -z "$(cd "$dest" && find . -mindepth 1)"
else
	not_ok "make install DESTDIR PREFIX=/usr/local" "$tmp/install.log"
fi

# ---- 3. make dist -------------------------------------------------------------

echo "# dist"
# make dist and the package are made from git; a tarball has no history.
in_git=false
git rev-parse --is-inside-work-tree >/dev/null 2>&1 && in_git=true
if ! $in_git; then
	echo "# skip: make dist needs a git checkout"
elif make -s dist DIST_OUT="$tmp/dist.tar.gz" >"$tmp/dist.log" 2>&1; then
	tar -tzf "$tmp/dist.tar.gz" | grep -v '/$' >"$tmp/dist.all"
	grep -v "^analytics-mcp-$VERSION/" "$tmp/dist.all" >"$tmp/dist.diff"
	sed "s|^analytics-mcp-$VERSION/||" "$tmp/dist.all" | sort >"$tmp/dist.got"
	git -c core.quotepath=off ls-tree -r --name-only HEAD | sort \
	    >"$tmp/dist.want"
	diff "$tmp/dist.want" "$tmp/dist.got" >>"$tmp/dist.diff"
	check_file "make dist: analytics-mcp-$VERSION/ holds exactly the $(wc -l <"$tmp/dist.want") files tracked in HEAD" \
	    "$tmp/dist.diff" test ! -s "$tmp/dist.diff"
else
	not_ok "make dist" "$tmp/dist.log"
fi

# ---- 4. the Arch package ----------------------------------------------------

echo "# Arch package (Debian's makepkg)"
# The tree to package: HEAD, or, while the files it needs are not all
# committed yet, a snapshot of the working tree (tracked files as they are
# now plus the untracked files of these paths) in a private index.
SHIP_PATHS="Makefile LICENSE PKGBUILD Dockerfile .dockerignore docker man \
mcp-stdio sql tests/unit wrappers"
snapshot() {
	idx=$tmp/index
	# shellcheck disable=SC2086 # SHIP_PATHS is a list of words
	GIT_INDEX_FILE=$idx git read-tree HEAD &&
	    GIT_INDEX_FILE=$idx git add -u -- . &&
	    git ls-files -z -o --exclude-standard -- $SHIP_PATHS |
	    GIT_INDEX_FILE=$idx xargs -0 -r git add -- &&
	    GIT_INDEX_FILE=$idx git write-tree
}
# shellcheck disable=SC2086
if ! $in_git; then
	ref=
elif [ -z "$(git status --porcelain --untracked-files=all -- $SHIP_PATHS)" ]
then
	ref=HEAD
else
	ref=$(snapshot 2>"$tmp/snapshot.err") || ref=
	note "uncommitted changes: packaging a snapshot of the working tree" \
	    "($ref)"
fi
pkgver=$(sed -n 's/^pkgver=//p' PKGBUILD)
check_file "PKGBUILD's pkgver ($pkgver) is the Makefile's VERSION ($VERSION)" \
    /dev/null test "$pkgver" = "$VERSION"
pk=$tmp/makepkg
mkdir -p "$pk"
if ! $in_git; then
	echo "# skip: the package is built from make dist, which needs git"
elif [ -z "$ref" ]; then
	not_ok "a snapshot of the working tree to package" "$tmp/snapshot.err"
elif ! command -v makepkg >/dev/null 2>&1; then
	not_ok "makepkg is installed (Debian package makepkg; tests/deps.sh)"
elif ! make -s dist DIST_REF="$ref" \
    DIST_OUT="$pk/analytics-mcp-$VERSION.tar.gz" >"$tmp/dist2.log" 2>&1
then
	not_ok "make dist DIST_REF=$ref for makepkg" "$tmp/dist2.log"
else
	cp PKGBUILD "$pk/"
	# Offline: Debian's libjsmn-dev stands in for the pinned download,
	# and makepkg's sha256 check proves it is the same file.
	cp /usr/include/jsmn.h "$pk/jsmn-1.1.0.h"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R nobody "$pk"
		as_builder="runuser -u nobody --"
	else
		as_builder=
	fi
	t0=$(date +%s)
	# PACMAN: Debian has no pacman, and --nodeps never calls it, but
	# makepkg stops when it cannot find one.
	(cd "$pk" && $as_builder env -i PATH=/usr/bin:/bin HOME="$pk" \
	    LC_ALL=C.UTF-8 PACMAN=true makepkg --nodeps --noconfirm \
	    --noprogressbar --nocolor) >"$tmp/makepkg.log" 2>&1
	rc=$?
	pkgfile=$(ls "$pk"/analytics-mcp-"$VERSION"-*.pkg.tar* 2>/dev/null |
	    head -n 1)
	if [ "$rc" -ne 0 ] || [ -z "$pkgfile" ]; then
		tail -n 30 "$tmp/makepkg.log" >"$tmp/makepkg.tail"
		not_ok "makepkg --nodeps builds the package as an unprivileged user" \
		    "$tmp/makepkg.tail"
	else
		ok "makepkg builds $(basename "$pkgfile") as $(
		    [ -n "$as_builder" ] && echo nobody || id -un
		    ) in $(($(date +%s) - t0))s, check() included"
		check_file "makepkg ran check(), the unit tests" "$tmp/makepkg.log" \
		    grep -q "Starting check()" "$tmp/makepkg.log"
		check_file "the PKGBUILD's pinned sha256 of jsmn.h 1.1.0 matches Debian's libjsmn-dev header" \
		    "$tmp/makepkg.log" grep -q "jsmn-1.1.0.h ... Passed" \
		    "$tmp/makepkg.log"
		root=$tmp/pkgroot
		mkdir "$root"
		bsdtar -xf "$pkgfile" -C "$root" 2>"$tmp/bsdtar.err"
		bsdtar -tf "$pkgfile" >"$tmp/pkg.tf" 2>>"$tmp/bsdtar.err"
		rm -f "$root/.PKGINFO" "$root/.BUILDINFO" "$root/.MTREE"
		list_tree "$root" >"$tmp/pkg.got"
		{
			install_list /usr /usr/bin .gz
			echo "644 usr/share/licenses/analytics-mcp/LICENSE"
		} | sort >"$tmp/pkg.want"
		diff "$tmp/pkg.want" "$tmp/pkg.got" >"$tmp/pkg.diff"
		cat "$tmp/bsdtar.err" >>"$tmp/pkg.diff"
		check_file "the package holds the install list under /usr (wrappers in /usr/bin, man pages gzipped) and the licence" \
		    "$tmp/pkg.diff" test ! -s "$tmp/pkg.diff"
		check_file "the package has /etc/analytics-mcp/" "$tmp/pkg.tf" \
		    grep -qx 'etc/analytics-mcp/' "$tmp/pkg.tf"
		bsdtar -xOf "$pkgfile" .PKGINFO >"$tmp/pkginfo" 2>/dev/null
		for dep in libpq libbsd; do
			check_file "the package depends on $dep" "$tmp/pkginfo" \
			    grep -qx "depend = $dep" "$tmp/pkginfo"
		done
		check_file "the package names socat as optional" "$tmp/pkginfo" \
		    grep -q '^optdepend = socat' "$tmp/pkginfo"
		v=$("$root/usr/bin/analytics-mcp" --version 2>&1)
		echo "$v" >"$tmp/pkgversion"
		check_file "the packaged binary runs: --version prints \"analytics-mcp $VERSION\"" \
		    "$tmp/pkgversion" test "$v" = "analytics-mcp $VERSION"
	fi
fi

# ---- 5. the Dockerfile ------------------------------------------------------

echo "# Dockerfile (no Docker engine here: checked, not built)"
python3 - Dockerfile >"$tmp/docker" 2>&1 <<'EOF'
import re, shlex, subprocess, sys

text = open(sys.argv[1]).read()
# Join continuation lines, drop comments, split into instructions.
lines, cur = [], ""
for raw in text.splitlines():
    if not cur and raw.lstrip().startswith("#"):
        continue
    if raw.rstrip().endswith("\\"):
        cur += raw.rstrip()[:-1] + " "
        continue
    cur += raw
    if cur.strip():
        lines.append(cur.strip())
    cur = ""
instr = []
for l in lines:
    word, _, rest = l.partition(" ")
    instr.append((word.upper(), rest.strip()))

def result(cond, name, detail=""):
    print(("ok - " if cond else "not ok - ") + name)
    if not cond and detail:
        for d in str(detail).splitlines()[:20]:
            print("#   " + d)

stages = [(i, r) for i, (w, r) in enumerate(instr) if w == "FROM"]
result(len(stages) == 2 and
       re.match(r"debian:bookworm(@\S+)?\s+AS\s+\w+", stages[0][1], re.I)
       and re.match(r"debian:bookworm-slim(@\S+)?(\s|$)", stages[1][1], re.I),
       "Dockerfile: two stages, debian:bookworm then debian:bookworm-slim",
       "\n".join(r for _, r in stages))
build = instr[stages[0][0]:stages[1][0]] if len(stages) == 2 else instr
run = instr[stages[1][0]:] if len(stages) == 2 else []
build_name = stages[0][1].split()[-1] if stages else ""

# Shell commands of RUN instructions: split on && || ; | and do/then.
def commands(sh):
    out = []
    for part in re.split(r"&&|\|\||;|\||\bdo\b|\bthen\b|\belse\b", sh):
        part = part.strip()
        if part:
            out.append(part)
    return out

pkgs, runs_build = [], []
for stage, tag in ((build, "build"), (run, "run")):
    for w, r in stage:
        if w != "RUN":
            continue
        for c in commands(r):
            m = re.match(r"apt-get\s+(?:-\S+\s+)*install\s+(.*)", c)
            if m:
                pkgs += [t for t in shlex.split(m.group(1))
                         if not t.startswith("-")]
            if tag == "build":
                runs_build.append(c)
missing = []
for p in sorted(set(pkgs)):
    name = p.split("=")[0]
    if subprocess.run(["apt-cache", "show", "--no-all-versions", name],
                      stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        missing.append(p)
result(pkgs and not missing,
       "Dockerfile: all %d packages it installs exist in Debian 12 (%s)" %
       (len(set(pkgs)), " ".join(sorted(set(pkgs)))),
       "missing: " + " ".join(missing))

# The build: hardening from dpkg-buildflags, then only our make targets.
result(any("dpkg-buildflags" in c for c in runs_build),
       "Dockerfile: the build stage takes its flags from dpkg-buildflags")
allowed = {"all", "unit", "install", "clean"}
bad, targets = [], set()
for c in runs_build:
    words = shlex.split(c) if c.count('"') % 2 == 0 else c.split()
    if not words:
        continue
    if words[0] in ("cc", "gcc", "clang", "ld", "install", "cp", "mv",
                    "strip", "ninja", "cmake"):
        bad.append(c)
    if words[0] == "make":
        t = [x for x in words[1:] if not x.startswith("-") and "=" not in x]
        targets |= set(t) or {"all"}
        if set(t) - allowed:
            bad.append(c)
result(not bad and {"all", "unit", "install"} <= targets,
       "Dockerfile: the build steps are the project's make targets "
       "(make, make unit, make install)",
       "\n".join(bad) + "\ntargets: " + " ".join(sorted(targets)))
inst = [c for c in runs_build if re.match(r"make\b.*\binstall\b", c)]
result(inst and all("DESTDIR=" in c for c in inst),
       "Dockerfile: make install into a DESTDIR the run stage copies",
       "\n".join(inst))
copies = [r for w, r in run if w == "COPY" and
          re.search(r"--from=" + re.escape(build_name) + r"\b", r)]
result(copies, "Dockerfile: the run stage copies the installed tree from "
       "the build stage")
compiles = [r for w, r in run if w == "RUN" and
            re.search(r"\b(make|gcc|cc|clang)\b", r)]
result(not compiles, "Dockerfile: nothing is built in the run stage",
       "\n".join(compiles))
hc = [r for w, r in instr if w == "HEALTHCHECK"]
result(hc and re.search(r"analytics-mcp\"?,?\s*\"?--check", hc[-1]),
       "Dockerfile: HEALTHCHECK runs analytics-mcp --check",
       "\n".join(hc))
EOF
cat "$tmp/docker"
f=$(grep -c '^not ok' "$tmp/docker")
failures=$((failures + f))
[ -s "$tmp/docker" ] && grep -q '^ok' "$tmp/docker" ||
    not_ok "the Dockerfile checks ran" "$tmp/docker"
if [ -f docker/entrypoint.sh ]; then
	check_file "docker/entrypoint.sh parses (sh -n)" /dev/null \
	    sh -n docker/entrypoint.sh
fi

# The container's sshd: Debian's sshd_config, the installed example's
# Match blocks, docker/sshd_config and a SetEnv line as entrypoint.sh
# writes it, through sshd -t.
if [ -x /usr/sbin/sshd ] && [ -f /usr/share/openssh/sshd_config ]; then
	c=$tmp/sshd
	mkdir -p "$c/d" "$c/hk"
	ssh-keygen -q -t ed25519 -N '' -f "$c/hk/ssh_host_ed25519_key" &&
	    ssh-keygen -q -t rsa -b 2048 -N '' -f "$c/hk/ssh_host_rsa_key"
	sed "s|/etc/ssh/sshd_config.d/|$c/d/|" /usr/share/openssh/sshd_config \
	    >"$c/sshd_config"
	sed 's|/usr/local/bin/analytics-mcp|/usr/bin/analytics-mcp|' \
	    wrappers/sshd_config.example >>"$c/sshd_config"
	sed "s|/etc/ssh/hostkeys/|$c/hk/|" docker/sshd_config \
	    >"$c/d/50-analytics-mcp.conf"
	echo 'SetEnv DATABASE_URL="postgresql://analytics_ro@db/tracksolid_db"' \
	    'MCP_AUDIT_LOG="/var/log/analytics-mcp/audit.jsonl"' \
	    >"$c/d/60-analytics-mcp-env.conf"
	mkdir -p /run/sshd 2>/dev/null
	/usr/sbin/sshd -t -f "$c/sshd_config" >"$c/out" 2>&1 &&
	    /usr/sbin/sshd -T -f "$c/sshd_config" \
	    -C user=analytics,host=client,addr=192.0.2.1 >>"$c/out" 2>&1
	check_file "the container's sshd configuration passes sshd -t (keys file, SetEnv, host keys in the volume)" \
	    "$c/out" grep -q '^setenv DATABASE_URL=' "$c/out"
else
	note "no sshd here: the container's sshd configuration is not checked"
fi

# ---- 6. the runbook's verification steps -----------------------------------

# The commands of README.md and analytics-mcp-deploy(7), verbatim:
# each must appear in both, and is then run as written, except that
# "runuser -u analytics --" runs as ourselves, the service file is a temporary
# one, and /var/log and the key files live in the temporary directory.
RB_BOOT='sh /usr/local/share/analytics-mcp/bootstrap_analytics_ro.sh --service-file /var/lib/analytics/.pg_service.conf --owner analytics'
RB_CHECK='runuser -u analytics -- analytics-mcp --check --dsn service=analytics'
RB_ROLE="runuser -u analytics -- psql service=analytics -c 'CREATE TABLE reporting.x (i int)'"
RB_WRITEDEF='write='\''{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"DELETE FROM reporting.refresh_log"}}}'\'
RB_WRITE='echo "$write" | runuser -u analytics -- analytics-mcp --dsn service=analytics'
RB_ADD="analytics-mcp-keys -a '--dsn service=analytics --audit-log /var/log/analytics-mcp/audit.jsonl' add alice alice.pub"
RB_REMOVE='analytics-mcp-keys remove alice'
RB_UNKNOWN='ssh -i ~/.ssh/not_registered -o IdentitiesOnly=yes -o BatchMode=yes analytics@dbhost'
RB_AUDIT='tail -n 1 /var/log/analytics-mcp/audit.jsonl'

echo "# runbook (README.md, analytics-mcp-deploy(7))"
mandoc -Tascii man/analytics-mcp-deploy.7 2>/dev/null | col -b >"$tmp/deploy.txt"
: >"$tmp/rb.missing"
[ -s "$tmp/deploy.txt" ] ||
    echo "analytics-mcp-deploy(7) rendered to nothing (mandoc | col -b)" \
    >"$tmp/rb.missing"
# Succeeds if file $2 has a line that is command $1, after indentation
# and a "# " or "$ " prompt.
has_command() {
	awk -v c="$1" '{ sub(/^[ \t]+/, ""); sub(/^[#$] /, "") }
	    $0 == c { f = 1 } END { exit !f }' "$2"
}
for c in "$RB_BOOT" "$RB_CHECK" "$RB_ROLE" "$RB_WRITEDEF" "$RB_WRITE" \
    "$RB_ADD" "$RB_REMOVE" "$RB_UNKNOWN" "$RB_AUDIT"; do
	has_command "$c" README.md ||
	    echo "not in README.md: $c" >>"$tmp/rb.missing"
	has_command "$c" "$tmp/deploy.txt" ||
	    echo "not in analytics-mcp-deploy(7): $c" >>"$tmp/rb.missing"
done
check_file "the runbook's commands are the same in README.md and analytics-mcp-deploy(7)" \
    "$tmp/rb.missing" test ! -s "$tmp/rb.missing"

if [ -z "$PGDIR" ]; then
	if sh tests/pg.sh start "$tmp/pg" >"$tmp/pg.log" 2>&1; then
		PGDIR=$tmp/pg own_pg=1
	else
		not_ok "a throwaway PostgreSQL for the runbook checks" "$tmp/pg.log"
	fi
fi
if [ -n "$PGDIR" ]; then
	# shellcheck disable=SC1091
	. "$PGDIR/env"
	rb=$tmp/rb
	mkdir -p "$rb/bin" "$rb/log"
	# Copies, not links into the checkout, whose parents may be closed
	# to other users (see tests/README).
	install -m 0755 "$BIN" "$rb/bin/analytics-mcp"
	install -m 0755 wrappers/analytics-mcp-keys "$rb/bin/"
	# The runbook's paths, mapped into the temporary directory.
	localize() {
		printf '%s\n' "$1" | sed \
		    -e "s|sh /usr/local/share/analytics-mcp/|sh $top/sql/|" \
		    -e "s|/var/lib/analytics/.pg_service.conf|$rb/pg_service.conf|" \
		    -e "s| --owner analytics||" \
		    -e "s|/var/log/analytics-mcp|$rb/log|g" \
		    -e "s|analytics-mcp-keys |analytics-mcp-keys -f $rb/etc/authorized_keys -c $rb/etc/callers |"
	}
	# "runuser -u analytics -- CMD": CMD as ourselves.
	runuser() {
		shift 3
		"$@"
	}
	PATH=$rb/bin:$PATH
	export PGSERVICEFILE="$rb/pg_service.conf"

	# Role bootstrap, as the cluster's superuser.  The cluster's password
	# file is reused (not rotated), and the service account reaches the
	# server over TCP with it.
	boot="$(localize "$RB_BOOT") -h $PGHOST -p $PGPORT --pw-file $PGDIR/ro.pw --conn-host 127.0.0.1"
	(unset PGUSER PGDATABASE; eval "$boot") >"$tmp/boot.log" 2>&1
	rc=$?
	check_file "runbook: bootstrap_analytics_ro.sh applies the role and writes service [analytics], mode 600" \
	    "$tmp/boot.log" test "$rc" -eq 0 -a \
	    "$(stat -c %a "$rb/pg_service.conf" 2>/dev/null)" = 600
	# From here on only the service file names the database.
	unset PGHOST PGPORT PGDATABASE PGUSER

	eval "$RB_CHECK" >"$tmp/check.out" 2>&1
	rc=$?
	echo "exit status $rc" >>"$tmp/check.out"
	check_file "runbook: analytics-mcp --check exits 0 (role analytics_ro, read-only, four schemas; TCP with the bootstrapped password)" \
	    "$tmp/check.out" eval '[ "$rc" -eq 0 ] &&
	    grep -qx "role: analytics_ro" "$tmp/check.out" &&
	    grep -qx "default_transaction_read_only: on" "$tmp/check.out" &&
	    grep -qx "readable_schemas: fuel,reporting,tickets,tracksolid" \
	    "$tmp/check.out"'
	analytics-mcp --dsn "service=analytics port=1" --check \
	    >"$tmp/check1.out" 2>&1
	rc=$?
	check_file "analytics-mcp --check exits 1 when the database cannot be reached" \
	    "$tmp/check1.out" test "$rc" -eq 1

	eval "$RB_ROLE" >"$tmp/role.out" 2>&1
	rc=$?
	echo "exit status $rc" >>"$tmp/role.out"
	check_file "runbook: CREATE TABLE as analytics_ro fails in psql" \
	    "$tmp/role.out" eval '[ "$rc" -ne 0 ] && grep -q "ERROR:" "$tmp/role.out"'

	eval "$RB_WRITEDEF"
	eval "$RB_WRITE" >"$tmp/write.out" 2>"$tmp/write.err"
	cat "$tmp/write.err" >>"$tmp/write.out"
	check_file "runbook: a DELETE through the server is answered isError, query rejected" \
	    "$tmp/write.out" eval 'grep -q "\"isError\":true" "$tmp/write.out" &&
	    grep -q "query rejected" "$tmp/write.out"'

	# Add an analyst, then do what sshd does with her key: run its forced
	# command through the account's shell, with a query on stdin.
	ssh-keygen -q -t ed25519 -N '' -C alice -f "$rb/alice"
	(cd "$rb" && eval "$(localize "$RB_ADD")") >"$tmp/add.log" 2>&1
	cmd=$(sed -n 's/^restrict,command="\([^"]*\)" .* alice$/\1/p' \
	    "$rb/etc/authorized_keys" 2>/dev/null)
	echo "forced command: $cmd" >>"$tmp/add.log"
	want="$rb/bin/analytics-mcp --dsn service=analytics --audit-log $rb/log/audit.jsonl --caller alice"
	check_file "runbook: analytics-mcp-keys add forces the DSN, the audit log and --caller alice" \
	    "$tmp/add.log" test "$cmd" = "$want"
	q='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT count(*) AS devices FROM tracksolid.devices"}}}'
	(printf '%s\n' "$q"; sleep 2) | sh -c "$cmd" >"$tmp/session.out" \
	    2>"$tmp/session.err"
	cat "$tmp/session.err" >>"$tmp/session.out"
	check_file "alice's forced command answers a query" "$tmp/session.out" \
	    grep -q '"isError":false' "$tmp/session.out"
	eval "$(localize "$RB_AUDIT")" >"$tmp/audit.out" 2>&1
	check_file "runbook: the audit log's last line names alice, the tool, ok and the SQL" \
	    "$tmp/audit.out" eval 'grep "\"caller\":\"alice\"" "$tmp/audit.out" |
	    grep "\"tool\":\"query\"" | grep "\"status\":\"ok\"" |
	    grep -q "tracksolid.devices"'
	check_file "the same audit line goes to standard error (the journal under systemd)" \
	    "$tmp/session.err" grep -q 'caller=alice .*tool=query .*status=ok' \
	    "$tmp/session.err"

	# Rotate: remove, then add the new key; only the new one remains.
	ssh-keygen -q -t ed25519 -N '' -C alice -f "$rb/alice-new"
	rot=$(localize "$RB_ADD" | sed 's/ alice\.pub$/ alice-new.pub/')
	(cd "$rb" && eval "$(localize "$RB_REMOVE")" && eval "$rot") \
	    >"$tmp/rotate.log" 2>&1
	new=$(cut -d' ' -f2 "$rb/alice-new.pub")
	old=$(cut -d' ' -f2 "$rb/alice.pub")
	cat "$rb/etc/authorized_keys" "$rb/etc/callers" >>"$tmp/rotate.log" 2>&1
	check_file "runbook: remove then add rotates alice's key (the new key in, the old one out)" \
	    "$tmp/rotate.log" eval 'grep -q "$new alice$" "$rb/etc/authorized_keys" &&
	    ! grep -q "$old" "$rb/etc/authorized_keys" &&
	    [ "$(grep -c " alice$" "$rb/etc/callers")" -eq 1 ]'
	note "runbook: the unknown key that must be refused is checked by" \
	    "tests/reach.sh (\"an unknown key is refused by sshd\")"
fi

[ "$failures" -eq 0 ]
