"""supervisord's XML-RPC API served by stewardd ([unix_http_server]).

Debian's own supervisorctl (installed by ./run.sh test with the
`supervisor` package) drives stewardd through the socket of the
config's [unix_http_server], found through its [supervisorctl]
serverurl; then the same commands drive Debian's supervisord on the same
config, and the outputs are compared line by line (pids, uptimes and
dates made alike).  Python's xmlrpc.client reads the structs and faults.
"""
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import xmlrpc.client

from harness import Steward, check
from registry import scenario

SVCTL_CONF = """[unix_http_server]
file=%(here)s/supervisor.sock

[supervisord]
logfile=%(here)s/supervisord.log
childlogdir=%(here)s
pidfile=%(here)s/supervisord.pid
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%(here)s/supervisor.sock

[program:sleeper]
command=sleep 1000
startsecs=0

[program:web]
command=sleep 1000
process_name=%(program_name)s_%(process_num)02d
numprocs=2
autostart=false
startsecs=0
"""

# What each server is asked, in order, by supervisorctl.
COMMANDS = [
    "status",
    "start web:*",
    "status",
    "signal CONT web:*",
    "signal BOGUS sleeper",
    "stop web:web_00",
    "signal CONT web:web_00",
    "signal CONT all",
    "status web:web_00 sleeper",
    "restart sleeper",
    "start all",
    "stop all",
    "status",
    "start sleeper",
    "pid sleeper",
    "start nosuch",
    "stop nosuch",
    "status nosuch",
    "pid nosuch",
    "restart all",
]


def _alike(text):
    """Pids, uptimes and dates made alike."""
    text = re.sub(r"pid \d+, uptime \d+:\d\d:\d\d", "pid P, uptime U", text)
    text = re.sub(r"[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M", "DATE", text)
    return re.sub(r"(?m)^\d+$", "PID", text)


def _ctl(conf, command):
    r = subprocess.run(["supervisorctl", "-c", conf] + command.split(),
                       capture_output=True, text=True, timeout=30)
    out = _alike(r.stdout + r.stderr)
    if command.endswith(" all"):
        # Deliberate: supervisord lists an "all" in the order its
        # processes finish (make_allfunc's callbacks), which varies run
        # to run; stewardd in group, process order.  Compared sorted.
        out = "".join(sorted(out.splitlines(keepends=True)))
    return r.returncode, out


class _Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def _proxy(sock):
    class T(xmlrpc.client.Transport):
        def make_connection(self, host):
            return _Unix(sock)
    return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=T())


def _drive(st, conf):
    """Every command's exit code and output, then the API's answers."""
    st.wait_for("sleeper running, as supervisorctl sees it",
                lambda: "RUNNING" in _ctl(conf, "status sleeper")[1],
                timeout=20)
    got = [(c,) + _ctl(conf, c) for c in COMMANDS]
    p = _proxy(os.path.join(os.path.dirname(conf), "supervisor.sock"))
    infos = p.supervisor.getAllProcessInfo()
    api = {"keys": [sorted(i.keys()) for i in infos],
           "states": [(i["group"], i["name"], i["state"], i["statename"])
                      for i in infos],
           "api": p.supervisor.getAPIVersion()}
    for call in (lambda: p.supervisor.getProcessInfo("nosuch"),
                 lambda: p.supervisor.stopProcess("web:web_00"),
                 lambda: p.supervisor.startProcess("sleeper"),
                 lambda: p.supervisor.noSuchMethod()):
        try:
            call()
            api.setdefault("faults", []).append(None)
        except xmlrpc.client.Fault as e:
            api.setdefault("faults", []).append((e.faultCode, e.faultString))
    return got, api


