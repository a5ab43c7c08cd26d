"""Scenarios: ward output read by stewardd (core/ward-output.c): the
tail rings, log files stewardd writes, last words in failure records,
followers."""

import json
import os
import socket
import time

from harness import Steward, check
from registry import scenario
from stanzas import CANARY


def tail(st, *args):
    """The protocol's tail reply for args (a dict)."""
    return st.request("steward/1 tail " + " ".join(args))


def texts(reply):
    return [ln["text"] for ln in reply.get("lines", [])]


@scenario("output-tail-shows-real-lines")
def output_tail_shows_real_lines():
    # stdout into a file stewardd writes, stderr to stewardd's own; a
    # binary line and a 1 MB line; stewardctl tail shows what it wrote.
    st = Steward("tail", """
[ward:talker]
command = /bin/sh -c 'echo hello-out; echo hello-err >&2; printf "bin\\001\\377end\\n"; exec sleep 1000'
stdout = {tmp}/talker.out

[ward:big]
command = /bin/sh -c 'echo before-big; head -c 1048576 /dev/zero | tr "\\000" a; echo; echo after-big; exec sleep 1000'
stdout = {tmp}/big.out
tail_size = 1MiB
""")
    yield st.start()

    def body(name):
        p = st.path(name)
        return open(p, "rb").read() if os.path.exists(p) else b""
    st.wait_for("talker's lines in its file",
                lambda: body("talker.out").endswith(b"end\n"))
    check(body("talker.out") == b"hello-out\nbin\x01\xffend\n",
          f"the file is what it wrote: {body('talker.out')!r}", st)
    r = tail(st, "talker")
    check(texts(r) == ["hello-out", "bin\x01\\xffend"],
          f"tail: binary kept, escaped where shown: {texts(r)}", st)
    r = tail(st, "--stderr", "talker")
    check(texts(r) == ["hello-err"], f"tail --stderr: {texts(r)}", st)
    st.wait_for("stderr on stewardd's stderr",
                lambda: b"hello-err\n" in open(st.stderr_path, "rb").read())
    p = st.ctl("tail", "-n", "1", "talker", check_rc=0)
    check(p.stdout.encode() == b"bin\x01\\xffend\n",
          f"stewardctl tail: {p.stdout!r}", st)

    st.wait_for("the 1 MB line in big's file",
                lambda: body("big.out").endswith(b"after-big\n"))
    check(body("big.out") == b"before-big\n" + b"a" * 1048576 +
          b"\nafter-big\n", f"big's file: {len(body('big.out'))} bytes",
          st)
    r = tail(st, "--lines=100000", "big")
    lines = r["lines"]
    pieces = [ln for ln in lines if set(ln["text"]) == {"a"}]
    check(lines[-1]["text"] == "after-big" and
          all(len(p["text"]) <= 16384 for p in pieces) and
          all(p.get("split") for p in pieces[:-1]) and
          not pieces[-1].get("split") and
          sum(len(p["text"]) for p in pieces) + 16384 * r["missed"]
          >= 1048576, f"the 1 MB line in pieces, marked: {len(pieces)} "
          f"pieces, {r['missed']} missed", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("output-last-words-in-failure-records")
def output_last_words_in_failure_records():
    # A crash, a hang and a spent limit: each record quotes the last
    # lines the ward wrote on stderr.
    st = Steward("words", """
[ward:crasher]
command = /bin/sh -c 'echo starting; echo "giving up (exit 3)" >&2; exit 3'
restart = never

[ward:hanger]
command = /bin/sh -c 'echo "stuck on the database" >&2; exec {testward} --beat 50 --hang-after 3'
heartbeat = pipe
heartbeat_timeout = 300ms
restart = never

[ward:spender]
command = /bin/sh -c 'echo "config broken: line 7" >&2; exit 1'
backoff = 10ms
restart_limit = 2/1m

[job:lookup]
command = /bin/sh -c 'echo "no such key" >&2; exit 2'
""")
    yield st.start()
    e = st.wait_event("exited", ward="crasher")
    check(e.get("last_words") == "giving up (exit 3)" and
          "ended: exited with code 3; last words: giving up (exit 3)"
          in e["reason"],
          f"the crash's record: {e}", st)
    e = st.wait_event("stopping", ward="hanger", cause="heartbeat_timeout")
    check(e.get("last_words") == "stuck on the database",
          f"the hang's record: {e}", st)
    e = st.wait_event("failed", ward="spender")
    check(e.get("last_words") == "config broken: line 7",
          f"the spent limit's record: {e}", st)
    p = st.ctl("status")
    check("last words: config broken: line 7" in p.stdout,
          f"stewardctl status shows them: {p.stdout}", st)
    p = st.ctl("log", "--id", str(e["log_id"]), check_rc=0)
    check("last words: config broken: line 7" in p.stdout,
          f"stewardctl log --id shows them: {p.stdout}", st)
    p = st.ctl("run", "lookup")
    check(p.returncode != 0 and "last words: no such key" in
          p.stdout + p.stderr, f"a failed job replica: {p}", st)
    text = open(st.stderr_path, errors="replace").read()
    check("crasher:0" in text and
          "last words: giving up (exit 3)" in text,
          "the readable line on stderr quotes them", st)
    check(st.stop() == 0, "stewardd exit code", st)


class Follower:
    """A raw control connection following an instance."""

    def __init__(self, st, *args):
        self.sock = st.connect(10)
        self.sock.sendall(("steward/1 tail --follow " + " ".join(args) +
                           "\n").encode())
        self.buf = b""

    def next(self, deadline):
        """The next reply line (a dict), or None at the deadline."""
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def close(self):
        self.sock.close()


@scenario("output-tail-follows-across-restarts")
def output_tail_follows_across_restarts():
    # tail -f goes on through a restart: the lines of the new process
    # come after a spawn note; --previous shows the run before.
    st = Steward("follow", """
[ward:cycler]
command = /bin/sh -c 'echo "run $$ begins"; sleep 1; echo "run $$ ends" >&2; exit 1'
backoff = 100ms
restart_limit = 100/1m
""")
    yield st.start()
    st.wait_event("backoff", ward="cycler")
    f = Follower(st, "cycler")
    seen, spawns = [], 0
    deadline = time.monotonic() + 10
    while spawns < 2 and time.monotonic() < deadline:
        m = f.next(deadline)
        if m is None:
            break
        if m.get("note") == "spawn":
            spawns += 1
        elif "text" in m:
            seen.append(m["text"])
        elif "lines" in m:
            seen += texts(m)
    f.close()
    begins = [t for t in seen if t.endswith("begins")]
    check(spawns == 2 and len(begins) >= 2 and
          len(set(begins)) == len(begins),
          f"followed two restarts: spawns {spawns}, lines {seen}", st)
    st.wait_for("a run's previous lines",
                lambda: any(t.endswith("begins") for t in
                            texts(tail(st, "--previous", "cycler"))))
    r = tail(st, "--previous", "--stderr", "cycler")
    check(r["ok"] and r["run"] == "previous" and
          all(t.endswith("ends") for t in texts(r)) and texts(r),
          f"--previous --stderr: {r}", st)
    # Stopped once its current run has spoken (a stop just after a
    # restart would leave that run with no lines at all).
    def current_run_spoke():
        pid = st.instance("cycler")["pid"]
        return pid and f"run {pid} begins" in texts(
            tail(st, "--lines=5", "cycler"))
    st.wait_for("the current run's first line", current_run_spoke)
    st.ctl("stop", "cycler", check_rc=0)
    st.wait_for("lines of the last run",
                lambda: texts(tail(st, "--lines=1", "cycler")))
    r = tail(st, "--since=1h", "cycler")
    check(r["ok"] and texts(r), f"--since=1h: {texts(r)}", st)
    newest = tail(st, "--lines=1", "cycler")["lines"][-1]["ts_ms"]
    st.wait_for("a moment past the newest line",
                lambda: time.time() * 1000 > newest + 5)
    r = tail(st, "--since=0s", "cycler")
    check(r["ok"] and texts(r) == [], f"--since=0s: {texts(r)}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("output-slow-follower-is-dropped")
def output_slow_follower_is_dropped():
    # A follower that never reads a flooding ward is dropped with a
    # note; stewardd answers all along and the canary is never judged
    # hung.
    st = Steward("slowtail", CANARY + """
[ward:flood]
command = /bin/sh -c 'exec yes "a line of output that floods the follower"'
stdout = null
""")
    yield st.start()
    st.wait_event("running", ward="flood")
    f = Follower(st, "flood")
    f.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    e = st.wait_event("tail_follower_dropped", timeout=20)
    check(e is not None, "the follower was dropped", st)
    t0 = time.monotonic()
    check(st.request("steward/1 health")["ok"], "stewardd answers", st)
    took = time.monotonic() - t0
    check(took < 5, f"health took {took:.2f}s", st)
    f.close()
    check(not st.find("stopping", ward="canary"),
          "the canary was never judged hung", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("output-tail-after-a-flood-counts-every-line")
def output_tail_after_a_flood_counts_every_line():
    # A plain stream no one follows keeps its last bytes uncut and cuts
    # them when a tail asks (core/bytering.c); what it let go is only
    # counted.  Line k says k: the first line kept must be the one after
    # the missed ones, the last the last written, on a file stream and on
    # a memory-only one, and a follower who joins sees the next lines.
    st = Steward("flood", """
[ward:counter]
command = /bin/sh -c 'seq 1 200000; seq 1 150000 >&2; while [ ! -e {tmp}/go ]; do sleep 0.05; done; seq 200001 200003; exec sleep 1000'
stdout = {tmp}/counter.out
stderr = null
tail_lines = 500

[ward:loud]
command = /bin/sh -c 'seq 1 100000 >&2; echo "giving up after the flood" >&2; exit 4'
stderr = {tmp}/loud.err
restart = never

[ward:again]
command = /bin/sh -c 'if [ -e {tmp}/ran ]; then echo second; exec sleep 1000; fi; touch {tmp}/ran; seq 1 100000; echo "first run ends"; exit 1'
stdout = {tmp}/again.out
backoff = 10ms
""")
    yield st.start()
    path = st.path("counter.out")

    def ends(p, tail_bytes):
        try:
            with open(p, "rb") as f:
                f.seek(max(0, os.path.getsize(p) - len(tail_bytes)))
                return f.read() == tail_bytes
        except OSError:
            return False
    st.wait_for("the file's last line", lambda: ends(path, b"\n200000\n"),
                timeout=60)
    for stream, last in (("", 200000), ("--stderr", 150000)):
        r = st.wait_for(f"{stream or 'stdout'}'s last line in the tail",
                        lambda: (lambda r: r if texts(r)[-1:] ==
                                 [str(last)] else None)(
                            tail(st, *([stream] if stream else []),
                                 "--lines=100000", "counter")),
                        timeout=30)
        got = texts(r)
        check(len(got) == 500 and r["missed"] == last - 500 and
              got == [str(k) for k in range(last - 499, last + 1)],
              f"{stream or 'stdout'}: {len(got)} lines kept, "
              f"{r['missed']} missed, first {got[:1]}, last {got[-1:]}",
              st)
    p = st.ctl("tail", "-n", "2", "counter", check_rc=0)
    check(p.stdout == "199999\n200000\n", f"stewardctl tail: {p.stdout!r}",
          st)
    f = Follower(st, "--lines=2", "counter")
    seen = []
    deadline = time.monotonic() + 10
    first = f.next(deadline)
    seen += texts(first or {})
    open(st.path("go"), "w").close()
    while len(seen) < 5 and time.monotonic() < deadline:
        m = f.next(deadline)
        if m is None:
            break
        if "text" in m:
            seen.append(m["text"])
    f.close()
    check(seen == [str(k) for k in range(199999, 200004)],
          f"a follower who joins: {seen}", st)
    # Last words after a flood: the bytes held uncut are cut for them.
    e = st.wait_event("exited", ward="loud")
    check(e.get("last_words") ==
          "99999\\n100000\\ngiving up after the flood",
          f"the record after a flood: {e}", st)
    # A new process: what the last one held uncut is its run's lines.
    st.wait_for("the second run's line",
                lambda: texts(tail(st, "again")) == ["second"])
    r = tail(st, "--previous", "--lines=2", "again")
    check(texts(r) == ["100000", "first run ends"] and
          r["missed"] > 0, f"--previous after a flood: {r}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("output-tail-says-where-the-lines-are")
def output_tail_says_where_the_lines_are():
    # A ward that speaks on stderr only: "stewardctl tail NAME" (stdout)
    # has no line to show and says, on stderr, that its stderr has them;
    # --stderr shows them with no note, and -n 0 asks for none.
    st = Steward("tailwhere", """
[ward:quiet]
command = /bin/sh -c 'echo one >&2; echo two >&2; exec sleep 1000'
""")
    yield st.start()
    st.wait_for("its two stderr lines",
                lambda: len(tail(st, "--stderr", "quiet")["lines"]) == 2)
    check(tail(st, "quiet")["other_lines"] == 2, "other_lines", st)
    p = st.ctl("tail", "quiet", check_rc=0)
    check(p.stdout == "" and "stewardctl: quiet:0 has no lines on stdout; "
          "its stderr has 2 (--stderr)" in p.stderr,
          f"the note: {p.stdout!r} {p.stderr!r}", st)
    p = st.ctl("tail", "--stderr", "quiet", check_rc=0)
    check(p.stdout == "one\ntwo\n" and p.stderr == "",
          f"--stderr: {p.stdout!r} {p.stderr!r}", st)
    p = st.ctl("tail", "-n", "0", "quiet", check_rc=0)
    check(p.stdout == "" and p.stderr == "", f"-n 0: {p.stderr!r}", st)
    check(st.stop() == 0, "stewardd exit code", st)
