"""Reload (SIGHUP): only the difference is applied, a broken config
changes nothing, a storm of signals coalesces, environment files."""
import os
import signal
import time

import harness
from harness import Steward, check, alive
from registry import scenario
from stanzas import STEWARD


RELOAD_BASE = STEWARD + """include = {tmp}/conf.d/*.ini

[ward:a]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 2s
replicas = %(a)d

[ward:b]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 2s

[ward:c]
command = {testward} --beat %(cbeat)d
heartbeat = pipe
heartbeat_timeout = 2s
"""


def pids(st):
    return {(i["ward"], i["replica"]): i["pid"]
            for i in st.status()["instances"]}


@scenario("reload-applies-only-the-difference")
def reload_applies_only_the_difference():
    st = Steward("reload", RELOAD_BASE % {"a": 2, "cbeat": 50} + """
[ward:r]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 2s
""")
    os.mkdir(st.path("conf.d"))
    yield st.start()
    for w in ("a", "b", "c", "r"):
        st.wait_event("running", ward=w)
    st.wait_event("running", ward="a", replica=1)
    before = pids(st)
    bucket_b = st.instance("b")
    # a: 2 -> 3 replicas; b unchanged; c changed; r removed; d added
    # (from an included file).
    st.write_config(RELOAD_BASE % {"a": 3, "cbeat": 60})
    with open(st.path("conf.d/d.ini"), "w") as f:
        f.write(f"[ward:d]\ncommand = {harness.TESTWARD} --beat 50\n"
                "heartbeat = pipe\nheartbeat_timeout = 2s\n")
    r = st.request("steward/1 reload")
    check(r["ok"], f"reload: {r}", st)
    check(r["added"] == ["d"] and r["changed"] == ["c"] and
          r["removed"] == ["r"] and r["resized"] == ["a (2 -> 3)"] and
          r["unchanged"] == 1, f"reload lists: {r}", st)
    st.wait_event("running", ward="d")
    st.wait_event("running", ward="a", replica=2)
    st.wait_event("running", ward="c", count=2)
    st.wait_for("r to be gone from status",
                lambda: ("r", 0) not in pids(st))
    after = pids(st)
    for key in (("a", 0), ("a", 1), ("b", 0)):
        check(after[key] == before[key], f"{key} kept its pid", st)
    check(after[("c", 0)] != before[("c", 0)], "c was restarted", st)
    b = st.instance("b")
    check(b["uptime_ms"] > bucket_b["uptime_ms"] and
          b["restarts"] == bucket_b["restarts"], "b kept its uptime", st)
    check(not alive(before[("r", 0)]), "r's process is gone", st)
    # What stopped them says so, not "stopped by request".
    stop = st.find("stopping", ward="r")[-1]
    check(stop["cause"] == "stop" and stop["reason"].startswith(
        "stopped by a reload: it is no longer in the config"), f"{stop}", st)
    stop = st.find("stopping", ward="c")[-1]
    check(stop["reason"].startswith(
        "stopped by a reload: its definition changed"), f"{stop}", st)
    rec = st.wait_event("reloaded")
    check(rec["reason"] == "stewardctl reload", f"{rec}", st)
    # Replicas down: a:1 and a:2 stop and disappear; a:0 stays.
    st.write_config(RELOAD_BASE % {"a": 1, "cbeat": 60})
    r = st.request("steward/1 reload")
    check(r["resized"] == ["a (3 -> 1)"], f"{r}", st)
    st.wait_for("a to have one instance",
                lambda: [k for k in pids(st) if k[0] == "a"] == [("a", 0)])
    check(pids(st)[("a", 0)] == before[("a", 0)], "a:0 kept its pid", st)
    stop = st.find("stopping", ward="a", replica=2)[-1]
    check(stop["reason"].startswith("stopped by a reload: replicas 3 -> 1"),
          f"{stop}", st)
    # A no-op reload changes nothing.
    same = pids(st)
    r = st.request("steward/1 reload")
    check(r["ok"] and not (r["added"] or r["changed"] or r["removed"] or
                           r["resized"]), f"no-op reload: {r}", st)
    check(pids(st) == same, "a no-op reload touched a ward", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("reload-with-a-broken-config-changes-nothing")
def reload_with_a_broken_config_changes_nothing():
    st = Steward("reloadbad", RELOAD_BASE % {"a": 1, "cbeat": 50})
    os.mkdir(st.path("conf.d"))
    yield st.start()
    for w in ("a", "b", "c"):
        st.wait_event("running", ward=w)
    before = pids(st)
    st.write_config((RELOAD_BASE % {"a": 1, "cbeat": 50}).replace(
        "replicas = 1", "replicas = lots") + "\n[ward:x]\nbogus\n")
    r = st.request("steward/1 reload")
    check(r["ok"] is False and r["code"] == "config", f"{r}", st)
    check(len(r["problems"]) == 4, f"every problem: {r['problems']}", st)
    check("nothing matches" in r["problems"][0], "warnings too", st)
    check(any('replicas = "lots"' in p for p in r["problems"]) and
          any(':23: "bogus" is not a setting' in p for p in r["problems"]),
          f"{r['problems']}", st)
    e = st.wait_event("reload_failed")
    check("replicas" in e["problems"], f"{e}", st)
    check(pids(st) == before, "a broken reload changed something", st)
    # SIGHUP does the same, quietly in the log.
    st.send(signal.SIGHUP)
    st.wait_event("reload_failed", count=2)
    check(pids(st) == before, "a broken SIGHUP changed something", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("sighup-storm-coalesces")
def sighup_storm_coalesces():
    st = Steward("hupstorm", RELOAD_BASE % {"a": 1, "cbeat": 50})
    os.mkdir(st.path("conf.d"))
    yield st.start()
    st.wait_event("running", ward="c")
    before = pids(st)
    st.write_config(RELOAD_BASE % {"a": 2, "cbeat": 50})
    for _ in range(200):
        os.kill(st.pid, signal.SIGHUP)
    st.wait_event("reloaded")
    st.wait_event("running", ward="a", replica=1)
    # Let any straggler reload happen: a health round trip after 100ms.
    t0 = time.monotonic()
    st.wait_for("the storm to settle",
                lambda: time.monotonic() - t0 > 0.3 and
                st.request("steward/1 health")["ok"])
    n = len(st.find("reloaded"))
    check(1 <= n <= 5, f"{n} reloads for 200 SIGHUPs", st)
    after = pids(st)
    for key, pid in before.items():
        check(after[key] == pid, f"{key} untouched by the storm", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("environment-files-are-read")
def environment_files_are_read():
    st = Steward("envfile", """
[ward:e]
command = /bin/sh -c 'env > {tmp}/env.out; exec {testward} --beat 100'
heartbeat = pipe
heartbeat_timeout = 2s
environment_file = {tmp}/one.env -{tmp}/missing.env {tmp}/two.env
environment = WIN=from-environment
""", extra_files={"one.env": "# comment\nA=1\nQUOTED=\"two words\"\n"
                  "WIN=from-file\n",
                  "two.env": "; other comment\nA=overridden\n\nB='x y'\n"})
    yield st.start()
    st.wait_event("running", ward="e")
    env = dict(line.split("=", 1) for line in
               st.wait_file("env.out").splitlines() if "=" in line)
    check(env.get("A") == "overridden" and env.get("QUOTED") == "two words"
          and env.get("B") == "x y" and env.get("WIN") == "from-environment",
          f"environment files: {env}", st)
    check(st.stop() == 0, "stewardd exit code", st)
    rc, out, err, path = harness.run_check("""[ward:e]
command = /bin/true
environment_file = {tmp}/bad.env /nonexistent.env
""")
    check(rc == 78 and "/nonexistent.env: cannot open" in err, err)
