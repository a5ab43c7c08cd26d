"""Scenarios for dependencies, groups, strategies and escalation."""
import os
import signal
import subprocess

import harness
from harness import Steward, check, alive
from registry import scenario


def ctl(st, *args, timeout=30):
    return subprocess.run([harness.STEWARDCTL, "-s", st.socket_path, *args],
                          capture_output=True, text=True, timeout=timeout)


def order(st, event):
    return [e["ward"] for e in st.find(event)]


DEPS = """
[ward:db]
command = /bin/sh -c 'sleep 0.8; exec {testward} --beat 50'
heartbeat = pipe
heartbeat_timeout = 1s
start_timeout = 5s
stop_timeout = 2s

[ward:cache]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
autostart = false

[ward:web]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
requires = db cache

[ward:log]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
after = web
"""


@scenario("dependencies-order-start-and-stop")
def dependencies_order_start_and_stop():
    st = Steward("deps", DEPS)
    yield st.start()
    # web waits for db's readiness (slow) and pulls cache in.
    w = st.wait_event("waiting", ward="web")
    check("db" in w["for"], f"{w}", st)
    st.wait_event("running", ward="web")
    st.wait_event("running", ward="log")
    starts = order(st, "starting")
    runs = order(st, "running")
    check(runs.index("db") < starts.index("web") and
          runs.index("cache") < starts.index("web"),
          f"web started before what it requires was ready: {starts} "
          f"{runs}", st)
    check(runs.index("web") < starts.index("log"), "log comes after web",
          st)
    # Stopping db refuses, naming what it would take down.
    p = ctl(st, "stop", "db")
    check(p.returncode == 1 and "would take down web, which requires db"
          in p.stderr, f"{p}", st)
    check(st.instance("db")["state"] == "running", "db still up", st)
    p = ctl(st, "stop", "--with-dependents", "db")
    check(p.returncode == 0, f"{p}", st)
    stops = order(st, "stopped")
    check(stops.index("web") < stops.index("db"), f"{stops}", st)
    # Starting web starts db again (and waits for it).
    p = ctl(st, "start", "web")
    check(p.returncode == 0 and st.instance("db")["state"] == "running",
          f"{p}", st)
    # Shutdown: dependents first.
    n = len(st.find("stopped"))
    check(st.stop() == 0, "stewardd exit code", st)
    stops = order(st, "stopped")[n:]
    check(stops.index("log") < stops.index("web") <
          stops.index("db"), f"shutdown order {stops}", st)


# Five alike wards: a, b and c in one group, x and y in another.
GROUPS = "".join(f"""
[ward:{name}]
command = {{testward}} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 10ms
""" for name in "abcxy") + """
[group:trio]
wards = a b c
strategy = one_for_all
restart_limit = 2/1m

[group:rest]
wards = x y
strategy = rest_for_one
"""


@scenario("group-strategies-heal-together")
def group_strategies_heal_together():
    st = Steward("groups", GROUPS)
    yield st.start()
    for w in "abcxy":
        st.wait_event("running", ward=w)
    pids = {w: st.instance(w)["pid"] for w in "abcxy"}
    # one_for_all: b dies, a and c are restarted with it.
    os.kill(pids["b"], signal.SIGKILL)
    st.wait_event("group_restart", group="trio", ward="a")
    st.wait_event("group_restart", group="trio", ward="c")
    for w in "abc":
        st.wait_event("running", ward=w, count=2)
    # The members' records say their group restarted them, not a person.
    for w in "ac":
        for ev in ("stopping", "starting"):
            rec = st.find(ev, ward=w)[-1]
            check(rec["cause"] == "restart" and rec["reason"].startswith(
                'restarted with its group "trio" (one_for_all), which heals '
                '"b:0" (signal)'), f"{rec}", st)
    # rest_for_one: x dies, y (after it) restarts; y dies, x does not.
    os.kill(pids["x"], signal.SIGKILL)
    st.wait_event("group_restart", group="rest", ward="y")
    st.wait_event("running", ward="y", count=2)
    os.kill(st.instance("y")["pid"], signal.SIGKILL)
    st.wait_event("running", ward="y", count=3)
    check(len(st.find("group_restart", group="rest")) == 1,
          "rest_for_one restarted x for y", st)
    # The group's own bucket (2/1m): the third heal stops the group.
    os.kill(st.instance("a")["pid"], signal.SIGKILL)
    st.wait_event("running", ward="a", count=3)
    os.kill(st.instance("c")["pid"], signal.SIGKILL)
    st.wait_event("group_failed", group="trio")
    st.wait_for("every member of group trio to be stopped",
                lambda: all(st.instance(w)["state"] == "stopped"
                            for w in "abc"))
    for w in "abc":
        rec = st.find("stopped", ward=w)[-1]
        check(rec["reason"] == 'stopped with its group "trio": the group\'s '
              "restart limit 2/1m is spent", f"{rec}", st)
    # start GROUP starts its members.
    p = ctl(st, "start", "trio")
    check(p.returncode == 0, f"{p}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("essential-ward-failure-stops-stewardd")
def essential_ward_failure_stops_stewardd():
    st = Steward("essential", """
[ward:keep]
command = {testward} --beat 50 --pidfile {tmp}/pids
heartbeat = pipe
heartbeat_timeout = 1s

[ward:core]
command = {testward} --beat 20 --exit-after 3 --code 9
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 10ms
restart_limit = 2/1m
essential = true
""")
    yield st.start()
    st.expect_exit()
    e = st.wait_event("essential_failed", timeout=15)
    check('essential ward "core:0" failed' in e["message"] and
          "exited with code 9" in e["message"], f"{e}", st)
    rc = st.proc.wait(15)
    check(rc == 1, f"stewardd exit code {rc}", st)
    check(not any(alive(p) for p in st.pids_in("pids")),
          "every ward stopped", st)
    with open(st.stderr_path) as f:
        check("essential ward \"core:0\" failed" in f.read(),
              "said on stderr for the orchestrator's log", st)
