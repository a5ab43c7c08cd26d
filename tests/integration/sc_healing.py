"""Healing: hung, crash-looping and slow-to-start wards are stopped and
restarted with backoff; healthy ones are never touched; a steward that is
itself a ward is healed when its loop hangs."""
import os
import signal

from harness import (Steward, check, alive, check_only_replica_hung,
                     cpu_seconds)
from registry import scenario


@scenario("hung-ward-is-healed")
def hung_ward_is_healed():
    st = Steward("hung", """
[ward:hang]
command = {testward} --beat 50 --work --hang-after 6
heartbeat = pipe
heartbeat_timeout = 500ms
stop_timeout = 2s
backoff = 10ms..100ms
""")
    yield st.start()
    st.wait_event("running", ward="hang")
    stop = st.wait_event("stopping", ward="hang", cause="heartbeat_timeout")
    # Judged within its timeout plus a small slack after the last beat.
    check(500 <= stop["last_beat_ms"] <= 800,
          f"detected {stop['last_beat_ms']}ms after the last beat "
          "(timeout 500ms)", st)
    check(stop.get("work") == "unit-5", f"work unit {stop.get('work')}", st)
    check("log_id" in stop and "no heartbeat for" in stop["message"],
          f"wrapped error with a log id: {stop}", st)
    check(stop["message"].startswith('ward "hang:0" is hung: '),
          stop["message"], st)
    st.wait_event("backoff", ward="hang", cause="heartbeat_timeout")
    st.wait_event("starting", ward="hang", cause="backoff_done")
    st.wait_event("running", ward="hang", count=2)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("healthy-ward-is-never-touched")
