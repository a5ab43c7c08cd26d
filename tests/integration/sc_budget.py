"""fd budget scenarios (issue 17, item 6 and item 9's last point).

Idle control clients must never take the fds a ward needs to be spawned,
a spawn that fails for stewardd's own lack of fds is stewardd's failure
(no restart token spent, retried, never `failed`), and the operator gets
in while every connection slot is held.  RLIMIT_NOFILE of the test
daemon is set low (harness start(nofile=...)), or lowered while it runs
(prlimit), to make exhaustion quick.
"""
import os
import resource
import signal
import subprocess
import time

import harness
from harness import Steward, check, alive, skip_low_nofile_under_wrapper
from harness import cpu_seconds
from registry import scenario
from stanzas import CRASHERS

VICTIM = """
[ward:victim]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 10ms..50ms
restart_limit = 10/1m
"""

BYSTANDER = """
[ward:bystander]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 600ms
"""


def timed_status(st):
    """stewardctl status: (exit code, seconds it took, output)."""
    t0 = time.monotonic()
    p = subprocess.run([harness.STEWARDCTL, "-s", st.socket_path, "status"],
                       capture_output=True, text=True, timeout=30)
    took = time.monotonic() - t0
    print(f"{st.name}: stewardctl status answered in {took * 1000:.1f} ms")
    return p.returncode, took, p.stdout + p.stderr


def kill_and_wait(st, ward, n):
    """SIGKILL the ward n times; each time wait for a new running pid."""
    for k in range(n):
        pid = st.instance(ward)["pid"]
        os.kill(pid, signal.SIGKILL)
        st.wait_for(f"{ward} running again after kill {k + 1}",
                    lambda: (lambda i: i["state"] == "running" and
                             i["pid"] not in (0, pid))(st.instance(ward)),
                    timeout=10)


