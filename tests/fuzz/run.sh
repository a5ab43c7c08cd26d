#!/bin/sh
# Build steward's libFuzzer targets and fuzz each one for a while.
#
#   tests/fuzz/run.sh [TARGET ...]    every target, or only those named
#
#   FUZZ_SECONDS=20       seconds of fuzzing per target
#   FUZZ_BUILD=build-fuzz the build directory (from the top, or absolute)
#   FUZZ_MESON_ARGS=      more options for its first meson setup
#
# Steps: configure FUZZ_BUILD once with CC=clang and -Dfuzz=enabled;
# build only the fuzz targets; replay every file in regressions/TARGET/
# (inputs that once crashed: each must now run clean); then fuzz each
# target for FUZZ_SECONDS, starting from its seed corpus corpus/TARGET/.
# New inputs go to FUZZ_BUILD/fuzz/corpus/TARGET/, never into the tree.
# A crash, leak, timeout or broken property leaves its input in
# FUZZ_BUILD/fuzz/artifacts/TARGET/ and the log beside it; once it is
# understood, copy the input to regressions/TARGET/.  TMPDIR is set to
# FUZZ_BUILD/fuzz/tmp (emptied first) for fuzz-config's sandbox.
#
# Prints one summary line per target; exits 1 if any replay or run
# failed, 0 otherwise.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"

seconds=${FUZZ_SECONDS:-20}
build=${FUZZ_BUILD:-build-fuzz}
case $build in
/*) ;;
*) build=$top/$build ;;
esac
all="config ctl-proto http json parse ward-feed ward-notify ward-proto xmlrpc"
targets=${*:-$all}

# The longest input worth trying, per target.
max_len() {
	case $1 in
	config) echo 8192 ;;    # lines past inih's 200 bytes, three files
	ctl-proto) echo 4200 ;; # CTL_LINE_MAX is 4096
	http) echo 16384 ;;     # pipelined requests, long URLs and headers
	json) echo 8192 ;;      # depth 64 and objects past 16 members
	parse) echo 512 ;;      # one value
	ward-feed) echo 4096 ;; # several lines, some past PROTO_LINE_MAX
	ward-notify) echo 4096 ;; # NOTIFY_MSG_MAX
	ward-proto) echo 1024 ;; # PROTO_LINE_MAX is 512
	xmlrpc) echo 8192 ;;     # nesting past XMLRPC_DEPTH_MAX, multicalls
	*)
		echo "run.sh: unknown target $1 (targets: $all)" >&2
		exit 64
		;;
	esac
}

for t in $targets; do
	max_len "$t" >/dev/null
done

# The first report of a log (up to its first blank line) and its input.
excerpt() {
	awk '!p && /ERROR:|runtime error:|property failed|out of memory/ { p = 1 }
		p && /^$/ { exit }
		p { print }' "$1" | head -14 >&2
	grep -E "Test unit written|^SUMMARY" "$1" | head -2 >&2
}

if ! command -v clang >/dev/null; then
	echo "run.sh: clang is needed (apt-get install clang)" >&2
	exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
	# shellcheck disable=SC2086
	CC=clang meson setup "$build" -Dfuzz=enabled ${FUZZ_MESON_ARGS:-} >&2
fi
# shellcheck disable=SC2046
ninja -C "$build" $(for t in $targets; do echo "tests/fuzz/fuzz-$t"; done) >&2

# fuzz-config's sandbox directories: a crashed run leaves its own.
export TMPDIR="$build/fuzz/tmp"
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
summary=""

for t in $targets; do
	bin=$build/tests/fuzz/fuzz-$t
	work=$build/fuzz/corpus/$t
	art=$build/fuzz/artifacts/$t
	log=$build/fuzz/$t.log
	mkdir -p "$work" "$art"
	status=ok

	# Replay: each file once; a crash is a regression.
	bad=0
	nreg=0
	for f in "$here/regressions/$t"/*; do
		[ -f "$f" ] || continue
		nreg=$((nreg + 1))
		if ! "$bin" "$f" </dev/null >"$log.replay" 2>&1; then
			echo "run.sh: $t: regression $f crashes again:" >&2
			excerpt "$log.replay"
			bad=$((bad + 1))
		fi
	done
	if [ "$bad" -gt 0 ]; then
		status="$bad of $nreg regressions crash"
		failed=1
	fi

	# The ward-* targets share the heartbeat protocol's words.
	case $t in
	ward-*) dict=$here/dict/ward-proto.dict ;;
	*) dict=$here/dict/$t.dict ;;
	esac
	echo "run.sh: fuzzing $t for ${seconds}s (log $log)" >&2
	if ! "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" -dict="$dict" "$work" "$here/corpus/$t" \
		</dev/null >"$log" 2>&1; then
		echo "run.sh: $t: the fuzzer stopped on a finding:" >&2
		excerpt "$log"
		if [ "$status" = ok ]; then
			status="FOUND (see $art/)"
		else
			status="$status; FOUND (see $art/)"
		fi
		failed=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	summary="$summary$(printf '%-12s %8s execs  cov %5s  ft %6s  corpus %5s  %s' \
		"$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status")
"
done

echo "run.sh: summary (${seconds}s each; cov = edges, ft = features):"
printf '%s' "$summary"
exit $failed
