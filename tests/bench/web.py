#!/usr/bin/env python3
"""What the web page (ctl/web.c) costs stewardd, by fleet size.

For each N, stewardd runs a supervisord.conf of one [program:many] with
numprocs = N (autostart = false: the instances exist, no process runs,
so the figure is the page's own) and an [inet_http_server] on a free
port of 127.0.0.1; then this asks each path REQUESTS times, one after
another, and prints stewardd's CPU time (utime + stime from
/proc/PID/stat) and the wall time per request, and the answer's size.

    python3 tests/bench/web.py [--build build] [--n 100,1000,10000]
"""
import argparse
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

REQUESTS = 200
PATHS = ["/web/rows", "/", "/web/rows?q=many:4242"]
CONF = """[inet_http_server]
port=127.0.0.1:{port}

[program:many]
command=sleep 1000
numprocs={n}
process_name=%(program_name)s_%(process_num)05d
autostart=false
"""


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(stewardd, n):
    d = tempfile.mkdtemp(prefix="steward-webbench-")
    port = free_port()
    conf = os.path.join(d, "supervisord.conf")
    with open(conf, "w") as f:
        f.write(CONF.format(port=port, n=n))
    p = subprocess.Popen([stewardd, "-c", conf, "-s", os.path.join(d, "s"),
                          "-l", os.path.join(d, "events.jsonl")],
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/web/rows",
                                       timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or p.poll() is not None:
                    raise SystemExit(f"stewardd with N={n} did not serve")
                time.sleep(0.05)
        for path in PATHS:
            c0, t0 = cpu_s(p.pid), time.monotonic()
            for _ in range(REQUESTS):
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                    size = len(r.read())
            cpu = (cpu_s(p.pid) - c0) / REQUESTS * 1000
            wall = (time.monotonic() - t0) / REQUESTS * 1000
            print(f"{n:>6}  {path:<24} {cpu:7.2f} ms CPU  "
                  f"{wall:7.2f} ms wall  {size:>7} bytes")
    finally:
        p.terminate()
        p.wait(30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--n", default="100,1000,10000")
    a = ap.parse_args()
    stewardd = os.path.join(a.build, "supervisord", "stewardd")
    print(f"{'N':>6}  {'path':<24} stewardd per request ({REQUESTS} "
          f"requests)")
    for n in (int(x) for x in a.n.split(",")):
        measure(stewardd, n)


if __name__ == "__main__":
    main()
