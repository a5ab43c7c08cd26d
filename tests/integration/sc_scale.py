"""Scenarios of stewardd at its edges: idle, and many wards at once.

They check behaviour with generous bounds (the loop answered while a big
start went on, beats were judged while the rest started, an idle daemon
did not wake); the timings themselves are measured by tests/bench.
"""
import json
import os
import signal
import threading
import time

from registry import scenario
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


def health(st):
    """The health reply, with the loop's figures."""
    return st.request("steward/1 health", timeout=10)


@scenario("scale-big-start-answers-and-judges")
def scale_big_start_answers_and_judges():
    # The hung ward comes first (priority); 2,000 others start after it.
    st = Steward("bigstart", """
[ward:hangs]
command = {testward} --beat 20 --hang-after 2
heartbeat = pipe
heartbeat_timeout = 200ms
backoff = 10ms
restart_limit = 1000/1m
priority = 1

[ward:many]
command = sleep 1000
replicas = 2000
start_timeout = 100ms
""")
    yield st.start(nofile=8192)
    # The loop answers while the start is under way: some health reply
    # says starts are still queued.
    replies = []

    def answered_while_starting():
        h = health(st)
        replies.append(h)
        return h["ok"] and h.get("loop", {}).get("starts_queued", 0) > 0
    st.wait_for("a health reply while starts are queued",
                answered_while_starting, timeout=20)
    # Beats are judged while the rest start: the hung ward is stopped
    # for its missed heartbeat before the last of the many starts.
    st.wait_event("starting", ward="many", replica=1999, timeout=60)
    events = st.events()
    hung = next((i for i, e in enumerate(events)
                 if e.get("event") == "stopping" and e.get("ward") == "hangs"
                 and e.get("cause") == "heartbeat_timeout"), None)
    last = next(i for i, e in enumerate(events)
                if e.get("event") == "starting" and e.get("ward") == "many"
                and e.get("replica") == 1999)
    check(hung is not None and hung < last,
          "the hung ward was judged before the last of 2,000 wards "
          f"started (record {hung} against {last})", st)
    st.wait_for("every instance queued to start", lambda: health(st)[
        "loop"]["starts_queued"] == 0, timeout=60)
    check(st.stop(timeout=60) == 0, "stewardd exit code", st)


