"""supervisorctl tail, clear and maintail against stewardd, and the log
methods through xmlrpc.client, compared with Debian's supervisord on the
same config.

Deliberate differences, each where it is made alike:
- maintail and readLog: supervisord's main log is its own log file;
  stewardd's is its event log (JSON lines).  Only that each shows its
  last lines, and readLog's offset rules, are compared.
- clearLog: supervisord empties its log; stewardd keeps its event log
  and answers FAILED (rotate it and send SIGUSR1).
- A program with no stdout_logfile (AUTO): supervisord writes it to a
  file of its childlogdir, whose name getProcessInfo gives; stewardd
  keeps its lines in memory and names no file ("").  tail shows the
  same lines from both.
"""
import os
import subprocess
import xmlrpc.client

from harness import check
from registry import scenario
from stanzas import supervisord_head
from svctl import (compare, ctl, need_supervisorctl, proxy, running, server,
                   show, sock_of, steward, supervisord)

CONF = supervisord_head() + """
[program:talker]
command=sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i <&>"; echo "err $i" >&2; i=$((i+1)); done; echo done; exec sleep 1000'
stdout_logfile=%(here)s/talker.out
stderr_logfile=%(here)s/talker.err
startsecs=0

[program:auto]
command=sh -c 'echo hello; echo world >&2; exec sleep 1000'
startsecs=0

[program:exits]
command=sh -c 'exit 3'
autorestart=false
startsecs=0

[program:quiet]
command=sleep 1000
stdout_logfile=NONE
stderr_logfile=NONE
startsecs=0
"""

# auto's output has no file under stewardd (its lines are kept in
# memory), an AUTO file in childlogdir under supervisord: the same text.
COMMANDS = ["tail auto", "tail auto stderr", "tail talker", "tail -100 talker stderr", "tail talker stdout",
            "tail quiet", "tail nosuch", "tail -5 talker bogus",
            "clear talker", "tail talker", "clear nosuch", "clear quiet"]


def _info(p, name):
    """What getProcessInfo says of a process's end and its log files
    (their names, the directories being each server's own)."""
    i = p.supervisor.getProcessInfo(name)
    return (i["statename"], i["exitstatus"],
            [os.path.basename(i[k]) for k in ("logfile", "stdout_logfile",
                                              "stderr_logfile")])


def _api(sock):
    """The log methods' answers (and faults)."""
    p = proxy(sock)
    out = []
    for call in (lambda: p.supervisor.readProcessStdoutLog("talker", 0, 20),
                 lambda: p.supervisor.readProcessStdoutLog("talker", -8, 0),
                 lambda: p.supervisor.readProcessStdoutLog("talker", -8, 2),
                 lambda: p.supervisor.readProcessStdoutLog("talker", 5, -1),
                 lambda: p.supervisor.readProcessStderrLog("talker", 10, 7),
                 lambda: p.supervisor.tailProcessStdoutLog("talker", 0, 10),
                 lambda: p.supervisor.tailProcessStdoutLog("talker", 100, 30),
                 lambda: p.supervisor.tailProcessStderrLog("talker", 0, 0),
                 lambda: p.supervisor.readProcessStdoutLog("quiet", 0, 0),
                 lambda: p.supervisor.readProcessStdoutLog("nosuch", 0, 0),
                 lambda: p.supervisor.readLog(-5, 0),
                 lambda: p.supervisor.readLog(-5, 3),
                 lambda: p.supervisor.clearAllProcessLogs(),
                 lambda: p.supervisor.tailProcessStdoutLog("talker", 0, 10),
                 lambda: _info(p, "talker"), lambda: _info(p, "exits")[:2]):
        try:
            out.append(call())
        except xmlrpc.client.Fault as e:
            out.append((e.faultCode, e.faultString))
    return out


def _written(conf):
    """Every program wrote all it writes, and exits ended."""
    try:
        s = server(conf).supervisor
        return (running(conf, ["talker", "quiet", "auto"]) and
                s.getProcessInfo("exits")["statename"] == "EXITED" and
                "done" in s.readProcessStdoutLog("talker", -100, 0) and
                "world" in s.readProcessStderrLog("auto", -100, 0))
    except (OSError, xmlrpc.client.Error):
        return False


