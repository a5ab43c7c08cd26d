"""Scenarios: the log files stewardd writes for its wards
(core/output-sink.c): rotation by size, reopen after an external
rotation or a deletion, a full disk, formatted lines."""

import os
import re
import signal
import subprocess

import harness
from harness import Steward, check
from registry import scenario
from stanzas import STEWARD


def read(path):
    with open(path, "rb") as f:
        return f.read()


def read_now(path):
    """What path holds now, or b"" while it is missing: a rotation
    renames the file before it makes the next one, so a look between
    the two finds none (seen under valgrind)."""
    try:
        return read(path)
    except FileNotFoundError:
        return b""


def numbers(body, word):
    """The numbers of the lines '<word> N' in body, in order."""
    return [int(m) for m in re.findall(rb"(?m)^" + word + rb" (\d+)$", body)]


@scenario("output-log-rotates-at-line-boundaries")
def output_log_rotates_at_line_boundaries():
    # 3,000 numbered lines into a 4 KiB file with 3 backups: every file
    # within its size, whole lines only, none lost or doubled across the
    # boundaries the backups keep, and no fourth backup.
    st = Steward("rotate", """
[ward:rot]
command = /bin/sh -c 'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done; echo done; exec sleep 1000'
stdout = {tmp}/logs/rot.log
stdout_max_size = 4KiB
stdout_backups = 3
""")
    os.mkdir(st.path("logs"))
    yield st.start()
    log = st.path("logs/rot.log")
    st.wait_for("the last line",
                lambda: read_now(log).endswith(b"done\n"))
    names = sorted(os.listdir(st.path("logs")))
    check(names == ["rot.log", "rot.log.1", "rot.log.2", "rot.log.3"],
          f"the backups, numbered and capped: {names}", st)
    bodies = [read(st.path("logs/" + n))
              for n in ("rot.log.3", "rot.log.2", "rot.log.1", "rot.log")]
    check(all(len(b) <= 4096 for b in bodies) and
          all(b.endswith(b"\n") for b in bodies),
          f"sizes {[len(b) for b in bodies]}", st)
    got = numbers(b"".join(bodies), b"line")
    check(got == list(range(got[0], 3000)),
          f"consecutive lines {got[0]}..2999 across the files", st)
    check(all(numbers(b, b"line") == list(range(numbers(b, b"line")[0],
                                                 numbers(b, b"line")[0] +
                                                 len(numbers(b, b"line"))))
              for b in bodies[:-1]), "each file whole lines in order", st)
    check(st.stop() == 0, "stewardd exit code", st)


TICKER = """
[ward:tick]
command = /bin/sh -c 'i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.02; done'
stdout = {tmp}/logs/tick.log
"""


@scenario("output-log-reopens-after-logrotate")
def output_log_reopens_after_logrotate():
    # An external rotation (rename, then SIGUSR1) and a deletion (then
    # stewardctl reopen): the lines go on in the new file, none lost
    # between the old and the new one.
    st = Steward("reopen-out", TICKER)
    os.mkdir(st.path("logs"))
    yield st.start()
    log = st.path("logs/tick.log")
    st.wait_for("ticks", lambda: os.path.exists(log) and
                len(numbers(read(log), b"tick")) >= 5)
    os.rename(log, log + ".1")
    st.proc.send_signal(signal.SIGUSR1)
    e = st.wait_event("event_log_reopened", reason="SIGUSR1")
    check(e.get("output_files") == 1, f"{e}", st)
    st.wait_for("ticks in the new file", lambda: os.path.exists(log) and
                len(numbers(read(log), b"tick")) >= 3)
    old, new = numbers(read(log + ".1"), b"tick"), numbers(read(log), b"tick")
    check(old + new[:3] == list(range(old[0], new[2] + 1)),
          f"no tick lost or doubled: ...{old[-3:]} | {new[:3]}...", st)
    os.unlink(log)
    p = st.ctl("reopen", check_rc=0)
    check("1 ward log file" in p.stdout, f"reopen: {p.stdout!r}", st)
    st.wait_for("the deleted file made again", lambda: os.path.exists(log)
                and len(numbers(read(log), b"tick")) >= 3)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("output-log-full-disk-drops-and-says-so")
