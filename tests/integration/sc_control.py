"""The control socket: the protocol answers and refuses, hostile clients
and fd exhaustion harm no one, strangers and a bad socket path are
refused."""
import json
import os
import signal
import socket
import stat
import time

import harness
from harness import Steward, check, cpu_seconds, fd_count, rss_kib
from registry import scenario
from stanzas import BEATING


@scenario("control-protocol-answers-and-refuses-bad-requests")
def control_protocol_answers_and_refuses_bad_requests():
    st = Steward("ctlproto", BEATING + """
[ward:other]
command = {testward} --beat 100
heartbeat = pipe
heartbeat_timeout = 2s
replicas = 2
""")
    yield st.start()
    st.wait_event("running", ward="other", replica=1)
    doc = st.request("steward/1 status other:1")
    check(doc["ok"] and len(doc["instances"]) == 1, f"{doc}", st)
    inst = doc["instances"][0]
    check(inst["state"] == "running" and inst["pid"] > 0, f"{inst}", st)
    check(doc["daemon"]["socket"] == st.socket_path, f"{doc}", st)
    for line, code in [
            ("steward/2 status", "version"),
            ("status", "version"),
            ("steward/1 frobnicate", "usage"),
            ("steward/1 stop", "usage"),
            ("steward/1 start --bogus web", "usage"),
            ("steward/1 signal NOPE other", "usage"),
            ("steward/1  status", "usage"),
            ("steward/1 stop web", "no_such_ward"),
            ("\x01\x02garbage\xff", "usage")]:
        r = st.request(line)
        check(r["ok"] is False and r["code"] == code,
              f"{line!r} gave {r}, expected code {code}", st)
    r = st.request("steward/1 stop nope")
    check(r["error"] == 'no such ward (known: beater, other)',
          r["error"], st)
    # Names resolve to instances in config order, each once.
    for names, want in [
            ("other:1 beater", ["beater:0", "other:1"]),
            ("other:1 other", ["other:0", "other:1"]),
            ("other:1 other:0 other:1", ["other:0", "other:1"]),
            ("other:* beater:beater", ["beater:0", "other:0", "other:1"]),
            ("all nope", ["beater:0", "other:0", "other:1"])]:
        r = st.request(f"steward/1 status {names}")
        got = [f"{i['ward']}:{i['replica']}" for i in r.get("instances", [])]
        check(r["ok"] and got == want, f"{names!r} gave {got}: {r}", st)
    for names in ("other:2", "other:01", "other:", "oth:1", "beater:1",
                  "other:1 nope"):
        r = st.request(f"steward/1 status {names}")
        check(not r["ok"] and r["code"] == "no_such_ward",
              f"{names!r} is no instance: {r}", st)
    # One connection, many requests, in order.
    sock = st.connect()
    for _ in range(3):
        check(st.request("steward/1 health", sock=sock)["ok"], "health", st)
    sock.close()
    check(not st.find("stopping", ward="beater"), "beater untouched", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("control-pipelined-requests-are-answered-in-order")
def control_pipelined_requests_are_answered_in_order():
    # Several requests in one write, a status and a start among them:
    # each gets its own reply, in order, and stewardd lives on.
    st = Steward("ctlpipe", BEATING)
    yield st.start()
    st.wait_event("running", ward="beater")
    sock = st.connect(timeout=30)
    lines = ["status", "health", "status beater", "start beater",
             "health", "stop beater", "status", "health"]
    sock.sendall("".join(f"steward/1 {x}\n" for x in lines).encode())
    data = b""
    while data.count(b"\n") < len(lines):
        chunk = sock.recv(1 << 20)
        got = data.count(b"\n")
        check(chunk != b"", "the connection stayed open for every reply "
              f"(got {got} of {len(lines)}: {data[-300:]!r})", st)
        data += chunk
    sock.close()
    replies = [json.loads(x) for x in data.split(b"\n")[:len(lines)]]
    for line, r in zip(lines, replies):
        word = line.split()[0]
        check(r["ok"], f"{line!r} answered ok: {str(r)[:200]}", st)
        check(("instances" in r) == (word == "status") and
              ("loop" in r) == (word == "health") and
              ("results" in r) == (word in ("start", "stop")),
              f"{line!r} got its own reply: {str(r)[:200]}", st)
    check(replies[5]["results"][0]["state"] == "stopped",
          f"beater stopped: {replies[5]}", st)
    check(st.request("steward/1 health")["ok"], "stewardd answers", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("hostile-clients-harm-no-one")
def hostile_clients_harm_no_one():
    st = Steward("hostile", BEATING)
    yield st.start()
    st.wait_event("running", ward="beater")
    base_fds = fd_count(st.pid)
    cpu0 = cpu_seconds(st.pid)
    # A silent client, a byte-by-byte client and a garbage sender at once.
    silent = st.connect()
    slow = st.connect()
    for b in b"steward/1 health":
        slow.sendall(bytes([b]))
    check(st.request("steward/1 health")["ok"], "served beside them", st)
    slow.sendall(b"\n")
    check(json.loads(slow.recv(4096))["ok"], "byte-by-byte request", st)
    garbage = st.connect()
    garbage.sendall(os.urandom(3000).replace(b"\n", b"x") + b"\n")
    r = json.loads(garbage.recv(4096))
    check(r["ok"] is False, f"garbage gets an error: {r}", st)
    check(st.request("steward/1 health", sock=garbage)["ok"],
          "the garbage sender's connection still works", st)
    # One enormous line: refused at 4096 bytes, connection closed.
    big = st.connect()
    try:
        big.sendall(b"x" * (1 << 20))
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = big.recv(4096)
    check(b'"too_long"' in data, f"too long: {data[:200]!r}", st)
    # Hundreds of connections: each new one closes the idlest connection
    # (the silent one too), which is told "busy"; nothing stalls.
    socks = []
    for _ in range(300):
        socks.append(st.connect())
    busy = 0
    for sk in socks:
        sk.settimeout(0.05)
        try:
            if b'"busy"' in sk.recv(4096):
                busy += 1
        except (TimeoutError, socket.timeout):
            pass
    check(busy >= 300 - 64, f"{busy} busy replies of 300", st)
    for sk in socks:
        sk.close()
    st.wait_event("control_evicted")
    st.wait_for("the closed connections to be noticed",
                lambda: _answers(st.socket_path), timeout=10)
    # A pipelined burst past the rate limit.
    burst = st.connect()
    burst.sendall(b"steward/1 health\n" * 200)
    replies = b""
    while replies.count(b"\n") < 200:
        chunk = burst.recv(65536)
        if not chunk:
            break
        replies += chunk
    limited = replies.count(b'"rate_limited"')
    check(limited >= 100, f"{limited} of 200 were rate-limited", st)
    burst.close()
    # The silent client is closed after its idle deadline (the first one
    # made room for the flood).
    silent.close()
    silent = st.connect()
    silent.settimeout(20)
    r = json.loads(silent.recv(4096))
    check(r["code"] == "timeout", f"idle reply {r}", st)
    check(silent.recv(4096) == b"", "idle connection closed", st)
    for sk in (slow, garbage, big, silent):
        sk.close()
    # Meanwhile the heartbeat deadline was met all along.
    check(not st.find("stopping", ward="beater"),
          "a ward missed its deadline while clients misbehaved", st)
    st.wait_for("fds back to baseline",
                lambda: fd_count(st.pid) <= base_fds, timeout=5)
    check(cpu_seconds(st.pid) - cpu0 < 3, "no CPU spin", st)
    check(rss_kib(st.pid) < 30 * 1024, "memory bounded", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("fd-exhaustion-pauses-accepting")
def fd_exhaustion_pauses_accepting():
    import resource
    st = Steward("emfile", BEATING)
    harness.skip_low_nofile_under_wrapper()
    yield st.start(nofile=256)
    st.wait_event("running", ward="beater")
    # The budget keeps clients within the limit; lower the limit under
    # stewardd so that accept() itself fails (the guard's pipe sits near
    # 256 and does not count).
    low = [int(x) for x in os.listdir(f"/proc/{st.pid}/fd") if int(x) < 200]
    resource.prlimit(st.pid, resource.RLIMIT_NOFILE, (max(low) + 1, 256))
    socks = []
    for _ in range(60):
        socks.append(st.connect())
    st.wait_event("control_accept_paused")
    cpu0 = cpu_seconds(st.pid)
    t0 = time.monotonic()
    # While connections wait, the loop does not spin on them.
    st.wait_for("a second to pass while paused",
                lambda: time.monotonic() - t0 >= 1.0, timeout=3)
    check(cpu_seconds(st.pid) - cpu0 < 0.5,
          "the listener spun while out of fds", st)
    resource.prlimit(st.pid, resource.RLIMIT_NOFILE, (256, 256))
    for sk in socks:
        sk.close()
    check(st.request("steward/1 health")["ok"], "serves again", st)
    check(not st.find("stopping", ward="beater"), "beater untouched", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("control-socket-refuses-strangers")
def control_socket_refuses_strangers():
    harness.need_root()
    st = Steward("peercred", BEATING)
    yield st.start()
    mode = stat.S_IMODE(os.stat(st.socket_path).st_mode)
    check(mode == 0o600, f"socket mode {oct(mode)}", st)
    # Open the file up by hand: SO_PEERCRED must still refuse nobody.
    os.chmod(st.dir, 0o755)
    os.chmod(st.socket_path, 0o666)
    # A refused peer is answered at once; an allowed one after asking.
    probe = ("import socket,sys; s=socket.socket(socket.AF_UNIX);"
             "s.connect(sys.argv[1]); s.settimeout(1)\n"
             "try: print(s.recv(4096).decode()); sys.exit(0)\n"
             "except socket.timeout: pass\n"
             "s.sendall(b'steward/1 status\\n'); s.settimeout(5);"
             "print(s.recv(4096).decode())")
    import subprocess
    p = subprocess.run(["/usr/bin/python3", "-c", probe, st.socket_path],
                       user="nobody", capture_output=True, text=True,
                       timeout=10)
    check('"refused"' in p.stdout, f"nobody was not refused: {p}", st)
    e = st.wait_event("control_refused")
    check(e["peer_uid"] == 65534, f"{e}", st)
    check(st.stop() == 0, "stewardd exit code", st)
    # With [steward] group, that group's members may steer.
    st2 = Steward("peergroup", """[steward]
event_log = {events}
socket = {socket}
group = nogroup
""" + BEATING)
    os.chmod(st2.dir, 0o755)
    st2.start()
    sb = os.stat(st2.socket_path)
    check(stat.S_IMODE(sb.st_mode) == 0o660 and sb.st_gid == 65534,
          f"socket mode {oct(sb.st_mode)} gid {sb.st_gid}", st2)
    p = subprocess.run(["/usr/bin/python3", "-c", probe, st2.socket_path],
                       user="nobody", group="nogroup", capture_output=True,
                       text=True, timeout=10)
    check('"ok":true' in p.stdout, f"a member was refused: {p}", st2)
    check(st2.stop() == 0, "stewardd exit code", st2)
    st2.cleanup()


@scenario("control-socket-path-is-guarded")
def control_socket_path_is_guarded():
    import subprocess
    st = Steward("sockpath", BEATING)
    yield st.start()
    # Another stewardd on the same (live) socket refuses to start.
    p = subprocess.run([harness.STEWARDD, "-c", st.config_path],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 73 and "another stewardd is listening" in p.stderr,
          f"second stewardd: {p.returncode} {p.stderr}", st)
    check(st.request("steward/1 health")["ok"], "the first still answers",
          st)
    st.stop(signal.SIGKILL)
    # Killed: the socket file is left behind, stale; it is replaced.
    check(os.path.exists(st.socket_path), "stale socket left", st)
    st2 = Steward("sockpath2", BEATING.replace(
        "[ward:beater]", f"[steward]\nsocket = {st.socket_path}\n"
        "event_log = -\n\n[ward:beater]"))
    st2.events_path = st.events_path
    st2.start(wait_socket=False)
    st2.wait_for("the stale socket to answer again",
                 lambda: _answers(st.socket_path), timeout=10)
    st2.stop()
    check(not os.path.exists(st.socket_path), "socket removed at exit", st)
    # A symlink in its place is refused.
    os.symlink("/tmp/elsewhere.sock", st.socket_path)
    p = subprocess.run([harness.STEWARDD, "-c", st.config_path],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 73 and "symbolic link" in p.stderr,
          f"symlink: {p.returncode} {p.stderr}", st)
    os.unlink(st.socket_path)


def _answers(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(path)
        s.sendall(b"steward/1 health\n")
        ok = b'"ok":true' in s.recv(4096)
        s.close()
        return ok
    except OSError:
        return False


@scenario("info-shows-the-daemon-in-columns")
def info_shows_the_daemon_in_columns():
    # stewardctl info: one "key value" line per field of the daemon
    # object, every value in one column past the longest key
    # (connections_max is longer than the others).
    st = Steward("info", BEATING)
    yield st.start()
    st.wait_event("running", ward="beater")
    p = st.ctl("info", check_rc=0)
    lines = p.stdout.splitlines()
    fields = {}
    for line in lines:
        key, _, value = line.partition(" ")
        fields[key] = value.strip()
    check({"pid", "version", "uptime", "socket", "connections_max",
           "protocol"} <= set(fields), f"the fields: {p.stdout}", st)
    check(fields["pid"] == str(st.proc.pid) and
          fields["socket"] == st.socket_path and fields["protocol"] == "1",
          f"the values: {p.stdout}", st)
    columns = {len(line) - len(line.split(" ", 1)[1].lstrip(" "))
               for line in lines}
    check(len(columns) == 1, f"the values are not in one column:\n"
          f"{p.stdout}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("status-tokens-stay-in-their-column")
def status_tokens_stay_in_their_column():
    # TOKENS of a supervisord program (restart limit 1000000/1s) and of
    # a ward with a burst of 20000 are shortened, 1M/1M and 20k/20k, and
    # end where the header's TOKENS ends, as a 5/5 does.
    st = Steward("tokens", """
[ward:small]
command = /bin/sleep 1000
start_timeout = 100ms
restart_limit = 5/1m

[ward:large]
command = /bin/sleep 1000
start_timeout = 100ms
restart_limit = 20000/1h

[program:prog]
command = /bin/sleep 1000
startsecs = 0
stdout_logfile = NONE
stderr_logfile = NONE
""")
    yield st.start()
    for ward in ("small", "large", "prog"):
        st.wait_event("running", ward=ward)
    p = st.ctl("status", check_rc=0)
    lines = p.stdout.splitlines()
    end = lines[0].index("TOKENS") + len("TOKENS")
    rows = {line.split()[0]: line for line in lines[1:]
            if not line.startswith(" ")}
    for name, want in (("small:0", "5/5"), ("large:0", "20k/20k"),
                       ("prog:0", "1M/1M")):
        row = rows.get(name, "")
        check(row[:end].endswith(" " + want),
              f"{name}: TOKENS {want} ends at column {end}:\n{p.stdout}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("log-takes-ward-names-as-operands")
def log_takes_ward_names_as_operands():
    # "stewardctl log NAME ..." is "stewardctl log --ward NAME ...", as
    # a person asks "why did web restart?".
    st = Steward("logname", """
[ward:one]
command = /bin/sh -c 'echo one-failed >&2; exit 3'
restart_limit = 1/1m

[ward:two]
command = /bin/sh -c 'echo two-failed >&2; exit 4'
restart_limit = 1/1m
""")
    yield st.start()
    st.wait_event("failed", ward="one")
    st.wait_event("failed", ward="two")

    def wards_of(*args):
        p = st.ctl("log", *args, check_rc=0)
        rows = p.stdout.splitlines()[1:]
        return p.stdout, [row.split()[1] for row in rows]
    out, got = wards_of("one")
    check(got and set(got) == {"one:0"} and "one-failed" in out,
          f"log one: {out}", st)
    check(out == wards_of("--ward", "one")[0], "log one is log --ward one",
          st)
    out, got = wards_of("one", "two:0")
    check(set(got) == {"one:0", "two:0"}, f"log one two:0: {out}", st)
    check(st.stop() == 0, "stewardd exit code", st)
