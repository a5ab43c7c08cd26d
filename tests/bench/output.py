#!/usr/bin/env python3
"""What capturing ward output (core/ward-output.c) costs, against the floor.

Two figure sets, each in one stewardd run:

  throughput  one ward writes BYTES of 64-byte lines as fast as it can
              (yes | head -c) into a log file stewardd writes; the time
              from `start` until the file holds its last line, against
              the same pipeline ending in `cat > file` on the same file
              system, in the same run (alternated, RUNS times each), the
              writer and cat each in a session of its own as a ward and
              stewardd are.
              With and without output_timestamps.  stewardd's CPU time
              (utime + stime, /proc/PID/stat) per MB read.
  loaded      10 wards write 1 MB/s each (100 KiB of lines every 100 ms)
              into their files beside BEATERS beating wards (benchward,
              1 s beats, 2 s heartbeat_timeout); then, one at a time,
              TRIALS more benchwards stop beating (SIGUSR1): how late
              after its deadline (last beat + 2 s) each was sent SIGTERM,
              as benchward reports it (CLOCK_MONOTONIC), and stewardd's
              CPU per MB over the window.

    python3 tests/bench/output.py [--build build] [--mb 256] [--runs 5]
                                  [--beaters 1000] [--trials 20]
                                  [--stewardd PATH ...] [--only SET]

Given --stewardd more than once (copies of two builds, say, in /tmp so
that a rebuild cannot change them mid-run), the binaries are measured
in the same run: their throughput runs alternate, each beside the same
floor.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time

LINE = "x" * 63  # 64 bytes a line with its newline


def cpu_s(pid):
    """pid's CPU time in seconds: the sum of its threads' run time in
    nanoseconds (schedstat), else utime + stime in clock ticks (10 ms:
    too coarse for a run of a few hundred ms)."""
    try:
        total = 0
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


class Daemon:
    """A stewardd on a config of its own, in directory d."""

    def __init__(self, stewardd, d, body):
        self.d = d
        self.sock = os.path.join(d, "ctl.sock")
        conf = os.path.join(d, "steward.ini")
        with open(conf, "w") as f:
            f.write(f"[steward]\nsocket = {self.sock}\nevent_log = "
                    f"{os.path.join(d, 'events.jsonl')}\n\n" + body)
        self.p = subprocess.Popen([stewardd, "-c", conf],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not os.path.exists(self.sock):
            if time.monotonic() > deadline or self.p.poll() is not None:
                raise SystemExit("stewardd did not start")
            time.sleep(0.05)

    def ask(self, line, timeout=120):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(self.sock)
            s.sendall(line.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
        return json.loads(data.split(b"\n")[0])

    def pids(self, ward):
        return [i["pid"] for i in self.ask("steward/1 status")["instances"]
                if i["ward"] == ward and i.get("pid")]

    def stop(self):
        self.p.terminate()
        self.p.wait(120)


def wait_end(path, timeout=300):
    """Wait until path ends with the END line; the time it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                f.seek(max(0, os.path.getsize(path) - 4))
                if f.read().endswith(b"END\n"):
                    return time.monotonic()
        except OSError:
            pass
        time.sleep(0.002)
    raise SystemExit(f"{path} never got its last line")


def floor_run(d, nbytes):
    """The same lines through cat > file: (MB/s, cat's CPU ms per MB),
    after a warm-up run."""
    out = os.path.join(d, "floor.out")
    for _ in range(2):
        with open(out, "wb") as f:
            t0 = time.monotonic()
            # Each in a session of its own, as a ward and stewardd are
            # (the scheduler's autogroups: a hand-over between them
            # costs what it costs stewardd).
            src = subprocess.Popen(["/bin/sh", "-c", f"yes {LINE} | head -c "
                                    f"{nbytes}; echo END"],
                                   stdout=subprocess.PIPE,
                                   start_new_session=True)
            cat = subprocess.Popen(["cat"], stdin=src.stdout, stdout=f,
                                   start_new_session=True)
            src.stdout.close()
            _, _, ru = os.wait4(cat.pid, 0)
            t1 = time.monotonic()
            src.wait()
            cat.returncode = 0
    os.unlink(out)
    mb = nbytes / 1e6
    return mb / (t1 - t0), (ru.ru_utime + ru.ru_stime) / mb * 1000


def throughput(stewardds, mb, runs, timestamps):
    """Per stewardd binary: MB/s, CPU ms per MB (lists); and the floor's
    MB/s and cat's CPU ms per MB.  Each run measures the floor, then each
    binary in turn (alternated, so that they share the machine's mood)."""
    d = tempfile.mkdtemp(prefix="steward-outbench-")
    nbytes = mb << 20
    dms, outs = [], []
    got = [[] for _ in stewardds]
    cpu = [[] for _ in stewardds]
    floors, catcpu = [], []
    try:
        for k, stewardd in enumerate(stewardds):
            dk = os.path.join(d, f"d{k}")
            os.mkdir(dk)
            out = os.path.join(dk, "flood.out")
            outs.append(out)
            dms.append(Daemon(stewardd, dk, f"""
[ward:flood]
command = /bin/sh -c 'yes {LINE} | head -c {nbytes}; echo END; exec sleep 100000'
stdout = {out}
stdout_max_size = 0
output_timestamps = {"yes" if timestamps else "no"}
restart = never
autostart = no
"""))
        for _ in range(runs):
            f, c = floor_run(d, nbytes)
            floors.append(f)
            catcpu.append(c)
            for k, dm in enumerate(dms):
                out = outs[k]
                if os.path.exists(out):
                    os.truncate(out, 0)
                c0, t0 = cpu_s(dm.p.pid), time.monotonic()
                r = dm.ask("steward/1 start --no-wait flood")
                assert r["ok"], r
                t1 = wait_end(out)
                got[k].append(nbytes / (t1 - t0) / 1e6)
                cpu[k].append((cpu_s(dm.p.pid) - c0) / (nbytes / 1e6)
                              * 1000)
                dm.ask("steward/1 stop flood")
                os.truncate(out, 0)
    finally:
        for dm in dms:
            dm.stop()
        for out in outs:
            if os.path.exists(out):
                os.unlink(out)
    return got, floors, cpu, catcpu


