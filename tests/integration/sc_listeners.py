"""supervisord's [eventlistener:x] run by stewardd, with real listeners.

The listeners are Python programs written the way public supervisord
configs write them: with supervisor.childutils from Debian's `supervisor`
package (installed by ./run.sh test), or with the bare protocol as
supervisord's documentation shows it.
"""
import os
import signal
import time

from harness import Steward, check
from registry import scenario
from stanzas import STEWARD

# supervisord's AUTO log files in the scenario's directory.
LOGS = "log_dir = {tmp}/logs\n"

# The usual "stop the container when a program goes FATAL" listener.
KILL_ON_FATAL = r"""
import os, signal, sys
from supervisor import childutils

def main():
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        with open(sys.argv[1], "a") as f:
            f.write(repr((headers, payload)) + "\n")
        if headers["eventname"] == "PROCESS_STATE_FATAL":
            pheaders, pdata = childutils.eventdata(payload + "\n")
            sys.stderr.write("%s went FATAL; stopping\n"
                             % pheaders["processname"])
            sys.stderr.flush()
            os.kill(os.getppid(), signal.SIGTERM)
        childutils.listener.ok(sys.stdout)

if __name__ == "__main__":
    main()
"""

# supervisord's documentation's listener, bare protocol, recording.
RECORDER = r"""
import sys

def write_stdout(s):
    sys.stdout.write(s)
    sys.stdout.flush()

def main(path, fail_first):
    n = 0
    while 1:
        write_stdout('READY\n')
        line = sys.stdin.readline()
        headers = dict([x.split(':') for x in line.split()])
        data = sys.stdin.read(int(headers['len']))
        with open(path, 'a') as f:
            f.write(line.rstrip('\n') + ' | ' + data + '\n')
        n += 1
        if fail_first and n == 1:
            write_stdout('RESULT 4\nFAIL')
        else:
            write_stdout('RESULT 2\nOK')

if __name__ == '__main__':
    main(sys.argv[1], len(sys.argv) > 2)
"""


def records(st, name):
    try:
        with open(st.path(name)) as f:
            return [l.rstrip("\n") for l in f]
    except FileNotFoundError:
        return []


def parse_record(line):
    head, payload = line.split(" | ", 1)
    return dict(x.split(":", 1) for x in head.split()), payload


@scenario("eventlistener-stops-stewardd-on-fatal")
def eventlistener_stops_stewardd_on_fatal():
    """A childutils listener on PROCESS_STATE_FATAL kills its parent, as
    container configs do; the events before it was ready were buffered."""
    st = Steward("listener-fatal", STEWARD + LOGS + """
[program:crasher]
command = /bin/sh -c 'exit 3'
startretries = 1
autorestart = true

[program:steady]
command = /bin/sleep 1000

[eventlistener:fatal]
command = /usr/bin/python3 {tmp}/kill_on_fatal.py {tmp}/fatal.log
events = PROCESS_STATE_FATAL
""", extra_files={"kill_on_fatal.py": KILL_ON_FATAL})
    yield st.start()
    st._expect_exit = True
    st.wait_event("failed", ward="crasher")
    st.wait_for("stewardd to be stopped by the listener",
                lambda: st.proc.poll() is not None, timeout=15)
    check(st.proc.returncode == 0, f"exit code {st.proc.returncode}", st)
    got = records(st, "fatal.log")
    check(len(got) == 1, f"one event: {got}", st)
    headers, payload = eval(got[0])  # the listener's repr() of a dict
    check(headers["ver"] == "3.0" and headers["server"] == "supervisor"
          and headers["pool"] == "fatal"
          and headers["eventname"] == "PROCESS_STATE_FATAL"
          and headers["poolserial"] == "0"
          and int(headers["len"]) == len(payload), f"{headers}", st)
    check(payload == "processname:crasher groupname:crasher "
          "from_state:BACKOFF", f"payload {payload!r}", st)
    e = st.find("listener_event", ward="fatal")
    check(len(e) == 1 and e[0]["eventname"] == "PROCESS_STATE_FATAL"
          and e[0]["payload"] == payload, f"in the event log: {e}", st)
    # stderr_logfile = AUTO: a file of its own in the log directory.
    check(b"crasher went FATAL; stopping"
          in open(st.path("logs/fatal-stderr.log"), "rb").read(),
          "the listener's stderr", st)


