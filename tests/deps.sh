#!/bin/sh
# Install the Debian packages that building and testing need, when they
# are missing.  As root it installs them with apt-get; otherwise it names
# them and fails, since nothing else would work without them.
#
#   sh tests/deps.sh          everything make check needs (make deps)
#   sh tests/deps.sh --demo   only what make demo and make try need
#   sh tests/deps.sh --fuzz   what make fuzz needs
#   sh tests/deps.sh --bench  what make bench needs
set -eu

# Building, and the demo's throwaway PostgreSQL with PostGIS (tests/pg.sh)
# and its Python client.  libc6-dev is only recommended by gcc, and
# recommendations are not installed here.
DEMO_PACKAGES="gcc libc6-dev make pkg-config libpq-dev libbsd-dev \
libjsmn-dev postgresql postgresql-15-postgis-3 python3"

# The rest of make check: openssl for the TLS tests; sshd, socat, systemd
# and Node.js (the SDK client) for the transport tests; makepkg, git and
# libarchive-tools for packaging; bsdextrautils has col(1); make lint
# needs mandoc, shellcheck and cppcheck; integration/pgbouncer.py and
# bench/sessions.py need pgbouncer; the golden transcripts also run under
# valgrind.
TEST_PACKAGES="openssl openssh-server openssh-client socat nodejs systemd \
passwd util-linux iproute2 procps mandoc makepkg libarchive-tools git \
bsdextrautils shellcheck cppcheck pgbouncer valgrind"

# make fuzz: clang with libFuzzer and the sanitizers' runtimes
# (libclang-rt-14-dev is only recommended by clang-14).
FUZZ_PACKAGES="clang libclang-rt-14-dev"

# make bench: psql's baselines come with postgresql; Node.js runs the
# reference server; bench/sessions.py needs pgbouncer.
BENCH_PACKAGES="nodejs pgbouncer"

case ${1:-} in
--demo)	PACKAGES=$DEMO_PACKAGES ;;
--fuzz)	PACKAGES="$DEMO_PACKAGES $FUZZ_PACKAGES" ;;
--bench) PACKAGES="$DEMO_PACKAGES $BENCH_PACKAGES"
	command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm" ;;
'')	PACKAGES="$DEMO_PACKAGES $TEST_PACKAGES"
	# Debian's nodejs comes without npm; NodeSource's brings its own
	# and conflicts with Debian's npm package, so ask for npm only
	# when missing.
	command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm" ;;
*)	echo "usage: deps.sh [--demo | --fuzz | --bench]" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them (as root: apt-get install$missing) and retry" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
