"""The example wards of wards/examples under the real stewardd."""
import os

import harness
from harness import Steward, check
from registry import scenario

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(harness.STEWARDD))), "wards", "examples")
SHELL = os.path.join(harness.SOURCE_ROOT, "wards", "examples")


@scenario("example-wards-beat-and-are-healed")
def example_wards_beat_and_are_healed():
    sdnotify = os.path.join(EXAMPLES, "sdnotify-c")
    config = f"""
[ward:pulse-c]
command = {EXAMPLES}/pulse-c
heartbeat = pipe
heartbeat_timeout = 1s

[ward:worker-c]
command = {EXAMPLES}/worker-c
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 10ms
environment = HANG_AT=3

[ward:pulse-sh]
command = {SHELL}/pulse.sh
heartbeat = pipe
heartbeat_timeout = 2s
"""
    if os.path.exists(sdnotify):
        config += f"""
[ward:sdnotify-c]
command = {sdnotify}
heartbeat = notify
heartbeat_timeout = 1s
"""
    st = Steward("examples", config)
    yield st.start()
    st.wait_event("running", ward="pulse-c")
    st.wait_for("pulse-c's STATUS= from libward",
                lambda: (st.instance("pulse-c")["status"] or "")
                .startswith("tick "))
    e = st.wait_event("stopping", ward="worker-c", cause="heartbeat_timeout")
    check(e.get("work") == "job-3", f"healed in its unit: {e}", st)
    st.wait_event("running", ward="pulse-sh")
    if os.path.exists(sdnotify):
        # libsystemd's own sd_notify(3), over NOTIFY_SOCKET.
        e = st.wait_event("running", ward="sdnotify-c")
        check(e["reason"] == "READY=1 received", f"{e}", st)
        st.wait_for("sdnotify-c's beats",
                    lambda: st.instance("sdnotify-c")["beats"] >= 3)
    else:
        print("sdnotify-c not built (no libsystemd-dev): not run")
    check(not st.find("stopping", ward="pulse-c"), "pulse-c healthy", st)
    check(st.stop() == 0, "stewardd exit code", st)