@scenario("supervisorctl-drives-stewardd-as-supervisord")
def supervisorctl_drives_stewardd_as_supervisord():
    """Debian's supervisorctl against stewardd, compared with the same
    commands against Debian's supervisord on the same config."""
    if shutil.which("supervisorctl") is None:
        print("supervisorctl is not installed (run.sh test installs it)")
        raise SystemExit(77)
    st = Steward("svctl", "")
    conf = st.path("supervisord.conf")
    with open(conf, "w") as f:
        f.write(SVCTL_CONF)
    st.config_path = conf
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got, api = _drive(st, conf)
    mode = os.stat(st.path("supervisor.sock")).st_mode & 0o777
    check(mode == 0o700, f"the socket's mode is {mode:o}, not chmod's 700",
          st)
    check(st.stop() == 0, "stewardd exit code", st)
    check(not os.path.exists(st.path("supervisor.sock")),
          "the socket is removed at exit", st)
    # What supervisord answers, as its source says (rpcinterface.py).
    check(api["faults"][0] == (10, "BAD_NAME: nosuch"), f"{api}", st)
    check(api["faults"][3] == (1, "UNKNOWN_METHOD"), f"{api}", st)
    check(api["api"] == "3.0", f"{api}", st)
    # The same config under Debian's supervisord gives the same answers.
    d = tempfile.mkdtemp(prefix="steward-svctl-")
    real_conf = os.path.join(d, "supervisord.conf")
    with open(real_conf, "w") as f:
        f.write(SVCTL_CONF)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", real_conf],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        real, real_api = _drive(st, real_conf)
    finally:
        sv.terminate()
        sv.wait(20)
        shutil.rmtree(d, ignore_errors=True)
    for c, rc, out in got:
        print(f"$ supervisorctl {c}  (exit {rc})\n{out}", end="")
    check(len(got) == len(real) == len(COMMANDS), "every command ran", st)
    for mine, theirs in zip(got, real):
        check(mine == theirs,
              f"supervisorctl {mine[0]}: stewardd gave {mine[1:]}, "
              f"supervisord {theirs[1:]}", st)
    check(api == real_api, f"the API: stewardd {api}, supervisord "
          f"{real_api}", st)


AUTH_CONF = """[unix_http_server]
file=%(here)s/supervisor.sock
chmod=0770
username=admin
password=s3cret

[supervisord]
logfile=%(here)s/supervisord.log
childlogdir=%(here)s
pidfile=%(here)s/supervisord.pid
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%(here)s/supervisor.sock
username=admin
password=s3cret

[program:sleeper]
command=sleep 1000
startsecs=0
"""

AUTH_COMMANDS = ["status", "-p wrong status", "-u nobody -p s3cret pid",
                 "stop sleeper", "-p wrong start sleeper", "status"]


def _auth_drive(st, conf):
    st.wait_for("sleeper running, as supervisorctl sees it",
                lambda: "RUNNING" in _ctl(conf, "status sleeper")[1],
                timeout=20)
    return [(c,) + _ctl(conf, c) for c in AUTH_COMMANDS]


@scenario("supervisorctl-password-and-socket-mode")
def supervisorctl_password_and_socket_mode():
    """[unix_http_server] username and password: supervisorctl with them
    steers, with a wrong one it is told as supervisord tells it; the
    socket has chmod's mode."""
    if shutil.which("supervisorctl") is None:
        print("supervisorctl is not installed (run.sh test installs it)")
        raise SystemExit(77)
    st = Steward("svauth", "")
    conf = st.path("supervisord.conf")
    with open(conf, "w") as f:
        f.write(AUTH_CONF)
    st.config_path = conf
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got = _auth_drive(st, conf)
    mode = os.stat(st.path("supervisor.sock")).st_mode & 0o777
    check(mode == 0o770, f"the socket's mode is {mode:o}, not chmod's 770",
          st)
    # Without credentials the API answers 401, as supervisord does.
    try:
        _proxy(st.path("supervisor.sock")).supervisor.getPID()
        check(False, "a call without credentials was answered", st)
    except xmlrpc.client.ProtocolError as e:
        check(e.errcode == 401, f"without credentials: {e}", st)
    check(st.stop() == 0, "stewardd exit code", st)
    for c, rc, out in got:
        print(f"$ supervisorctl {c}  (exit {rc})\n{out}", end="")
    d = tempfile.mkdtemp(prefix="steward-svauth-")
    real_conf = os.path.join(d, "supervisord.conf")
    with open(real_conf, "w") as f:
        f.write(AUTH_CONF)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", real_conf],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        real = _auth_drive(st, real_conf)
    finally:
        sv.terminate()
        sv.wait(20)
        shutil.rmtree(d, ignore_errors=True)
    for mine, theirs in zip(got, real):
        check(mine == theirs,
              f"supervisorctl {mine[0]}: stewardd gave {mine[1:]}, "
              f"supervisord {theirs[1:]}", st)


INET_CONF = """[inet_http_server]
port=127.0.0.1:{port}
username=admin
password=s3cret

[supervisord]
logfile=%(here)s/supervisord.log
childlogdir=%(here)s
pidfile=%(here)s/supervisord.pid
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=http://127.0.0.1:{port}
username=admin
password=s3cret

[program:sleeper]
command=sleep 1000
startsecs=0
"""