@scenario("eventlistener-protocol-ticks-and-pools")
def eventlistener_protocol_ticks_and_pools():
    """PROCESS_STATE events in order with supervisord's payloads; TICK_5
    on a wall-clock multiple of 5 s; a FAIL puts the event back; a pool
    of two takes turns; a listener that stops reading fills its buffer
    (oldest dropped, reported) and stalls nobody; one that breaks the
    protocol is sent nothing more."""
    st = Steward("listener-pool", STEWARD + LOGS + """
[program:worker]
command = /bin/sleep 1000
startsecs = 0

[eventlistener:states]
command = /usr/bin/python3 {tmp}/recorder.py {tmp}/states.log fail-first
events = PROCESS_STATE
buffer_size = 100
startsecs = 0

[eventlistener:ticks]
command = /usr/bin/python3 {tmp}/recorder.py {tmp}/ticks-%(process_num)d.log
process_name = ticks_%(process_num)d
numprocs = 2
events = TICK_5
startsecs = 0

[eventlistener:deaf]
command = /bin/sh -c 'echo READY; exec sleep 1000'
events = PROCESS_STATE, TICK_5
buffer_size = 2
startsecs = 0

[eventlistener:rude]
command = /bin/sh -c 'echo READY; read line; echo hello; exec sleep 1000'
events = PROCESS_STATE_RUNNING, TICK_5
startsecs = 0

[eventlistener:busy]
command = /bin/sh -c 'echo READY; read header; echo "$header" >> {tmp}/busy.log; exec sleep 1000'
events = PROCESS_STATE_RUNNING
buffer_size = 100
startsecs = 0

[eventlistener:flood]
command = /bin/sh -c 'echo READY; exec yes'
events = TICK_5
startsecs = 0
""", extra_files={"recorder.py": RECORDER})
    yield st.start()
    st.wait_event("running", ward="worker")
    pid = st.instance("worker")["pid"]

    def worker_events():
        out = []
        for line in records(st, "states.log"):
            h, p = parse_record(line)
            if "processname:worker " in p:
                out.append((h, p))
        return out
    st.wait_for("the worker's STARTING and RUNNING",
                lambda: len(worker_events()) >= 2)
    os.kill(pid, signal.SIGKILL)
    st.wait_event("running", ward="worker", count=2)
    st.wait_for("EXITED, STARTING, RUNNING after kill -9",
                lambda: len(worker_events()) >= 5)
    seen = worker_events()
    names = [h["eventname"] for h, _ in seen]
    check(names[:5] == ["PROCESS_STATE_STARTING", "PROCESS_STATE_RUNNING",
                        "PROCESS_STATE_EXITED", "PROCESS_STATE_STARTING",
                        "PROCESS_STATE_RUNNING"], f"{names}", st)
    check(seen[0][1] == "processname:worker groupname:worker "
          "from_state:STOPPED tries:0", f"{seen[0][1]!r}", st)
    check(seen[2][1] == f"processname:worker groupname:worker "
          f"from_state:RUNNING expected:0 pid:{pid}", f"{seen[2][1]!r}", st)
    # The first event was rejected (FAIL) and sent again: same serial.
    allrec = [parse_record(l)[0] for l in records(st, "states.log")]
    check(allrec[0]["serial"] == allrec[1]["serial"]
          and allrec[0]["poolserial"] == allrec[1]["poolserial"],
          f"the rejected event came back: {allrec[:2]}", st)
    check(st.find("listener_rejected", ward="states"),
          "the rejection is in the event log", st)

    # TICK_5: each event goes to one of the pool's two processes.
    t0 = time.time()
    st.wait_for("a TICK_5", lambda: records(st, "ticks-0.log")
                + records(st, "ticks-1.log"), timeout=12)
    ticks = [parse_record(l) for l in records(st, "ticks-0.log")
             + records(st, "ticks-1.log")]
    h, p = ticks[0]
    when = int(p.split(":")[1])
    check(h["eventname"] == "TICK_5" and h["pool"] == "ticks"
          and when % 5 == 0 and abs(when - t0) < 12, f"{h} {p}", st)

    # The deaf listener got one event and answered none: its buffer of 2
    # overflowed, reported; stewardd answers meanwhile.
    st.wait_event("listener_overflow", ward="deaf", timeout=12)
    check(st.ctl("health").returncode == 0, "stewardd answers", st)
    # The rude one wrote outside the protocol: UNKNOWN, sent no more.
    e = st.wait_event("listener_protocol", ward="rude")
    check("waiting for an event" in e["reason"] or "RESULT" in e["reason"],
          f"{e}", st)
    # The flooding one too, and its flood costs no more reads.
    e = st.wait_event("listener_protocol", ward="flood")
    check(st.ctl("health").returncode == 0, "stewardd answers", st)
    with open(f"/proc/{st.pid}/stat") as f:
        cpu0 = sum(int(x) for x in f.read().split(")")[1].split()[11:13])
    t1 = time.monotonic()
    st.wait_for("a second of the flood", lambda: time.monotonic() - t1 > 1)
    with open(f"/proc/{st.pid}/stat") as f:
        cpu1 = sum(int(x) for x in f.read().split(")")[1].split()[11:13])
    check(cpu1 - cpu0 < 30, f"stewardd's CPU ticks in 1 s of a flood: "
          f"{cpu1 - cpu0}", st)
    n_rude = len(st.find("listener_event", ward="rude"))
    os.kill(st.instance("worker")["pid"], signal.SIGKILL)
    st.wait_event("running", ward="worker", count=3)
    check(st.instance("rude")["state"] == "running", "rude still runs", st)
    # A listener killed before it answered: its event goes back, and its
    # next life is sent that same event first.
    busy = st.wait_for("busy's first event", lambda: records(st, "busy.log"))
    os.kill(st.instance("busy")["pid"], signal.SIGKILL)
    st.wait_event("running", ward="busy", count=2)
    again = st.wait_for("busy's event sent again",
                        lambda: records(st, "busy.log")[1:])
    check(again[0] == busy[0], f"the same event: {busy[0]} / {again[0]}", st)
    check(st.stop() == 0, "stewardd exit code", st)
    check(n_rude >= 1, "rude was sent an event first", st)


