#!/usr/bin/env python3
"""steward's benchmark: the real stewardd, thousands of tiny wards.

    python3 tests/bench/bench.py --build build [--quick] [--json FILE]

Runs stewardd (and, side by side, Debian's supervisord when it is
installed) with N copies of tests/bench/benchward.c and prints a table of
figures: median, p90/p99 where there are enough samples, min-max.  Every
sample is written as JSON (default BUILD/bench.json).  This is a
benchmark, not a test: it passes unless something breaks outright, and
it reports which of issue #7's targets are met.

What is measured, for stewardd at each N (100, 1,000, 10,000):

  start-all   from the moment stewardd is started until every ward has
              written its first beat (the wards time it; also: until the
              event log holds a "running" record for each)
  steady      every ward beating once a second (heartbeat_timeout 2s):
              the daemon's CPU (utime+stime from /proc/PID/stat over the
              window, as % of one core), its VmRSS, and the CPU time per
              beat heard (beats from the control socket's status)
  detection   one ward stops beating (SIGUSR1) while all others go on:
              SIGTERM arrival in the ward minus (its last beat +
              heartbeat_timeout), both timed in the ward
  restart     SIGKILL to a ward until its replacement's first beat
              (backoff = 0, so the figure is the mechanism): a different
              ward each time, 100 ms apart, each asleep between beats
  restart, warm
              the same, but one ward over and over, killed 2 ms after
              its replacement's first beat, as the floor's restart does
  stop-all    SIGTERM to stewardd until it has reaped every ward and
              exited (the wards obey SIGTERM at once)

and the floors, from tests/bench/benchfloor.c, at idle and again under
each N's load: fork+exec and posix_spawn of the ward until its first
beat, a restart done by hand (SIGKILL, waitpid, fork+exec, first beat)
of a ward started 2 ms before, pipe write -> epoll wake-up, kill ->
handler, and epoll timer lateness; under load, also the restart by hand
of a settled ward (20 wards beating, one restarted every 100 ms, as the
bench's victims), measured in blocks between blocks of stewardd's
restarts so that both share the same minutes of a shared machine; the
warm restart by hand is measured again that way, in blocks between the
blocks of warm restarts.  Each restart figure of stewardd is judged
against the floor measured the same way.  The restarts are driven by
tests/bench/benchkill.c: C, as the floor is, so that the hand that kills
costs both the same.

supervisord runs the same ward as [program:w] with numprocs=N,
startsecs=0, autorestart=true.  It hears no beats, so the ward reports
when it reached its loop instead (the same moment as the first beat under
stewardd); detection has no peer.

Side by side (compare), at N = 100 and 1,000: stewardd (heartbeat = none),
supervisord, runit (runsvdir, a runsv per ward) and s6 (s6-svscan, an
s6-supervise per ward, with readiness notification on fd 3), each when
installed (./run.sh bench installs them), run in turn with the same ward,
the order rotated each run:

  start-all   from the start of the daemon until every ward's first report
  restart     SIGKILL to a ward until its replacement's first report
  memory      VmRSS summed over the supervision tree (the daemon and its
              supervisor processes, not the wards)
  idle        CPU (schedstat, % of a core) and wake-ups (voluntary context
              switches a second), summed over the same tree, nothing due
  stop-all    the supervisor's own stop-all (SIGTERM; runsvdir: SIGHUP)
              until every supervisor process and every ward is gone

with each figure's ratio to the best peer's and to the floor measured in
the same run: start-all and stop-all by benchfloor -A (N wards spawned
serially by clone, until every first beat; SIGTERM to each until reaped;
the wards report to a FIFO read here, as the daemons' wards do), restart
by restart_fork_exec.  Every floor's wards get our environment (benchfloor
-E) with the contract's variables, as the daemons' wards get theirs, so
that the exec of both copies the same strings.

stewardd's loop (loop), at N = 10,000 wards beating (1,000 in --quick):
phase by phase (the autostart, a steady window, `stop all`, `start all`,
a reload removing the N wards, one adding them back, 32 clients each
asking for a status as fast as they can for 5 s, 5 s of a metrics
file of the N instances rewritten every second, and the shutdown on
SIGTERM), how long it took (the stop all: until every ward is reaped;
the reload removing them: until every ward is reaped and its cgroup
removed), the
longest gap between two of the loop's looks at its descriptors (the
health reply's gap_recent_max_ms, asked every 20 ms), the histogram of
gaps, the same in stewardd's own CPU time (cpu_gap_recent_max_ms: the
gap less the time other processes had its CPU), and how long the health
requests took; and the autostart of N
against the serial spawn floor of N (benchfloor -A) in the same run,
against the same floor with each ward leading a session of its own
(benchfloor -A -s: setsid, as stewardd's wards do), with a cgroup made
for each ward (benchfloor -A -C: stewardd makes one for each instance),
and with both (-s -C: what stewardd does by default), the cgroup floors
measured last because the kernel frees removed cgroups in the
background for seconds; the floors with a session also hold each
ward's output pipes (-o) and stop their wards as stewardd does (-G:
the group signalled, every pipe read to its end, the leftovers killed
before the reap), and report their own CPU time in the stop beside
stewardd's in the phase; the stop all and the reload removing the N
wards against the same floors' stop-all, the reload adding them
against their start-all; then the loop's targets, each met or missed
(no gap above 20 ms in stewardd's CPU time nor on the wall clock,
health within 50 ms, and each of those four within 1.2x of the plain
floor and of the one that does the same).  Each floor
and the daemon start once the machine is idle (settle()).  --cgroups
sets stewardd's [steward] cgroups (off: no cgroup per instance).

All times come from CLOCK_MONOTONIC (time.monotonic_ns() here, the same
clock in the C programs), except the event-log and supervisord-log
cross-checks, which have millisecond wall-clock stamps.
"""
import argparse
import calendar
import datetime
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
HB_TIMEOUT_S = 2.0  # beats every second: one spare tick
STATUS_ALL = 2000  # up to this many instances, one status request
QUICK = {
    "steward_n": [100, 1000],
    "supervisord_n": [100],
    "runs": {100: 2, 1000: 2},
    "sup_runs": {100: 2},
    "window": 5.0,
    "detect_trials": 20,
    "restart_trials": 20,
    "restart_blocks": 2,
    "sup_restart_trials": 5,
    "floor_n": 60,
    "floor_w": 300,
    "idle_compare": False,
    "cmp_n": [100, 1000],
    "cmp_runs": 2,
    "cmp_window": 5.0,
    "cmp_restart_trials": 10,
    "loop_n": 1000,
}
FULL = {
    "steward_n": [100, 1000, 10000],
    "supervisord_n": [100, 1000],
    "runs": {100: 5, 1000: 5, 10000: 3},
    "sup_runs": {100: 3, 1000: 3},
    "window": 20.0,
    "detect_trials": 60,
    "restart_trials": 90,
    "restart_blocks": 3,
    "sup_restart_trials": 30,
    "floor_n": 200,
    "floor_w": 1000,
    "idle_compare": True,
    "cmp_n": [100, 1000],
    "cmp_runs": 3,
    "cmp_window": 20.0,
    "cmp_restart_trials": 30,
    "loop_n": 10000,
}


def log(msg):
    """Progress on stderr, so that stdout is the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr,
          flush=True)


def mono():
    """CLOCK_MONOTONIC in nanoseconds, the wards' clock."""
    return time.monotonic_ns()


def pct(values, p):
    """The p-th percentile, linear between closest ranks."""
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def summary(values, unit):
    """Median, p90, p99, min, max and the count of a sample list."""
    if not values:
        return {"n": 0, "unit": unit}
    return {
        "n": len(values), "unit": unit,
        "median": statistics.median(values),
        "p90": pct(values, 90), "p99": pct(values, 99),
        "min": min(values), "max": max(values),
    }


# -- /proc -------------------------------------------------------------------

def proc_cpu_s(pid):
    """utime + stime of a process, in seconds (from /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    rest = data[data.rfind(")") + 2:].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def proc_run_ns(pid):
    """Time on a CPU, in ns, from /proc/PID/schedstat (finer than ticks)."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def proc_wait_ns(pid):
    """Time spent runnable but waiting for a CPU, ns (schedstat)."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[1])


class RunqWatch:
    """How much of a phase the daemon spent waiting for a CPU: on this
    shared 2-core machine, the part of a latency that is not the
    daemon's doing."""

    def __init__(self, pid):
        self.pid = pid
        self.w0, self.t0 = proc_wait_ns(pid), mono()
        with open("/proc/loadavg") as f:
            self.load = float(f.read().split()[0])

    def pct(self):
        return 100.0 * (proc_wait_ns(self.pid) - self.w0) / (mono() - self.t0)


def settle(quiet=0.85, timeout=60.0):
    """Wait until the machine is idle (the share of idle CPU time over
    half a second, twice in a row), at most timeout seconds: the kernel
    ends a run's processes and frees its cgroups for seconds after it,
    which the next figure would otherwise pay for."""
    def ticks():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0 = time.monotonic()
    calm = 0
    while calm < 2 and time.monotonic() - t0 < timeout:
        a, ia = ticks()
        time.sleep(0.5)
        b, ib = ticks()
        calm = calm + 1 if b > a and (ib - ia) / (b - a) >= quiet else 0
    waited = time.monotonic() - t0
    if waited > 1.5:
        log(f"waited {waited:.1f}s for the machine to be idle"
            + ("" if calm >= 2 else " (it was not)"))


def cgroups_left(path):
    """How many instances' cgroups are left below a ward's cgroup
    directory: its link count less 2 (a cgroup directory's count is 2
    and one for each child).  Not a listing: reading a directory of
    10,000 every 5 ms contends with stewardd's rmdirs in the kernel."""
    try:
        return os.stat(path).st_nlink - 2
    except FileNotFoundError:
        return 0


def own_cgroup_dir():
    """Our cgroup's directory in the cgroup v2 hierarchy, if writable."""
    try:
        with open("/proc/self/cgroup") as f:
            rel = next((line.strip()[3:] for line in f
                        if line.startswith("0::")), None)
        with open("/proc/self/mountinfo") as f:
            mnt = next((line.split()[4] for line in f
                        if " - cgroup2 " in line), None)
    except OSError:
        return None
    if rel is None or mnt is None:
        return None
    d = os.path.normpath(mnt + "/" + rel)
    return d if os.access(d, os.W_OK) else None


