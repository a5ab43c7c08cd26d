"""Scenarios: stewardd attacked by what it reads.  A ward that writes
hostile bytes (NULs, invalid UTF-8, the noncharacters XML cannot carry,
terminal escapes, a megabyte with no newline) is shown escaped by every
reader: stewardctl tail and status, the readable stderr line, the web
page and the XML-RPC answers, which Python's xmlrpc.client must parse."""
import base64
import http.client
import os
import pty
import pwd
import re
import select
import socket
import stat
import subprocess
import threading
import time
import xmlrpc.client

import harness
from harness import STEWARDCTL, Steward, alive, check, fd_count
from registry import scenario
import stanzas
import webdriver

USER, PASSWORD = stanzas.SV_AUTH
NOBODY = 65534
# stewardd's HTTP_REQUEST_SECONDS and HTTP_CONN_MAX (ctl/http.h).
REQUEST_SECONDS, CONN_MAX = 10, 32

# One line of everything a terminal or an XML parser chokes on: NUL, C0,
# an ESC sequence, DEL, a C1 CSI (raw and encoded), a lone byte, a
# surrogate, U+FFFE, U+FFFF, a bidi override, a return.
HOSTILE = (b"A\x00B\x01C\x1b[31mRED\x1b]0;title\x07D\x7fE\x9bF\xc2\x9bG"
           b"\xffH\xed\xa0\x80I\xef\xbf\xbeJ\xef\xbf\xbfK\xe2\x80\xaeL\rM")

WRITER = r"""
import os, sys
h = bytes.fromhex(sys.argv[1])
os.write(1, b"first\n" + b"x" * (1 << 20))    # a megabyte, no newline
os.write(1, b"\n" + h + b"\nlast\n")
os.write(2, h + b"\n")
sys.exit(3)
"""

CONF = stanzas.INET_HEAD + """
[program:hostile]
command=/usr/bin/python3 %(here)s/writer.py {hex}
stdout_logfile=%(here)s/hostile.out
stderr_logfile=%(here)s/hostile.err
startsecs=0
autorestart=false
"""

# A terminal acts on ESC, BEL, C1 and the bidi override; XML 1.0 has no
# place for C0 but tab, newline and return, nor for U+FFFE and U+FFFF.
RAW = ("\x1b", "\x07", "\x00", "\x01", "\x9b", "\u202e")
NOT_XML = ("\ufffe", "\uffff")


def _raw_in(text, more=()):
    return [c for c in RAW + more if c in text]


def _on_tty(st, *args):
    """stewardctl's output on a terminal (a pty), as text."""
    main, sub = pty.openpty()
    try:
        p = subprocess.run([STEWARDCTL, "-s", st.socket_path, *args],
                           stdin=subprocess.DEVNULL, stdout=sub,
                           stderr=subprocess.DEVNULL, timeout=30)
        os.close(sub)
        sub = -1
        data = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:   # EIO: the writer is gone, all read
                break
            if not chunk:
                break
            data += chunk
        return p.returncode, data.decode("utf-8", "replace")
    finally:
        os.close(main)
        if sub != -1:
            os.close(sub)


