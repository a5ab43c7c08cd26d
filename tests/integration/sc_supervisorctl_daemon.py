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
import xmlrpc.client

from harness import check
from registry import scenario
from sc_supervisorctl_config import CONF
from svctl import (compare, ctl, need_supervisorctl, pid, proxy, show,
                   sock_of, steward, supervisord, wait_running)


def _api(sock):
    """Signatures of every method, help present, and stdin's faults."""
    p = proxy(sock)
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


def _drive(st, conf, alive):
    """reload (a restart), then stop all and shutdown; what each said,
    whether the pid stayed and the processes are new, and the API."""
    wait_running(st, conf, ["steady"])
    own, steady = ctl(conf, "pid")[1], pid(conf, "steady")
    api = _api(sock_of(conf))
    got = [("reload",) + ctl(conf, "reload")]
    wait_running(st, conf, ["steady", "sleeper"], "steady running again")
    same = (ctl(conf, "pid")[1] == own, pid(conf, "steady") != steady)
    st._expect_exit = True  # shutdown ends stewardd
    got += [(c,) + ctl(conf, c) for c in ("stop all", "shutdown")]
    st.wait_for("the server gone", lambda: not alive(), timeout=20)
    got += [("status",) + ctl(conf, "status")]
    return got, same, api


@scenario("supervisorctl-shutdown-restart-help")
def supervisorctl_shutdown_restart_help():
    """supervisorctl reload restarts stewardd in place (same pid, every
    ward started anew from the config read again), shutdown stops it;
    methodHelp and methodSignature answer for every method served."""
    need_supervisorctl()
    st, conf = steward("svdaemon", CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got, same, api = _drive(st, conf, lambda: st.proc.poll() is None)
    check(st.proc.wait(10) == 0, "stewardd exit code after shutdown", st)
    check(same == (True, True), f"reload: same pid, new processes: {same}",
          st)
    st.wait_event("restart")
    st.wait_event("shutdown")
    show(got)
    check(all(api[1].values()), f"a help for every method: {api[1]}", st)
    check(api[2][2][0] == 20, f"sendProcessStdin: {api[2]}", st)
    with supervisord(CONF, "svdaemon") as (real_conf, sv):
        real, real_same, real_api = _drive(st, real_conf,
                                           lambda: sv.poll() is None)
    d = os.path.dirname(real_conf)
    check(real_same == same, f"supervisord's reload: {real_same}", st)
    compare(got, [(c, rc, re.sub(re.escape(d), os.path.dirname(conf), out))
                  for c, rc, out in real], st)
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
    st, _ = steward("svrate", CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    sock = st.path("supervisor.sock")
    st.wait_for("the server answering", lambda: os.path.exists(sock))
    codes = []
    t0 = time.monotonic()
    for i in range(600):
        p = proxy(sock)  # a new connection each time
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
            return proxy(sock).supervisor.getPID() == st.proc.pid
        except xmlrpc.client.ProtocolError:
            return False
    st.wait_for("a request served again", served_again, timeout=10)
    check(st.stop() == 0, "stewardd exit code", st)