def proc_status(pid, key):
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def proc_children(pid):
    """The pids of a process's children."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def machine():
    """What the figures were measured on."""
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = f.readline().split()[1]
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {
        "nproc": os.cpu_count(), "cpu_model": model,
        "kernel": platform.release(), "mem_total_kib": int(mem),
        "loadavg_at_start": load,
        "nofile": list(__import__("resource").getrlimit(
            __import__("resource").RLIMIT_NOFILE)),
        "python": platform.python_version(),
    }


# -- what the wards report ---------------------------------------------------

class Reports:
    """Reads the wards' report FIFO in a thread (see benchward.c)."""

    def __init__(self, path):
        self.path = path
        os.mkfifo(path, 0o600)
        # O_RDWR: opening never blocks and the FIFO never reads EOF.
        self.fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        try:
            fcntl.fcntl(self.fd, fcntl.F_SETPIPE_SZ, 1 << 20)
        except (OSError, AttributeError):
            pass
        self.cond = threading.Condition()
        self.first = []  # (id, pid, t_ns) in arrival order
        self.latest = {}  # id -> (pid, t_ns) of the newest first beat
        self.terms = []  # (id, pid, last_beat_ns, sigterm_ns)
        self.stop_r, self.stop_w = os.pipe2(os.O_CLOEXEC)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        """Parse report lines as they come."""
        import select
        carry = b""
        while True:
            r, _, _ = select.select([self.fd, self.stop_r], [], [])
            if self.stop_r in r:
                os.read(self.stop_r, 1)
                return
            data = os.read(self.fd, 1 << 20)
            lines = (carry + data).split(b"\n")
            carry = lines.pop()
            with self.cond:
                for line in lines:
                    self._take(line.decode())
                self.cond.notify_all()

    def _take(self, line):
        """One report line (under the lock)."""
        w = line.split()
        if w[0] == "F":
            rec = (w[1], int(w[2]), int(w[3]))
            self.first.append(rec)
            self.latest[w[1]] = (rec[1], rec[2])
        elif w[0] == "T":
            self.terms.append((w[1], int(w[2]), int(w[3]), int(w[4])))

    def pause(self):
        """Stop reading (another program reads the FIFO meanwhile)."""
        os.write(self.stop_w, b"x")
        self.thread.join()

    def resume(self, lines):
        """Take what the other reader passed on, and read again."""
        with self.cond:
            for line in lines:
                self._take(line)
            self.cond.notify_all()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def wait(self, pred, timeout, what):
        """Wait until pred() holds (under the lock), or fail saying what."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"waited {timeout:.0f}s for {what}")
                self.cond.wait(min(left, 0.5))

    def close(self):
        """Stop the thread, close and remove the FIFO."""
        os.write(self.stop_w, b"x")
        self.thread.join()
        for fd in (self.fd, self.stop_r, self.stop_w):
            os.close(fd)
        os.unlink(self.path)


# -- the daemons -------------------------------------------------------------

class Daemon:
    """One run of a supervisor daemon with N bench wards."""

    kind = "?"

    def __init__(self, bench, n, tag):
        self.bench = bench
        self.n = n
        self.dir = os.path.join(bench.work, f"{self.kind}-{n}-{tag}")
        os.makedirs(self.dir)
        self.reports = Reports(os.path.join(self.dir, "reports.fifo"))
        self.proc = None
        self.t0 = None
        self.t0_wall = None

    def env(self):
        """The daemon's environment: ours, plus where wards report."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("STEWARD_", "SUPERVISOR_",
                                    "NOTIFY_SOCKET", "WATCHDOG_"))}
        env["BENCH_REPORT"] = self.reports.path
        return env

    def start(self):
        """Start the daemon and time start-all from this moment."""
        self.stderr = open(os.path.join(self.dir, "stderr.log"), "wb")
        argv = self.argv()
        self.t0_wall = time.time()
        self.t0 = mono()
        self.proc = subprocess.Popen(argv, env=self.env(),
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.stderr, stderr=self.stderr,
                                     cwd=self.dir)

    def wait_all_started(self, timeout):
        """Wait for every ward's first report; start-all in ms."""
        n = self.n
        self.reports.wait(lambda: len(self.reports.latest) >= n, timeout,
                          f"the first beat of {n} wards "
                          f"({self.kind} pid {self.proc.pid})")
        with self.reports.cond:
            last = max(t for _, t in self.reports.latest.values())
        return (last - self.t0) / 1e6

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_window(self, seconds):
        """CPU % of one core over a window, and 1 s slices of it."""
        pid = self.proc.pid
        rq = RunqWatch(pid)
        c0, r0, t0 = proc_cpu_s(pid), proc_run_ns(pid), mono()
        slices = []
        rp, tp = r0, t0
        end = t0 + int(seconds * 1e9)
        while True:
            now = mono()
            if now >= end:
                break
            time.sleep(min(1.0, (end - now) / 1e9))
            r, t = proc_run_ns(pid), mono()
            slices.append(100.0 * (r - rp) / (t - tp))
            rp, tp = r, t
        c1, r1, t1 = proc_cpu_s(pid), proc_run_ns(pid), mono()
        wall = (t1 - t0) / 1e9
        return {
            "wall_s": wall,
            "cpu_s": c1 - c0,
            "cpu_pct": 100.0 * (c1 - c0) / wall,
            "sched_cpu_s": (r1 - r0) / 1e9,
            "sched_cpu_pct": 100.0 * (r1 - r0) / (t1 - t0),
            "slices_pct": slices,
            "runq_wait_pct": rq.pct(),
            "loadavg_1m": rq.load,
        }

    def rss(self):
        """VmRSS and VmHWM of the daemon, KiB."""
        pid = self.proc.pid
        return {"vmrss_kib": proc_status(pid, "VmRSS"),
                "vmhwm_kib": proc_status(pid, "VmHWM")}

    def current_pid(self, wid):
        """The pid of ward wid's current process, from its reports."""
        with self.reports.cond:
            return self.reports.latest[wid][0]

    def kill_trials(self, wids, gap, repeat=1):
        """SIGKILL each ward in turn (repeat times), gap s before each,
        by benchkill; ms until each replacement's first beat."""
        argv = [self.bench.benchkill, "-f", self.reports.path,
                "-g", str(int(gap * 1e6)), "-r", str(repeat)]
        for wid in wids:
            argv += [wid, str(self.current_pid(wid))]
        self.reports.pause()
        try:
            r = subprocess.run(argv, stdout=subprocess.PIPE, text=True,
                               timeout=60 + len(wids) * repeat * (gap + 1))
        finally:
            out, passed = [], []
            for line in (r.stdout if "r" in locals() else "").splitlines():
                kind, rest = line.split(" ", 1)
                if kind == "K":
                    wid, pid, t, ns = rest.split()
                    passed.append(f"F {wid} {pid} {t}")
                    out.append(int(ns) / 1e6)
                else:
                    passed.append(rest)
            self.reports.resume(passed)
        if r.returncode != 0:
            raise RuntimeError(f"benchkill exited {r.returncode}")
        return out

    def restart_trials(self, trials, gap, first=0):
        """A different ward each time, gap s apart (ms each)."""
        ids = self.ward_ids()
        return self.kill_trials([ids[(k * 7919 + 13) % len(ids)]
                                 for k in range(first, first + trials)], gap)

    def restart_warm_trials(self, trials, nap=0.002):
        """One ward, killed nap s after each replacement's first beat."""
        wid = self.ward_ids()[1 % len(self.ward_ids())]
        return self.kill_trials([wid], nap, repeat=trials)

    def stop(self, timeout=120):
        """SIGTERM; time until the daemon has exited (ms)."""
        t0 = mono()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        t = (mono() - t0) / 1e6
        self.exit_code = rc
        return t

    def kill(self):
        """Tear down after a failure: the daemon, then its wards."""
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        with self.reports.cond:
            pids = [p for p, _ in self.reports.latest.values()]
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self):
        if self.alive():
            self.kill()
        self.reports.close()
        self.stderr.close()


