#!/usr/bin/env python3
"""A soak run of stewardd: does its memory or fd count grow over time?

    tests/soak/soak.py [--minutes N] [--interval S] [--reload-every S]
                       [--stewardd PATH] [--testward PATH] [--keep]

Runs one stewardd (default: build/supervisord/stewardd) for N minutes
(default 60) on a config whose wards misbehave all the time:

    canary      beats every 50 ms (heartbeat_timeout 1s); must never stop
    crasher x3  beats, then exits 1 after about a second; restarted
    hanger x2   beats, then hangs; healed by the heartbeat deadline
    forker x2   leaves a child in its group, exits after about a second
    garbage     writes a malformed line before every beat (reported,
                rate-limited)
    early       exits before its first beat; spends its restart limit,
                is started again by a control request every cycle
    rotating    redefined at every reload (changed: restarted)
    resized     1..3 replicas, resized at every reload
    ephemeral   added by one reload, removed by the next

Every --reload-every seconds (default 5) the config is rewritten and
stewardd gets SIGHUP; every minute the event log is rotated (renamed,
SIGUSR1) so that the run does not fill the disk.  Every --interval
seconds (default 10) it samples stewardd's VmRSS, its open fds, its
children and its CPU time, and asks for its status over the control
socket.

At the end it prints the table and a verdict.  The first minute (or
tenth of the run, whichever is longer) is warm-up and not judged.  The
run is "flat" when the median VmRSS of the last third of the samples is
within 256 KiB (or 2 %) of the median of the first third, and the fd
medians differ by at most one; otherwise "growing".  It also prints the
least-squares slope of each, per hour.

Exit status: 0 flat, 1 growing, 2 stewardd died or the canary was
stopped (a supervision failure), 64 bad usage.  Ctrl-C ends the run
early and judges what was sampled.

It is not part of CI: it takes an hour.  See tests/soak/README.md.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

CONFIG = """[steward]
event_log = {dir}/events.jsonl
socket = {dir}/ctl.sock

[ward:canary]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s

[ward:crasher]
command = {testward} --beat 50 --exit-after 20 --code 1
heartbeat = pipe
heartbeat_timeout = 1s
replicas = 3
backoff = 10ms..200ms
restart_limit = 1000000/1m

[ward:hanger]
command = {testward} --beat 50 --work --hang-after 15
heartbeat = pipe
heartbeat_timeout = 500ms
stop_timeout = 1s
replicas = 2
backoff = 10ms..200ms
restart_limit = 1000000/1m

[ward:forker]
command = {testward} --beat 50 --child --exit-after 20 --code 2
heartbeat = pipe
heartbeat_timeout = 1s
replicas = 2
backoff = 10ms..200ms
restart_limit = 1000000/1m

[ward:garbage]
command = {testward} --beat 100 --garbage
heartbeat = pipe
heartbeat_timeout = 1s

[ward:early]
command = {testward} --exit-after 0 --code 3
heartbeat = pipe
backoff = 10ms..50ms
restart_limit = 3/1m

[ward:rotating]
command = {testward} --beat {rotating_beat}
heartbeat = pipe
heartbeat_timeout = 1s

