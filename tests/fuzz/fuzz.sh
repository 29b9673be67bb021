#!/bin/sh
# Run each libFuzzer target (built by make fuzz under ASan and UBSan) for
# SECONDS, from its seed corpus (tests/fuzz/corpus/NAME, read only) and
# what earlier runs found (DIR/corpus/NAME, where new inputs go), with its
# dictionary.  A crash, a broken invariant (an abort), a leak or an input
# running over 10 s is saved as DIR/crashes/NAME/crash-..., leak-... or
# timeout-...: replay it with tests/fuzz/NAME_replay FILE, fix the code,
# and add the file to tests/fuzz/corpus/NAME as a regression case.
#
# usage: tests/fuzz/fuzz.sh DIR SECONDS NAME ...
#
# Prints "ok - ..." or "not ok - ..." per target and "N passed, N failed";
# exits 1 if a target found anything.
set -u

if [ $# -lt 3 ]; then
	echo "usage: tests/fuzz/fuzz.sh DIR SECONDS NAME ..." >&2
	exit 2
fi
dir=$1
seconds=$2
shift 2
passed=0
failed=0

for t in "$@"; do
	mkdir -p "$dir/corpus/$t" "$dir/crashes/$t"
	# The request target's stderr holds one audit line per tool call:
	# -close_fd_mask=2 drops it (libFuzzer and the sanitizers still
	# report), and it reads several request lines at once.
	extra=""
	[ "$t" = request ] && extra="-close_fd_mask=2 -max_len=16384"
	log="$dir/$t.log"
	# shellcheck disable=SC2086
	"$dir/${t}_fuzz" -max_total_time="$seconds" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -dict="tests/fuzz/$t.dict" -artifact_prefix="$dir/crashes/$t/" \
	    $extra "$dir/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -E '^#[0-9]+' "$log" | tail -1 |
	    sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	found=$(find "$dir/crashes/$t" -type f | wc -l)
	if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
		echo "ok - fuzz $t: ${runs:-?} runs in $seconds s," \
		    "coverage ${cov:-?} edges, nothing found"
		passed=$((passed + 1))
	else
		echo "not ok - fuzz $t: exit $rc," \
		    "$found input(s) in $dir/crashes/$t"
		grep -E 'ERROR|SUMMARY|target:|==[0-9]+==' "$log" | head -20 |
		    sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