class Steward(Daemon):
    kind = "steward"

    def __init__(self, bench, n, tag, heartbeat="pipe", victims=0):
        self.heartbeat = heartbeat
        # [ward:v]: wards that will be told to hang, with restart = never,
        # so that their detection is not disturbed by respawns.
        self.nv = victims if heartbeat == "pipe" and victims < n else 0
        super().__init__(bench, n, tag)
        self.sock = os.path.join(self.dir, "steward.sock")
        self.events = os.path.join(self.dir, "events.jsonl")
        self.config = os.path.join(self.dir, "steward.ini")
        # start_timeout is long: at 10,000 wards stewardd's autostart
        # takes longer than the default 10s on this machine (see
        # RESULTS.md); the figure wanted is the mechanism, not the policy.
        hb = ("heartbeat = pipe\nheartbeat_timeout = 2s\n"
              "start_timeout = 10m\n" if heartbeat == "pipe"
              else "heartbeat = none\nstart_timeout = 1s\n")
        with open(self.config, "w") as f:
            f.write(f"""[steward]
socket = {self.sock}
event_log = {self.events}
cgroups = {bench.args.cgroups}

[ward:w]
command = {bench.benchward}
replicas = {n - self.nv}
{hb}backoff = 0
restart_limit = 100000/1s
stop_timeout = 10s
""")
            if self.nv:
                f.write(f"""
[ward:v]
command = {bench.benchward}
replicas = {self.nv}
{hb}restart = never
stop_timeout = 10s
""")

    def argv(self):
        return [self.bench.stewardd, "-c", self.config]

    def ward_ids(self):
        """The wards restarts are tried on: [ward:w]."""
        return [f"w:{i}" for i in range(self.n - self.nv)]

    def victim_ids(self):
        """The wards that hang without being restarted: [ward:v]."""
        return [f"v:{i}" for i in range(self.nv)]

    def events_list(self):
        """Every record of the event log."""
        out = []
        with open(self.events) as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def wait_running(self, timeout):
        """Wait for N "running" records; the last one's time, ms after t0."""
        deadline = time.monotonic() + timeout
        while True:
            recs = [e for e in self.events_list()
                    if e.get("event") == "running"]
            if len(recs) >= self.n:
                break
            if time.monotonic() > deadline or not self.alive():
                raise TimeoutError(
                    f"{len(recs)} of {self.n} running records")
            time.sleep(0.1)
        last = max(parse_rfc3339(e["ts"]) for e in recs)
        return (last - self.t0_wall) * 1000

    def tally(self):
        """How many records of each event/cause the run wrote."""
        out = {}
        for e in self.events_list():
            k = f"{e.get('event')}/{e.get('cause', '-')}"
            out[k] = out.get(k, 0) + 1
        return out

    def ctl(self, line):
        """One control-socket request; the reply as JSON."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(60)
        s.connect(self.sock)
        s.sendall(f"steward/1 {line}\n".encode())
        chunks = []
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            chunks.append(b)
            if b.endswith(b"\n"):
                break
        s.close()
        return json.loads(b"".join(chunks))

    def beats_total(self):
        """The sum of every instance's beats, and when it was read.

        One status of every instance is a reply of ~450 bytes each;
        stewardd drops a connection whose unsent reply passes 2 MiB
        (ctl.c, ctl_conn_flush), so past STATUS_ALL instances ask for 64
        instances a request, each on its own connection (the rate limit
        is per connection).  Returns (beats, monotonic midpoint ns).
        """
        t0 = mono()
        if self.n <= STATUS_ALL:
            groups = [["w", "v"] if self.nv else ["w"]]
        else:
            names = self.ward_ids() + self.victim_ids()
            groups = [names[i:i + 64] for i in range(0, len(names), 64)]
        total = 0
        for g in groups:
            rep = self.ctl("status " + " ".join(g))
            if not rep.get("ok"):
                raise RuntimeError(f"status: {rep}")
            total += sum(i.get("beats", 0) for i in rep["instances"])
        return total, (t0 + mono()) // 2

    def guard_rss(self):
        """VmRSS of the guard (stewardd's child running stewardd), KiB."""
        exe = os.path.realpath(self.bench.stewardd)
        for c in proc_children(self.proc.pid):
            try:
                if os.path.realpath(f"/proc/{c}/exe") == exe:
                    return proc_status(c, "VmRSS")
            except OSError:
                pass
        return None

    def detection_trials(self, trials, gap, healed=True):
        """Stop a ward's beats; lateness of SIGTERM past its deadline.

        healed: the victims are [ward:w] wards, restarted (backoff 0)
        while later trials run; else [ward:v] wards (restart = never).
        """
        ids = self.ward_ids() if healed else self.victim_ids()
        trials = min(trials, len(ids))
        victims = []
        used = set()
        k = 0
        while len(victims) < trials:
            wid = ids[(k * 104729 + 7) % len(ids)]
            k += 1
            if wid in used and len(used) < len(ids):
                continue
            used.add(wid)
            victims.append(wid)
        t_start = mono()
        sent = {}
        for j, wid in enumerate(victims):
            while mono() < t_start + int(j * gap * 1e9):
                time.sleep(0.005)
            pid = self.current_pid(wid)
            os.kill(pid, signal.SIGUSR1)
            sent[pid] = wid
        pids = set(sent)

        def all_termed():
            return pids <= {t[1] for t in self.reports.terms}
        self.reports.wait(all_termed, HB_TIMEOUT_S + 30,
                          "SIGTERM in every hung ward")
        with self.reports.cond:
            terms = [t for t in self.reports.terms if t[1] in pids]
        late = [(s - (lb + int(HB_TIMEOUT_S * 1e9))) / 1e6
                for _, _, lb, s in terms]
        # Every healed victim is restarted (backoff 0): wait for them all.

        def all_back():
            return all(self.reports.latest[w][0] != p
                       for p, w in sent.items())
        if healed:
            self.reports.wait(all_back, 30, "the hung wards' replacements")
        # The daemon's own view: last_beat_ms of its stopping records.
        daemon = [e["last_beat_ms"] - HB_TIMEOUT_S * 1000
                  for e in self.events_list()
                  if e.get("event") == "stopping"
                  and e.get("cause") == "heartbeat_timeout"
                  and e.get("pid") in pids]
        return late, daemon


class Supervisord(Daemon):
    kind = "supervisord"

    def __init__(self, bench, n, tag):
        super().__init__(bench, n, tag)
        self.config = os.path.join(self.dir, "supervisord.conf")
        self.logfile = os.path.join(self.dir, "supervisord.log")
        with open(self.config, "w") as f:
            f.write(f"""[unix_http_server]
file = {self.dir}/supervisor.sock

[supervisord]
nodaemon = true
logfile = {self.logfile}
logfile_maxbytes = 0
pidfile = {self.dir}/supervisord.pid
childlogdir = {self.dir}
loglevel = info

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://{self.dir}/supervisor.sock

[program:w]
command = {bench.benchward}
numprocs = {n}
process_name = w_%(process_num)d
startsecs = 0
autorestart = true
stopwaitsecs = 10
stdout_logfile = NONE
stderr_logfile = NONE
""")

    def argv(self):
        return [self.bench.supervisord, "-n", "-c", self.config]

    def ward_ids(self):
        return [f"w_{i}" for i in range(self.n)]

    def wait_running(self, timeout):
        """Wait for N RUNNING lines in its log; the last one, ms after t0."""
        pat = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) \S+ "
                         r"success: (\S+) entered RUNNING state")
        deadline = time.monotonic() + timeout
        while True:
            stamps = {}
            with open(self.logfile) as f:
                for line in f:
                    m = pat.match(line)
                    if m:
                        t = time.mktime(time.strptime(
                            m.group(1), "%Y-%m-%d %H:%M:%S"))
                        stamps[m.group(3)] = t + int(m.group(2)) / 1000
            if len(stamps) >= self.n:
                break
            if time.monotonic() > deadline or not self.alive():
                raise TimeoutError(
                    f"{len(stamps)} of {self.n} RUNNING lines")
            time.sleep(0.1)
        return (max(stamps.values()) - self.t0_wall) * 1000


def tree_pids(root, skip):
    """The root and its descendants, less skip and theirs: a supervision
    tree without its wards."""
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        if p in skip:
            continue
        out.append(p)
        todo += proc_children(p)
    return out


def proc_switches(pid):
    """voluntary_ctxt_switches of a process: how often it went to sleep
    (each is a wake-up later), or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_pss_kib(pid):
    """Pss of a process (its share of each page it maps), KiB, or 0."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_run_ns_or0(pid):
    try:
        return proc_run_ns(pid)
    except OSError:
        return 0


class ServiceDirs(Daemon):
    """runit and s6: one service directory per ward, its ./run a symlink
    to benchward (no shell between), which names itself after its
    directory (BENCH_ID_FROM_CWD)."""

    def __init__(self, bench, n, tag):
        super().__init__(bench, n, tag)
        self.svdir = os.path.join(self.dir, "service")
        os.makedirs(self.svdir)
        for i in range(n):
            d = os.path.join(self.svdir, f"w_{i}")
            os.makedirs(d)
            os.symlink(bench.benchward, os.path.join(d, "run"))
            self.service_files(d)

    def service_files(self, d):
        pass

    def env(self):
        env = super().env()
        env["BENCH_ID_FROM_CWD"] = "1"
        return env

    def ward_ids(self):
        return [f"w_{i}" for i in range(self.n)]

    def stop(self, timeout=120):
        """The supervisor's own stop-all; time until every supervisor
        process and every ward is gone (ms)."""
        with self.reports.cond:
            wards = [p for p, _ in self.reports.latest.values()]
        tree = tree_pids(self.proc.pid, set(wards))
        t0 = mono()
        self.stop_all()
        deadline = time.monotonic() + timeout
        left = tree + wards
        while left:
            left = [p for p in left if p != self.proc.pid and
                    process_alive(p)]
            if self.proc.poll() is None:
                left.append(self.proc.pid)
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"{self.kind}: {len(left)} processes "
                                   "left after its stop-all")
            if left:
                time.sleep(0.002)
        t = (mono() - t0) / 1e6
        self.exit_code = self.proc.returncode
        return t


def process_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return False
    return data[data.rindex(")") + 2] != "Z"


class Runit(ServiceDirs):
    """Debian's runit: runsvdir, a runsv per ward.  Stop-all: SIGHUP to
    runsvdir, which sends TERM to every runsv (each stops its ward and
    exits)."""
    kind = "runit"

    def argv(self):
        return [self.bench.peers["runit"], "-P", self.svdir]

    def stop_all(self):
        self.proc.send_signal(signal.SIGHUP)


class S6(ServiceDirs):
    """Debian's s6: s6-svscan, an s6-supervise per ward, with readiness
    notification (notification-fd 3: the ward's first beat says it is
    up; its next would come in 11 days).  Stop-all: SIGTERM to
    s6-svscan (as s6-svscanctl -t)."""
    kind = "s6"

    def service_files(self, d):
        with open(os.path.join(d, "notification-fd"), "w") as f:
            f.write("3\n")

    def env(self):
        env = super().env()
        env["STEWARD_HEARTBEAT_FD"] = "3"
        env["STEWARD_HEARTBEAT_INTERVAL_MS"] = "1000000000"
        return env

    def argv(self):
        # -c: room for every service (the default is fewer than 1,000).
        return [self.bench.peers["s6"], "-c", str(self.n + 16), self.svdir]

    def stop_all(self):
        self.proc.send_signal(signal.SIGTERM)


def parse_rfc3339(ts):
    """"2026-11-26T23:31:30.865Z" -> seconds since the epoch."""
    base, frac = ts.rstrip("Z").split(".")
    t = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
    return t + int(frac) / 10 ** len(frac)