[ward:resized]
command = {testward} --beat 100
heartbeat = pipe
heartbeat_timeout = 1s
replicas = {resized}
{ephemeral}"""

EPHEMERAL = """
[ward:ephemeral]
command = {testward} --beat 100
heartbeat = pipe
heartbeat_timeout = 1s
"""


def write_config(path, args, cycle):
    """Write the config for reload cycle number cycle (atomically)."""
    text = CONFIG.format(
        dir=os.path.dirname(path), testward=args.testward,
        rotating_beat=50 + 10 * (cycle % 2), resized=1 + cycle % 3,
        ephemeral=EPHEMERAL.format(testward=args.testward)
        if cycle % 2 == 0 else "")
    with open(path + ".new", "w") as f:
        f.write(text)
    os.rename(path + ".new", path)


def request(sock_path, line, timeout=10):
    """One control request; the reply as a dict, or None on an error."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(sock_path)
            s.sendall(line.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    return None
                data += chunk
            return json.loads(data)
    except (OSError, ValueError):
        return None


def proc_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return [int(line.split()[1]) for line in f
                if line.startswith("VmRSS")][0]


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_children(pid):
    out = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children") as f:
            out += f.read().split()
    return len(out)


class Events:
    """Counts of event-log records, read as the log grows and rotates."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = b""
        self.counts = {}
        self.canary_touched = []

    def read(self, path=None):
        try:
            with open(path or self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        for line in lines:
            try:
                e = json.loads(line)
            except ValueError:
                self.counts["(not json)"] = \
                    self.counts.get("(not json)", 0) + 1
                continue
            name = e.get("event")
            self.counts[name] = self.counts.get(name, 0) + 1
            if e.get("ward") == "canary" and name not in (
                    "starting", "running") and not self.shutting_down:
                self.canary_touched.append(e)

    shutting_down = False

    def rotate(self, pid):
        """Rename the log, SIGUSR1, finish reading the old file."""
        old = self.path + ".1"
        os.rename(self.path, old)
        os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + 5
        # The daemon writes to the renamed file until it reopens.
        while not os.path.exists(self.path) and \
                time.monotonic() < deadline:
            time.sleep(0.01)
        self.read(old)
        self.offset = 0
        self.partial = b""
        os.unlink(old)


def slope_per_hour(ts, ys):
    """Least-squares slope of ys over ts (seconds), per hour."""
    if len(ts) < 2:
        return 0.0
    mt, my = statistics.fmean(ts), statistics.fmean(ys)
    den = sum((t - mt) ** 2 for t in ts)
    if den == 0:
        return 0.0
    return sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / den * 3600


def verdict(samples, warmup):
    """(flat?, lines of explanation) over the samples after warm-up."""
    judged = [s for s in samples if s["t"] >= warmup]
    if len(judged) < 6:
        return None, [f"too few samples after the {warmup:.0f}s warm-up "
                      f"({len(judged)}) to judge; run longer"]
    third = len(judged) // 3
    first, last = judged[:third], judged[-third:]
    rss0 = statistics.median(s["rss"] for s in first)
    rss1 = statistics.median(s["rss"] for s in last)
    fd0 = statistics.median(s["fds"] for s in first)
    fd1 = statistics.median(s["fds"] for s in last)
    ts = [s["t"] for s in judged]
    rss_slope = slope_per_hour(ts, [s["rss"] for s in judged])
    fd_slope = slope_per_hour(ts, [s["fds"] for s in judged])
    rss_ok = rss1 - rss0 <= max(256, rss0 * 0.02)
    fd_ok = fd1 - fd0 <= 1
    lines = [
        f"VmRSS: median {rss0:.0f} KiB in the first third, {rss1:.0f} KiB "
        f"in the last ({rss1 - rss0:+.0f} KiB); slope "
        f"{rss_slope:+.0f} KiB/hour; range "
        f"{min(s['rss'] for s in judged)}..{max(s['rss'] for s in judged)}"
        f" KiB: {'flat' if rss_ok else 'GROWING'}",
        f"fds:   median {fd0:.0f} in the first third, {fd1:.0f} in the last "
        f"({fd1 - fd0:+.0f}); slope {fd_slope:+.1f}/hour; range "
        f"{min(s['fds'] for s in judged)}..{max(s['fds'] for s in judged)}"
        f": {'flat' if fd_ok else 'GROWING'}",
    ]
    return rss_ok and fd_ok, lines


def main():
    ap = argparse.ArgumentParser(
        description="Soak stewardd: wards crash, hang and are reloaded; "
        "its memory and fds are sampled and judged flat or growing.")
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--interval", type=float, default=10.0,
                    help="seconds between samples (default 10)")
    ap.add_argument("--reload-every", type=float, default=5.0,
                    help="seconds between config rewrites + SIGHUP")
    ap.add_argument("--stewardd", default=os.environ.get(
        "STEWARDD", os.path.join(ROOT, "build/supervisord/stewardd")))
    ap.add_argument("--testward", default=os.environ.get(
        "TESTWARD", os.path.join(ROOT, "build/tests/integration/testward")))
    ap.add_argument("--keep", action="store_true",
                    help="keep the run's directory (config, logs)")
    args = ap.parse_args()
    for p in (args.stewardd, args.testward):
        if not os.access(p, os.X_OK):
            print(f"soak: {p} is not executable (build first: "
                  "ninja -C build)", file=sys.stderr)
            return 64
    args.testward = os.path.abspath(args.testward)

    d = tempfile.mkdtemp(prefix="steward-soak-")
    conf = os.path.join(d, "steward.ini")
    write_config(conf, args, 0)
    err = open(os.path.join(d, "stderr"), "wb")
    proc = subprocess.Popen([args.stewardd, "-c", conf],
                            stdin=subprocess.DEVNULL, stdout=err,
                            stderr=err)
    events = Events(os.path.join(d, "events.jsonl"))
    sock = os.path.join(d, "ctl.sock")
    interrupted = []
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(1))

    print(f"soak: stewardd {proc.pid} for {args.minutes:g} min in {d}; "
          f"a sample every {args.interval:g}s, a reload every "
          f"{args.reload_every:g}s", flush=True)
    header = (f"{'t(s)':>6} {'VmRSS KiB':>9} {'fds':>4} {'kids':>4} "
              f"{'cpu s':>6} {'events':>8} {'heals':>6} {'reloads':>7} "
              f"{'ok':>3}")
    print(header, flush=True)
    samples = []
    t0 = time.monotonic()
    end = t0 + args.minutes * 60
    next_sample = t0 + 2  # a first sample once the wards are up
    next_reload = t0 + args.reload_every
    next_rotate = t0 + 60
    cycle = 0
    failure = None
    while not interrupted and time.monotonic() < end:
        now = time.monotonic()
        if proc.poll() is not None:
            failure = f"stewardd exited with {proc.returncode}"
            break
        if now >= next_reload:
            cycle += 1
            write_config(conf, args, cycle)
            os.kill(proc.pid, signal.SIGHUP)
            # The ward that spent its restart limit is started again.
            request(sock, "steward/1 start --no-wait early")
            next_reload += args.reload_every
        if now >= next_rotate:
            events.rotate(proc.pid)
            next_rotate += 60
        if now >= next_sample:
            events.read()
            status = request(sock, "steward/1 status")
            c = events.counts
            s = {"t": round(now - t0, 1), "rss": proc_rss_kib(proc.pid),
                 "fds": len(os.listdir(f"/proc/{proc.pid}/fd")),
                 "kids": proc_children(proc.pid),
                 "cpu": proc_cpu(proc.pid),
                 "events": sum(c.values()),
                 "heals": c.get("backoff", 0) + c.get("failed", 0),
                 "reloads": c.get("reloaded", 0),
                 "ok": status is not None and status.get("ok") is True}
            samples.append(s)
            print(f"{s['t']:>6.0f} {s['rss']:>9} {s['fds']:>4} "
                  f"{s['kids']:>4} {s['cpu']:>6.1f} {s['events']:>8} "
                  f"{s['heals']:>6} {s['reloads']:>7} "
                  f"{'yes' if s['ok'] else 'NO':>3}", flush=True)
            if not s["ok"]:
                failure = "the control socket did not answer status"
            if events.canary_touched:
                failure = (f"the canary was touched: "
                           f"{events.canary_touched[0]}")
            if failure:
                break
            next_sample += args.interval
        time.sleep(0.05)

    ran = time.monotonic() - t0
    events.shutting_down = True
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
            failure = failure or "stewardd did not stop within 30s"
        if rc != 0 and failure is None:
            failure = f"stewardd exited with {rc} after SIGTERM"
    events.read()

    print()
    how = "interrupted" if interrupted else \
        "stopped early" if failure else "to the end"
    print(f"soak: ran {ran / 60:.1f} min ({how}); {len(samples)} samples")
    c = events.counts
    print(f"soak: {sum(c.values())} events: "
          f"{c.get('backoff', 0)} restarts (backoff), "
          f"{c.get('stopping', 0)} stops, {c.get('killing', 0)} kills, "
          f"{c.get('failed', 0)} failed, {c.get('reloaded', 0)} reloads "
          f"({c.get('reload_failed', 0)} failed), "
          f"{c.get('heartbeat_invalid', 0)} heartbeat_invalid reports, "
          f"{c.get('event_log_reopened', 0)} log reopens")
    warmup = max(60.0, ran * 0.1)
    flat, lines = verdict(samples, warmup)
    for line in lines:
        print("soak: " + line)
    if failure:
        print(f"soak: FAILURE: {failure}")
        status = 2
    elif flat is None:
        status = 0
        print("soak: verdict: not judged (too short)")
    else:
        print(f"soak: verdict: {'flat' if flat else 'GROWING'}")
        status = 0 if flat else 1
    if args.keep or status != 0:
        print(f"soak: the run's files are in {d}")
    else:
        import shutil
        shutil.rmtree(d, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
