"""Scenarios of stewardd at its edges: idle, and many wards at once.

They check behaviour with generous bounds (the loop answered while a big
start went on, beats were judged while the rest started, an idle daemon
did not wake); the timings themselves are measured by tests/bench.
"""
import os
import time

from scenarios import scenario
from harness import Steward, check


def voluntary_switches(pid):
    """How many times the process gave up the CPU (slept) so far."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise AssertionError(f"no voluntary_ctxt_switches for {pid}")


@scenario("scale-idle-daemon-never-wakes")
def scale_idle_daemon_never_wakes():
    st = Steward("idle", """
[ward:quiet]
command = sleep 1000
replicas = 3
start_timeout = 100ms
""")
    yield st.start()
    for r in range(3):
        st.wait_event("running", ward="quiet", replica=r)
    # Not a wait for something to happen: the batching look's first
    # second (it then stops, having heard no beat) must pass before the
    # window in which nothing may happen.
    time.sleep(1.5)
    before = voluntary_switches(st.pid)
    time.sleep(4)
    woke = voluntary_switches(st.pid) - before
    check(woke <= 1, f"idle stewardd woke {woke} times in 4 s "
          "(nothing was due; expected none)", st)
    # Rotation and deletion are still noticed, by the next record.
    os.rename(st.events_path, st.events_path + ".1")
    open(st.events_path, "w").close()
    st._offset = 0
    st._partial = b""
    st.ctl("restart", "quiet:0", check_rc=0)
    st.wait_event("event_log_reopened",
                  reason="the path names a new file (rotated)")
    st.wait_event("running", ward="quiet", replica=0)
    os.unlink(st.events_path)
    st._offset = 0
    st._partial = b""
    st.ctl("restart", "quiet:1", check_rc=0)
    st.wait_event("event_log_reopened", reason="the file was deleted")
    st.wait_event("running", ward="quiet", replica=1)
    check(st.stop() == 0, "stewardd exit code", st)