# -- the benchmark -----------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.p = QUICK if args.quick else FULL
        if args.n:
            self.p = dict(self.p)
            self.p["steward_n"] = [int(x) for x in args.n.split(",")]
        if args.cmp_n:
            self.p = dict(self.p)
            self.p["cmp_n"] = [int(x) for x in args.cmp_n.split(",")]
        if args.loop_n:
            self.p = dict(self.p)
            self.p["loop_n"] = args.loop_n
        if args.sup_n is not None:
            self.p = dict(self.p)
            self.p["supervisord_n"] = [int(x) for x in args.sup_n.split(",")
                                       if x]
        b = args.build
        self.stewardd = os.path.abspath(args.stewardd or os.path.join(
            b, "supervisord", "stewardd"))
        self.benchward = os.path.abspath(os.path.join(
            b, "tests", "bench", "benchward"))
        self.benchfloor = os.path.abspath(os.path.join(
            b, "tests", "bench", "benchfloor"))
        # Every floor's wards get our environment, as the daemons' get
        # theirs (see the top).
        self.floor_argv = [self.benchfloor, "-E"]
        self.benchkill = os.path.abspath(os.path.join(
            b, "tests", "bench", "benchkill"))
        self.supervisord = shutil.which("supervisord")
        self.peers = {"runit": shutil.which("runsvdir"),
                      "s6": shutil.which("s6-svscan")}
        for path in (self.stewardd, self.benchward, self.benchfloor,
                     self.benchkill):
            if not os.access(path, os.X_OK):
                sys.exit(f"bench.py: {path} is not built; run "
                         f"ninja -C {b} first")
        self.work = tempfile.mkdtemp(prefix="steward-bench-")
        self.out = {"date": datetime.datetime.now(datetime.timezone.utc)
                    .strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "command": " ".join([os.path.basename(sys.executable)]
                                        + sys.argv),
                    "mode": "quick" if args.quick else "full",
                    "machine": machine(), "params": {
                        k: v for k, v in self.p.items()
                        if k not in ("runs", "sup_runs")},
                    "cgroups": args.cgroups,
                    "floor": {}, "steward": {}, "steward_idle": {},
                    "supervisord": {}, "compare": {}, "loop": {}}
        with open(self.stewardd, "rb") as f:
            self.out["stewardd_sha256"] = hashlib.sha256(
                f.read()).hexdigest()
        try:
            self.out["supervisord_version"] = subprocess.run(
                [self.supervisord, "--version"], capture_output=True,
                text=True).stdout.strip() if self.supervisord else None
        except OSError:
            self.out["supervisord_version"] = None

    def floor(self, label, nfds=0):
        """Run benchfloor; keep its series as summaries (µs)."""
        log(f"floor ({label})")
        argv = [*self.floor_argv, "-n", str(self.p["floor_n"]),
                "-w", str(self.p["floor_w"])]
        if nfds:
            argv += ["-F", str(nfds)]
        r = subprocess.run(argv + [self.benchward],
                           capture_output=True, text=True, check=True)
        raw = json.loads(r.stdout)
        return {k: summary(v, "us") for k, v in raw.items()}

    def floor_settled(self, samples):
        """benchfloor -S: restarts of settled wards by hand (µs each)."""
        r = subprocess.run([*self.floor_argv, "-S", str(samples),
                            "-g", "100", self.benchward],
                           capture_output=True, text=True, check=True)
        return json.loads(r.stdout)["restart_settled_fork_exec"]

    def floor_warm(self, samples):
        """benchfloor -W: warm restarts by hand (µs each)."""
        r = subprocess.run([*self.floor_argv, "-W", str(samples),
                            self.benchward],
                           capture_output=True, text=True, check=True)
        return json.loads(r.stdout)["restart_fork_exec"]

    def steward_n(self, n):
        """Every stewardd figure at one N."""
        res = {"start_all_ms": [], "start_all_daemon_ms": [],
               "stop_all_ms": [], "exit_codes": []}
        runs = self.args.runs or self.p["runs"].get(n, 3)
        for run in range(runs):
            d = Steward(self, n, f"run{run}",
                        victims=self.p["detect_trials"] if run == 0 else 0)
            try:
                log(f"steward N={n} run {run + 1}/{runs}: start")
                d.start()
                res["start_all_ms"].append(
                    d.wait_all_started(60 + n / 50))
                res["start_all_daemon_ms"].append(d.wait_running(60))
                if run == 0:
                    self.steward_steady(d, res)
                else:
                    time.sleep(1.0)
                log(f"steward N={n} run {run + 1}/{runs}: stop")
                res["stop_all_ms"].append(d.stop())
                res["exit_codes"].append(d.exit_code)
                res.setdefault("events", []).append(d.tally())
            finally:
                d.close()
        return res

    def steward_steady(self, d, res):
        """Steady state, detection, restart and the loaded floor."""
        n = d.n
        time.sleep(3.0)  # let the start-up burst pass
        log(f"steward N={n}: steady state, {self.p['window']:.0f}s")
        b0, m0 = d.beats_total()
        cpu = d.cpu_window(self.p["window"])
        b1, m1 = d.beats_total()
        res["steady"] = cpu
        res["beats"] = b1 - b0
        # Beats per second between the status readings' midpoints; the
        # CPU window lies between the readings, which are left out of it.
        res["beats_per_s"] = (b1 - b0) / ((m1 - m0) / 1e9)
        beats = max(1.0, res["beats_per_s"] * cpu["wall_s"])
        res["cpu_us_per_beat"] = 1e6 * cpu["cpu_s"] / beats
        res["sched_cpu_us_per_beat"] = 1e6 * cpu["sched_cpu_s"] / beats
        res.update(d.rss())
        res["guard_vmrss_kib"] = d.guard_rss()
        log(f"steward N={n}: detection, {self.p['detect_trials']} trials, "
            "no restarts")
        rq = RunqWatch(d.proc.pid)
        late, daemon = d.detection_trials(self.p["detect_trials"], 0.4,
                                          healed=False)
        res["detect_late_ms"] = late
        res["detect_late_daemon_ms"] = daemon
        res["detect_runq_wait_pct"] = rq.pct()
        res["detect_loadavg_1m"] = rq.load
        time.sleep(1.0)
        log(f"steward N={n}: detection, {self.p['detect_trials']} trials, "
            "victims restarted meanwhile")
        late, daemon = d.detection_trials(self.p["detect_trials"], 0.4)
        res["detect_healed_late_ms"] = late
        res["detect_healed_late_daemon_ms"] = daemon
        time.sleep(1.0)
        blocks = self.p["restart_blocks"]
        per = max(1, self.p["restart_trials"] // blocks)
        log(f"steward N={n}: restart, {blocks} blocks of {per} trials, "
            f"alternating with {per} settled floor restarts")
        rq = RunqWatch(d.proc.pid)
        res["restart_ms"] = []
        settled = []
        for b in range(blocks):
            # ABBA: neither goes first each time.
            if b % 2:
                settled += self.floor_settled(per)
            res["restart_ms"] += d.restart_trials(per, 0.1, first=b * per)
            if not b % 2:
                settled += self.floor_settled(per)
        res["restart_runq_wait_pct"] = rq.pct()
        res["restart_loadavg_1m"] = rq.load
        log(f"steward N={n}: warm restart, {blocks} blocks of {per} "
            f"trials, alternating with {per} warm floor restarts")
        res["restart_warm_ms"] = []
        warm = []
        for b in range(blocks):
            if b % 2:
                warm += self.floor_warm(per)
            res["restart_warm_ms"] += d.restart_warm_trials(per)
            if not b % 2:
                warm += self.floor_warm(per)
        # Under the same load, and holding as many fds as stewardd's
        # heartbeat pipes, to show what the daemon's fd table costs.
        res["floor_loaded"] = self.floor(f"under N={n}", nfds=n)
        res["floor_loaded"]["restart_settled_fork_exec"] = summary(
            settled, "us")
        res["floor_loaded"]["restart_warm_fork_exec"] = summary(warm, "us")

    def loop_floor(self, n):
        """The least CPU per beat a loop can spend on N wards (benchfloor)."""
        secs = min(self.p["window"], 10.0)
        log(f"floor: minimal epoll loop, N={n}, 2x{secs:.0f}s")
        r = subprocess.run([*self.floor_argv, "-L", str(n), "-t",
                            str(secs), self.benchward], capture_output=True,
                           text=True, check=True)
        return json.loads(r.stdout)

    def steward_idle(self, n):
        """CPU and RSS with heartbeat = none, to compare with supervisord."""
        d = Steward(self, n, "idle", heartbeat="none")
        try:
            log(f"steward N={n} heartbeat=none: idle")
            d.start()
            d.wait_all_started(60 + n / 50)
            time.sleep(3.0)
            res = d.cpu_window(self.p["window"])
            res.update(d.rss())
            d.stop()
            return res
        finally:
            d.close()

    def supervisord_n(self, n):
        """Every supervisord figure at one N."""
        res = {"start_all_ms": [], "start_all_daemon_ms": [],
               "stop_all_ms": [], "exit_codes": []}
        runs = self.args.runs or self.p["sup_runs"].get(n, 3)
        for run in range(runs):
            d = Supervisord(self, n, f"run{run}")
            try:
                log(f"supervisord N={n} run {run + 1}/{runs}: start")
                d.start()
                res["start_all_ms"].append(d.wait_all_started(120 + n / 10))
                res["start_all_daemon_ms"].append(d.wait_running(120))
                if run == 0:
                    time.sleep(3.0)
                    log(f"supervisord N={n}: idle, "
                        f"{self.p['window']:.0f}s")
                    res["steady"] = d.cpu_window(self.p["window"])
                    res.update(d.rss())
                    log(f"supervisord N={n}: restart, "
                        f"{self.p['sup_restart_trials']} trials")
                    res["restart_ms"] = d.restart_trials(
                        self.p["sup_restart_trials"], 0.2)
                else:
                    time.sleep(1.0)
                log(f"supervisord N={n} run {run + 1}/{runs}: stop")
                res["stop_all_ms"].append(d.stop())
                res["exit_codes"].append(d.exit_code)
            finally:
                d.close()
        return res

    def floor_start_all(self, n, runs=3, cgroups=False, session=False,
                        output=False, promised=False):
        """benchfloor -A: N wards started serially, until every first
        beat, and stopped (ms each); each reports to a FIFO read here,
        as the daemons' wards do.  cgroups: each born in a cgroup of its
        own (-C), below ours; None where we cannot make one.  session:
        each leads a session of its own (-s), as stewardd's do.  output:
        each one's stdout and stderr are pipes the floor holds (-o), as
        stewardd captures them, for as many wards as the fd limit allows
        (stewardd's fd budget stops capturing there too).  promised
        (with session): the stop keeps a supervisor's promises (-G), as
        stewardd's does: each ward's process group gets the stop signal
        and SIGCONT, every pipe is read to its end, and once the ward
        has ended SIGKILL goes to what is left of its group before it
        is reaped."""
        cg = None
        if cgroups:
            cg = own_cgroup_dir()
            if cg is None:
                log("floor with a cgroup per ward: no writable cgroup v2 "
                    "directory of ours, skipped")
                return None
            cg = os.path.join(cg, f"benchfloor-{os.getpid()}")
            try:
                os.mkdir(cg)
            except OSError as e:
                log(f"floor with a cgroup per ward: {e}, skipped")
                return None
        log(f"floor: start-all and stop-all of {n}, {runs} runs"
            + (", a session per ward" if session else "")
            + (", output pipes per ward" if output else "")
            + (", stopped as a supervisor must" if promised else "")
            + (", a cgroup per ward" if cg else ""))
        rep = Reports(os.path.join(
            self.work,
            f"floor-{n}-{int(cgroups)}{int(session)}{int(output)}"
            f"{int(promised)}"))
        argv = [*self.floor_argv, "-A", str(n), "-n", str(runs),
                "-R", rep.path] + (["-s"] if session else []) + \
            (["-o"] if output else []) + (["-G"] if promised else []) + \
            (["-C", cg] if cg else [])
        try:
            r = subprocess.run(argv + [self.benchward], capture_output=True,
                               text=True, check=True)
        finally:
            rep.close()
            if cg:
                os.rmdir(cg)
        res = json.loads(r.stdout)
        if promised:
            res["stop_as_promised"] = [1]
        return res

    def tree_idle(self, d, seconds):
        """A supervisor's whole tree less its wards, idle: CPU % of a
        core, wake-ups a second (voluntary context switches), and RSS."""
        with d.reports.cond:
            wards = {p for p, _ in d.reports.latest.values()}
        pids = tree_pids(d.proc.pid, wards)
        r0 = sum(proc_run_ns_or0(p) for p in pids)
        v0 = sum(proc_switches(p) for p in pids)
        t0 = mono()
        time.sleep(seconds)
        r1 = sum(proc_run_ns_or0(p) for p in pids)
        v1 = sum(proc_switches(p) for p in pids)
        t1 = mono()
        return {"processes": len(pids),
                "cpu_pct": 100.0 * (r1 - r0) / (t1 - t0),
                "wakeups_per_s": (v1 - v0) / ((t1 - t0) / 1e9),
                "rss_kib": sum(proc_status(p, "VmRSS") or 0 for p in pids),
                "pss_kib": sum(proc_pss_kib(p) for p in pids)}

    def compare_n(self, n):
        """stewardd, supervisord, runit and s6 side by side at N: the same
        ward (it reports when it reached its loop, or, under s6 with
        readiness, wrote its first line), the same figures."""
        kinds = [("steward", lambda t: Steward(self, n, t,
                                                heartbeat="none"))]
        if self.supervisord:
            kinds.append(("supervisord", lambda t: Supervisord(self, n, t)))
        if self.peers["runit"]:
            kinds.append(("runit", lambda t: Runit(self, n, t)))
        if self.peers["s6"]:
            kinds.append(("s6", lambda t: S6(self, n, t)))
        out = {"floor": self.floor_start_all(n)}
        runs = self.args.runs or self.p["cmp_runs"]
        for run in range(runs):
            # Each run in a different order: none is always first.
            order = kinds[run % len(kinds):] + kinds[:run % len(kinds)]
            for kind, make in order:
                res = out.setdefault(kind, {"start_all_ms": [],
                                            "stop_all_ms": []})
                if res.get("error"):
                    continue
                d = make(f"cmp{run}")
                try:
                    log(f"compare N={n} {kind} run {run + 1}/{runs}")
                    d.start()
                    res["start_all_ms"].append(
                        d.wait_all_started(120 + n / 10))
                    if run == 0:
                        time.sleep(3.0)
                        res["idle"] = self.tree_idle(
                            d, self.p["cmp_window"])
                        res["restart_ms"] = d.restart_trials(
                            self.p["cmp_restart_trials"], 0.2)
                        time.sleep(1.0)
                    else:
                        time.sleep(1.0)
                    res["stop_all_ms"].append(d.stop())
                except (TimeoutError, RuntimeError, OSError) as e:
                    # A peer that fails is said, not the end of the run.
                    log(f"compare N={n} {kind}: {e}")
                    res["error"] = str(e)
                finally:
                    d.close()
        return out

    def loop_phases(self, n):
        """stewardd's loop latency at N wards beating, phase by phase:
        the longest gap between two looks at its descriptors (from the
        health replies' gap_recent_max_ms), the histogram of gaps, and
        how long a health request took, asked every 20 ms."""
        settle()
        res = {"floor": self.floor_start_all(n)}
        settle()
        res["floor_session"] = self.floor_start_all(n, session=True,
                                                    output=True,
                                                    promised=True)
        settle()
        d = Steward(self, n, "loop")
        lat, gaps, cgaps, hist, chist = [], [], [], [None], [None]
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                t = mono()
                try:
                    h = d.ctl("health")
                except OSError:
                    time.sleep(0.01)
                    continue
                lat.append((mono() - t) / 1e6)
                lp = h["loop"]
                gaps.append(lp["gap_recent_max_ms"])
                cgaps.append(lp.get("cpu_gap_recent_max_ms"))
                hist[0] = [g["n"] for g in lp["gaps"]]
                if "cpu_gaps" in lp:
                    chist[0] = [g["n"] for g in lp["cpu_gaps"]]
                time.sleep(0.02)

        def phase(name, act, done):
            lat.clear()
            gaps.clear()
            cgaps.clear()
            h0, c0 = hist[0], chist[0]
            rq = RunqWatch(d.proc.pid)
            cpu0 = proc_cpu_s(d.proc.pid)
            t0 = mono()
            act()
            done()
            took = (mono() - t0) / 1e6
            try:
                cpu = (proc_cpu_s(d.proc.pid) - cpu0) * 1e3
            except OSError:
                cpu = None  # the shutdown: stewardd has exited
            try:
                runq = rq.pct()
            except OSError:
                runq = None  # the shutdown: stewardd has exited
            time.sleep(0.1)
            h1, c1 = hist[0], chist[0]
            cg = [g for g in cgaps if g is not None]
            res[name] = {
                "runq_wait_pct": runq, "loadavg_1m": rq.load,
                "took_ms": took, "cpu_ms": cpu,
                "health_ms": summary(list(lat), "ms"),
                "gap_max_ms": max(gaps) if gaps else None,
                "cpu_gap_max_ms": max(cg) if cg else None,
                "gaps": [b - a for a, b in zip(h0, h1)] if h0 else h1,
                "cpu_gaps": ([b - a for a, b in zip(c0, c1)] if c0
                             else c1)}
            log(f"loop N={n} {name}: {took:.0f} ms, longest gap "
                f"{res[name]['gap_max_ms']} ms (CPU "
                f"{res[name]['cpu_gap_max_ms']} ms)")

        def all_new_firsts(k0):
            return lambda: d.reports.wait(
                lambda: len(d.reports.first) >= k0 + n, 120 + n / 10,
                f"{n} new first beats")

        def all_gone(cgroups_too):
            """A waiter: until every ward that beat is reaped, as the
            floor's stop-all waits, and (cgroups_too: the instances go)
            every instance's cgroup is removed, as the floor's -C does
            (a stop keeps the cgroup for the next start)."""
            with d.reports.cond:
                pids = [p for p, _ in d.reports.latest.values()]
            wdir = None
            if cgroups_too:
                # stewardd's own directory, as its event log says.
                for e in d.events_list():
                    if e.get("event") == "cgroups" and "path" in e:
                        wdir = os.path.join(e["path"], "ward:w")
                        break

            def wait():
                end = mono() + (120 + n / 10) * 1e9
                left = pids
                while left or (wdir and cgroups_left(wdir)):
                    if mono() > end:
                        raise TimeoutError(f"{len(left)} wards left")
                    left = [p for p in left
                            if os.path.exists(f"/proc/{p}")]
                    time.sleep(0.005)
            return wait

        th = threading.Thread(target=probe, daemon=True)
        try:
            log(f"loop N={n}: autostart")
            d.start()
            # The probe starts once the socket answers.
            while not os.path.exists(d.sock):
                time.sleep(0.001)
            th.start()
            phase("autostart", lambda: None, all_new_firsts(0))
            res["autostart"]["start_all_ms"] = d.wait_all_started(60)
            phase("steady", lambda: time.sleep(self.p["cmp_window"]),
                  lambda: None)
            k = len(d.reports.first)
            phase("stop_all", lambda: d.ctl("stop all"), all_gone(False))
            phase("start_all", lambda: d.ctl("start all"),
                  all_new_firsts(k))
            with open(d.config) as f:
                full = f.read()
            head = full.split("[ward:w]")[0] + "[ward:keep]\ncommand = " \
                f"{self.benchward}\n"
            with open(d.config, "w") as f:
                f.write(head)
            phase("reload_remove", lambda: d.ctl("reload"), all_gone(True))
            k = len(d.reports.first)
            with open(d.config, "w") as f:
                f.write(full + "\n[ward:keep]\ncommand = "
                        f"{self.benchward}\n")
            phase("reload_add", lambda: d.ctl("reload"),
                  all_new_firsts(k))

            def flood():
                def client():
                    end = time.monotonic() + 5
                    while time.monotonic() < end:
                        d.ctl("status w:1")
                ts = [threading.Thread(target=client) for _ in range(32)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
            phase("client_flood", flood, lambda: None)
            # The metrics file of N instances, rewritten every second
            # for 5 s (a reload turns it on; the reload changes no ward).
            prom = os.path.join(d.dir, "steward.prom")
            with open(d.config, "w") as f:
                f.write(full.replace(
                    "[steward]\n", f"[steward]\nmetrics_file = {prom}\n"
                    "metrics_interval = 1s\n", 1) +
                    f"\n[ward:keep]\ncommand = {self.benchward}\n")
            d.ctl("reload")
            phase("metrics_file", lambda: time.sleep(5), lambda: None)
            res["metrics_file"]["bytes"] = os.path.getsize(prom)
            # SIGTERM: every ward stopped, then the exit; health is
            # asked until the socket goes.
            phase("shutdown", lambda: res.__setitem__("stop_ms", d.stop()),
                  lambda: None)
            stop.set()
            th.join()
        finally:
            stop.set()
            d.close()
        # Last: the kernel frees removed cgroups in the background for
        # a while, which would weigh on whatever ran next.
        settle()
        res["floor_cgroup"] = self.floor_start_all(n, cgroups=True)
        settle()
        # Five runs: a warm-up, then stops that keep the cgroups and
        # stops that remove them, in turn (benchfloor -C -G).
        res["floor_session_cgroup"] = self.floor_start_all(
            n, runs=5, cgroups=True, session=True, output=True,
            promised=True)
        return res

    def run(self):
        if self.args.only:
            log(f"work directory {self.work}")
            self.out["floor"]["idle"] = self.floor("idle")
            if "compare" in self.args.only:
                for n in self.p["cmp_n"]:
                    self.out["compare"][str(n)] = self.compare_n(n)
            if "loop" in self.args.only:
                n = self.p["loop_n"]
                self.out["loop"][str(n)] = self.loop_phases(n)
            with open("/proc/loadavg") as f:
                self.out["machine"]["loadavg_at_end"] = f.read().split()[:3]
            if not self.args.keep:
                shutil.rmtree(self.work, ignore_errors=True)
            return
        self.run_all()

    def run_all(self):
        log(f"work directory {self.work}")
        self.out["floor"]["idle"] = self.floor("idle")
        for n in self.p["steward_n"]:
            self.out["steward"][str(n)] = self.steward_n(n)
            if not self.args.quick or n == max(self.p["steward_n"]):
                self.out["steward"][str(n)]["loop_floor"] = \
                    self.loop_floor(n)
        if self.supervisord is None:
            log("supervisord is not installed: no comparison "
                "(apt-get install supervisor)")
        else:
            for n in self.p["supervisord_n"]:
                self.out["supervisord"][str(n)] = self.supervisord_n(n)
                if self.p["idle_compare"]:
                    self.out["steward_idle"][str(n)] = self.steward_idle(n)
        for n in self.p["cmp_n"]:
            self.out["compare"][str(n)] = self.compare_n(n)
        n = self.p["loop_n"]
        self.out["loop"][str(n)] = self.loop_phases(n)
        self.out["floor"]["idle_end"] = self.floor("idle, at the end")
        with open("/proc/loadavg") as f:
            self.out["machine"]["loadavg_at_end"] = f.read().split()[:3]
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)


# -- the report --------------------------------------------------------------

def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def fmtr(v):
    """A ratio, with three significant digits."""
    return "-" if v is None else f"{v:.3g}"


def row(name, s, digits=1):
    """One table line from a summary."""
    if not s or s.get("n", 0) == 0:
        return f"| {name} | - | - | - | - | 0 |"
    n = s["n"]
    p90 = fmt(s["p90"], digits) if n >= 10 else "-"
    p99 = fmt(s["p99"], digits) if n >= 50 else "-"
    return (f"| {name} | {fmt(s['median'], digits)} | {p90} | {p99} | "
            f"{fmt(s['min'], digits)}-{fmt(s['max'], digits)} | {n} |")


def single(name, v, unit, digits=1):
    return f"| {name} | {fmt(v, digits)} {unit} | | | | 1 |"


def report(out):
    """The table (markdown) and the targets; fills out['summary']."""
    lines = []
    summ = {}
    hdr = ["| figure | median | p90 | p99 | min-max | n |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    fl = out["floor"]
    lines.append("### Floors (µs; idle machine, start of run)")
    lines += hdr
    for k, s in fl["idle"].items():
        lines.append(row(k, s))
    for n, r in out["steward"].items():
        st = {k: summary(r[k], "ms") for k in
              ("start_all_ms", "start_all_daemon_ms", "stop_all_ms",
               "detect_late_ms", "detect_late_daemon_ms",
               "detect_healed_late_ms", "detect_healed_late_daemon_ms",
               "restart_ms", "restart_warm_ms")
              if k in r}
        st["steady_slices_pct"] = summary(r["steady"]["slices_pct"], "%")
        summ[f"steward_{n}"] = st
        lines.append("")
        lines.append(f"### stewardd, N = {int(n):,} wards")
        lines += hdr
        lines.append(row("start-all, wards' first beats (ms)",
                         st["start_all_ms"]))
        lines.append(row("start-all, last `running` record (ms)",
                         st["start_all_daemon_ms"], 0))
        cpu = r["steady"]
        lines.append(f"| steady CPU, /proc stat utime+stime (% of a core)"
                     f" | {fmt(cpu['cpu_pct'], 2)} | | | | "
                     f"{cpu['wall_s']:.0f}s |")
        lines.append(f"| steady CPU, schedstat (% of a core)"
                     f" | {fmt(cpu['sched_cpu_pct'], 2)} | | | | "
                     f"{cpu['wall_s']:.0f}s |")
        lines.append(row("steady CPU per 1 s slice, schedstat (%)",
                         st["steady_slices_pct"], 2))
        lines.append(f"| beats heard per second | {r['beats_per_s']:.0f} "
                     f"| | | | |")
        lines.append(f"| CPU per beat (µs) | {r['cpu_us_per_beat']:.2f} | "
                     f"| | | schedstat {r['sched_cpu_us_per_beat']:.2f} |")
        lf = r.get("loop_floor")
        if lf:
            lines.append(f"| floor: CPU per beat, minimal epoll loop (µs) "
                         f"| {lf['us_per_beat']:.2f} | | | | "
                         f"{lf['cpu_pct']:.2f} % |")
            lines.append(f"| floor: the same, 1 ms collect interval (µs) "
                         f"| {lf['batched_us_per_beat']:.2f} | | | | "
                         f"{lf['batched_cpu_pct']:.2f} % |")
        lines.append(f"| VmRSS (MiB) | {r['vmrss_kib'] / 1024:.1f} | | | "
                     f"| HWM {r['vmhwm_kib'] / 1024:.1f}, guard "
                     f"{fmt((r['guard_vmrss_kib'] or 0) / 1024)} |")
        lines.append(row("detection: SIGTERM after deadline (ms)",
                         st["detect_late_ms"], 2))
        lines.append(row("detection, daemon's last_beat_ms - 2000",
                         st["detect_late_daemon_ms"], 0))
        if "detect_healed_late_ms" in st:
            lines.append(row("detection while earlier victims respawn (ms)",
                             st["detect_healed_late_ms"], 2))
            lines.append(row("the same, daemon's last_beat_ms - 2000",
                             st["detect_healed_late_daemon_ms"], 0))
        lines.append(row("restart: SIGKILL -> first beat (ms)",
                         st["restart_ms"], 2))
        if "restart_warm_ms" in st:
            lines.append(row("restart, warm: one ward, 2 ms after its "
                             "first beat (ms)", st["restart_warm_ms"], 2))
        lines.append(f"| stewardd waiting for a CPU (runqueue, % of wall) "
                     f"| steady {cpu['runq_wait_pct']:.2f} | detection "
                     f"{r['detect_runq_wait_pct']:.2f} | restart "
                     f"{r['restart_runq_wait_pct']:.2f} | load average "
                     f"{cpu['loadavg_1m']:.1f} / {r['detect_loadavg_1m']:.1f}"
                     f" / {r['restart_loadavg_1m']:.1f} | |")
        flo = r["floor_loaded"]
        lines.append(row("floor under load: restart_fork_exec (ms)",
                         scale(flo["restart_fork_exec"]), 2))
        if "restart_warm_fork_exec" in flo:
            lines.append(row("floor under load, between the warm restarts: "
                             "restart_fork_exec (ms)",
                             scale(flo["restart_warm_fork_exec"]), 2))
        if "restart_settled_fork_exec" in flo:
            lines.append(row("floor under load, between the restarts: "
                             "restart_settled_fork_exec (ms)",
                             scale(flo["restart_settled_fork_exec"]), 2))
        lines.append(row("floor under load: restart_posix_spawn (ms)",
                         scale(flo["restart_posix_spawn"]), 2))
        if "restart_fork_exec_fds" in flo:
            lines.append(row(f"floor holding {int(n):,} fds: "
                             "restart_fork_exec (ms)",
                             scale(flo["restart_fork_exec_fds"]), 2))
            lines.append(row(f"floor holding {int(n):,} fds: "
                             "restart by clone+unshare (ms)",
                             scale(flo["restart_clone_fds"]), 2))
            lines.append(row(f"floor holding {int(n):,} fds: fork() in "
                             "the parent (ms)",
                             scale(flo["fork_parent_fds"]), 3))
        lines.append(row("stop-all (ms)", st["stop_all_ms"]))
        odd = {}
        for t in r.get("events", []):
            for k, v in t.items():
                if k in ("backoff/spawn_failed", "stopping/start_timeout",
                         "failed/spawn_failed", "events_lost/-"):
                    odd[k] = odd.get(k, 0) + v
        if odd:
            lines.append("")
            lines.append("Unexpected records over the runs at this N: " +
                         ", ".join(f"{k} x{v}" for k, v in odd.items()))
    for n, r in out["supervisord"].items():
        st = {k: summary(r[k], "ms") for k in
              ("start_all_ms", "start_all_daemon_ms", "stop_all_ms",
               "restart_ms") if k in r}
        summ[f"supervisord_{n}"] = st
        lines.append("")
        lines.append(f"### supervisord {out.get('supervisord_version')}, "
                     f"N = {int(n):,}")
        lines += hdr
        lines.append(row("start-all, wards reached their loop (ms)",
                         st["start_all_ms"]))
        lines.append(row("start-all, last RUNNING log line (ms)",
                         st["start_all_daemon_ms"], 0))
        lines.append(f"| idle CPU, /proc stat utime+stime (% of a core) | "
                     f"{fmt(r['steady']['cpu_pct'], 3)} | | | | "
                     f"{r['steady']['wall_s']:.0f}s |")
        lines.append(f"| idle CPU, schedstat (% of a core) | "
                     f"{fmt(r['steady']['sched_cpu_pct'], 3)} | | | | "
                     f"{r['steady']['wall_s']:.0f}s |")
        lines.append(f"| VmRSS (MiB) | {r['vmrss_kib'] / 1024:.1f} | | | "
                     f"| HWM {r['vmhwm_kib'] / 1024:.1f} |")
        lines.append(row("restart: SIGKILL -> first report (ms)",
                         st["restart_ms"], 2))
        lines.append(row("stop-all (ms)", st["stop_all_ms"]))
    # Ratios.
    if out["supervisord"]:
        lines.append("")
        lines.append("### steward / supervisord (medians; < 1 means "
                     "steward is faster or smaller)")
        lines.append("| N | start-all | restart | stop-all | RSS | CPU "
                     "(steward beating) | CPU (both idle) |")
        lines.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n, r in out["supervisord"].items():
            s = out["steward"].get(n)
            if s is None:
                continue
            idle = out["steward_idle"].get(n)

            def ratio(a, b):
                return None if not a or not b else a / b
            rr = {
                "start_all": ratio(statistics.median(s["start_all_ms"]),
                                   statistics.median(r["start_all_ms"])),
                "restart": ratio(statistics.median(s["restart_ms"]),
                                 statistics.median(r["restart_ms"])),
                "stop_all": ratio(statistics.median(s["stop_all_ms"]),
                                  statistics.median(r["stop_all_ms"])),
                "rss": ratio(s["vmrss_kib"], r["vmrss_kib"]),
                # schedstat: /proc stat's 10 ms ticks read 0 at idle
                "cpu_beating": ratio(s["steady"]["sched_cpu_pct"],
                                     r["steady"]["sched_cpu_pct"]),
                "cpu_idle": ratio(idle["sched_cpu_pct"],
                                  r["steady"]["sched_cpu_pct"])
                if idle else None,
            }
            summ[f"ratio_{n}"] = rr
            lines.append(f"| {int(n):,} | {fmtr(rr['start_all'])} | "
                         f"{fmtr(rr['restart'])} | "
                         f"{fmtr(rr['stop_all'])} | {fmtr(rr['rss'])} | "
                         f"{fmtr(rr['cpu_beating'])} | "
                         f"{fmtr(rr['cpu_idle'])} |")
        if out["steward_idle"]:
            lines.append("")
            lines.append("steward idle = heartbeat = none, same N: "
                         + ", ".join(
                f"N={n}: {v['sched_cpu_pct']:.3f} % CPU (schedstat), "
                f"{v['vmrss_kib'] / 1024:.1f} MiB"
                for n, v in out["steward_idle"].items()))
        lines.append("")
        lines.append("Detection has no supervisord peer: it cannot hear "
                     "beats, and a hung process stays RUNNING there.")
    lines += report_compare(out)
    lines += report_loop(out)
    if out.get("loop"):
        lines.append("")
        lines += loop_targets(out)
    if out["steward"]:
        lines.append("")
        lines += targets(out, summ)
    out["summary"] = summ
    return "\n".join(lines)


def ratio(v, best):
    """v / best, as "1.00x", or "-"."""
    if v is None or best is None or best <= 0:
        return "-"
    return f"{v / best:.2f}x"


def report_compare(out):
    """stewardd and its peers side by side: each figure, its ratio to the
    best of the others, and to the floor where there is one."""
    lines = []
    idle_floor = out["floor"]["idle"]
    for n, c in out.get("compare", {}).items():
        kinds = [k for k in ("steward", "supervisord", "runit", "s6")
                 if k in c and "idle" in c[k] and c[k]["stop_all_ms"]]
        failed = [f"{k}: {c[k]['error']}" for k in ("supervisord", "runit",
                                                      "s6")
                  if k in c and c[k].get("error")]
        fl = c["floor"]
        floors = {
            "start_all_ms": statistics.median(fl["start_all_clone"]),
            "stop_all_ms": statistics.median(fl["stop_all_kill_reap"]),
            "restart_ms": idle_floor["restart_fork_exec"]["median"] / 1e3,
            "cpu_pct": 0.0, "wakeups_per_s": 0.0, "rss_kib": None,
            "pss_kib": None,
        }
        figs = {}
        for k in kinds:
            r = c[k]
            figs[k] = {
                "start_all_ms": statistics.median(r["start_all_ms"]),
                "restart_ms": statistics.median(r["restart_ms"])
                if r.get("restart_ms") else None,
                "rss_kib": r["idle"]["rss_kib"],
                "pss_kib": r["idle"].get("pss_kib"),
                "cpu_pct": r["idle"]["cpu_pct"],
                "wakeups_per_s": r["idle"]["wakeups_per_s"],
                "stop_all_ms": statistics.median(r["stop_all_ms"]),
            }
        names = {"start_all_ms": "start-all, last ward's first report (ms)",
                 "restart_ms": "restart: SIGKILL -> replacement's first "
                 "report (ms)",
                 "rss_kib": "memory: RSS summed over the supervision tree "
                 "(MiB; shared pages counted in each process)",
                 "pss_kib": "memory: PSS of the supervision tree (MiB; "
                 "shared pages divided among their users)",
                 "cpu_pct": "idle CPU of the tree (% of a core)",
                 "wakeups_per_s": "idle wake-ups of the tree (a second)",
                 "stop_all_ms": "stop-all, until every ward is gone (ms)"}
        lines.append("")
        lines.append(f"### Side by side, N = {int(n):,} wards (medians; "
                     f"{len(c['steward']['start_all_ms'])} runs, restart "
                     f"{len(c['steward'].get('restart_ms', []))} trials)")
        lines.append("| figure | " + " | ".join(kinds) + " | floor | "
                     "stewardd / best peer | stewardd / floor |")
        lines.append("| --- |" + " ---: |" * (len(kinds) + 3))
        for key, name in names.items():
            vals = [figs[k][key] for k in kinds]
            if any(figs[k][key] is None for k in kinds):
                continue  # not measured in this run
            peers = [figs[k][key] for k in kinds[1:]]
            best = min(peers) if peers else None
            st = figs["steward"][key]
            div = 1024 if key in ("rss_kib", "pss_kib") else 1
            digits = 3 if key in ("cpu_pct",) else 2 \
                if key in ("restart_ms", "wakeups_per_s") else 1
            cells = [fmt(v / div if v is not None else None, digits)
                     for v in vals]
            f = floors[key]
            lines.append(f"| {name} | " + " | ".join(cells) +
                         f" | {fmt(f, digits) if f is not None else '-'} | "
                         f"{ratio(st, best)} | "
                         f"{ratio(st, f) if f else '-'} |")
        lines.append("")
        lines.append("Trees: " + ", ".join(
            f"{k} {c[k]['idle']['processes']} processes" for k in kinds)
            + ".  floor: start-all and stop-all by benchfloor -A (clone, "
            "serial), restart: restart_fork_exec at idle.")
        for f in failed:
            lines.append(f"Failed, left out: {f}.")
    return lines


# stewardd's loop phases, in the order they run.
LOOP_PHASES = ("autostart", "steady", "stop_all", "start_all",
               "reload_remove", "reload_add", "client_flood",
               "metrics_file", "shutdown")

# The phases of N held to the floors: the phase, what its time is (a
# key of its record), the floors' series it is set against, and how it
# is named in the report and in the targets.
LOOP_VS_FLOOR = (
    ("autostart", "start_all_ms", "start_all_clone", None, "start-all of"),
    ("stop_all", "took_ms", "stop_all_kill_reap",
     "Stop all (until every ward is reaped)", "stop all of"),
    ("reload_remove", "took_ms", "stop_all_kill_reap",
     "A reload removing them (until every ward is reaped and its cgroup "
     "removed)", "a reload removing"),
    ("reload_add", "took_ms", "start_all_clone",
     "A reload adding them (until every first beat)", "a reload adding"))


def floor_series(f, phase, series):
    """The series of floor f that phase is held to: a stop all keeps
    its instances' cgroups, so it is held to the floor's stops that keep
    them too where it has them (benchfloor -C -G: stop_all_keep); a
    reload removing them, to the stops that remove them."""
    if phase == "stop_all" and "stop_all_keep" in f:
        return "stop_all_keep"
    return series


# The floor's own CPU time in the stops of each series (benchfloor).
FLOOR_CPU = {"stop_all_kill_reap": "stop_all_cpu",
             "stop_all_keep": "stop_all_keep_cpu"}


def floor_has(out, key):
    """Did the runs' floors that do what stewardd does report key?
    output_captured: they held each ward's output pipes (benchfloor -o;
    runs before 2026-12-08 did not); stop_as_promised: they stopped
    their wards as stewardd does (-G; runs before 2026-12-08 05:30Z
    closed their pipes as they signalled each ward)."""
    return any(key in r.get(k, {})
               for r in out.get("loop", {}).values()
               for k in ("floor_session", "floor_session_cgroup"))


def like_floor(out):
    """The floor that does for each ward what stewardd does, and how:
    a session, its output pipes, a cgroup unless cgroups = off, and the
    stop a supervisor owes it."""
    parts = ["a session"]
    if floor_has(out, "output_captured"):
        parts.append("output pipes")
    if out.get("cgroups", "auto") != "off":
        parts.append("a cgroup")
    if floor_has(out, "stop_as_promised"):
        parts.append("the same stop")
    how = (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1
           else parts[0])
    key = ("floor_session" if out.get("cgroups", "auto") == "off"
           else "floor_session_cgroup")
    return key, how


def report_loop(out):
    """stewardd's loop latency, phase by phase."""
    lines = []
    for n, r in out.get("loop", {}).items():
        lines.append("")
        cg = out.get("cgroups", "auto")
        lines.append(f"### stewardd's loop, N = {int(n):,} wards beating "
                     "once a second"
                     + ("" if cg == "auto" else f" (cgroups = {cg})"))
        lines.append("| phase | took (ms) | longest gap (ms) | gaps below "
                     "1 / 2 / 4 / 8 / 16 / 32 / 64 ms / above | longest "
                     "gap in stewardd's CPU time (ms) | the same "
                     "histogram in CPU time | health "
                     "answered in (ms), median / max | stewardd waiting "
                     "for a CPU (% of the phase) | load average |")
        lines.append("| --- | ---: | ---: | --- | ---: | --- | --- | ---: "
                     "| ---: |")
        for ph in LOOP_PHASES:
            p = r.get(ph)
            if p is None:
                continue
            def hist(g):
                return " / ".join(str(x) for x in g[:7]) + \
                    f" / {sum(g[7:])}" if g else "-"
            hm = p["health_ms"]
            lines.append(f"| {ph.replace('_', ' ')} | {p['took_ms']:.0f} | "
                         f"{fmt(p['gap_max_ms'], 1)} | "
                         f"{hist(p['gaps'] or [])} | "
                         f"{fmt(p.get('cpu_gap_max_ms'), 1)} | "
                         f"{hist(p.get('cpu_gaps') or [])} | "
                         f"{fmt(hm.get('median'), 1)} / "
                         f"{fmt(hm.get('max'), 1)} | "
                         f"{fmt(p.get('runq_wait_pct'), 1)} | "
                         f"{fmt(p.get('loadavg_1m'), 0)} |")
        fl = r["floor"]
        sa = r["autostart"].get("start_all_ms")
        fmed = statistics.median(fl["start_all_clone"])
        lines.append("")
        lines.append(f"Start-all of {int(n):,}: {fmt(sa, 0)} ms, against "
                     f"the serial spawn floor {fmt(fmed, 0)} ms "
                     f"(benchfloor -A, same run): {ratio(sa, fmed)}.")
        for key, what, flags in (
                ("floor_session", "with each ward in a session of its "
                 "own{out}, as stewardd's are", "-s"),
                ("floor_cgroup", "with a cgroup made for each ward, as "
                 "stewardd makes one for each instance", "-C"),
                ("floor_session_cgroup", "with both{out}, what stewardd "
                 "does for each instance by default", "-s -C")):
            f = r.get(key)
            out_n = f.get("output_captured", [0])[0] if f else 0
            what = what.format(out=(
                f" and its stdout and stderr in pipes the floor holds "
                f"(the first {int(out_n):,} wards: the fd limit)"
                if out_n else ""))
            if out_n:
                flags += " -o"
            if f and f.get("stop_as_promised"):
                flags += " -G"
                what += (", stopped as stewardd stops them (the stop "
                         "signal and SIGCONT to the group, every pipe read "
                         "to its end, SIGKILL to what is left of the group "
                         "before the reap)")
            if f and f.get("stop_all_keep"):
                what += (", the cgroups kept by its stops held to a stop "
                         "all (as stewardd keeps them) and removed by "
                         "those held to a reload removing them, in turn "
                         "after a warm-up run")
            what += f" (benchfloor -A {flags})"
            if f:
                m = statistics.median(f["start_all_clone"])
                lines.append(f"Against the same floor {what}, same run: "
                             f"{fmt(m, 0)} ms, {ratio(sa, m)}.")
        # The other phases of N against the same floors: a stop against
        # their stop-all (SIGTERM to each until reaped; -C: and its
        # cgroup removed), a reload adding N against their start-all.
        like, how = like_floor(out)
        for ph, key, series, what, _ in LOOP_VS_FLOOR:
            p = r.get(ph)
            if what is None or p is None or series not in fl:
                continue
            t = p[key]
            fs = [statistics.median(r[k][floor_series(r[k], ph, series)])
                  for k in ("floor", like) if r.get(k)]
            lines.append(f"{what}: {fmt(t, 0)} ms; the floor's "
                         + f", with {how} per ward as stewardd's, "
                         .join(f"{fmt(m, 0)} ms ({ratio(t, m)})"
                               for m in fs) + ".")
            # Their own CPU in the stops: what the daemon adds.
            lf = r.get(like, {})
            fc = lf.get(FLOOR_CPU.get(floor_series(lf, ph, series), ""))
            if series == "stop_all_kill_reap" and p.get("cpu_ms") and fc:
                lines.append(f"  stewardd's own CPU in it: "
                             f"{fmt(p['cpu_ms'], 0)} ms; the floor's "
                             f"that does the same, in its stop: "
                             f"{fmt(statistics.median(fc), 0)} ms.")
    return lines


def loop_targets(out):
    """Issue #22's targets for the loop at N: met or missed, with the
    figure.  The start-all, stop all and reloads against the plain
    floor and against the floor that does for each ward what stewardd
    does (like_floor()), both; the gaps and health over every phase."""
    res = ["### Targets of the loop (this run)"]
    like, _ = like_floor(out)

    def verdict(name, ok, text):
        res.append(f"- {'MET   ' if ok else 'MISSED'} {name}: {text}")
        out.setdefault("targets", []).append(
            {"target": name, "met": ok, "figure": text})
    for n, r in out["loop"].items():
        ph = [k for k in LOOP_PHASES if k in r]

        def worst(key, sub=None):
            v = [(r[k][key] if sub is None else r[k][key].get(sub), k)
                 for k in ph]
            v = [x for x in v if x[0] is not None]
            return max(v) if v else (None, None)
        for key, sub, what in (
                ("cpu_gap_max_ms", None, "the loop never works 20 ms "
                 "without looking (stewardd's CPU time)"),
                ("gap_max_ms", None, "no gap between the loop's looks "
                 "above 20 ms (wall clock)"),
                ("health_ms", "max", "health answered within 50 ms")):
            v, k = worst(key, sub)
            if v is None:
                continue
            bound = 50.0 if key == "health_ms" else 20.0
            verdict(f"{what}, N={int(n):,}", v <= bound,
                    f"at most {v:.1f} ms ({k.replace('_', ' ')})")
        for phase, key, series, _, name in LOOP_VS_FLOOR:
            p = r.get(phase)
            if p is None:
                continue
            t = p[key]
            for fk, fwhat in (("floor", "the plain floor"),
                              (like, "the floor that does the same")):
                f = r.get(fk)
                if not f or series not in f:
                    continue
                m = statistics.median(f[floor_series(f, phase, series)])
                verdict(f"{name} {int(n):,} <= 1.2x {fwhat}",
                        t <= 1.2 * m,
                        f"{t:.0f} ms vs {m:.0f} ms = {t / m:.2f}x")
    return res


def scale(s, k=1e-3):
    """A µs summary in ms."""
    return {key: (v * k if isinstance(v, float) else v)
            for key, v in s.items()}


def targets(out, summ):
    """Issue #7's targets: met or missed, with the figure."""
    res = []
    st = out["steward"]

    def verdict(name, ok, text):
        res.append(f"- {'MET   ' if ok else 'MISSED'} {name}: {text}")
        out.setdefault("targets", []).append(
            {"target": name, "met": ok, "figure": text})
    big = max((int(n) for n in st), default=None)
    if big is not None:
        r = st[str(big)]
        sfx = "" if big == 10000 else f" (measured at N={big}, not 10,000)"
        verdict("CPU <= 5% of a core, 10,000 wards beating",
                r["steady"]["cpu_pct"] <= 5.0,
                f"{r['steady']['cpu_pct']:.2f} %{sfx}")
        verdict("RSS <= 40 MiB, 10,000 wards", r["vmrss_kib"] <= 40 * 1024,
                f"{r['vmrss_kib'] / 1024:.1f} MiB{sfx}")
        p99 = summ[f"steward_{big}"]["detect_late_ms"]["p99"]
        healed = summ[f"steward_{big}"].get("detect_healed_late_ms", {})
        verdict("detection p99 <= 10 ms after the deadline, all beating",
                p99 <= 10.0, f"p99 {p99:.2f} ms{sfx}; while earlier "
                f"victims respawn: p99 {fmt(healed.get('p99'), 2)} ms")
    for n, r in st.items():
        med = statistics.median(r["restart_ms"])
        flo = r["floor_loaded"]
        fl = flo["restart_fork_exec"]["median"] / 1000
        if "restart_settled_fork_exec" in flo:
            sfl = flo["restart_settled_fork_exec"]["median"] / 1000
            verdict(f"restart <= 1.5x fork+exec floor, N={int(n):,}, "
                    "wards that have been beating",
                    med <= 1.5 * sfl,
                    f"{med:.2f} ms vs settled floor {sfl:.2f} ms = "
                    f"{med / sfl:.2f}x (vs the warm floor {fl:.2f} ms: "
                    f"{med / fl:.2f}x)")
        else:
            verdict(f"restart <= 1.5x fork+exec floor, N={int(n):,}",
                    med <= 1.5 * fl,
                    f"{med:.2f} ms vs floor {fl:.2f} ms = {med / fl:.2f}x")
        if "restart_warm_ms" in r:
            wmed = statistics.median(r["restart_warm_ms"])
            wfl = flo.get("restart_warm_fork_exec",
                          flo["restart_fork_exec"])["median"] / 1000
            verdict(f"restart <= 1.5x fork+exec floor, N={int(n):,}, "
                    "a ward killed 2 ms after its first beat",
                    wmed <= 1.5 * wfl,
                    f"{wmed:.2f} ms vs warm floor {wfl:.2f} ms = "
                    f"{wmed / wfl:.2f}x (vs the floor of one block, "
                    f"{fl:.2f} ms: {wmed / fl:.2f}x)")
    if "1000" in st:
        r = st["1000"]
        m = statistics.median(r["start_all_ms"])
        md = statistics.median(r["start_all_daemon_ms"])
        verdict("start-all of 1,000 <= 1 s", max(m, md) <= 1000,
                f"{m:.0f} ms (wards), {md:.0f} ms (running records)")
        m = statistics.median(r["stop_all_ms"])
        verdict("stop-all of 1,000 <= 1 s", m <= 1000, f"{m:.0f} ms")
    res.insert(0, "### Targets (medians; this machine)")
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build",
                    help="the meson build directory (default: build)")
    ap.add_argument("--quick", action="store_true",
                    help="smaller N, fewer trials: under 2 minutes")
    ap.add_argument("--json", help="where to write every sample "
                    "(default BUILD/bench.json)")
    ap.add_argument("--n", help="stewardd's N, comma-separated")
    ap.add_argument("--sup-n", help="supervisord's N, comma-separated "
                    "(empty: none)")
    ap.add_argument("--stewardd", help="the stewardd to measure (default "
                    "BUILD/supervisord/stewardd; a copy keeps a long run "
                    "on one binary while the tree is rebuilt)")
    ap.add_argument("--runs", type=int, help="daemon runs (start-all and "
                    "stop-all samples) at every N")
    ap.add_argument("--only", help="only these parts, comma-separated: "
                    "compare (stewardd, supervisord, runit, s6 side by "
                    "side), loop (stewardd's loop latency by phase)")
    ap.add_argument("--cmp-n", help="N of the side-by-side comparison, "
                    "comma-separated")
    ap.add_argument("--loop-n", type=int, help="N of the loop latency "
                    "phases")
    ap.add_argument("--cgroups", default="auto",
                    choices=("auto", "off", "required"),
                    help="stewardd's [steward] cgroups (default auto)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directory (configs, logs)")
    args = ap.parse_args()

    def interrupted(sig, frame):
        raise KeyboardInterrupt(f"signal {sig}")
    # Also when started in the background (SIGINT ignored): the finally
    # clauses must stop the daemons and their wards.
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    t = time.monotonic()
    b = Bench(args)
    try:
        b.run()
    except BaseException:
        log(f"failed; work directory kept: {b.work}")
        raise
    b.out["duration_s"] = time.monotonic() - t
    text = report(b.out)
    path = args.json or os.path.join(args.build, "bench.json")
    with open(path, "w") as f:
        json.dump(b.out, f, indent=1)
    m = b.out["machine"]
    print(f"## steward benchmark, {b.out['date']} ({b.out['mode']})\n")
    print(f"{m['nproc']} CPUs, {m['cpu_model']}, Linux {m['kernel']}; "
          f"load average at start {' '.join(m['loadavg_at_start'])}, "
          f"at the end {' '.join(m.get('loadavg_at_end', []))}; "
          f"took {b.out['duration_s']:.0f}s\n")
    print(text)
    print(f"\nEvery sample: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
