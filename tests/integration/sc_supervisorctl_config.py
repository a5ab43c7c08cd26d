"""supervisorctl avail, reread, update and update NAME against stewardd.

The same commands run against Debian's supervisord on the same config
and its same edit, and the outputs are compared line by line (pids and
uptimes made alike).  Deliberate differences are listed where they are
made alike.
"""
import os
import shutil
import subprocess
import tempfile
import xmlrpc.client

from harness import Steward, check
from registry import scenario
from sc_supervisorctl import _ctl, _proxy

CONF = """[unix_http_server]
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

[program:steady]
command=sleep 1000
startsecs=0

[program:sleeper]
command=sleep 1001
startsecs=0

[program:gone]
command=sleep 1002
startsecs=0

[program:web]
command=sleep 1003
process_name=%(program_name)s_%(process_num)02d
numprocs=2
autostart=false
startsecs=0
"""

# The edit: sleeper changes, gone goes, new and the group grp come.
EDITED = CONF.replace("sleep 1001", "sleep 1011").replace(
    "[program:gone]", "[program:new]") + """
[group:grp]
programs=a,b

[program:a]
command=sleep 1004
startsecs=0

[program:b]
command=sleep 1005
startsecs=0
"""

BEFORE = ["avail", "reread"]
# update sleeper applies only sleeper; the rest waits for update.
AFTER = ["reread", "avail", "update sleeper", "reread", "update nosuch",
         "update"]
SETTLED = ["status", "reread", "avail"]


def _api(conf):
    """xmlrpc.client on the server of conf (its supervisor.sock): the
    waits ask through it, cheaper than a supervisorctl process each."""
    return _proxy(os.path.join(os.path.dirname(conf), "supervisor.sock"))


def _running(conf, names):
    """Whether every process named (GROUP:NAME or NAME) is RUNNING."""
    try:
        infos = _api(conf).supervisor.getAllProcessInfo()
    except (OSError, xmlrpc.client.Error):
        return False
    up = {(i["name"] if i["name"] == i["group"]
           else i["group"] + ":" + i["name"])
          for i in infos if i["statename"] == "RUNNING"}
    return set(names) <= up


def _pid(conf, name):
    """The pid the server gives of a process."""
    return _api(conf).supervisor.getProcessInfo(name)["pid"]


def _drive(st, conf):
    """Each command's exit code and output, and steady's pid before and
    after the update (it must not change: only the difference is
    applied)."""
    st.wait_for("steady, sleeper and gone running",
                lambda: _running(conf, ["steady", "sleeper", "gone"]),
                timeout=20)
    steady = _pid(conf, "steady")
    got = [(c,) + _ctl(conf, c) for c in BEFORE]
    with open(conf, "w") as f:
        f.write(EDITED)
    got += [(c,) + _ctl(conf, c) for c in AFTER]
    st.wait_for("the updated groups running",
                lambda: _running(conf, ["steady", "sleeper", "new", "grp:a",
                                        "grp:b"]), timeout=20)
    got += [(c,) + _ctl(conf, c) for c in SETTLED]
    # A config with an error: CANT_REREAD, nothing changed.  The
    # message is each reader's own (deliberate): its start is compared.
    with open(conf, "w") as f:
        f.write(EDITED + "\n[program:broken]\nautostart=true\n")
    rc, out = _ctl(conf, "reread")
    got.append(("reread (broken)", rc, out[:len("ERROR: CANT_REREAD: ")]))
    got += [(c,) + _ctl(conf, c) for c in ("avail",)]
    return got, (steady, _pid(conf, "steady"))


@scenario("supervisorctl-reread-update-avail")
def supervisorctl_reread_update_avail():
    """reread says what changed and applies nothing; update applies only
    the difference (an unchanged program keeps its process), update NAME
    only that group; avail lists the config read, in use or not."""
    if shutil.which("supervisorctl") is None:
        print("supervisorctl is not installed (run.sh test installs it)")
        raise SystemExit(77)
    st = Steward("svupdate", "")
    conf = st.path("supervisord.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    st.config_path = conf
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got, steady = _drive(st, conf)
    check(steady[0] == steady[1], f"steady kept its process: {steady}", st)
    st.wait_event("reloaded", reason="addProcessGroup grp (XML-RPC)")
    check(st.stop() == 0, "stewardd exit code", st)
    for c, rc, out in got:
        print(f"$ supervisorctl {c}  (exit {rc})\n{out}", end="")
    d = tempfile.mkdtemp(prefix="steward-svupdate-")
    real_conf = os.path.join(d, "supervisord.conf")
    with open(real_conf, "w") as f:
        f.write(CONF)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", real_conf],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        real, real_steady = _drive(st, real_conf)
    finally:
        sv.terminate()
        sv.wait(20)
        shutil.rmtree(d, ignore_errors=True)
    check(real_steady[0] == real_steady[1], "supervisord kept steady", st)
    check(len(got) == len(real), "every command ran", st)
    for mine, theirs in zip(got, real):
        check(mine == theirs,
              f"supervisorctl {mine[0]}: stewardd gave {mine[1:]}, "
              f"supervisord {theirs[1:]}", st)