@scenario("scale-reload-reads-off-the-loop")
def scale_reload_reads_off_the_loop():
    st = Steward("bigreload", """
[ward:keep]
command = sleep 1000
start_timeout = 100ms
""")
    yield st.start()
    st.wait_event("running", ward="keep")
    pid = st.instance("keep")["pid"]
    # 100,000 more wards: more than any machine here may run (an error
    # the reader finds only once it has read them all), so nothing may
    # change; reading them takes long enough to be seen.
    with open(st.config_path, "a") as f:
        for i in range(100000):
            f.write(f"\n[ward:w{i}]\ncommand = sleep 1000\n")
    reloader = st.connect(timeout=60)
    reloader.sendall(b"steward/1 reload\n")
    # The loop answers while the reload is read: health replies before
    # the reload does.
    h = health(st)
    reloader.setblocking(False)
    try:
        early = reloader.recv(65536)
    except BlockingIOError:
        early = b""
    check(h["ok"] and early == b"",
          "health was answered while the reload was read "
          f"(the reload had replied already: {early[:200]!r})", st)
    reloader.settimeout(60)
    data = early
    while not data.endswith(b"\n"):
        chunk = reloader.recv(65536)
        check(chunk != b"", "the reload's reply came", st)
        data += chunk
    reloader.close()
    reply = json.loads(data)
    check(not reply["ok"] and reply.get("code") == "config",
          f"the reload was refused: {str(reply)[:300]}", st)
    st.wait_event("reload_failed")
    check(st.instance("keep")["pid"] == pid, "keep was not touched", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("scale-big-status-streams-whole")
def scale_big_status_streams_whole():
    st = Steward("bigstatus", """
[ward:keep]
command = sleep 1000
start_timeout = 100ms

[ward:many]
command = sleep 1000
replicas = 3000
start_timeout = 100ms
""")
    yield st.start(nofile=8192)
    st.wait_for("every start done", lambda: health(st)[
        "loop"]["starts_queued"] == 0, timeout=60)
    st.wait_event("running", ward="many", replica=2999, timeout=60)
    # A status of 3,001 instances, its client not reading yet: the
    # reply waits, made only as the client reads.
    slow = st.connect(timeout=60)
    slow.sendall(b"steward/1 status\n")
    check(health(st)["ok"], "health answered beside a big status", st)
    # A stop of the 3,000, its client not reading either, and a request
    # behind it: the results are made as the client reads them.
    stopper = st.connect(timeout=60)
    stopper.sendall(b"steward/1 stop many\nsteward/1 health\n")
    check(health(st)["ok"], "health answered beside a big stop", st)
    # A reload frees the instances the waiting status still has to say.
    with open(st.config_path) as f:
        text = f.read()
    with open(st.config_path, "w") as f:
        f.write(text.split("[ward:many]")[0])
    reply = st.request("steward/1 reload", timeout=60)
    check(reply["ok"] and reply["removed"] == ["many"],
          f"reload removed many: {str(reply)[:200]}", st)
    st.wait_for("many to be gone from status",
                lambda: len(st.status()["instances"]) == 1, timeout=60)
    data = b""
    while b"\n" not in data:
        chunk = slow.recv(1 << 20)
        check(chunk != b"", "the big status reply came whole", st)
        data += chunk
    slow.close()
    # Only the first line is the reply: a connection that sent nothing for
    # CTL_IDLE_SECONDS (a slow run: ASan on a loaded machine) gets a
    # "timeout" line after it, as it is closed.
    doc = json.loads(data.split(b"\n", 1)[0])
    check(doc["ok"] and len(doc["instances"]) == 3001 and
          doc["instances"][-1]["ward"] == "many" and
          doc["instances"][-1]["replica"] == 2999,
          f"one JSON document of 3,001 instances ({len(doc['instances'])})",
          st)
    # The stop's results, whole, then the health behind them.  The reload
    # may have come before every stop was seen: those say it.
    data = b""
    while data.count(b"\n") < 2:
        chunk = stopper.recv(1 << 20)
        check(chunk != b"", "the stop's results and the health came", st)
        data += chunk
    stopper.close()
    res, after = (json.loads(x) for x in data.split(b"\n")[:2])
    rs = res.get("results", [])
    check(len(rs) == 3000 and
          [r["replica"] for r in rs] == list(range(3000)) and
          all(r["ok"] or "reload" in (r["reason"] or "") for r in rs),
          f"one JSON document of 3,000 results: {str(res)[:300]}", st)
    check(after["ok"] and "loop" in after,
          f"the health behind the stop was answered: {after}", st)
    check(st.stop(timeout=60) == 0, "stewardd exit code", st)


@scenario("scale-death-storm-is-heard-in-slices")
def scale_death_storm_is_heard_in_slices():
    # 1,500 beating wards killed at once: each death (pipes read, group
    # killed, record, restart) costs the loop; the ones past a slice are
    # queued and handled in the next iterations, and the loop answers in
    # between.
    n = 1500
    st = Steward("deathstorm", f"""
[ward:herd]
command = {{testward}} --beat 500
heartbeat = pipe
heartbeat_timeout = 5s
replicas = {n}
backoff = 0
restart_limit = 100/1m
""")
    yield st.start(nofile=8192)
    st.wait_for("every start done", lambda: health(st)[
        "loop"]["starts_queued"] == 0, timeout=60)
    st.wait_event("running", ward="herd", count=n, timeout=60)
    before = {i["replica"]: i["pid"] for i in st.status()["instances"]}
    check(len(before) == n and all(before.values()), f"{n} pids", st)
    replies = []
    done = threading.Event()

    def probe():
        while not done.is_set():
            replies.append(health(st))
            time.sleep(0.005)
    th = threading.Thread(target=probe, daemon=True)
    th.start()
    time.sleep(0.05)
    for pid in before.values():
        os.kill(pid, signal.SIGKILL)
    try:
        st.wait_for(f"{n} instances running again", lambda: len(
            {e["replica"] for e in st.find("running", ward="herd")
             if e["pid"] != before[e["replica"]]}) == n, timeout=60)
    finally:
        done.set()
        th.join()
    check(all(h["ok"] for h in replies), "every health reply ok", st)
    queued = [h["loop"].get("deaths_queued", 0) for h in replies]
    check(max(queued) > 0,
          "health was answered while deaths waited for their slice "
          f"(deaths_queued seen: {sorted(set(queued))[-5:]})", st)
    check(health(st)["loop"]["deaths_queued"] == 0, "no death left", st)
    for e in st.find("backoff", ward="herd"):
        check(e["signal"] == "KILL" and e["restarts"] == 1,
              f"one heal each, by KILL: {e}", st)
    check(st.stop(timeout=60) == 0, "stewardd exit code", st)
