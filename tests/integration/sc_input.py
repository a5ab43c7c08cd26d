"""Scenarios for what stewardd reads: files at start and reload, names,
commands, and the arguments of a job run."""
import os
import pwd
import signal
import subprocess
import time

import harness
from harness import Steward, check
from registry import scenario
from stanzas import STEWARD


def check_quick(args, what, limit=10):
    """Run args; fail if it does not end within limit seconds."""
    try:
        return subprocess.run(args, capture_output=True, text=True,
                              timeout=limit)
    except subprocess.TimeoutExpired:
        raise harness.Failure(f"{what} still ran after {limit}s "
                              "(blocked on a FIFO?)")


@scenario("check-refuses-fifos-without-blocking")
def check_refuses_fifos_without_blocking():
    # A FIFO nobody writes would block an open for reading forever:
    # --check (and stewardctl check) must say what it is, at once.
    st = Steward("fifocheck", STEWARD + """include = {tmp}/conf.d/*.ini

[ward:a]
command = {testward} --beat 100
environment_file = {tmp}/env.fifo
""")
    os.mkdir(st.path("conf.d"))
    os.mkfifo(st.path("conf.d/b.ini"))
    os.mkfifo(st.path("env.fifo"))
    for args in ([harness.STEWARDD, "--check", st.config_path],
                 [harness.STEWARDCTL, "check", st.config_path]):
        t0 = time.monotonic()
        r = check_quick(args, " ".join(args[:2]))
        took = time.monotonic() - t0
        check(r.returncode == 78, f"exit {r.returncode}: {r.stderr}")
        check(took < 5, f"took {took:.1f}s")
        check(f"{st.config_path}:4: [steward] include = \"{st.dir}/conf.d/"
              f"*.ini\": {st.dir}/conf.d/b.ini is a FIFO, not a regular "
              "file" in r.stderr, r.stderr)
        check(f"{st.config_path}:8: [ward:a] environment_file "
              f"{st.dir}/env.fifo is a FIFO, not a regular file"
              in r.stderr, r.stderr)
    # The main file itself, and a directory where a file is expected.
    r = check_quick([harness.STEWARDD, "--check", st.path("env.fifo")],
                    "--check of a FIFO")
    check(r.returncode == 78 and f"{st.path('env.fifo')}: is a FIFO, not "
          "a regular file" in r.stderr, r.stderr)
    os.mkdir(st.path("conf.d/c.ini"))
    os.unlink(st.path("conf.d/b.ini"))
    os.unlink(st.path("env.fifo"))
    os.mkfifo(st.path("env.fifo"))
    with open(st.path("steward.ini"), "a") as f:
        f.write("\n[ward:n]\ncommand = /bin/true\n"
                "environment_file = /dev/null\n")
    r = check_quick([harness.STEWARDD, "--check", st.config_path],
                    "--check")
    check(f"{st.dir}/conf.d/c.ini is a directory, not a regular file"
          in r.stderr, r.stderr)
    check("[ward:n]" not in r.stderr and "/dev/null:" not in r.stderr,
          f"/dev/null reads as empty: {r.stderr}")
    yield None


HEALING = STEWARD + """include = {tmp}/conf.d/*.ini

[ward:hang]
command = {testward} --beat 50 --hang-after 4
heartbeat = pipe
heartbeat_timeout = 400ms
stop_timeout = 1s
backoff = 10ms
restart_limit = 1000/1m
%s
[ward:steady]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
"""


@scenario("reload-never-stalls-on-a-fifo")
def reload_never_stalls_on_a_fifo():
    # A SIGHUP (or stewardctl reload) reads the config again inside the
    # loop: a FIFO among the files must fail the reload at once, while
    # stewardd goes on answering and healing its hung ward.
    st = Steward("fiforeload", HEALING % "")
    os.mkdir(st.path("conf.d"))
    yield st.start()
    st.wait_event("stopping", ward="hang", cause="heartbeat_timeout")
    os.mkfifo(st.path("conf.d/late.ini"))
    st.send(signal.SIGHUP)
    e = st.wait_event("reload_failed", timeout=10)
    check("late.ini is a FIFO" in str(e.get("problems")), f"{e}", st)
    r = st.request("steward/1 health", timeout=10)
    check(r["ok"], f"health: {r}", st)
    st.ctl("health", check_rc=0, timeout=10)
    healed = len(st.find("stopping", ward="hang", cause="heartbeat_timeout"))
    st.wait_event("stopping", ward="hang", cause="heartbeat_timeout",
                  count=healed + 1, timeout=10)
    # The same for an environment file, asked over the control socket.
    os.unlink(st.path("conf.d/late.ini"))
    os.mkfifo(st.path("env.fifo"))
    with open(st.config_path, "w") as f:
        f.write(HEALING.format(events=st.events_path,
                               socket=st.socket_path, tmp=st.dir,
                               testward=harness.TESTWARD)
                % f"environment_file = {st.dir}/env.fifo\n")
    r = st.request("steward/1 reload", timeout=10)
    check(r["ok"] is False and r["code"] == "config" and
          any("env.fifo is a FIFO, not a regular file" in p
              for p in r["problems"]), f"{r}", st)
    check(st.request("steward/1 health", timeout=10)["ok"], "health", st)
    healed = len(st.find("stopping", ward="hang", cause="heartbeat_timeout"))
    st.wait_event("stopping", ward="hang", cause="heartbeat_timeout",
                  count=healed + 1, timeout=10)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("job-arguments-may-be-empty-never-nul")