INET_COMMANDS = ["status", "-p wrong status", "stop sleeper", "pid sleeper",
                 "start sleeper", "status"]


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@scenario("supervisorctl-over-inet-http-server")
def supervisorctl_over_inet_http_server():
    """[inet_http_server] on 127.0.0.1 with a password: supervisorctl
    steers through it as through supervisord's; --check warns of a port
    with no password that listens beyond the loopback."""
    import harness
    if shutil.which("supervisorctl") is None:
        print("supervisorctl is not installed (run.sh test installs it)")
        raise SystemExit(77)
    st = Steward("svinet", "")
    conf = st.path("supervisord.conf")
    text = INET_CONF.replace("{port}", str(_free_port()))
    with open(conf, "w") as f:
        f.write(text)
    st.config_path = conf
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    st.wait_for("sleeper running, as supervisorctl sees it",
                lambda: "RUNNING" in _ctl(conf, "status sleeper")[1],
                timeout=20)
    got = [(c,) + _ctl(conf, c) for c in INET_COMMANDS]
    check(st.stop() == 0, "stewardd exit code", st)
    for c, rc, out in got:
        print(f"$ supervisorctl {c}  (exit {rc})\n{out}", end="")
    d = tempfile.mkdtemp(prefix="steward-svinet-")
    real_conf = os.path.join(d, "supervisord.conf")
    with open(real_conf, "w") as f:
        f.write(text)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", real_conf],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        st.wait_for("sleeper running under supervisord",
                    lambda: "RUNNING" in _ctl(real_conf,
                                              "status sleeper")[1],
                    timeout=20)
        real = [(c,) + _ctl(real_conf, c) for c in INET_COMMANDS]
    finally:
        sv.terminate()
        sv.wait(20)
    for mine, theirs in zip(got, real):
        check(mine == theirs,
              f"supervisorctl {mine[0]}: stewardd gave {mine[1:]}, "
              f"supervisord {theirs[1:]}", st)
    # An open port: two warnings, no error.
    with open(real_conf, "w") as f:
        f.write(text.replace("127.0.0.1:", "").replace(
            "username=admin\npassword=s3cret\n\n[supervisord]",
            "\n[supervisord]"))
    p = subprocess.run([harness.STEWARDD, "--check", real_conf],
                       capture_output=True, text=True, timeout=20)
    shutil.rmtree(d, ignore_errors=True)
    check(p.returncode == 0 and "has no password" in p.stderr and
          "listens beyond the loopback" in p.stderr,
          f"--check of an open port: {p.returncode} {p.stderr}", st)


@scenario("supervisorctl-sha-password")
def supervisorctl_sha_password():
    """A server password written {SHA} and hex is the SHA-1 of the one
    supervisorctl sends, as supervisord takes it: the right one steers,
    a wrong one is told as supervisord tells it."""
    import hashlib
    if shutil.which("supervisorctl") is None:
        print("supervisorctl is not installed (run.sh test installs it)")
        raise SystemExit(77)
    sha = "{SHA}" + hashlib.sha1(b"s3cret").hexdigest()
    text = AUTH_CONF.replace("chmod=0770\nusername=admin\npassword=s3cret",
                             "chmod=0770\nusername=admin\npassword=" + sha)
    check(sha in text, "the config has the {SHA} password", None)
    st = Steward("svsha", "")
    conf = st.path("supervisord.conf")
    with open(conf, "w") as f:
        f.write(text)
    st.config_path = conf
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got = _auth_drive(st, conf)
    check(st.stop() == 0, "stewardd exit code", st)
    for c, rc, out in got:
        print(f"$ supervisorctl {c}  (exit {rc})\n{out}", end="")
    check(got[0][1] == 0 and "RUNNING" in got[0][2], f"status: {got[0]}", st)
    d = tempfile.mkdtemp(prefix="steward-svsha-")
    real_conf = os.path.join(d, "supervisord.conf")
    with open(real_conf, "w") as f:
        f.write(text)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", real_conf],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        real = _auth_drive(st, real_conf)
    finally:
        sv.terminate()
        sv.wait(20)
        shutil.rmtree(d, ignore_errors=True)
    for mine, theirs in zip(got, real):
        check(mine == theirs,
              f"supervisorctl {mine[0]}: stewardd gave {mine[1:]}, "
              f"supervisord {theirs[1:]}", st)
