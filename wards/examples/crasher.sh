#!/bin/sh
# A ward that beats once, then crashes: a crash loop that steward's
# restart limit (a token bucket) holds back.
echo >&3
sleep "${CRASH_AFTER:-0.3}"
echo "crasher: giving up (exit 3)" >&2
exit 3
