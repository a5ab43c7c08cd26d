"""Real daemons built for systemd's sd_notify(3), run as wards unchanged.

Debian 12's redis-server (--supervised systemd), unbound (use-systemd)
and php-fpm are linked with libsystemd and speak to NOTIFY_SOCKET:
redis and unbound send READY=1 (redis also STATUS=) and never WATCHDOG=1;
php-fpm repeats READY=1 with a STATUS (and WATCHDOG=1) at half of
WATCHDOG_USEC.  ./run.sh test installs them; the packages' own services
play no part (the wards run on their own sockets and ports).
"""
import glob
import os
import signal
import socket
import time

import harness
from harness import Steward, check, alive
from registry import scenario

REDIS = "/usr/bin/redis-server"
UNBOUND = "/usr/sbin/unbound"


def php_fpm():
    found = sorted(glob.glob("/usr/sbin/php-fpm*"))
    return found[-1] if found else "/usr/sbin/php-fpm"


def need(*paths):
    for p in paths:
        if not os.access(p, os.X_OK):
            raise harness.Failure(f"{p} is missing: install redis-server, "
                             f"unbound and php-fpm (./run.sh test does)")


def free_port():
    """A port free for UDP and TCP on 127.0.0.1 now."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise harness.Failure("no free port for unbound")


def redis_ping(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
        s.sendall(b"PING\r\n")
        return s.recv(64)
    except OSError:
        return b""
    finally:
        s.close()


def dns_answers(port):
    """unbound answers a query for its own name (chaos class, id.server
    needs no network); any reply with our id will do."""
    q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         b"\x07version\x04bind\x00\x00\x10\x00\x03")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        s.sendto(q, ("127.0.0.1", port))
        return s.recv(512)[:2] == b"\x12\x34"
    except OSError:
        return False
    finally:
        s.close()


UNBOUND_CONF = """server:
  interface: 127.0.0.1
  port: {port}
  use-systemd: yes
  do-daemonize: no
  username: ""
  chroot: ""
  pidfile: ""
  directory: "{tmp}"
  logfile: ""
  use-syslog: no
remote-control:
  control-enable: no
"""

FPM_CONF = """[global]
pid = {tmp}/fpm.pid
error_log = /proc/self/fd/2
daemonize = no
[www]
listen = {tmp}/fpm.sock
pm = static
pm.max_children = 1
"""


@scenario("sdnotify-daemons-readiness-only")
def sdnotify_daemons_readiness_only():
    """redis and unbound under heartbeat = notify without a watchdog: ready,
    STATUS shown, no WATCHDOG_USEC, never judged hung in 30 s of silence,
    healed after kill -9, stopped cleanly."""
    need(REDIS, UNBOUND)
    port = free_port()
    st = Steward("sdnotify", f"""
[ward:redis]
command = /bin/sh -c 'env > {{tmp}}/redis.env; exec {REDIS} --supervised systemd --port 0 --unixsocket {{tmp}}/redis.sock --save "" --appendonly no --dir {{tmp}}'
heartbeat = notify
backoff = 10ms