@scenario("idle-clients-never-starve-wards")
def idle_clients_never_starve_wards():
    skip_low_nofile_under_wrapper()
    st = Steward("b-starve", BYSTANDER + VICTIM + CRASHERS)
    # Before the budget, 60 idle clients under 48 fds made spawns fail
    # with EMFILE, and the wards spent their restart limits on it.
    yield st.start(nofile=48)
    st.wait_event("running", ward="victim")
    st.wait_event("running", ward="bystander")
    socks = st.hold_clients(60)
    try:
        # The crashers restart all along, each spawn finding its fds.
        n = len(st.find("running", ward="crasher"))
        st.wait_for("the crashers to restart 3 times each",
                    lambda: len(st.find("running", ward="crasher")) >= n + 12,
                    timeout=15)
        # The operator is answered at once while every slot is held.
        rc, took, out = timed_status(st)
        check(rc == 0 and "victim:0" in out and took < 2.0,
              f"status while full: rc {rc} in {took:.2f}s: {out}", st)
        kill_and_wait(st, "victim", 5)
        rc, took, out = timed_status(st)
        check(rc == 0 and took < 2.0,
              f"status while full: rc {rc} in {took:.2f}s: {out}", st)
    finally:
        for s in socks:
            s.close()
    short = st.find("backoff", cause="stewardd_resources") + \
        st.find("backoff", cause="spawn_failed")
    check(not short, f"a spawn failed while clients held fds: {short[:1]}",
          st)
    check(not st.find("failed"), "a ward failed", st)
    ends = st.find("backoff", ward="victim")
    check(len(ends) == 5 and all(e["cause"] == "signal" for e in ends),
          f"5 heals by signal, nothing else: {[e['cause'] for e in ends]}",
          st)
    check(ends[-1]["tokens"] >= 4, f"tokens left: {ends[-1]['tokens']}", st)
    evicted = st.find("control_evicted")
    check(evicted, "no control_evicted record while clients were evicted",
          st)
    check(not st.find("stopping", ward="bystander"), "bystander touched", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("operator-gets-in-while-every-slot-is-held")
def operator_gets_in_while_every_slot_is_held():
    st = Steward("b-operator", BYSTANDER)
    yield st.start()
    st.wait_event("running", ward="bystander")
    # 64 connections, each accepted, then silent.
    socks = []
    for _ in range(64):
        s = st.connect()
        socks.append(s)
    check(st.request("steward/1 health", sock=socks[-1])["ok"],
          "the 64th connection is served", st)
    try:
        rc, took, out = timed_status(st)
        check(rc == 0 and "bystander:0" in out and took < 2.0,
              f"status with 64 idle clients: rc {rc} in {took:.2f}s: {out}",
              st)
        # The idlest was closed, told why; the one that just asked was not.
        first = socks[0]
        first.settimeout(5)
        data = first.recv(4096)
        check(b'"busy"' in data and b"idle the longest" in data,
              f"the evicted connection was told: {data!r}", st)
        check(st.request("steward/1 health", sock=socks[-1])["ok"],
              "a connection that was active is still served", st)
    finally:
        for s in socks:
            s.close()
    st.wait_event("control_evicted")
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("spawn-short-of-fds-spends-no-tokens")
def spawn_short_of_fds_spends_no_tokens():
    skip_low_nofile_under_wrapper()
    st = Steward("b-short", VICTIM.replace("10/1m", "2/1m"))
    yield st.start(nofile=256)
    # The pid from the log: a control connection would hold an fd that
    # is freed after the limit is set.
    pid = st.wait_event("running", ward="victim")["pid"]
    # Take stewardd's fds away below the budget: only an outside hand
    # can (the budget keeps clients off the wards' reserve).  New fds
    # take the lowest free numbers below the soft limit; the guard's
    # pipe may sit high (near the limit at start) and does not count.
    low = [int(x) for x in os.listdir(f"/proc/{st.pid}/fd") if int(x) < 200]
    resource.prlimit(st.pid, resource.RLIMIT_NOFILE, (max(low) + 1, 256))
    os.kill(pid, signal.SIGKILL)
    first = st.wait_event("backoff", ward="victim",
                          cause="stewardd_resources", timeout=10)
    check(first["level"] == "error" and first.get("fault") == "stewardd",
          f"stewardd's failure, said so: {first}", st)
    check(first["message"].startswith('cannot start ward "victim:0": '
                                      'stewardd itself is short of') and
          "Too many open files" in first["message"],
          f"the message: {first['message']}", st)
    chain = first["error"]
    check(chain[-1].get("errname") == "EMFILE", f"the chain: {chain}", st)
    check("no restart token spent" in first["reason"],
          f"the reason: {first['reason']}", st)
    # Retried with a growing delay, and tokens never spent.
    tries = st.wait_event("backoff", ward="victim",
                          cause="stewardd_resources", count=4, timeout=10)
    delays = [e["delay_ms"] for e in
              st.find("backoff", ward="victim", cause="stewardd_resources")]
    check(delays[-1] > delays[0], f"the retry delay grows: {delays}", st)
    check(tries["tokens"] >= 1 and not st.find("failed", ward="victim"),
          f"tokens spent on stewardd's lack: {tries}", st)
    cpu0 = cpu_seconds(st.pid)
    t0 = time.monotonic()
    st.wait_for("a second to pass while short",
                lambda: time.monotonic() - t0 >= 1.0, timeout=3)
    check(cpu_seconds(st.pid) - cpu0 < 0.3, "spinning while short", st)
    # fds back: the victim runs again, with its tokens.
    resource.prlimit(st.pid, resource.RLIMIT_NOFILE, (256, 256))
    st.wait_event("running", ward="victim", count=2, timeout=10)
    check(not st.find("failed", ward="victim"), "the victim failed", st)
    inst = st.instance("victim")
    check(alive(inst["pid"]), f"victim: {inst}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("job-runs-cannot-take-the-wards-fds")
def job_runs_cannot_take_the_wards_fds():
    skip_low_nofile_under_wrapper()
    st = Steward("b-runs", BYSTANDER + """
[job:echo]
command = /bin/echo hello
replicas = 1
""")
    yield st.start(nofile=64)
    st.wait_event("running", ward="bystander")
    # 200 replicas would need 200 output pipes: far past the budget.
    p = subprocess.run([harness.STEWARDCTL, "-s", st.socket_path, "run",
                        "echo", "--replicas", "200"],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 75 and "200 replicas need 200 file descriptors"
          in p.stderr and "beside the wards' reserve" in p.stderr,
          f"run past the budget: rc {p.returncode}: {p.stderr}", st)
    check(not st.find("run_started"), "a run started past the budget", st)
    p = subprocess.run([harness.STEWARDCTL, "-s", st.socket_path, "run",
                        "echo", "--replicas", "2"],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 0 and p.stdout == "hello\n",
          f"a run that fits: rc {p.returncode}: {p.stdout!r} {p.stderr}", st)
    check(not st.find("stopping", ward="bystander"), "bystander touched", st)
    check(st.stop() == 0, "stewardd exit code", st)
