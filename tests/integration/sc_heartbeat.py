"""The heartbeat protocols: pipe words (beats, STATUS, WORK, READY) and
garbage on them, and heartbeat = notify with real sd_notify clients."""
import os
import socket
import stat
import time

from harness import Steward, check, fd_count
from registry import scenario


@scenario("protocol-words-are-heard")
def protocol_words_are_heard():
    st = Steward("protocol", """
[ward:ready]
command = {testward} --ready --beat 5000
heartbeat = pipe
heartbeat_timeout = 20s

[ward:trigger]
command = {testward} --beat 50 --trigger-after 3
heartbeat = pipe
heartbeat_timeout = 5s
restart = never

[ward:stopping]
command = {testward} --beat 50 --stopping-after 3
heartbeat = pipe
heartbeat_timeout = 5s
restart = on-failure

[ward:extend]
command = {testward} --beat 50 --extend-after 3 --extend 1500000
heartbeat = pipe
heartbeat_timeout = 300ms
restart = never
""")
    yield st.start()
    e = st.wait_event("running", ward="ready")
    check(e["reason"] == "READY=1 received", e["reason"], st)
    e = st.wait_event("stopping", ward="trigger", cause="watchdog_trigger")
    check("WATCHDOG=trigger" in e["message"], e["message"], st)
    st.wait_event("exited", ward="trigger")
    e = st.wait_event("stopping", ward="stopping", cause="ward_stopping")
    check(e["reason"].startswith("stopping on its own (STOPPING=1)"),
          e["reason"], st)
    e = st.wait_event("exited", ward="stopping")
    check(e["exit_code"] == 0, f"{e}", st)
    # The extension holds the deadline 1.5s from the message, not 300ms.
    e = st.wait_event("stopping", ward="extend", cause="heartbeat_timeout")
    check(1400 <= e["last_beat_ms"] <= 1900,
          f"extended deadline judged at {e['last_beat_ms']}ms", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("garbage-and-flood-harm-no-one")
def garbage_and_flood_harm_no_one():
    st = Steward("flood", """
[ward:flood]
command = {testward} --flood 20000000 --garbage --beat 10
heartbeat = pipe
heartbeat_timeout = 5s

[ward:steady]
command = {testward} --beat 40
heartbeat = pipe
heartbeat_timeout = 600ms
""")
    yield st.start()
    st.wait_event("running", ward="steady")
    bad = st.wait_event("heartbeat_invalid", ward="flood", timeout=30)
    check(bad["level"] == "warn", f"{bad}", st)
    # The flood ward keeps beating through its garbage: still running.
    st.wait_event("heartbeat_invalid", ward="flood", count=2, timeout=30)
    with open(f"/proc/{st.pid}/status") as f:
        rss = [int(l.split()[1]) for l in f if l.startswith("VmRSS")][0]
    check(rss < 30 * 1024, f"stewardd RSS {rss} KiB after a 20 MB flood",
          st)
    check(not st.find("stopping", ward="steady"),
          "the steady ward missed a deadline during the flood", st)
    check(not st.find("stopping", ward="flood"),
          "the flooding ward was judged hung though it beats", st)
    reports = st.find("heartbeat_invalid", ward="flood")
    gaps = [b["ts"] for b in reports]
    check(len(reports) <= 3, f"reports are rate-limited: {gaps}", st)
    check(st.stop() == 0, "stewardd exit code", st)


# -- heartbeat = notify ----------------------------------------------------

NOTIFY_PY = r"""
import array, os, socket, sys, time
a = os.environ["NOTIFY_SOCKET"]
open(sys.argv[1], "w").write(a + "\n" + os.environ["WATCHDOG_USEC"] + "\n"
                             + os.environ["WATCHDOG_PID"] + "\n")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"", a)                                   # zero-length
s.sendto(b"X" * 5000, a)                           # over-long
r, w = os.pipe()
for i in range(20):                                # fds passed, many times
    s.sendmsg([b"WATCHDOG=1"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                  array.array("i", [r, w]))], 0, a)
s.sendto(b"READY=1\nSTATUS=multi word status\nWORK=unit-7", a)
while True:
    s.sendto(b"WATCHDOG=1", a)
    time.sleep(0.05)
"""


@scenario("notify-heartbeats-with-real-clients")
def notify_heartbeats_with_real_clients():
    st = Steward("notify", """
[ward:sdnotify]
command = /bin/sh -c 'systemd-notify --ready --status="shell ward up" && while systemd-notify WATCHDOG=1; do sleep 0.1; done'
heartbeat = notify
heartbeat_timeout = 2s

[ward:py]
command = /usr/bin/python3 {tmp}/notify.py {tmp}/py.env
heartbeat = notify
heartbeat_timeout = 1s

[ward:quiet]
command = /bin/sh -c 'systemd-notify --ready; exec sleep 1000'
heartbeat = notify
heartbeat_timeout = 500ms
backoff = 10ms
""", extra_files={"notify.py": NOTIFY_PY})
    yield st.start()
    e = st.wait_event("running", ward="sdnotify")
    check(e["reason"] == "READY=1 received", f"{e}", st)
    st.wait_for("the shell ward's STATUS=",
                lambda: st.instance("sdnotify")["status"] == "shell ward up")
    st.wait_event("running", ward="py")
    st.wait_event("running", ward="quiet")
    # Every ward's socket and output pipes are open now: the base.
    base = fd_count(st.pid)
    env = st.wait_file("py.env", lines=3).splitlines()
    inst = st.instance("py")
    check(env[1] == "1000000", f"WATCHDOG_USEC {env}", st)
    check(env[2] == str(inst["pid"]), f"WATCHDOG_PID {env} {inst}", st)
    sock_path = env[0]
    # The directory only stewardd can change; the socket its ward's.
    sb = os.lstat(os.path.dirname(sock_path))
    check(stat.S_IMODE(sb.st_mode) == 0o711 and sb.st_uid == os.geteuid(),
          f"notify directory mode {oct(sb.st_mode)} uid {sb.st_uid}", st)
    mode = stat.S_IMODE(os.lstat(sock_path).st_mode)
    check(mode == 0o600, f"notify socket mode {oct(mode)}", st)
    st.wait_for("multi-word status and WORK from one datagram",
                lambda: st.instance("py")["status"] == "multi word status"
                and st.instance("py")["work"] == "unit-7")
    bad = st.wait_event("heartbeat_invalid", ward="py")
    check(bad["total"] >= 1, f"{bad}", st)
    # A stranger (this test, outside the ward) is rejected and reported.
    n_bad = len(st.find("heartbeat_invalid", ward="sdnotify"))
    stranger = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sd_sock = sock_path.replace("/py.0/", "/sdnotify.0/")
    sent = [0.0]

    def rejected():
        # Reports are rate-limited (one per 10 s): keep knocking.
        if time.monotonic() - sent[0] > 0.5:
            stranger.sendto(b"WATCHDOG=trigger", sd_sock)
            sent[0] = time.monotonic()
        got = st.find("heartbeat_invalid", ward="sdnotify")
        return got[n_bad] if len(got) > n_bad else None
    rej = st.wait_for("the stranger's message to be rejected", rejected,
                      timeout=25)
    check("not in the ward's process group" in rej["reason"], f"{rej}", st)
    # The quiet ward stops beating after READY=1: healed.
    e = st.wait_event("stopping", ward="quiet", cause="heartbeat_timeout")
    check("never sent WATCHDOG=1; is its watchdog enabled?" in e["reason"],
          f"a ward that never beat says so: {e}", st)
    # 40 passed fds were all closed: the fd count is back at its base.
    st.wait_for("stewardd's fds back at their base",
                lambda: fd_count(st.pid) <= base + 2, timeout=5)
    check(not st.find("stopping", ward="sdnotify"), "sdnotify healthy", st)
    check(not st.find("stopping", ward="py"), "py healthy", st)
    check(st.stop() == 0, "stewardd exit code", st)
    check(not os.path.exists(os.path.dirname(os.path.dirname(sock_path))),
          "the notify directory is removed at exit", st)