def loaded(stewardd, benchward, beaters, trials):
    d = tempfile.mkdtemp(prefix="steward-outload-")
    fifo = os.path.join(d, "report")
    os.mkfifo(fifo)
    chunk = os.path.join(d, "chunk")
    with open(chunk, "w") as f:
        f.write((LINE + "\n") * (100 * 1024 // 64))
    writers = "".join(f"""
[ward:writer{i}]
command = /bin/sh -c 'while :; do cat {chunk}; sleep 0.1; done'
stdout = {d}/writer{i}.out
stdout_max_size = 0
""" for i in range(10))
    dm = Daemon(stewardd, d, writers + f"""
[ward:beat]
command = {benchward} -i 1000
replicas = {beaters}
heartbeat = pipe
heartbeat_timeout = 2s
start_timeout = 1m

[ward:v]
command = {benchward} -i 1000
replicas = {trials}
heartbeat = pipe
heartbeat_timeout = 2s
start_timeout = 1m
restart = never
environment = BENCH_REPORT={fifo}
""")
    reports = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            with open(fifo) as f:
                for ln in f:
                    if ln.startswith("T "):
                        reports.append(ln.split())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        deadline = time.monotonic() + 300
        while True:
            st = dm.ask("steward/1 status")["instances"]
            if sum(i["state"] == "running" for i in st) >= beaters + 10 \
                    + trials or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        time.sleep(3)  # the writers' output flows
        sizes0 = sum(os.path.getsize(os.path.join(d, f"writer{i}.out"))
                     for i in range(10))
        c0, t0 = cpu_s(dm.p.pid), time.monotonic()
        victims = dm.pids("v")
        for pid in victims:
            n = len(reports)
            os.kill(pid, 10)  # SIGUSR1: stop beating
            end = time.monotonic() + 10
            while len(reports) == n and time.monotonic() < end:
                time.sleep(0.01)
        c1, t1 = cpu_s(dm.p.pid), time.monotonic()
        sizes1 = sum(os.path.getsize(os.path.join(d, f"writer{i}.out"))
                     for i in range(10))
    finally:
        stop.set()
        dm.stop()
        try:  # unblock the reader's open
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    late = [(int(r[4]) - int(r[3])) / 1e6 - 2000 for r in reports]
    mb = (sizes1 - sizes0) / 1e6
    return late, mb / (t1 - t0), (c1 - c0) / mb * 1000 if mb else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--stewardd", action="append",
                    help="a stewardd binary to measure (default: the "
                    "build's); given more than once, the binaries' "
                    "throughput runs alternate within each run and the "
                    "loaded figures are taken for each in turn")
    ap.add_argument("--only", choices=("throughput", "loaded"),
                    help="only one of the two figure sets")
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--beaters", type=int, default=1000)
    ap.add_argument("--trials", type=int, default=20)
    a = ap.parse_args()
    stewardds = [os.path.abspath(p) for p in a.stewardd or
                 [os.path.join(a.build, "supervisord", "stewardd")]]
    benchward = os.path.abspath(os.path.join(a.build, "tests", "bench",
                                             "benchward"))

    def load():
        with open("/proc/loadavg") as f:
            return f.read().split()[0]

    def name(k):
        return f"stewardd[{k}] " if len(stewardds) > 1 else "stewardd "

    for k, p in enumerate(stewardds):
        if len(stewardds) > 1:
            print(f"stewardd[{k}] = {p}")
    if a.only != "loaded":
        print(f"throughput: {a.mb} MiB of 64-byte lines, {a.runs} runs, "
              f"medians (MB/s; stewardd CPU ms per MB)")
        for ts in (False, True):
            l0 = load()
            got, floors, cpu, catcpu = throughput(stewardds, a.mb, a.runs,
                                                  ts)
            f, cc = statistics.median(floors), statistics.median(catcpu)
            print(f"  {'with' if ts else 'without'} timestamps (load "
                  f"average {l0} before, {load()} after, "
                  f"{os.cpu_count()} CPUs): cat {f:7.1f} MB/s, "
                  f"CPU per MB {cc:5.2f} ms")
            for k in range(len(stewardds)):
                g, sc = statistics.median(got[k]), statistics.median(cpu[k])
                print(f"    {name(k)}wall {g:7.1f} MB/s = "
                      f"{g / f * 100:5.1f} % of cat's; CPU per MB "
                      f"{sc:5.2f} ms (cat's is {cc / sc * 100:5.1f} % of "
                      f"it)")
    if a.only == "throughput":
        return
    for k, stewardd in enumerate(stewardds):
        l0 = load()
        late, rate, cpu = loaded(stewardd, benchward, a.beaters, a.trials)
        print(f"loaded, {name(k)}(load average {l0} before, {load()} "
              f"after): 10 wards at 1 MB/s beside {a.beaters} beating "
              f"wards: {rate:.1f} MB/s written, stewardd CPU {cpu:.2f} "
              f"ms/MB (beats included)")
        if late:
            print(f"  hung ward detected after its deadline ({len(late)} "
                  f"trials): p50 {pct(late, 50):.2f} ms, p99 "
                  f"{pct(late, 99):.2f} ms, max {max(late):.2f} ms")
        else:
            print("  no detection reported")


if __name__ == "__main__":
    main()
