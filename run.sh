#!/bin/sh
# steward's one set-up script.
#
#   ./run.sh demo    install what is missing, build, run the demo
#   ./run.sh test    install what is missing, build, run every test
#                    (a normal build, then an ASan+UBSan build)
#   ./run.sh build   install what is missing and build
#   ./run.sh valgrind  the integration scenarios with stewardd under valgrind
#   ./run.sh bench   install the peers (runit, s6), build, run the benchmark
#   ./run.sh fuzz    build the libFuzzer targets (clang) and run each
#
# Works as root on a fresh Debian 12 (apt-get); as another user it only
# says which packages are missing.
set -eu
cd "$(dirname "$0")"

PACKAGES="gcc libc6-dev meson ninja-build pkg-config libev-dev libinih-dev libjansson-dev libcmocka-dev libsystemd-dev libmicrohttpd-dev libexpat1-dev python3 procps groff-base"
# Daemons built for sd_notify(3), and supervisord's own listener library,
# that the integration scenarios run as wards (their services play no part).
PACKAGES="$PACKAGES redis-server unbound php-fpm supervisor"

# Install the Debian packages that are not installed yet.
install_missing() {
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "run.sh: missing packages:$missing (run as root, or apt-get install them)" >&2
		exit 1
	fi
	echo "run.sh: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# The daemons' packages would start their services: forbid it for the
	# install (policy-rc.d, as Debian's container images do), unless the
	# machine already has a policy of its own.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
	fi
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null ||
		{ [ -z "$policy" ] || rm -f "$policy"; exit 1; }
	[ -z "$policy" ] || rm -f "$policy"
}

# Configure (once) and build one build directory.
build_dir() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 ||
			{ cat "$dir.setup.log" >&2; exit 1; }
	fi
	# Quiet when it works; the compiler's words when it does not.
	ninja -C "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
}

cmd=${1:-}
case "$cmd" in
build)
	install_missing
	build_dir build
	;;
demo)
	install_missing
	build_dir build
	mkdir -p /tmp/steward-demo
	: >/tmp/steward-demo/events.jsonl
	echo "run.sh: stewardd -c etc/demo.ini (Ctrl-C stops every ward and exits)" >&2
	echo "run.sh: watch 'worker' hang and be healed, 'crasher' be held back; JSON events in /tmp/steward-demo/events.jsonl" >&2
	if [ -n "${DEMO_SECONDS:-}" ]; then
		# For a bounded run (CI, scripts): stop after DEMO_SECONDS.
		build/supervisord/stewardd -c etc/demo.ini &
		pid=$!
		trap 'kill -TERM $pid 2>/dev/null' INT TERM
		sleep "$DEMO_SECONDS"
		kill -TERM $pid
		wait $pid
	else
		exec build/supervisord/stewardd -c etc/demo.ini
	fi
	;;
test)
	# The web page's scenario drives Debian's headless chromium.
	PACKAGES="$PACKAGES chromium chromium-driver" install_missing
	build_dir build
	# The man pages: not one groff warning (-ww every kind, -z no output).
	for page in man/*.[1-8]; do
		out=$(groff -mandoc -ww -z "$page" 2>&1)
		[ -z "$out" ] || { printf '%s\n' "$out" >&2; exit 1; }
	done
	meson test -C build --print-errorlogs --num-processes 2
	build_dir build-sanitize -Db_sanitize=address,undefined -Db_lundef=false
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-sanitize --print-errorlogs --num-processes 2
	;;
valgrind)
	# The integration scenarios with stewardd under valgrind: any leak or
	# memory error makes stewardd exit 1, which fails its scenario.  The
	# scenarios that assert CPU time, RSS or tight timings are left out
	# (valgrind is 20-50 times slower and keeps its own memory), and so
	# are those that run stewardd under a low RLIMIT_NOFILE (valgrind
	# keeps fds of its own below the limit; under it the HTTP burst
	# scenario never saw the server hold its 32 connections) or under
	# a wrapper of their
	# own (cgroups-unavailable), or that re-execute stewardd
	# (supervisorctl restart: /proc/self/exe is valgrind's own there).
	# A scenario that says SKIP (exit 77: no root, no writable cgroup v2
	# here) is no failure.
	PACKAGES="$PACKAGES valgrind" install_missing
	build_dir build
	skip='^(fault-|machine-limits|meson-install|pid1|bash-completion|nested|crash-loop-ends|garbage-and-flood|fd-exhaustion|hostile-clients|job-hundred|scale-|idle-clients-never|spawn-short-of-fds|job-runs-cannot|cgroups-unavailable|http-server-accepts-again|supervisorctl-shutdown-restart)'
	export STEWARDD_WRAPPER="valgrind --leak-check=full --error-exitcode=1 --quiet --child-silent-after-fork=yes"
	export STEWARDD=build/supervisord/stewardd STEWARDCTL=build/supervisord/stewardctl
	export TESTWARD="$PWD/build/tests/integration/testward" SOURCE_ROOT="$PWD"
	python3 tests/integration/scenarios.py --list | grep -Ev "$skip" |
		xargs -P 2 -I{} sh -c 'python3 tests/integration/scenarios.py {} >build/valgrind-{}.log 2>&1; rc=$?; [ $rc -eq 0 ] && echo "ok {}" || { [ $rc -eq 77 ] && echo "skip {}"; } || { echo "FAIL {}"; cat build/valgrind-{}.log; exit 1; }'
	;;
bench)
	# The benchmark (tests/bench/bench.py; its arguments after "bench"),
	# with its peers installed: Debian's supervisor, runit and s6.
	PACKAGES="$PACKAGES runit s6" install_missing
	build_dir build
	shift
	exec python3 tests/bench/bench.py --build build "$@"
	;;
fuzz)
	# libFuzzer targets of tests/fuzz, FUZZ_SECONDS each (default 20).
	install_missing
	PACKAGES="clang libclang-rt-14-dev" install_missing
	shift
	exec tests/fuzz/run.sh "$@"
	;;
*)
	echo "usage: ./run.sh demo | test | build | valgrind | bench [ARG ...] | fuzz [TARGET ...]" >&2
	exit 64
	;;
esac
