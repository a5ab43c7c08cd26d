"""Endings and the event log: SIGTERM and SIGKILL of stewardd leave
nothing running; the event log reopens and survives a full disk."""
import os
import signal

from harness import Steward, check, alive
from registry import scenario


@scenario("sigterm-leaves-nothing-running")
def sigterm_leaves_nothing_running():
    st = Steward("sigterm", """
[ward:parent]
command = {testward} --child --pidfile {tmp}/pids --beat 50
heartbeat = pipe
heartbeat_timeout = 2s
replicas = 2

[ward:stubborn]
command = {testward} --ignore-term --pidfile {tmp}/pids --beat 50
heartbeat = pipe
heartbeat_timeout = 2s
stop_timeout = 300ms

[ward:quiet]
command = /bin/sh -c 'echo $$ >> {tmp}/pids; sleep 1000 & echo $! >> {tmp}/pids; wait'
""")
    yield st.start()
    st.wait_file("pids", lines=6)
    st.wait_event("running", ward="stubborn")
    pids = st.pids_in("pids")
    check(all(alive(p) for p in pids), "all started", st)
    check(st.stop() == 0, "stewardd exit code after SIGTERM", st)
    kill = st.find("killing", ward="stubborn")
    check(len(kill) == 1, "the stubborn ward got SIGKILL after 300ms", st)
    left = [p for p in pids if alive(p)]
    check(not left, f"still running after SIGTERM: {left}", st)
    check(st.find("stewardd_stopped"), "a last event", st)


@scenario("shutdown-waits-for-every-level-and-stray")
def shutdown_waits_for_every_level_and_stray():
    """The shutdown counts what is live instead of looking at every
    instance after each death: it must neither end while something runs
    (a cgroup still holding a stray after its main process ended) nor
    wait for instances with nothing to stop (stopped, in backoff)."""
    st = Steward("shutcount", """
[ward:stray]
command = /bin/sh -c '(trap "" TERM; exec sleep 1000) & exec {testward} --beat 50'
heartbeat = pipe
heartbeat_timeout = 2s
stop_timeout = 600ms
priority = 100
replicas = 2

[ward:plain]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 2s
priority = 1
replicas = 3

[ward:crash]
command = {testward} --beat 20 --exit-after 2 --code 3
heartbeat = pipe
heartbeat_timeout = 2s
backoff = 1m
priority = 1
""")
    yield st.start()
    for r in range(2):
        st.wait_event("running", ward="stray", replica=r)
    for r in range(3):
        st.wait_event("running", ward="plain", replica=r)
    st.ctl("stop", "plain:2", check_rc=0)
    st.wait_event("backoff", ward="crash")
    n = len(st.events())
    check(st.stop() == 0, "stewardd exit code", st)
    ev = st.events()[n:]

    def at(event, ward, replica=None):
        return [i for i, e in enumerate(ev) if e.get("event") == event and
                e.get("ward") == ward and
                (replica is None or e.get("replica") == replica)]
    end = [i for i, e in enumerate(ev) if e.get("event") ==
           "stewardd_stopped"]
    check(len(end) == 1, "one last record", st)
    stray_stopped = at("stopped", "stray")
    check(len(stray_stopped) == 2,
          f"both stray instances stopped before the end: {ev}", st)
    plain_stopping = at("stopping", "plain")
    check(sorted(e["replica"] for e in (ev[i] for i in plain_stopping))
          == [0, 1], f"plain:0 and plain:1 were stopped, plain:2 (stopped "
          f"already) was not: {ev}", st)
    check(max(stray_stopped) < min(plain_stopping),
          "the lower priority waited until the stray level was empty, "
          f"cgroup included: {ev}", st)
    plain_stopped = at("stopped", "plain")
    check(len(plain_stopped) == 2 and max(plain_stopped) < end[0],
          f"stewardd ended after every instance stopped: {ev}", st)
    check(not at("stopping", "crash"), "crash (in backoff) had nothing to "
          "stop", st)