def job_arguments_may_be_empty_never_nul():
    st = Steward("jobargs", """
[job:echo]
command = /bin/sh -c 'for a; do printf "[%s]" "$a"; done' sh
""")
    yield st.start()
    p = st.ctl("run", "echo", "--", "", "a b", "", "100%", timeout=20)
    check(p.returncode == 0 and p.stdout == "[][a b][][100%]",
          f"empty arguments pass: {p}", st)
    # The protocol's %00 would cut an argument short: it is refused.
    r = st.request("steward/1 run echo a%00b")
    check(r["ok"] is False and r["code"] == "usage" and
          "argument 1 holds a NUL byte (%00)" in r["error"], f"{r}", st)
    r = st.request("steward/1 run echo %")
    check(r["ok"] is True, f"a lone % is the empty argument: {r}", st)
    # Too long once encoded: the message says so, not "without spaces".
    p = st.ctl("run", "echo", "--", " " * 100, timeout=20)
    check(p.returncode == 64 and "argument 1 is 300 bytes once "
          "percent-encoded; at most 255" in p.stderr and
          "without spaces" not in p.stderr, f"{p}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("check-refuses-commands-that-cannot-run")
def check_refuses_commands_that_cannot_run():
    st = Steward("cmdcheck", """
[ward:dir]
command = {tmp}/bin

[ward:plain]
command = {tmp}/bin/plain --flag

[ward:onpath]
command = plain
environment = PATH={tmp}/bin

[ward:good]
command = {tmp}/bin/good

[ward:goodpath]
command = good
environment = PATH=/nonexistent:{tmp}/bin

[ward:missing]
command = {tmp}/bin/missing

[ward:nowhere]
command = steward-no-such-program
environment = PATH={tmp}/bin
""")
    os.mkdir(st.path("bin"))
    for name, mode in (("plain", 0o644), ("good", 0o755)):
        with open(st.path("bin/" + name), "w") as f:
            f.write("#!/bin/sh\nexec sleep 100\n")
        os.chmod(st.path("bin/" + name), mode)
    r = check_quick([harness.STEWARDD, "--check", st.config_path],
                    "--check")
    err = r.stderr
    ini = st.config_path
    check(r.returncode == 78, f"exit {r.returncode}: {err}")
    check(f"{ini}:7: [ward:dir] command: {st.dir}/bin is a directory, not "
          "a program" in err, err)
    check(f"{ini}:10: [ward:plain] command: {st.dir}/bin/plain is not "
          "executable" in err, err)
    check(f"{ini}:13: [ward:onpath] command: no executable \"plain\" on "
          f"PATH ({st.dir}/bin/plain is not executable)" in err, err)
    check("[ward:good]" not in err and "[ward:goodpath]" not in err, err)
    check(f"{ini}:24: warning: [ward:missing] command: {st.dir}/bin/missing "
          "does not exist now" in err, err)
    check(f"{ini}:27: warning: [ward:nowhere] command: "
          "\"steward-no-such-program\" is not on PATH now" in err, err)
    if os.geteuid() == 0:
        # Root may run what only root may run; the ward's user may not.
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            nobody = None
        if nobody is not None:
            os.chmod(st.path("bin/good"), 0o700)
            os.mkdir(st.path("priv"), 0o700)
            with open(st.path("priv/tool"), "w") as f:
                f.write("#!/bin/sh\nexec sleep 100\n")
            os.chmod(st.path("priv/tool"), 0o755)
            os.chmod(st.dir, 0o755)
            with open(st.config_path, "w") as f:
                f.write(f"[ward:as]\ncommand = {st.dir}/bin/good\n"
                        "user = nobody\n\n"
                        f"[ward:root]\ncommand = {st.dir}/bin/good\n\n"
                        f"[ward:hidden]\ncommand = {st.dir}/priv/tool\n"
                        "user = nobody\n")
            r = check_quick([harness.STEWARDD, "--check", st.config_path],
                            "--check")
            check(r.returncode == 78 and
                  f"{ini}:2: [ward:as] command: {st.dir}/bin/good is not "
                  "executable by user nobody" in r.stderr and
                  f"{ini}:9: [ward:hidden] command: {st.dir}/priv/tool is "
                  f"out of reach of user nobody: {st.dir}/priv may not be "
                  "searched" in r.stderr and
                  "[ward:root]" not in r.stderr, r.stderr)
    yield None


@scenario("beats-read-after-a-stall-say-how-old-they-may-be")
def beats_read_after_a_stall_say_how_old_they_may_be():
    # Beats that wait in the pipe while stewardd is stopped are stamped
    # when read, so that healthy wards survive a stall; a ward that hung
    # during the stall is then judged a timeout after that read.  Its
    # reason must not pretend the silence was only that long.
    st = Steward("stallbeat", """
[ward:w]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 500ms
restart = never
""")
    yield st.start()
    st.wait_event("running", ward="w")
    ward = st.instance("w")["pid"]
    os.kill(st.pid, signal.SIGSTOP)
    try:
        # The stall is the fault: its length is the stimulus.  The ward
        # beats for 0.5 s into the pipe, then hangs for 2 s unheard.
        time.sleep(0.5)
        os.kill(ward, signal.SIGSTOP)
        time.sleep(2.0)
    finally:
        os.kill(st.pid, signal.SIGCONT)
    e = st.wait_event("stopping", ward="w", cause="heartbeat_timeout")
    check(e.get("silent_up_to_ms", 0) >= 2400,
          f"the silence may have been 2.5 s or more: {e}", st)
    check("waited unread up to" in e["reason"] and
          "while stewardd was stopped or busy" in e["reason"], e["reason"],
          st)
    check(st.stop() == 0, "stewardd exit code", st)
