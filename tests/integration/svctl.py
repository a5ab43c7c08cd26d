"""What the supervisorctl scenarios (sc_supervisorctl*.py) share.

Each runs Debian's supervisorctl (or Python's xmlrpc.client) against
stewardd on a supervisord.conf (stanzas.supervisord_head and its
programs), then the same against Debian's supervisord on the same
config, and compares:

    need_supervisorctl()              # skips where it is not installed
    st, conf = steward("name", TEXT)  # stewardd's side, not started
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got = [(c,) + ctl(conf, c) for c in COMMANDS]
    ...
    with supervisord(TEXT, "name") as (real_conf, sv):
        real = [(c,) + ctl(real_conf, c) for c in COMMANDS]
    compare(got, real, st)

The waits on a process's state go through wait_running (xmlrpc.client)
or wait_status (supervisorctl status), each with a deadline.
"""
import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import xmlrpc.client

from harness import Steward, check, skip


def need_supervisorctl():
    """Skip the scenario where Debian's supervisorctl is not installed."""
    if shutil.which("supervisorctl") is None:
        skip("supervisorctl is not installed (run.sh test installs it)")


def steward(name, text):
    """A Steward (not started) whose config is supervisord.conf holding
    text; it and the config's path."""
    st = Steward(name, "")
    return st, st.supervisord_conf(text)


@contextlib.contextmanager
def supervisord(text, name):
    """Debian's supervisord on supervisord.conf holding text, in a
    directory of its own: (the config's path, the process) while the
    block runs; then it is stopped and the directory removed."""
    d = tempfile.mkdtemp(prefix=f"steward-{name}-")
    real_conf = os.path.join(d, "supervisord.conf")
    with open(real_conf, "w") as f:
        f.write(text)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", real_conf],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        yield real_conf, sv
    finally:
        if sv.poll() is None:
            sv.terminate()
        sv.wait(20)
        shutil.rmtree(d, ignore_errors=True)


def alike(text):
    """Pids, uptimes and dates made alike."""
    text = re.sub(r"pid \d+, uptime \d+:\d\d:\d\d", "pid P, uptime U", text)
    text = re.sub(r"[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M", "DATE", text)
    return re.sub(r"(?m)^\d+$", "PID", text)


def ctl(conf, command):
    """supervisorctl -c conf COMMAND: its exit code and output (stdout
    then stderr, made alike)."""
    r = subprocess.run(["supervisorctl", "-c", conf] + command.split(),
                       capture_output=True, text=True, timeout=30)
    out = alike(r.stdout + r.stderr)
    if command.endswith(" all"):
        # Deliberate: supervisord lists an "all" in the order its
        # processes finish (make_allfunc's callbacks), which varies run
        # to run; stewardd in group, process order.  Compared sorted.
        out = "".join(sorted(out.splitlines(keepends=True)))
    return r.returncode, out


def show(got):
    """Print what each supervisorctl command of got said."""
    for c, rc, out in got:
        print(f"$ supervisorctl {c}  (exit {rc})\n{out}", end="")


def compare(got, real, st):
    """Each command's exit code and output from stewardd (got) is
    supervisord's (real)."""
    for mine, theirs in zip(got, real):
        check(mine == theirs,
              f"supervisorctl {mine[0]}: stewardd gave {mine[1:]}, "
              f"supervisord {theirs[1:]}", st)


class _Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def proxy(sock):
    """xmlrpc.client on the server of the unix socket sock."""
    class T(xmlrpc.client.Transport):
        def make_connection(self, host):
            return _Unix(sock)
    return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=T())


def sock_of(conf):
    """The socket of conf's [unix_http_server] (supervisor.sock beside
    it, as stanzas.supervisord_head has it)."""
    return os.path.join(os.path.dirname(conf), "supervisor.sock")


def server(conf):
    """xmlrpc.client on the server of conf."""
    return proxy(sock_of(conf))


def running(conf, names):
    """Whether every process named (GROUP:NAME or NAME) is RUNNING, as
    the server of conf says through xmlrpc.client (cheaper than a
    supervisorctl process each time); False while it does not answer."""
    try:
        infos = server(conf).supervisor.getAllProcessInfo()
    except (OSError, xmlrpc.client.Error):
        return False
    up = {(i["name"] if i["name"] == i["group"]
           else i["group"] + ":" + i["name"])
          for i in infos if i["statename"] == "RUNNING"}
    return set(names) <= up


def wait_running(st, conf, names, what=None, timeout=20):
    """Wait until every process named runs (running()), or fail at the
    deadline."""
    st.wait_for(what or " and ".join(names) + " running",
                lambda: running(conf, names), timeout=timeout)


def wait_status(st, conf, name, what=None, timeout=20):
    """Wait until supervisorctl status NAME says RUNNING (through
    supervisorctl, so with the config's credentials), or fail at the
    deadline."""
    st.wait_for(what or f"{name} running, as supervisorctl sees it",
                lambda: "RUNNING" in ctl(conf, "status " + name)[1],
                timeout=timeout)


def pid(conf, name):
    """The pid the server of conf gives of a process."""
    return server(conf).supervisor.getProcessInfo(name)["pid"]
