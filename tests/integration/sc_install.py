"""Scenarios for steward where its users run it: installed by meson, as
PID 1 of a container, scraped by Prometheus, completed by bash."""
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import harness
from harness import Steward, check
from registry import scenario
from stanzas import STEWARD


def build_dir():
    """The build directory STEWARDD was built in, or None."""
    d = os.path.dirname(os.path.dirname(os.path.abspath(harness.STEWARDD)))
    if os.path.isfile(os.path.join(d, "meson-info", "intro-buildoptions.json")):
        return d
    return None


def build_options(bdir):
    """The build's options (prefix, sysconfdir, ...) by name."""
    with open(os.path.join(bdir, "meson-info", "intro-buildoptions.json")) as f:
        return {o["name"]: o["value"] for o in json.load(f)}


def install_paths(opts):
    """Where each installed thing goes, as absolute paths (no destdir)."""
    prefix = opts["prefix"]

    def at(key, *rest, default=None):
        d = opts.get(key) or default
        return os.path.join(prefix, d, *rest)
    libdir = at("libdir")
    unitdir = opts.get("systemdsystemunitdir") or \
        os.path.join(prefix, "lib", "systemd", "system")
    compdir = opts.get("bashcompletiondir") or \
        at("datadir", "bash-completion", "completions")
    return {
        "stewardd": at("sbindir", "stewardd"),
        "stewardctl": at("bindir", "stewardctl"),
        "libward.so.0.1.0": os.path.join(libdir, "libward.so.0.1.0"),
        "libward.so.0": os.path.join(libdir, "libward.so.0"),
        "libward.so": os.path.join(libdir, "libward.so"),
        "libward.a": os.path.join(libdir, "libward.a"),
        "ward.h": at("includedir", "ward.h"),
        "libward.pc": os.path.join(libdir, "pkgconfig", "libward.pc"),
        "stewardd.8": at("mandir", "man8", "stewardd.8"),
        "steward.ini.5": at("mandir", "man5", "steward.ini.5"),
        "stewardctl.1": at("mandir", "man1", "stewardctl.1"),
        "libward.3": at("mandir", "man3", "libward.3"),
        "steward.ini": at("sysconfdir", "steward.ini"),
        "steward.d": at("sysconfdir", "steward.d"),
        "logrotate": at("sysconfdir", "logrotate.d", "steward"),
        "stewardd.service": os.path.join(unitdir, "stewardd.service"),
        "completion": os.path.join(compdir, "stewardctl"),
        "logdir": at("localstatedir", "log", "steward"),
        "libdir": libdir,
        "sbindir": at("sbindir"),
        "sysconfdir": at("sysconfdir"),
        "localstatedir": at("localstatedir"),
    }


HELLO_WARD = r"""
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>
#include <ward.h>

/* A ward built against the installed libward: ready, then beats. */
int
main(void)
{
	long ms = ward_interval_ms();

	if (!ward_enabled() || ms <= 0) {
		fprintf(stderr, "hello-ward: not under steward\n");
		return 2;
	}
	ward_status("built against the installed libward");
	ward_ready();
	for (;;) {
		struct timespec half = {ms / 2000, (ms / 2 % 1000) * 1000000};

		ward_beat();
		nanosleep(&half, NULL);
	}
}
"""