def _wait_done(st, conf):
    st.wait_for("talker wrote everything", lambda: _written(conf),
                timeout=20)


def _drive(st, conf):
    _wait_done(st, conf)
    api = _api(sock_of(conf))
    got = [(c,) + ctl(conf, c) for c in COMMANDS]
    main = ctl(conf, "maintail")
    return got, api, main


@scenario("supervisorctl-tail-clear-maintail")
def supervisorctl_tail_clear_maintail():
    """tail (stdout, stderr, a count), clear and maintail as under
    supervisord; readProcess*Log and tailProcess*Log keep supervisord's
    offset rules on a log file."""
    need_supervisorctl()
    st, conf = steward("svlogs", CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got, api, main = _drive(st, conf)
    try:
        proxy(st.path("supervisor.sock")).supervisor.clearLog()
        clear_log = None
    except xmlrpc.client.Fault as e:
        clear_log = e.faultCode
    check(st.stop() == 0, "stewardd exit code", st)
    show(got)
    check(clear_log == 30, f"clearLog: {clear_log}", st)
    check(main[0] == 0 and main[1].count("\n") >= 1 and
          '"event"' in main[1], f"maintail: {main}", st)
    with supervisord(CONF, "svlogs") as (real_conf, _):
        real, real_api, real_main = _drive(st, real_conf)
    check(real_main[0] == main[0], f"maintail: {real_main}", st)
    check(len(got) == len(real), "every command ran", st)
    compare(got, real, st)
    # readLog reads another file (see the top): its length only.
    check(len(api[10]) == len(real_api[10]) == 5, f"readLog: {api[10]}", st)
    for i, (mine, theirs) in enumerate(zip(api, real_api)):
        if i == 10:
            continue
        check(mine == theirs, f"call {i}: stewardd gave {mine!r}, "
              f"supervisord {theirs!r}", st)


def _follow(st, conf, args, until, what):
    """Run supervisorctl ARGS (a tail -f) until its output holds until
    (a predicate); its output."""
    out = os.path.join(os.path.dirname(conf), "follow.out")
    with open(out, "w") as f:
        p = subprocess.Popen(["supervisorctl", "-c", conf] + args,
                             stdout=f, stderr=subprocess.STDOUT)
    try:
        st.wait_for(what, lambda: until(open(out).read()), timeout=20)
        return open(out).read()
    finally:
        p.terminate()
        p.wait(10)


def _follow_drive(st, conf):
    """tail -f of a log file across a restart (the head, then every new
    byte), maintail -f, and tail -f of a name that is none."""
    _wait_done(st, conf)
    restart = []

    def second_run(text):
        if not restart and "done" in text:
            restart.append(ctl(conf, "restart talker"))
        return text.count("done") == 2
    tail = _follow(st, conf, ["tail", "-f", "talker"], second_run,
                   "tail -f to show the second run whole")
    main = _follow(st, conf, ["maintail", "-f"],
                   lambda t: len(t.splitlines()) > 2, "maintail -f")
    none = ctl(conf, "tail -f nosuch")
    return tail, main, none


@scenario("supervisorctl-tail-f-follows")
def supervisorctl_tail_f_follows():
    """supervisorctl tail -f streams the last 1024 bytes, then what the
    process writes, as from supervisord (compared byte for byte);
    maintail -f streams the event log; a name that is none is 404."""
    need_supervisorctl()
    st, conf = steward("svtailf", CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    tail, main, none = _follow_drive(st, conf)
    check(st.stop() == 0, "stewardd exit code", st)
    print(tail, main, none)
    check('"event"' in main, f"maintail -f: {main}", st)
    with supervisord(CONF, "svtailf") as (real_conf, _):
        real_tail, real_main, real_none = _follow_drive(st, real_conf)
    d = os.path.dirname(real_conf)
    check(tail == real_tail, f"tail -f: stewardd {tail!r}, supervisord "
          f"{real_tail!r}", st)
    real_none = (real_none[0], real_none[1].replace(d, st.dir))
    check(none == real_none, f"tail -f nosuch: {none}, supervisord "
          f"{real_none}", st)