@scenario("sigkill-of-stewardd-leaves-nothing-running")
def sigkill_of_stewardd_leaves_nothing_running():
    user = "user = nobody\ngroup = nogroup" if os.geteuid() == 0 else ""
    st = Steward("sigkill", f"""
[ward:plain]
command = {{testward}} --pidfile {{tmp}}/pids --beat 50 --child
heartbeat = pipe
heartbeat_timeout = 2s
replicas = 3

[ward:dropped]
command = {{testward}} --pidfile {{tmp}}/pids.dropped --beat 50
heartbeat = pipe
heartbeat_timeout = 2s
{user}
""")
    os.chmod(st.dir, 0o1777)  # sticky, as /tmp (see user-and-group-...)
    yield st.start()
    st.wait_file("pids", lines=6)  # three wards and their children
    st.wait_file("pids.dropped", lines=1)
    for r in range(3):
        st.wait_event("running", ward="plain", replica=r)
    st.wait_event("running", ward="dropped")
    pids = st.pids_in("pids") + st.pids_in("pids.dropped")
    check(len(pids) == 7 and all(alive(p) for p in pids),
          "4 wards and 3 children", st)
    st.stop(signal.SIGKILL)
    st.wait_for("every ward to be gone after SIGKILL of stewardd",
                lambda: not any(alive(p) for p in pids), timeout=5)


@scenario("event-log-reopens")
def event_log_reopens():
    st = Steward("reopen", """
[ward:tick]
command = {testward} --beat 20 --exit-after 10
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 50ms
restart_limit = 1000/1m
""")
    yield st.start()
    st.wait_event("running", ward="tick")
    # Rotation: rename, then SIGUSR1; new events go to a new file.
    os.rename(st.events_path, st.events_path + ".1")
    st.send(signal.SIGUSR1)
    st._offset = 0
    st._partial = b""
    st.wait_event("event_log_reopened", reason="SIGUSR1")
    # Deletion without a signal: noticed and reopened on its own.
    os.unlink(st.events_path)
    st._offset = 0
    st._partial = b""
    st.wait_event("event_log_reopened", timeout=10)
    st.wait_event("backoff", ward="tick")
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("event-log-full-disk-keeps-supervising")
def event_log_full_disk_keeps_supervising():
    st = Steward("fulldisk", """
[ward:tick]
command = {testward} --beat 20 --exit-after 5
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 20ms
restart_limit = 1000/1m
""")
    # The log goes through a symlink we can point at /dev/full (ENOSPC).
    real = st.events_path
    link = st.path("events-link")
    os.symlink(real, link)
    with open(st.config_path) as f:
        text = f.read().replace(f"event_log = {real}", f"event_log = {link}")
    with open(st.config_path, "w") as f:
        f.write(text)
    yield st.start()
    st.wait_event("running", ward="tick")
    os.unlink(link)
    os.symlink("/dev/full", link)
    st.send(signal.SIGUSR1)
    # Supervision goes on while nothing can be written: the ward keeps
    # being restarted (we see it from its pids changing).  Only the
    # ward's pids count (stewardd's guard is a child too), and two
    # restarts must happen while the disk is full: stewardd looks at the
    # log's path before each write, so a record written after the link
    # is put back reaches the file.
    seen = set()

    def restarts():
        for line in open(f"/proc/{st.pid}/task/{st.pid}/children").read() \
                .split():
            try:
                with open(f"/proc/{line}/cmdline", "rb") as f:
                    if b"testward" in f.read():
                        seen.add(int(line))
            except OSError:
                pass  # gone meanwhile
        return len(seen) >= 3
    st.wait_for("the ward to be restarted while the disk is full", restarts,
                timeout=10)
    os.unlink(link)
    os.symlink(real, link)
    st.send(signal.SIGUSR1)
    lost = st.wait_event("events_lost")
    check(lost["lost"] >= 2, f"lost events counted: {lost}", st)
    check(lost.get("errno_name") == "ENOSPC", f"{lost}", st)
    check(st.stop() == 0, "stewardd exit code", st)