@scenario("meson-install-puts-everything-in-place")
def meson_install_puts_everything_in_place():
    bdir = build_dir()
    if bdir is None:
        harness.skip(f"no meson build directory above {harness.STEWARDD}")
    opts = build_options(bdir)
    paths = install_paths(opts)
    st = Steward("install", """
[ward:hello]
command = {tmp}/hello-ward
heartbeat = pipe
heartbeat_timeout = 2s
start_timeout = 5s
environment = LD_LIBRARY_PATH={tmp}/root""" + paths["libdir"] + "\n")
    root = st.path("root")

    def inside(p):
        return root + p

    # --no-rebuild: meson test has just built it, and a second ninja in
    # the same build directory could race the tests that run beside us.
    p = subprocess.run(["meson", "install", "-C", bdir, "--no-rebuild",
                        "--destdir", root], capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0, f"meson install failed ({p.returncode}):\n"
          f"{p.stdout[-2000:]}\n{p.stderr[-2000:]}", st)

    for name in ("stewardd", "stewardctl"):
        f = inside(paths[name])
        check(os.path.isfile(f) and os.access(f, os.X_OK),
              f"{name} is not an executable at {f}", st)
    for name in ("libward.so.0.1.0", "libward.a", "ward.h", "libward.pc",
                 "stewardd.8", "steward.ini.5", "stewardctl.1", "libward.3",
                 "steward.ini", "logrotate", "stewardd.service",
                 "completion"):
        f = inside(paths[name])
        check(os.path.isfile(f) and os.path.getsize(f) > 0,
              f"{name} is missing at {f}", st)
    for link in ("libward.so.0", "libward.so"):
        f = inside(paths[link])
        check(os.path.islink(f) and
              os.path.realpath(f) == inside(paths["libward.so.0.1.0"]),
              f"{link} is no link to libward.so.0.1.0: {f}", st)
    check(os.path.isdir(inside(paths["logdir"])),
          f"no event-log directory {inside(paths['logdir'])}", st)
    examples = sorted(os.listdir(inside(paths["steward.d"])))
    check(examples and all(e.endswith(".ini.example") for e in examples),
          f"steward.d holds {examples}: expected only *.ini.example, "
          "which include = steward.d/*.ini does not read", st)

    # The paths inside are this build's: nothing left to fill in.
    for name in ("steward.ini", "logrotate", "stewardd.service"):
        with open(inside(paths[name])) as f:
            text = f.read()
        left = re.findall(r"@[a-z_]+@", text)
        check(not left, f"{name} still has placeholders {left}", st)
    with open(inside(paths["stewardd.service"])) as f:
        unit = f.read()
    want = (f"ExecStart={paths['sbindir']}/stewardd -c "
            f"{paths['sysconfdir']}/steward.ini")
    check(want in unit, f"the unit does not say {want!r}:\n{unit}", st)
    # systemctl reload runs the installed stewardctl against that config.
    want = (f"ExecReload={paths['stewardctl']} -c "
            f"{paths['sysconfdir']}/steward.ini reload")
    check(want in unit, f"the unit does not say {want!r}:\n{unit}", st)
    with open(inside(paths["steward.ini"])) as f:
        ini = f.read()
    check(f"event_log = {paths['localstatedir']}/log/steward/events.jsonl"
          in ini, f"steward.ini's event_log is not under localstatedir:\n"
          f"{ini}", st)
    with open(inside(paths["logrotate"])) as f:
        check(f"{paths['localstatedir']}/log/steward/events.jsonl {{"
              in f.read(), "logrotate snippet names another event log", st)
    # The installed daemon accepts the installed config and examples.
    p = subprocess.run([inside(paths["stewardd"]), "--check",
                        inside(paths["steward.ini"])],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 0, f"stewardd --check steward.ini: {p.returncode}"
          f"\n{p.stdout}{p.stderr}", st)
    for e in examples:
        ini = st.path(e[:-len(".example")])
        shutil.copy(os.path.join(inside(paths["steward.d"]), e), ini)
        p = subprocess.run([inside(paths["stewardd"]), "--check", ini],
                           capture_output=True, text=True, timeout=20)
        check(p.returncode == 0, f"stewardd --check {e}: {p.returncode}\n"
              f"{p.stdout}{p.stderr}", st)

    # A program built against the installed libward, with its .pc file.
    env = dict(os.environ,
               PKG_CONFIG_PATH=os.path.dirname(inside(paths["libward.pc"])),
               PKG_CONFIG_SYSROOT_DIR=root)
    env.pop("PKG_CONFIG_LIBDIR", None)
    p = subprocess.run(["pkg-config", "--cflags", "--libs", "libward"],
                       capture_output=True, text=True, env=env, timeout=20)
    check(p.returncode == 0, f"pkg-config libward: {p.stderr}", st)
    flags = p.stdout.split()
    check(f"-L{inside(paths['libdir'])}" in flags and "-lward" in flags,
          f"pkg-config does not point into the destdir: {flags}", st)
    src = st.path("hello-ward.c")
    with open(src, "w") as f:
        f.write(HELLO_WARD)
    cflags = ["-std=c11", "-Wall", "-Werror"]
    sanitize = opts.get("b_sanitize", "none")
    if sanitize not in ("none", "", None):
        # An instrumented libward needs its runtime loaded first.
        cflags.append(f"-fsanitize={sanitize}")
    p = subprocess.run([os.environ.get("CC", "cc"), *cflags, src, "-o",
                        st.path("hello-ward"), *flags],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"compiling against the installed libward "
          f"failed:\n{p.stderr}", st)

    yield st.start()
    running = st.wait_event("running", ward="hello")
    check(running["cause"] == "ready", f"running for {running}", st)
    # It is the installed library that beats, not the build tree's.
    with open(f"/proc/{running['pid']}/maps") as f:
        libs = {line.split()[-1] for line in f if "libward" in line}
    check(libs == {inside(paths["libward.so.0.1.0"])},
          f"hello-ward mapped {libs}, not the installed libward", st)
    st.wait_for("a few beats",
                lambda: st.instance("hello")["beats"] >= 3, timeout=10)
    check(st.stop() == 0, "stewardd exit code", st)


