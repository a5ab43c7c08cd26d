"""supervisorctl reload and shutdown, and the API's help, against
stewardd and against Debian's supervisord on the same config.

Deliberate differences, each where it is made alike:
- sendProcessStdin to a running process: supervisord writes to its
  stdin pipe; stewardd gives no ward one and answers NO_FILE.
- system.methodHelp: stewardd's texts are its own (one line each);
  only that each served method has one is compared.
- system.listMethods: supervisord serves a few stewardd does not
  (sendRemoteCommEvent, and the log methods until they land); the
  signatures are compared for the methods both serve.
"""
import os
import re
import shutil
import subprocess
import tempfile
import xmlrpc.client

from harness import Steward, check
from registry import scenario
from sc_supervisorctl import _ctl, _proxy
from sc_supervisorctl_config import CONF, _pid, _running


def _api(sock):
    """Signatures of every method, help present, and stdin's faults."""
    p = _proxy(sock)
    names = p.system.listMethods()
    sigs = {n: p.system.methodSignature(n) for n in names}
    helps = {n: bool(p.system.methodHelp(n)) for n in names}
    faults = []
    for call in (lambda: p.supervisor.sendProcessStdin("nosuch", "x"),
                 lambda: p.supervisor.sendProcessStdin("web:web_00", "x"),
                 lambda: p.supervisor.sendProcessStdin("steady", "x\n"),
                 lambda: p.system.methodHelp("nosuch"),
                 lambda: p.system.methodSignature("nosuch")):
        try:
            faults.append(call())
        except xmlrpc.client.Fault as e:
            faults.append((e.faultCode, e.faultString))
    return sigs, helps, faults


def _drive(st, conf, sock, alive):
    """reload (a restart), then stop all and shutdown; what each said,
    whether the pid stayed and the processes are new, and the API."""
    st.wait_for("steady running", lambda: _running(conf, ["steady"]),
                timeout=20)
    pid, steady = _ctl(conf, "pid")[1], _pid(conf, "steady")
    api = _api(sock)
    got = [("reload",) + _ctl(conf, "reload")]
    st.wait_for("steady running again",
                lambda: _running(conf, ["steady", "sleeper"]), timeout=20)
    same = (_ctl(conf, "pid")[1] == pid, _pid(conf, "steady") != steady)
    st._expect_exit = True  # shutdown ends stewardd
    got += [(c,) + _ctl(conf, c) for c in ("stop all", "shutdown")]
    st.wait_for("the server gone", lambda: not alive(), timeout=20)
    got += [("status",) + _ctl(conf, "status")]
    return got, same, api


@scenario("supervisorctl-shutdown-restart-help")
def supervisorctl_shutdown_restart_help():
    """supervisorctl reload restarts stewardd in place (same pid, every
    ward started anew from the config read again), shutdown stops it;
    methodHelp and methodSignature answer for every method served."""
    if shutil.which("supervisorctl") is None:
        print("supervisorctl is not installed (run.sh test installs it)")
        raise SystemExit(77)
    st = Steward("svdaemon", "")
    conf = st.path("supervisord.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    st.config_path = conf
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got, same, api = _drive(st, conf, st.path("supervisor.sock"),
                            lambda: st.proc.poll() is None)
    check(st.proc.wait(10) == 0, "stewardd exit code after shutdown", st)
    check(same == (True, True), f"reload: same pid, new processes: {same}",
          st)
    st.wait_event("restart")
    st.wait_event("shutdown")
    for c, rc, out in got:
        print(f"$ supervisorctl {c}  (exit {rc})\n{out}", end="")
    check(all(api[1].values()), f"a help for every method: {api[1]}", st)
    check(api[2][2][0] == 20, f"sendProcessStdin: {api[2]}", st)
    d = tempfile.mkdtemp(prefix="steward-svdaemon-")
    real_conf = os.path.join(d, "supervisord.conf")
    with open(real_conf, "w") as f:
        f.write(CONF)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", real_conf],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        real, real_same, real_api = _drive(
            st, real_conf, os.path.join(d, "supervisor.sock"),
            lambda: sv.poll() is None)
    finally:
        if sv.poll() is None:
            sv.terminate()
        sv.wait(20)
        shutil.rmtree(d, ignore_errors=True)
    check(real_same == same, f"supervisord's reload: {real_same}", st)
    for mine, theirs in zip(got, real):
        theirs = (theirs[0], theirs[1],
                  re.sub(re.escape(d), os.path.dirname(conf), theirs[2]))
        check(mine == theirs,
              f"supervisorctl {mine[0]}: stewardd gave {mine[1:]}, "
              f"supervisord {theirs[1:]}", st)
    both = set(api[0]) & set(real_api[0])
    check(len(both) >= len(api[0]) - 2, f"methods: {sorted(api[0])}", st)
    for n in sorted(both):
        check(api[0][n] == real_api[0][n],
              f"methodSignature({n}): {api[0][n]}, supervisord "
              f"{real_api[0][n]}", st)
    # Deliberate: supervisord writes to steady's stdin (True).
    check(real_api[2][2] is True, f"supervisord's stdin: {real_api[2]}", st)
    check(api[2][:2] + api[2][3:] == real_api[2][:2] + real_api[2][3:],
          f"the faults: {api[2]}, supervisord {real_api[2]}", st)


@scenario("xmlrpc-rate-limit-per-client")
def xmlrpc_rate_limit_per_client():
    """A client may make 200 requests at once, then 50 a second, whatever
    connections it uses: beyond, 429 (never more served than the bucket
    allows in the time the flood took); served again once it refilled;
    stewardd goes on serving."""
    import time
    st = Steward("svrate", "")
    conf = st.path("supervisord.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    st.config_path = conf
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    sock = st.path("supervisor.sock")
    st.wait_for("the server answering", lambda: os.path.exists(sock))
    codes = []
    t0 = time.monotonic()
    for i in range(600):
        p = _proxy(sock)  # a new connection each time
        try:
            p.supervisor.getPID()
            codes.append(200)
        except xmlrpc.client.ProtocolError as e:
            codes.append(e.errcode)
    took = time.monotonic() - t0
    served = codes.count(200)
    print(f"{served} answered, {codes.count(429)} refused in {took:.2f}s")
    check(set(codes) <= {200, 429}, f"answers: {set(codes)}", st)
    check(codes[:200] == [200] * 200, "the burst was not all served", st)
    # The bucket's bound, whatever the machine's speed: 200 + 50/s.
    check(served <= 200 + 50 * took + 1,
          f"{served} served in {took:.2f}s: more than the rate", st)

    def served_again():
        try:
            return _proxy(sock).supervisor.getPID() == st.proc.pid
        except xmlrpc.client.ProtocolError:
            return False
    st.wait_for("a request served again", served_again, timeout=10)
    check(st.stop() == 0, "stewardd exit code", st)