@scenario("eventlistener-sees-groups-added-and-removed")
def eventlistener_sees_groups_added_and_removed():
    """PROCESS_GROUP_ADDED for every program at start, then for what a
    reload adds, and PROCESS_GROUP_REMOVED for what it removes."""
    head = """[steward]
event_log = {tmp}/events.jsonl
socket = {tmp}/ctl.sock
log_dir = {tmp}/logs

[eventlistener:groups]
command = /usr/bin/python3 {tmp}/recorder.py {tmp}/groups.log
events = PROCESS_GROUP
startsecs = 0
"""
    st = Steward("listener-groups", head + """
[program:old]
command = /bin/sleep 1000
""", extra_files={"recorder.py": RECORDER})
    yield st.start()

    def payloads():
        # A payload that ends in a newline leaves an empty line behind.
        return [parse_record(l) for l in records(st, "groups.log") if l]
    st.wait_for("ADDED for both", lambda: len(payloads()) >= 2)
    got = sorted((h["eventname"], p) for h, p in payloads())
    check(got == [("PROCESS_GROUP_ADDED", "groupname:groups"),
                  ("PROCESS_GROUP_ADDED", "groupname:old")], f"{got}", st)
    # The recorder writes the payload as read: supervisord's ends in \n.
    check(all(h["len"] == str(len(p) + 1) for h, p in payloads()),
          f"{payloads()}", st)
    with open(st.config_path, "w") as f:
        f.write(head.format(tmp=st.dir) + "\n[program:new]\n"
                "command = /bin/sleep 1000\n")
    st.ctl("reload", check_rc=0)
    st.wait_for("ADDED new and REMOVED old", lambda: len(payloads()) >= 4)
    got = sorted((h["eventname"], p) for h, p in payloads()[2:])
    check(got == [("PROCESS_GROUP_ADDED", "groupname:new"),
                  ("PROCESS_GROUP_REMOVED", "groupname:old")], f"{got}", st)
    check(st.stop() == 0, "stewardd exit code", st)
