#!/bin/sh
# A healthy ward: beats at the interval steward asks for (half its
# heartbeat_timeout) and says how long it has been up.
interval_ms=${STEWARD_HEARTBEAT_INTERVAL_MS:-1000}
secs=$(awk "BEGIN { print $interval_ms / 1000 }")
n=0
echo READY=1 >&3
while :; do
	echo >&3 || exit 1
	n=$((n + 1))
	echo "STATUS=beat $n" >&3
	sleep "$secs"
done