# -- PID 1 -----------------------------------------------------------------

def pid_ns(pid):
    """The pid namespace of a process (its ns link), or None if gone."""
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def ns_processes(ns):
    """Host pids of the processes in namespace ns, with state and ppid."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit() or pid_ns(d) != ns:
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                data = f.read()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        fields = data[data.rindex(")") + 2:].split()
        out[int(d)] = {"state": fields[0], "ppid": int(fields[1]),
                       "cmd": [c.decode(errors="replace") for c in cmd if c]}
    return out


class NsSteward(Steward):
    """stewardd as PID 1 of a new pid namespace, under unshare(1)."""

    def start(self, *extra_args):
        self.stderr = open(self.stderr_path, "wb")
        # --kill-child: if unshare is killed, its child (stewardd, the
        # namespace's init) is killed, and with it the whole namespace.
        self.proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc",
             "--kill-child=KILL", harness.STEWARDD, "-c", self.config_path,
             *extra_args],
            stdin=subprocess.DEVNULL, stdout=self.stderr,
            stderr=self.stderr)
        self.wait_event("stewardd_started")
        self.host_pid = self.wait_for("stewardd's pid on the host",
                                      self._child, timeout=5)
        return self

    def _child(self):
        """unshare's one child: stewardd, seen from our namespace."""
        kids = []
        try:
            for t in os.listdir(f"/proc/{self.proc.pid}/task"):
                with open(f"/proc/{self.proc.pid}/task/{t}/children") as f:
                    kids += [int(x) for x in f.read().split()]
        except OSError:
            return None
        return kids[0] if len(kids) == 1 else None

    def send(self, sig):
        os.kill(self.host_pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Signal stewardd itself (unshare ignores TERM and INT)."""
        self._expect_exit = True
        if self.proc.poll() is None:
            os.kill(self.host_pid, sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail(f"stewardd did not exit within {timeout}s of {sig!r}")


def unshare_works():
    try:
        p = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc",
                            "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


PID1 = r"""
[ward:base]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 2s
priority = 10

; Two orphans that end by themselves (reaped while it runs) and one
; that left the process group with setsid (killed at shutdown).  No
; blank before a ";": that would start a comment.
[ward:leaver]
command = /bin/sh -c '(sleep 1 &); (sleep 1.2 &); (setsid sleep 1000 &); exec {testward} --beat 50'
heartbeat = pipe
heartbeat_timeout = 2s
priority = 20
"""


@scenario("pid1-reaps-orphans-and-stops-in-order")
def pid1_reaps_orphans_and_stops_in_order():
    if os.geteuid() != 0 or not unshare_works():
        harness.skip("needs root and unshare --pid --fork --mount-proc")
    st = NsSteward("pid1", PID1)
    yield st.start()
    started = st.find("stewardd_started")[0]
    check(started["pid"] == 1, f"stewardd is not PID 1 inside: {started}",
          st)
    ns = pid_ns(st.host_pid)
    check(ns is not None and ns != pid_ns(os.getpid()),
          "stewardd is not in a pid namespace of its own", st)
    st.wait_event("running", ward="base")
    st.wait_event("running", ward="leaver")
    seen = set()

    def orphans():
        procs = ns_processes(ns)
        seen.update(procs)
        return {pid: p for pid, p in procs.items()
                if p["cmd"][:1] == ["sleep"]}
    # The orphans were handed to stewardd (PID 1 there)...
    st.wait_for("the three sleeps as children of stewardd",
                lambda: len([p for p in orphans().values()
                             if p["ppid"] == st.host_pid]) == 3, timeout=5)
    # ...which reaps the two that end: no zombie is left behind.
    st.wait_for("the short sleeps to end and be reaped",
                lambda: [p["cmd"] for p in orphans().values()] ==
                [["sleep", "1000"]] and
                all(p["state"] != "Z" for p in ns_processes(ns).values()),
                timeout=10)

    # SIGQUIT has no handler: PID 1 of a namespace ignores it.
    st.send(signal.SIGQUIT)
    check(st.request("steward/1 health")["ok"],
          "stewardd answers after SIGQUIT", st)

    rc = st.stop(signal.SIGTERM)
    check(rc == 0, f"unshare (and stewardd) exited {rc}, expected 0", st)
    shutdown = st.wait_event("shutdown")
    check(shutdown["signal"] == "TERM", f"{shutdown}", st)
    ev = st.events()
    order = [(e["event"], e.get("ward")) for e in ev
             if e.get("ward") in ("base", "leaver")
             and e["event"] in ("stopping", "stopped")]
    check(order == [("stopping", "leaver"), ("stopped", "leaver"),
                    ("stopping", "base"), ("stopped", "base")],
          f"stop order (priority 20 before 10): {order}", st)
    for w in ("base", "leaver"):
        e = st.find("stopped", ward=w)[-1]
        check(e["cause"] == "shutdown", f"{w} stopped for {e}", st)
    if not st.find("cgroups"):
        killed = st.wait_event("orphans_killed")
        check(killed["count"] >= 1, f"the setsid orphan was not killed: "
              f"{killed}", st)
    # With a cgroup per instance the setsid orphan ended with its ward;
    # either way none is left (checked below).
    stopped = st.wait_event("stewardd_stopped")
    # The sleeps that ended were reaped by the loop and counted; the
    # killed one is reaped by the final sweep (orphans_killed).
    check(stopped["exit_code"] == 0 and stopped["orphans_reaped"] >= 2,
          f"{stopped}: expected exit 0 and the 2 short sleeps reaped", st)
    # Nothing of the namespace is left.
    check(pid_ns(st.host_pid) is None, "stewardd is still there", st)
    left = [p for p in seen if pid_ns(p) == ns]
    check(not left and not ns_processes(ns),
          f"processes of the namespace survived: {left}", st)

    # SIGKILL from the parent namespace ends stewardd and, the kernel
    # sees to it, every process of its namespace.
    st2 = NsSteward("pid1-kill", PID1)
    try:
        st2.start()
        st2.wait_event("running", ward="leaver")
        ns2 = pid_ns(st2.host_pid)
        st2.wait_for("the setsid orphan",
                     lambda: any(p["cmd"] == ["sleep", "1000"]
                                 for p in ns_processes(ns2).values()),
                     timeout=5)
        members = set(ns_processes(ns2))
        # unshare passes the signal on (128 + 9, or dies of it); the
        # util-linux 2.38 of Debian 12 fails to and exits 1 instead.
        rc = st2.stop(signal.SIGKILL)
        check(rc != 0, f"unshare exited {rc} after SIGKILL", st2)
        st2.wait_for("every process of the namespace to go",
                     lambda: not any(pid_ns(p) == ns2 for p in members),
                     timeout=10)
        # Its guard may die with the namespace before it removes the
        # emptied cgroups, left for a next stewardd there will not be.
        for rec in st2.find("cgroups"):
            if not os.path.isdir(rec["path"]):
                continue
            for top, dirs, _ in os.walk(rec["path"], topdown=False):
                for d in dirs:
                    os.rmdir(os.path.join(top, d))
            os.rmdir(rec["path"])
    finally:
        st2.cleanup()


# -- metrics ---------------------------------------------------------------

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse_prom(text):
    """Prometheus text format, strictly: {(name, labels): value}."""
    check(text.endswith("\n"), "the file does not end in a newline")
    samples, typed, done = {}, {}, set()
    current = None
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            check(name not in typed, f"{name} typed twice")
            check(kind in ("gauge", "counter"), line)
            check(kind != "counter" or name.endswith("_total"), line)
            typed[name] = kind
            continue
        m = SAMPLE.match(line)
        check(m is not None, f"not a sample line: {line!r}")
        name, labels = m.group(1), {}
        check(name in typed, f"{name} has no # TYPE before it")
        if name != current:
            check(name not in done, f"{name} is not in one group")
            if current:
                done.add(current)
            current = name
        rest = m.group(3) or ""
        while rest:
            lm = LABEL.match(rest)
            check(lm is not None, f"bad labels in {line!r}")
            labels[lm.group(1)] = lm.group(2)
            rest = rest[lm.end():]
        samples[(name, tuple(sorted(labels.items())))] = float(m.group(4))
    return samples


def metric(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


METRICS = STEWARD + """metrics_file = {tmp}/textfile/steward.prom
metrics_interval = 1s

[ward:beater]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 1s
replicas = 2

[ward:crash]
command = {testward} --exit-after 1 --code 3
heartbeat = pipe
heartbeat_timeout = 1s
backoff = 10ms
restart_limit = 2/1m

[job:quick]
command = /bin/echo answer
"""


@scenario("metrics-file-follows-wards")
def metrics_file_follows_wards():
    st = Steward("metrics", METRICS)
    prom = st.path("textfile/steward.prom")
    yield st.start()
    # No directory yet: reported, and stewardd goes on.
    failed = st.wait_event("metrics_write_failed")
    check("No such file or directory" in failed["message"] and
          "no file yet" in failed["reason"], f"{failed}", st)
    os.mkdir(st.path("textfile"))
    st.wait_event("metrics_written", timeout=5)
    st.wait_event("failed", ward="crash")
    p = subprocess.run([harness.STEWARDCTL, "-s", st.socket_path,
                                "run", "quick"], capture_output=True,
                               text=True, timeout=30)
    check(p.returncode == 0, f"stewardctl run quick: {p.stderr}", st)

    def ready():
        with open(prom) as f:
            s = parse_prom(f.read())
        runs = metric(s, "steward_job_runs_total", job="quick",
                      outcome="success")
        return s if runs == 1 else None
    s = st.wait_for("the job's run in the metrics file", ready, timeout=5)
    for r in ("0", "1"):
        check(metric(s, "steward_ward_state", ward="beater", replica=r,
                     state="running") == 1, f"beater:{r} not running", st)
        check(metric(s, "steward_ward_beats_total", ward="beater",
                     replica=r) > 0, "no beats counted", st)
        age = metric(s, "steward_ward_last_beat_age_seconds",
                     ward="beater", replica=r)
        check(age is not None and 0 <= age < 1, f"beat age {age}", st)
    states = {dict(k[1])["state"]: v for k, v in s.items()
              if k[0] == "steward_ward_state" and ("ward", "crash") in k[1]}
    check(states.get("failed") == 1 and sum(states.values()) == 1,
          f"crash states {states}", st)
    check(metric(s, "steward_ward_restarts_total", ward="crash",
                 replica="0", reason="exit") == 2, "2 restarts by exit", st)
    check(metric(s, "steward_ward_restarts_total", ward="crash",
                 replica="0", reason="heartbeat_timeout") == 0,
          "no restarts by heartbeat_timeout", st)
    check(metric(s, "steward_ward_restart_tokens", ward="crash",
                 replica="0") < 1, "crash has tokens left", st)
    check(metric(s, "steward_ward_last_beat_age_seconds", ward="crash",
                 replica="0") is None, "a failed ward has a beat age", st)

    # Readers never see half a file while it is replaced every second.
    torn = []
    stop = time.monotonic() + 2.5

    def reader():
        while time.monotonic() < stop:
            with open(prom) as f:
                text = f.read()
            try:
                parse_prom(text)
                if "steward_job_runs_total" not in text:
                    torn.append(text[-200:])
            except harness.Failure as e:
                torn.append(str(e))
    t = threading.Thread(target=reader)
    t.start()
    t.join()
    check(not torn, f"a reader saw a partial file: {torn[:2]}", st)

    check(st.stop() == 0, "stewardd exit code", st)
    with open(prom) as f:
        s = parse_prom(f.read())
    check(metric(s, "steward_ward_state", ward="beater", replica="0",
                 state="stopped") == 1, "the last write shows it stopped",
          st)
    check(os.listdir(st.path("textfile")) == ["steward.prom"],
          f"left behind: {os.listdir(st.path('textfile'))}", st)


# -- bash completion -------------------------------------------------------

COMPLETE = r"""
source "$1"
shift
# complete LINE: what _stewardctl offers with the cursor at its end, the
# words split as readline splits them (":" and "=" are word breaks).
complete_line() {
	local line=$1 w
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMP_WORDS=()
	for w in $line; do
		COMP_WORDS+=($(printf '%s' "$w" | sed 's/\([:=]\)/ \1 /g'))
	done
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_stewardctl
	printf '%s\t%s\n' "$line" "$(printf '%s ' "${COMPREPLY[@]}")"
}
for l in "$@"; do complete_line "$l"; done
# Only COMP_WORDS and COMP_CWORD, as some callers set them.
unset COMP_LINE COMP_POINT
COMP_WORDS=("$CTL" help re)
COMP_CWORD=2
COMPREPLY=()
_stewardctl
printf 'words-only\t%s\n' "$(printf '%s ' "${COMPREPLY[@]}")"
"""


@scenario("bash-completion-completes-commands-and-wards")
def bash_completion_completes_commands_and_wards():
    script = os.path.join(harness.SOURCE_ROOT, "etc", "bash-completion",
                          "stewardctl")
    if not os.path.isfile(script) or shutil.which("bash") is None:
        harness.skip("no bash or no etc/bash-completion/stewardctl")
    st = Steward("completion", """
[ward:web]
command = {testward} --beat 50
heartbeat = pipe
replicas = 2

[ward:db]
command = {testward} --beat 50
heartbeat = pipe
""")
    yield st.start()
    st.wait_event("running", ward="web", replica=1)
    st.wait_event("running", ward="db")
    ctl = os.path.abspath(harness.STEWARDCTL)
    sock = st.socket_path
    helptext = subprocess.run([ctl, "help"], capture_output=True,
                              text=True, timeout=10).stdout
    commands = helptext.split("Commands:\n")[1].split("\n\n")[0]
    commands = {line.split()[0] for line in commands.splitlines()}
    check({"status", "start", "stop", "restart", "log"} <= commands,
          f"stewardctl help lists {commands}", st)
    names = {"web", "web:0", "web:1", "db", "db:0"}
    cases = {
        f"{ctl} ": commands,
        f"{ctl} st": {c for c in commands if c.startswith("st")},
        f"{ctl} -": {"-s", "--socket", "-c", "--config", "-h", "--help",
                     "-V", "--version"},
        f"{ctl} -s {sock} start ": names | {"all"},
        f"{ctl} --socket={sock} stop w": {"web", "web:0", "web:1"},
        f"{ctl} -s {sock} status ": names,
        # ":" breaks words: bash puts back only what follows it.
        f"{ctl} -s {sock} restart web:": {"0", "1"},
        f"{ctl} -s {sock} log --ward ": names,
        f"{ctl} -s {sock} log --ward=d": {"db", "db:0"},
        f"{ctl} -s {sock} signal ": {"TERM", "HUP", "INT", "QUIT", "KILL",
                                     "USR1", "USR2", "STOP", "CONT", "ALRM",
                                     "WINCH"},
        f"{ctl} -s {sock} signal HUP d": {"db", "db:0"},
        f"{ctl} -s {sock} start --timeout 5s --no-wait d": {"db", "db:0"},
        f"{ctl} start --": {"--no-wait", "--timeout", "--json", "--help"},
        f"{ctl} log -": {"--ward", "--event", "--since", "--id", "-f",
                         "--follow", "--json", "--file", "--help"},
        f"{ctl} help re": {c for c in commands if c.startswith("re")},
        f"{ctl} check {st.dir}/stew": {st.config_path},
        # stewardd does not answer: no names, no noise.
        f"{ctl} -s {st.dir}/nothing.sock start ": {"all"},
    }
    t0 = time.monotonic()
    p = subprocess.run(["bash", "-c", COMPLETE, "complete", script,
                        *cases], capture_output=True, text=True,
                       timeout=60,
                       env=dict(os.environ, STEWARD_SOCKET="", CTL=ctl))
    took = time.monotonic() - t0
    check(p.returncode == 0 and p.stderr == "",
          f"bash exited {p.returncode}; stderr: {p.stderr}", st)
    got = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("\t")
        got[k] = set(v.split())
    for line, want in cases.items():
        check(got.get(line) == want,
              f"completing {line!r}: got {sorted(got.get(line, []))}, "
              f"expected {sorted(want)}", st)
    check(got.get("words-only") == {c for c in commands
                                    if c.startswith("re")},
          f"with COMP_WORDS only: {got.get('words-only')}", st)
    check(took < 30, f"completion took {took:.1f}s for {len(cases)} lines",
          st)
    check(st.stop() == 0, "stewardd exit code", st)