def output_log_full_disk_drops_and_says_so():
    # A 64 KiB tmpfs filled up: the ward's lines are dropped and counted
    # (output_dropping), stewardd stays well; once there is room, the
    # file says how many were lost, then the lines go on.
    st = Steward("fulldisk", """
[ward:tick]
command = /bin/sh -c 'pad=$(head -c 2000 /dev/zero | tr "\\\\000" p); i=0; while :; do echo "tick $i $pad"; i=$((i+1)); sleep 0.02; done'
stdout = {tmp}/disk/tick.log
""")
    os.mkdir(st.path("disk"))
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                        st.path("disk")], capture_output=True, text=True)
    if r.returncode != 0:
        harness.skip(f"cannot mount a tmpfs: {r.stderr.strip()}")
    try:
        yield st.start()
        log = st.path("disk/tick.log")
        st.wait_for("ticks", lambda: os.path.exists(log) and
                    read(log).count(b"tick ") >= 3)
        filler = st.path("disk/filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"x" * 4096) > 0:
                pass
        except OSError:
            pass
        os.close(fd)
        e = st.wait_event("output_dropping", timeout=10)
        check(e.get("path") == log and "No space" in e.get("errno", ""),
              f"{e}", st)
        check(st.request("steward/1 health")["ok"], "stewardd answers", st)
        os.unlink(filler)
        e = st.wait_event("output_lost", timeout=10)
        check(e.get("lines", 0) > 0, f"{e}", st)
        st.wait_for("ticks after the note", lambda: re.search(
            rb"lines of tick:0 stdout lost here \(No space left on "
            rb"device\)\n(tick \d+ p{2000}\n){3}", read(log)) is not None)
        check(st.stop() == 0, "stewardd exit code", st)
    finally:
        subprocess.run(["umount", "-l", st.path("disk")],
                       capture_output=True)


@scenario("output-prefix-and-timestamps")
def output_prefix_and_timestamps():
    # Formatted lines: "web:0 | line" on stewardd's shared stdout, and
    # a time before each line in a file; a long line's pieces go on
    # with "+".
    st = Steward("prefix", """
[ward:web]
command = /bin/sh -c 'echo hello from web; exec sleep 1000'
output_prefix = yes

[ward:api]
command = /bin/sh -c 'echo hello from api; head -c 20000 /dev/zero | tr "\\\\000" b; echo; exec sleep 1000'
stdout = {tmp}/api.log
output_timestamps = yes
""")
    out = open(st.path("stdout"), "wb")
    yield st.start(stdout=out)
    st.wait_for("web's line on stewardd's stdout",
                lambda: b"web:0 | hello from web\n" in read(st.path("stdout")))
    st.wait_for("api's lines", lambda: os.path.exists(st.path("api.log"))
                and read(st.path("api.log")).count(b"\n") >= 3)
    lines = read(st.path("api.log")).decode().splitlines()
    ts = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    check(re.fullmatch(ts + r" \| hello from api", lines[0]) is not None and
          re.fullmatch(ts + r" \| b{16384}", lines[1]) is not None and
          re.fullmatch(ts + r" \+ b{3616}", lines[2]) is not None,
          f"formatted lines: {[ln[:40] for ln in lines]}", st)
    # The tail ring has the lines themselves, unformatted (cut from its
    # bytes when asked), the long one in its pieces.
    r = st.request("steward/1 tail --lines=10 api")
    got = [(ln["text"], bool(ln.get("split"))) for ln in r["lines"]]
    check(got == [("hello from api", False), ("b" * 16384, True),
                  ("b" * 3616, False)],
          f"api's tail: {[(t[:20], s) for t, s in got]}", st)
    r = st.request("steward/1 tail web")
    check([ln["text"] for ln in r["lines"]] == ["hello from web"],
          f"web's tail: {r}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("output-supervisord-logfile-rotation-honoured")
def output_supervisord_logfile_rotation_honoured():
    # supervisord's stdout_logfile_maxbytes (its KB of 1024) and
    # stdout_logfile_backups, from a [program:x].
    st = Steward("svrotate", STEWARD + "log_dir = {tmp}/logs\n" + """
[program:sv]
command=/bin/sh -c 'i=0; while [ $i -lt 1000 ]; do echo "line $i"; i=$((i+1)); done; echo done; exec sleep 1000'
stdout_logfile={tmp}/rot/sv.log
stdout_logfile_maxbytes=2KB
stdout_logfile_backups=2
startsecs=0
""")
    os.mkdir(st.path("rot"))
    yield st.start()
    log = st.path("rot/sv.log")
    st.wait_for("the last line",
                lambda: read_now(log).endswith(b"done\n"))
    names = sorted(os.listdir(st.path("rot")))
    sizes = [os.path.getsize(st.path("rot/" + n)) for n in names]
    check(names == ["sv.log", "sv.log.1", "sv.log.2"] and
          all(0 < n <= 2048 for n in sizes),
          f"files {names}, sizes {sizes}", st)
    # stderr_logfile = AUTO: a file of its own in the log directory.
    check(os.path.exists(st.path("logs/sv-stderr.log")),
          f"AUTO: {os.listdir(st.path('logs'))}", st)
    check(st.stop() == 0, "stewardd exit code", st)