def healthy_ward_is_never_touched():
    st = Steward("healthy", """
[ward:healthy]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s

[ward:hang]
command = {testward} --beat 50 --hang-after 3
heartbeat = pipe
heartbeat_timeout = 300ms
backoff = 10ms
restart_limit = 100/1m
""")
    yield st.start()
    st.wait_event("running", ward="healthy")
    # Time passes by events: the hung ward is healed four times.
    st.wait_event("stopping", ward="hang", cause="heartbeat_timeout",
                  count=4, timeout=20)
    touched = [e for e in st.find(ward="healthy")
               if e["event"] not in ("starting", "running")]
    check(not touched, f"the healthy ward was touched: {touched}", st)
    check(len(st.find("starting", ward="healthy")) == 1,
          "healthy ward started more than once", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("one-hung-replica-among-beating-ones")
def one_hung_replica_among_beating_ones():
    # The replicas of a ward share one deadline timer, for the instance
    # that beat longest ago (steward.c).  Replica 3 of 8 hangs, wherever it
    # is in that order: it alone is judged, each time at its own deadline,
    # and the seven that go on beating are never touched.
    st = Steward("hung-replica", """
[ward:herd]
command = {testward} --beat 40 --hang-after 8 --only-replica 3
heartbeat = pipe
heartbeat_timeout = 400ms
replicas = 8
backoff = 10ms
restart_limit = 100/1m
""")
    yield st.start()
    st.wait_event("stopping", ward="herd", cause="heartbeat_timeout",
                  count=3, timeout=20)
    check_only_replica_hung(st, ("herd",), 3, 400, 750)
    check(len(st.find("running", ward="herd")) >= 8 + 2,
          "replica 3 was not healed back to running", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("crash-loop-ends-in-failed")
def crash_loop_ends_in_failed():
    st = Steward("crashloop", """
[ward:crash]
command = {testward} --exit-after 1 --code 3
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 10ms..40ms
restart_limit = 3/1m

[ward:ticker]
command = {testward} --beat 20 --exit-after 5
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 10ms
restart_limit = 100/1m
""")
    yield st.start()
    failed = st.wait_event("failed", ward="crash")
    check(failed["exit_code"] == 3, f"exit code {failed}", st)
    check(failed["tokens"] < 1, f"tokens left {failed['tokens']}", st)
    check("restart limit 3/1m spent" in failed["reason"], failed["reason"],
          st)
    check(failed["level"] == "error" and "log_id" in failed,
          "failed is an error with a log id", st)
    backoffs = st.find("backoff", ward="crash")
    check(len(backoffs) == 3, f"{len(backoffs)} restarts, expected 3", st)
    check([b["restarts"] for b in backoffs] == [1, 2, 3],
          f"restart counts {[b['restarts'] for b in backoffs]}", st)
    # Let time pass (the ticker restarts 5 times): no more attempts.
    n = len(st.find("starting", ward="crash"))
    st.wait_event("backoff", ward="ticker", count=5, timeout=20)
    check(len(st.find("starting", ward="crash")) == n,
          "a failed ward was started again", st)
    # And no CPU spin: stewardd used little CPU meanwhile.
    cpu = cpu_seconds(st.pid)
    check(cpu < 1.0, f"stewardd used {cpu}s of CPU", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("start-timeout-is-healed")
def start_timeout_is_healed():
    st = Steward("starttimeout", """
[ward:mute]
command = {testward} --hang-after 0
heartbeat = pipe
start_timeout = 300ms
backoff = 10ms
""")
    yield st.start()
    e = st.wait_event("stopping", ward="mute", cause="start_timeout")
    check("within start_timeout 300ms" in e["message"], e["message"], st)
    st.wait_event("starting", ward="mute", cause="backoff_done")
    check(st.stop() == 0, "stewardd exit code", st)


# -- stewards that are wards ------------------------------------------------

INNER = """[steward]
event_log = {tmp}/%(name)s.events
socket = {tmp}/%(name)s.sock

[ward:w]
command = {testward} --pidfile {tmp}/%(name)s.pids --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
"""


@scenario("nested-steward-is-healed-when-its-loop-hangs")
def nested_steward_is_healed_when_its_loop_hangs():
    st = Steward("nested", """
[ward:pipe]
command = {stewardd} -c {tmp}/pipe.ini
heartbeat = pipe
heartbeat_timeout = 1s
stop_timeout = 5s
backoff = 10ms

[ward:notify]
command = {stewardd} -c {tmp}/notify.ini
heartbeat = notify
heartbeat_timeout = 1s
stop_timeout = 5s
backoff = 10ms
""", extra_files={"pipe.ini": INNER % {"name": "pipe"},
                  "notify.ini": INNER % {"name": "notify"}})
    yield st.start()
    for name in ("pipe", "notify"):
        e = st.wait_event("running", ward=name)
        # READY=1 came once the inner ward was running.
        check(e["reason"] == "READY=1 received", f"{e}", st)
        st.wait_for(f"{name}'s STATUS= summary",
                    lambda: st.instance(name)["status"] == "1 running")
        check(st.instance(name)["beats"] >= 1, "inner beats", st)
    pids = {n: st.pids_in(f"{n}.pids") for n in ("pipe", "notify")}
    inner = {n: st.instance(n)["pid"] for n in ("pipe", "notify")}
    # Hang the inner stewards' loops: the outer heals them.
    for n in ("pipe", "notify"):
        os.kill(inner[n], signal.SIGSTOP)
    for n in ("pipe", "notify"):
        e = st.wait_event("stopping", ward=n, cause="heartbeat_timeout")
        st.wait_event("running", ward=n, count=2)
        # SIGTERM (and SIGCONT) let the inner steward stop its ward.
        check(not any(alive(p) for p in pids[n]),
              f"the inner ward of {n} outlived its steward", st)
        check(st.instance(n)["pid"] != inner[n], "a new inner steward", st)
    check(st.stop() == 0, "stewardd exit code", st)
    for n in ("pipe", "notify"):
        left = [p for p in st.pids_in(f"{n}.pids") if alive(p)]
        check(not left, f"inner wards left after the outer stopped: {left}",
              st)