[ward:unbound]
command = /bin/sh -c 'env > {{tmp}}/unbound.env; exec {UNBOUND} -d -c {{tmp}}/unbound.conf'
heartbeat = notify
backoff = 10ms
""", extra_files={"unbound.conf": UNBOUND_CONF.replace("{port}", str(port))})
    yield st.start()
    pids = {}
    for name in ("redis", "unbound"):
        e = st.wait_event("running", ward=name, timeout=20)
        check(e["reason"] == "READY=1 received", f"{name} ready: {e}", st)
        pids[name] = e["pid"]
        # What the daemon was given (redis's process title overwrites
        # its environment in /proc): the shell that execs it wrote it.
        env = st.wait_file(f"{name}.env")
        check("NOTIFY_SOCKET=" in env, f"{name} has NOTIFY_SOCKET", st)
        check("WATCHDOG_USEC=" not in env and "WATCHDOG_PID=" not in env,
              f"{name} was told of no watchdog:\n{env}", st)
    st.wait_for("redis's STATUS=",
                lambda: st.instance("redis")["status"]
                == "Ready to accept connections")
    check(redis_ping(st.path("redis.sock")).startswith(b"+PONG"),
          "redis answers PING", st)
    st.wait_for("unbound answers a query", lambda: dns_answers(port))

    # 30 s without one beat: still running, never judged.
    t0 = time.monotonic()

    def steady():
        for name in ("redis", "unbound"):
            if st.find("stopping", ward=name):
                st.fail(f"{name} was stopped during the quiet 30 s")
        return time.monotonic() - t0 >= 30
    st.wait_for("30 s of steady running without WATCHDOG=1", steady,
                timeout=45)
    for name in ("redis", "unbound"):
        inst = st.instance(name)
        check(inst["state"] == "running" and inst["pid"] == pids[name]
              and inst["restarts"] == 0, f"{name} after 30 s: {inst}", st)

    # kill -9: healed, ready again.
    for name in ("redis", "unbound"):
        os.kill(pids[name], signal.SIGKILL)
        e = st.wait_event("backoff", ward=name, cause="signal")
        e = st.wait_event("running", ward=name, count=2, timeout=20)
        check(e["reason"] == "READY=1 received" and e["pid"] != pids[name],
              f"{name} healed: {e}", st)
        pids[name] = e["pid"]
    st.wait_for("the new redis answers PING",
                lambda: redis_ping(st.path("redis.sock"))
                .startswith(b"+PONG"))

    # Stopped cleanly: stop_signal was enough (no SIGKILL).
    st.ctl("stop", "redis", "unbound", check_rc=0)
    for name in ("redis", "unbound"):
        st.wait_event("stopped", ward=name, cause="stop")
        check(not alive(pids[name]), f"{name} is gone", st)
    check(not st.find("stopping", cause="stop_timeout"),
          "no daemon needed SIGKILL", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("sdnotify-php-fpm-watchdog")
def sdnotify_php_fpm_watchdog():
    """php-fpm with a watchdog (heartbeat_timeout): WATCHDOG_USEC set, its
    repeated READY=1 and WATCHDOG=1 keep it alive, SIGSTOP gets it healed;
    redis with a watchdog it never feeds says why it is judged hung."""
    fpm = php_fpm()
    need(fpm, REDIS)
    st = Steward("fpm", f"""
[ward:fpm]
command = {fpm} --nodaemonize --allow-to-run-as-root --fpm-config {{tmp}}/fpm.conf
heartbeat = notify
heartbeat_timeout = 3s
backoff = 10ms

[ward:redis]
command = {REDIS} --supervised systemd --port 0 --unixsocket {{tmp}}/redis.sock --save "" --appendonly no --dir {{tmp}}
heartbeat = notify
heartbeat_timeout = 1s
backoff = 10ms
""", extra_files={"fpm.conf": FPM_CONF})
    yield st.start()
    e = st.wait_event("running", ward="fpm", timeout=20)
    pid = e["pid"]
    # php-fpm's process title overwrites its environment in /proc; it
    # says what it read from WATCHDOG_USEC (3 s) itself.
    st.wait_for("php-fpm to read WATCHDOG_USEC", lambda: b"systemd watchdog "
                b"configured to 1.5sec" in open(st.stderr_path, "rb").read())
    # Half of WATCHDOG_USEC, 1.5 s: two beats within 4 s.
    st.wait_for("php-fpm's beats", lambda: st.instance("fpm")["beats"] >= 2,
                timeout=8)
    check((st.instance("fpm")["status"] or "").startswith(
        "Processes active:"), f"php-fpm's STATUS {st.instance('fpm')}", st)

    # redis never sends WATCHDOG=1: judged hung, and the reason says why.
    e = st.wait_event("stopping", ward="redis", cause="heartbeat_timeout")
    check("never sent WATCHDOG=1; is its watchdog enabled?" in e["reason"],
          f"the reason names the missing watchdog: {e}", st)
    st.ctl("stop", "redis", check_rc=0)

    # SIGSTOP: no more beats, healed.
    check(not st.find("stopping", ward="fpm"), "php-fpm stayed healthy", st)
    os.kill(pid, signal.SIGSTOP)
    e = st.wait_event("stopping", ward="fpm", cause="heartbeat_timeout")
    check("never sent" not in e["reason"], f"php-fpm did beat: {e}", st)
    e = st.wait_event("running", ward="fpm", count=2, timeout=20)
    check(e["pid"] != pid, f"a new php-fpm: {e}", st)
    check(not alive(pid), "the stopped php-fpm is gone", st)
    check(st.stop() == 0, "stewardd exit code", st)