def _proxy(port):
    return xmlrpc.client.ServerProxy(
        f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/RPC2")


def _page(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    try:
        c.request("GET", "/", headers={"Authorization": "Basic " + auth})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


@scenario("hostile-ward-bytes-are-escaped-everywhere")
def hostile_ward_bytes_are_escaped_everywhere():
    port = webdriver.free_port()
    st = Steward("hostile", "")
    with open(st.path("writer.py"), "w") as f:
        f.write(WRITER)
    st.supervisord_conf(CONF.format(port=port, user=USER, password=PASSWORD,
                                    hex=HOSTILE.hex()))
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    e = st.wait_event("exited", ward="hostile", timeout=15)
    out = st.path("hostile.out")
    st.wait_for("the whole output in its file",
                lambda: open(out, "rb").read().endswith(b"last\n"))
    body = open(out, "rb").read()
    check(body == b"first\n" + b"x" * (1 << 20) + b"\n" + HOSTILE +
          b"\nlast\n", f"the file is what it wrote: {len(body)}", st)

    # Shown to a person: stewardctl tail, status, the event record.
    # (stewardctl tail writes the ward's bytes as they came into a pipe,
    # for grep; on a terminal it escapes them.)
    # (status's own bold header aside.)
    for args, mark in ((("tail", "-n", "2", "hostile"), "RED"),
                       (("tail", "--stderr", "hostile"), "RED"),
                       (("status", "hostile"), "last words: A\\x00B"),
                       (("log", "--id", "1"), "RED")):
        rc, text = _on_tty(st, *args)
        text = text.replace("\x1b[1m", "").replace("\x1b[0m", "")
        check(not _raw_in(text) and mark in text,
              f"stewardctl {' '.join(args)} (exit {rc}): {text!r}", st)
    p = st.ctl("tail", "-n", "2", "hostile", check_rc=0)
    check("A\x00B\x01C\x1b[31mRED" in p.stdout,
          f"stewardctl tail into a pipe: {p.stdout!r}", st)
    check(not _raw_in(e.get("message", "")), f"the record: {e}", st)
    err = open(st.stderr_path, "rb").read().decode("utf-8", "replace")
    check(not _raw_in(err), f"stewardd's stderr: {err[-600:]!r}", st)

    # The web page: escaped, no byte a browser would act on.
    code, page = _page(port)
    text = page.decode("utf-8", "replace")
    check(code == 200 and "RED" in text and not _raw_in(text, NOT_XML),
          f"the web page ({code}): {_raw_in(text, NOT_XML)} "
          f"{[text[max(0, i - 80):i + 80] for i in [text.find('RED')]]}",
          st)

    # XML-RPC: every answer well-formed, as xmlrpc.client parses it.
    px = _proxy(port)
    answers = {}
    for name, call in (
            ("readProcessStdoutLog",
             lambda: px.supervisor.readProcessStdoutLog("hostile", -200, 0)),
            ("tailProcessStdoutLog",
             lambda: px.supervisor.tailProcessStdoutLog("hostile", 0, 50)),
            ("readProcessStderrLog",
             lambda: px.supervisor.readProcessStderrLog("hostile", 0, 0)),
            ("tailProcessStderrLog",
             lambda: px.supervisor.tailProcessStderrLog("hostile", 0, 200)),
            ("getProcessInfo",
             lambda: px.supervisor.getProcessInfo("hostile")),
            ("getAllProcessInfo",
             lambda: px.supervisor.getAllProcessInfo()),
            ("readLog", lambda: px.supervisor.readLog(0, 0))):
        try:
            answers[name] = call()
        except xmlrpc.client.Fault as f:
            answers[name] = f
        except Exception as x:   # a parse error: not well-formed
            check(False, f"{name}: {type(x).__name__}: {x}", st)
    got = answers["readProcessStdoutLog"]
    check(isinstance(got, str) and got.endswith("M\nlast\n") and
          "RED" in got, f"readProcessStdoutLog: {got!r}", st)
    got = answers["tailProcessStdoutLog"]
    check(isinstance(got, list) and got[0].endswith("M\nlast\n"),
          f"tailProcessStdoutLog: {got!r}", st)
    got = answers["readProcessStderrLog"]
    check(isinstance(got, str) and "RED" in got and "M\n" in got,
          f"readProcessStderrLog: {got!r}", st)
    check(alive(st.pid), "stewardd is alive", st)
    check(st.stop() == 0, "stewardd exit code", st)


# The attacker of the log directory, run as the ward's own user while
# stewardd rotates: every name stewardd renames or opens (out.log and its
# backups) becomes, over and over, a symlink to root's files, a FIFO, a
# directory, or a file of the user's own (which root may append to).
PLANTER = r"""
import os, sys, time
d, secs, victims = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
end = time.monotonic() + secs
names = ["out.log"] + ["out.log.%d" % i for i in (1, 2, 3)]
n = 0
while time.monotonic() < end:
    for i, name in enumerate(names):
        p, tmp = os.path.join(d, name), os.path.join(d, ".plant")
        kind = (n + i) % 4
        try:
            if kind == 0:
                os.symlink(victims[n % len(victims)], tmp)
            elif kind == 1:
                os.mkfifo(tmp)
            elif kind == 2:
                os.mkdir(tmp)
            else:
                open(tmp, "w").close()
            os.rename(tmp, p)
        except OSError:
            for f in (os.rmdir, os.unlink):
                try:
                    f(tmp)
                except OSError:
                    pass
    n += 1
    time.sleep(0.002)
print("planted", n)
"""


@scenario("ward-log-dir-attacked-by-ward-user")
def ward_log_dir_attacked_by_ward_user():
    """The ward's user owns the directory of its log file and plants
    links, FIFOs and directories at the log's name and at every backup
    name while stewardd rotates it and is told to reopen it; a hard link
    to root's file (made by root here, as any user can where
    protected_hardlinks is off) waits at a backup name.  Root's files
    stay as they were; stewardd lives and answers."""
    harness.need_root("needs root (the ward's user attacks)")
    pwd.getpwuid(NOBODY)
    st = Steward("logdir", """
[ward:w]
command = /bin/sh -c 'i=0; while :; do i=$((i+1)); echo line $i of the output, long enough to rotate soon; done'
user = nobody
stdout = {tmp}/logs/out.log
stdout_max_size = 4KiB
stdout_backups = 3
""")
    os.chmod(st.dir, 0o755)
    os.mkdir(st.path("logs"), 0o755)
    os.chown(st.path("logs"), NOBODY, NOBODY)
    os.mkdir(st.path("root"), 0o755)   # root's own, like /etc
    victims = []
    for name in ("passwd", "shadow", "cron"):
        p = st.path("root/" + name)
        with open(p, "w") as f:
            f.write("root's own\n")
        os.chmod(p, 0o600)
        victims.append(p)
    os.link(victims[1], st.path("logs/out.log.2"))
    with open(st.path("planter.py"), "w") as f:
        f.write(PLANTER)
    yield st.start()
    st.wait_for("a first rotation",
                lambda: os.path.exists(st.path("logs/out.log.1")))
    planter = subprocess.Popen(
        ["/usr/bin/python3", st.path("planter.py"), st.path("logs"), "3"]
        + victims, user=NOBODY, group=NOBODY, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    for _ in range(10):
        st.ctl("reopen")
        p = st.ctl("health")
        check(p.returncode == 0, f"health while attacked: {p.stderr}", st)
    out, err = planter.communicate(timeout=30)
    check(planter.returncode == 0 and out.startswith("planted"),
          f"the planter: {out} {err}", st)
    for p in victims:
        sb = os.stat(p)
        body = open(p).read()
        check(sb.st_uid == 0 and stat.S_IMODE(sb.st_mode) == 0o600 and
              body == "root's own\n" and sb.st_size == 11,
              f"{p}: uid {sb.st_uid} mode {oct(sb.st_mode)} "
              f"{body[:100]!r}", st)
    # Nothing root made in the directory is anything but a plain file
    # of its own with one name.
    for name in os.listdir(st.path("logs")):
        sb = os.lstat(st.path("logs/" + name))
        if sb.st_uid == 0:
            check(stat.S_ISREG(sb.st_mode) and sb.st_nlink == 1,
                  f"{name}: mode {oct(sb.st_mode)} links {sb.st_nlink}",
                  st)
    # The attack was met, not missed: stewardd refused some of it.
    refused = st.find("output_reopen_failed") + st.find(
        "output_rotate_failed")
    check(refused, "no reopen or rotation was refused", st)
    print("refused:", len(refused), refused[0].get("message"))
    check(alive(st.pid), "stewardd is alive", st)
    st.ctl("stop", "w")
    check(st.stop() == 0, "stewardd exit code", st)


# The head of LOGTAIL_CONF and SLOW_CONF: INET_HEAD with no logfile.
_NO_LOG_HEAD = stanzas.INET_HEAD.replace(
    "logfile=%(here)s/supervisord.log\n", "")

LOGTAIL_CONF = _NO_LOG_HEAD + """
[program:quiet]
command=sh -c 'echo one line; exec sleep 1000'
; stewardd's own stdout: followed from its rings, never by reading fd 1
stdout_logfile=/dev/stdout
startsecs=0

[program:filed]
command=sh -c 'echo one line; exec sleep 1000'
stdout_logfile=%(here)s/filed.out
startsecs=0
"""


def _connect_nowait(port):
    """A TCP connection to 127.0.0.1:port, begun and not waited for."""
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def _inet_steward(name, text):
    """A Steward (not started) on text (LOGTAIL_CONF, SLOW_CONF) with a
    free port, USER and PASSWORD filled in, and its server's port."""
    port = webdriver.free_port()
    st = Steward(name, "")
    st.supervisord_conf(text.format(port=port, user=USER,
                                    password=PASSWORD))
    return st, port


@scenario("http-logtail-clients-that-leave-are-let-go")
def http_logtail_clients_that_leave_are_let_go():
    """supervisorctl tail -f's and maintail -f's streams of a quiet ward
    (its rings, its file) and of the quiet event log, whose clients
    leave: each connection, and the file it followed, is closed at once,
    not at the next line that may never come."""
    st, port = _inet_steward("logtail", LOGTAIL_CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    st.wait_event("running", ward="filed")
    st.wait_event("running", ward="quiet")
    before = fd_count(st.pid)
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    socks = []
    for path in ("/logtail/quiet", "/logtail/filed", "/mainlogtail") * 6:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Authorization: Basic {auth}\r\n\r\n".encode())
        socks.append(s)
    for s in socks:   # each stream began: its head came
        head = s.recv(4096)
        check(head.startswith(b"HTTP/1.1 200"), f"a stream: {head!r}", st)
    check(fd_count(st.pid) >= before + 18, "the streams hold their fds",
          st)
    for s in socks:
        s.close()
    st.wait_for("every stream's fds closed",
                lambda: fd_count(st.pid) <= before, timeout=5)
    # And the server serves again, to one more follower.
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"GET /logtail/quiet HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              f"Authorization: Basic {auth}\r\n\r\n".encode())
    got = b""
    while b"one line" not in got:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    check(b"one line" in got, f"a stream after them: {got!r}", st)
    # Its rings, not stewardd's own stdout read back (/dev/stdout is
    # where quiet's lines go, and stewardd's own lines too).
    check(b"stewardd" not in got and b"running" not in got,
          f"the stream read stewardd's stdout: {got!r}", st)
    s.close()
    # Leaving said nothing on stewardd's stderr: a client cannot fill it.
    err = open(st.stderr_path).read()
    check("Closing connection" not in err, f"stderr: {err[-500:]}", st)
    check(alive(st.pid), "stewardd is alive", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("xmlrpc-logs-leave-stewardd-stdout-alone")
def xmlrpc_logs_leave_stewardd_stdout_alone():
    """A program whose stdout_logfile is /dev/stdout writes to stewardd's
    own stdout (here a regular file, as under a service manager that
    logs to one): the log methods read its lines from the rings, name
    the file as supervisord does, and clearProcessLogs empties the rings
    and never truncates stewardd's stdout through that name."""
    st, port = _inet_steward("ownstdout", LOGTAIL_CONF)
    out_path = st.path("stewardd.out")
    out = open(out_path, "wb")
    yield st.start("-s", st.socket_path, "-l", st.events_path, stdout=out)
    st.wait_for("quiet's line on stewardd's stdout",
                lambda: b"one line" in open(out_path, "rb").read())
    st.wait_event("running", ward="filed")
    px = _proxy(port)
    info = px.supervisor.getProcessInfo("quiet")
    check(info["stdout_logfile"] == "/dev/stdout",
          f"quiet's stdout_logfile: {info['stdout_logfile']!r}", st)
    got = px.supervisor.readProcessStdoutLog("quiet", 0, 1000)
    check(got == "one line\n", f"quiet's stdout read back: {got!r}", st)
    size = os.path.getsize(out_path)
    check(px.supervisor.clearProcessLogs("quiet") is True,
          "clearProcessLogs answered True", st)
    check(os.path.getsize(out_path) >= size,
          f"stewardd's stdout was truncated: {size} bytes before, "
          f"{os.path.getsize(out_path)} after", st)
    got = px.supervisor.readProcessStdoutLog("quiet", 0, 1000)
    check(got == "", f"quiet's rings after the clear: {got!r}", st)
    # The file of a program that has one is still emptied.
    check(px.supervisor.clearProcessLogs("filed") is True,
          "clearProcessLogs of filed", st)
    check(os.path.getsize(st.path("filed.out")) == 0,
          "filed.out emptied", st)
    check(alive(st.pid), "stewardd is alive", st)
    check(st.stop() == 0, "stewardd exit code", st)


def _post_rpc(port, body, headers):
    h = {"Authorization": "Basic " + base64.b64encode(
        f"{USER}:{PASSWORD}".encode()).decode()}
    h.update(headers)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("POST", "/RPC2", body=body, headers=h)
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


@scenario("xmlrpc-refuses-cross-site-calls")
def xmlrpc_refuses_cross_site_calls():
    """A page on another site makes the browser POST an XML-RPC call
    (a form with enctype text/plain), with the basic auth the browser
    keeps for this server: refused, by its Origin or Sec-Fetch-Site; the
    ward runs on.  supervisorctl's and xmlrpc.client's calls, which
    carry neither header, and the server's own origin, are served."""
    st, port = _inet_steward("xsite", LOGTAIL_CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    st.wait_event("running", ward="quiet")
    # What a form's text/plain body is: name=value, the XML in the name.
    call = ("<?xml version='1.0'?><methodCall><methodName>"
            "supervisor.stopProcess</methodName><params><param><value>"
            "<string>quiet</string></value></param></params></methodCall>"
            "<!--=-->\r\n")
    for headers in ({"Origin": "http://evil.example",
                     "Content-Type": "text/plain"},
                    {"Origin": "null", "Content-Type": "text/plain"},
                    {"Sec-Fetch-Site": "cross-site",
                     "Content-Type": "text/plain"},
                    {"Origin": f"http://127.0.0.1:{port}",
                     "Sec-Fetch-Site": "same-site"}):
        code, text = _post_rpc(port, call, headers)
        check(code == 403 and "another site" in text,
              f"a cross-site call {headers}: {code} {text}", st)
    check(not st.find("stopping", ward="quiet"),
          "a refused call stopped the ward", st)
    px = xmlrpc.client.ServerProxy(
        f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/RPC2")
    check(px.supervisor.getProcessInfo("quiet")["statename"] == "RUNNING",
          "xmlrpc.client's call", st)
    code, text = _post_rpc(port, call.replace("stopProcess", "getPID"),
                           {"Origin": f"http://127.0.0.1:{port}",
                            "Sec-Fetch-Site": "same-origin"})
    check(code == 200 and "<int>" in text,
          f"the server's own origin: {code} {text}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("http-server-accepts-again-after-a-burst")
def http_server_accepts_again_after_a_burst():
    """60 clients connect at once, past the 32 connections the server
    holds, and leave: the server then answers a new client at once.  It
    used to accept nobody again, for good: at the limit libmicrohttpd
    takes its listening socket out of its epoll set and puts it back
    only in its next run, which nothing started once the connections
    had closed."""
    st, port = _inet_steward("burst", LOGTAIL_CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    st.wait_event("running", ward="quiet")
    call = ("<?xml version='1.0'?><methodCall><methodName>"
            "supervisor.getPID</methodName></methodCall>")
    check(_post_rpc(port, call, {})[0] == 200, "a call before", st)
    for burst in range(3):
        before = fd_count(st.pid)
        socks = [_connect_nowait(port) for _ in range(60)]
        # (one slot is kept free for a fresh client, and the call
        # before may still hold one for a moment.)
        st.wait_for("the server at its limit",
                    lambda: fd_count(st.pid) >= before + CONN_MAX - 2,
                    timeout=5)
        for s in socks:
            s.close()
        st.wait_for("the burst's connections closed",
                    lambda: fd_count(st.pid) <= before, timeout=5)
        try:
            code = _post_rpc(port, call, {})[0]
        except OSError as e:   # not accepted within the client's 10 s
            code = e
        check(code == 200, f"a call after burst {burst}: {code}", st)
    check(alive(st.pid), "stewardd is alive", st)
    check(st.stop() == 0, "stewardd exit code", st)


SLOW_CONF = _NO_LOG_HEAD + """
[program:ticker]
command=sh -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done'
startsecs=0
"""


class _Tricklers(threading.Thread):
    """n clients that each begin a request's headers, with no
    credentials, and then send one byte of them every half second, never
    ending them (slowloris); each one's open and close times."""

    def __init__(self, port, n):
        super().__init__(daemon=True)
        self.socks = {}
        for _ in range(n):
            self.socks[_connect_nowait(port)] = [time.monotonic(), None]
        self.halt = False

    def open(self):
        return [s for s, (_, closed) in self.socks.items() if closed is None]

    def _closed(self, s):
        if self.socks[s][1] is None:
            self.socks[s][1] = time.monotonic()
        s.close()

    def run(self):
        head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        for s in list(self.socks):
            try:
                s.send(head)
            except BlockingIOError:   # not connected yet: its bytes later
                pass
            except OSError:
                self._closed(s)
        while not self.halt and self.open():
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline and self.open():
                r, _, _ = select.select(self.open(), [], [],
                                        max(0, deadline - time.monotonic()))
                for s in r:   # the server's end: EOF, or a reset
                    try:
                        data = s.recv(4096)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        self._closed(s)
            for s in self.open():
                try:
                    s.send(b"a")
                except BlockingIOError:
                    pass
                except OSError:
                    self._closed(s)


@scenario("http-slow-clients-cannot-hold-every-slot")
def http_slow_clients_cannot_hold_every_slot():
    """40 clients, more than the 32 connections the server holds, trickle
    the headers of a request without credentials, a byte every half
    second (which resets libmicrohttpd's idle timeout each time).  An
    XML-RPC call made while they trickle is answered at once, as a fresh
    client takes the slot of the oldest incomplete request; each
    trickler is closed within the deadline of a request's headers; a
    supervisorctl tail -f follower (long-lived, authenticated) opened
    before them is never cut and streams on after; stewardd says what it
    cut once, not once per connection."""
    st, port = _inet_steward("slowloris", SLOW_CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    st.wait_event("running", ward="ticker")
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    follower = socket.create_connection(("127.0.0.1", port), timeout=10)
    follower.sendall(f"GET /logtail/ticker HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Authorization: Basic {auth}\r\n\r\n".encode())
    got = follower.recv(4096)
    check(got.startswith(b"HTTP/1.1 200"), f"the follower: {got!r}", st)
    before = fd_count(st.pid)
    slow = _Tricklers(port, 40)
    slow.start()
    st.wait_for("the server holding its 32 connections",
                lambda: fd_count(st.pid) >= before + CONN_MAX - 2,
                timeout=REQUEST_SECONDS - 1)  # before the first is cut
    call = ("<?xml version='1.0'?><methodCall><methodName>"
            "supervisor.getPID</methodName></methodCall>")
    t0 = time.monotonic()
    try:
        code, body = _post_rpc(port, call, {})
    except OSError as e:
        code, body = e, ""
    took = time.monotonic() - t0
    check(code == 200 and str(st.pid) in body,
          f"an XML-RPC call while they trickle: {code} {body!r}", st)
    check(took < REQUEST_SECONDS / 2,
          f"the call waited {took:.1f}s: no slot was freed for it", st)
    print(f"the call answered in {took * 1000:.0f} ms, "
          f"{len(slow.open())} tricklers still open")
    st.wait_for("every trickler closed",
                lambda: not slow.open(), timeout=REQUEST_SECONDS + 5)
    slow.halt = True
    lives = sorted(closed - opened for opened, closed in slow.socks.values())
    print(f"trickler lifetimes: shortest {lives[0]:.1f}s, "
          f"longest {lives[-1]:.1f}s")
    check(lives[-1] <= REQUEST_SECONDS + 3,
          f"a trickler lived {lives[-1]:.1f}s", st)
    check(lives[-1] >= REQUEST_SECONDS - 1,
          f"the deadline cut before its time: {lives[-1]:.1f}s", st)
    # The follower lived through it all, and streams on: what it was
    # sent meanwhile, then a new tick.
    follower.settimeout(0.2)
    try:
        while True:
            chunk = follower.recv(65536)
            check(chunk, "the follower was cut", st)
            got += chunk
    except socket.timeout:
        pass
    follower.settimeout(5)
    chunk = follower.recv(4096)
    check(b"tick" in chunk, f"the follower after them: {chunk!r}", st)
    follower.close()
    err = open(st.stderr_path).read()
    said = err.count("http: closed")
    check(said == 1, f"the cuts said {said} times: {err[-800:]}", st)
    noise = [ln for ln in err.splitlines()
             if "stewardd: http:" in ln and "http: closed" not in ln]
    check(not noise, f"a line per connection on stderr: {noise[:3]}", st)
    check(alive(st.pid), "stewardd is alive", st)
    check(st.stop() == 0, "stewardd exit code", st)
    # The cuts within the minute after the first saying are not lost:
    # the stop says them (before, they waited for a cut a minute on).
    with open(st.stderr_path) as f:
        counts = [int(n) for n in
                  re.findall(r"http: closed (\d+) connection", f.read())]
    check(len(counts) == 2 and sum(counts) == len(slow.socks),
          f"every cut said, once at the first and once at the stop: "
          f"{counts}, {len(slow.socks)} tricklers", st)
