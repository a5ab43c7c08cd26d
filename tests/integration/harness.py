"""The waiting harness for steward's integration scenarios.

Each scenario starts the real stewardd on its own config, in its own
temporary directory, with real ward processes.  It never sleeps for a
fixed time to let something happen: it waits for an event-log record, a
file, or a process state, with a deadline, and on failure says what it
waited for, shows the tail of the event log and stewardd's stderr, and
whether stewardd is still alive.

The harness makes itself a child subreaper, so that processes a test
leaves behind are its children and can be checked and reaped.
"""
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import stanzas

STEWARDD = os.environ.get("STEWARDD", "build/supervisord/stewardd")
TESTWARD = os.environ.get("TESTWARD", "build/tests/integration/testward")
STEWARDCTL = os.environ.get("STEWARDCTL", "build/supervisord/stewardctl")
SOURCE_ROOT = os.environ.get("SOURCE_ROOT", ".")

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Orphans of the processes we start become our children."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_children():
    """Reap every child that has ended, without blocking."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Failure(AssertionError):
    pass


def skip(why):
    """Say why this scenario cannot run here, and end it as skipped
    (exit 77: meson and run.sh valgrind count it as no failure)."""
    print(f"SKIP: {why}")
    sys.exit(77)


def need_root(why="needs root"):
    if os.geteuid() != 0:
        skip(why)


def under_wrapper():
    """True when stewardd runs under a tool (STEWARDD_WRAPPER: valgrind)."""
    return bool(os.environ.get("STEWARDD_WRAPPER"))


def skip_low_nofile_under_wrapper():
    """Skip a scenario that runs stewardd under a low RLIMIT_NOFILE when
    a tool wraps it: valgrind keeps fds of its own below the limit, so
    48 is not 48."""
    if under_wrapper():
        skip("a low RLIMIT_NOFILE means nothing under a wrapper")


def process_state(pid):
    """The state letter of a process (R, S, Z, ...), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return data[data.rindex(")") + 2]


def alive(pid):
    """True while pid exists and is not a zombie."""
    state = process_state(pid)
    return state is not None and state != "Z"


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_count(pid):
    """How many fds a process has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def under_asan(pid):
    """True when the process runs under AddressSanitizer, whose freed
    memory sits in quarantine (RSS then says nothing of leaks): its
    runtime is mapped (gcc's libasan), or the environment configures it
    (as run.sh does; clang links the runtime in)."""
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read() or "ASAN_OPTIONS" in os.environ


def rss_kib(pid):
    """A process's resident set (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        return [int(line.split()[1]) for line in f
                if line.startswith("VmRSS")][0]


# Every directory a scenario makes (tmpdir()): removed by the runner when
# the scenario passed, kept for a look when it failed (and with KEEP).
_DIRS = []


def tmpdir(name):
    """A new directory /tmp/steward-NAME-*, removed after a pass."""
    d = tempfile.mkdtemp(prefix=f"steward-{name}-")
    _DIRS.append(d)
    return d


def remove_dirs():
    """Remove every directory tmpdir() made (the scenario passed)."""
    if os.environ.get("KEEP"):
        return
    while _DIRS:
        shutil.rmtree(_DIRS.pop(), ignore_errors=True)


class Steward:
    """One stewardd under test, with its directory and event log."""

    def __init__(self, name, config, extra_files=None):
        self.name = name
        self.dir = tmpdir(name)
        self.events_path = os.path.join(self.dir, "events.jsonl")
        self.stderr_path = os.path.join(self.dir, "stderr")
        self.config_path = os.path.join(self.dir, "steward.ini")
        self.socket_path = os.path.join(self.dir, "ctl.sock")
        self.proc = None
        self._events = []
        self._offset = 0
        self._partial = b""
        body = config.format(testward=TESTWARD, tmp=self.dir,
                             events=self.events_path, root=SOURCE_ROOT,
                             socket=self.socket_path, stewardd=STEWARDD)
        if "[steward]" not in body:
            body = stanzas.STEWARD.format(events=self.events_path,
                                          socket=self.socket_path) \
                + "\n" + body
        with open(self.config_path, "w") as f:
            f.write(body)
        for fname, content in (extra_files or {}).items():
            with open(os.path.join(self.dir, fname), "w") as f:
                f.write(content.format(testward=TESTWARD, tmp=self.dir,
                                       stewardd=STEWARDD))

    def path(self, name):
        return os.path.join(self.dir, name)

    def supervisord_conf(self, text):
        """Write text as supervisord.conf in the scenario's directory, as
        it is (no placeholders filled: %(here)s is supervisord's), and
        make it the config stewardd starts on; its path.  The file has
        no [steward]: start with "-s", socket_path, "-l", events_path."""
        path = self.path("supervisord.conf")
        with open(path, "w") as f:
            f.write(text)
        self.config_path = path
        return path

    def write_config(self, text):
        """Replace the config file atomically, as editors do (the same
        {testward}, {tmp}, {events} and {socket} as the constructor)."""
        tmp = self.config_path + ".new"
        with open(tmp, "w") as f:
            f.write(text.format(testward=TESTWARD, tmp=self.dir,
                                events=self.events_path,
                                socket=self.socket_path))
        os.rename(tmp, self.config_path)

    def start(self, *extra_args, nofile=None, wait_socket=True,
              ignore=(), stdout=None, wrapper=None):
        """Start stewardd; with nofile, under that RLIMIT_NOFILE; with
        the signals in ignore ignored, as a parent may leave them; with
        stdout (a file), its stdout apart from its stderr; with wrapper
        (a command line), under it instead of STEWARDD_WRAPPER's."""
        import resource
        self.stderr = open(self.stderr_path, "wb")

        def limit():
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
            for sig in ignore:
                signal.signal(sig, signal.SIG_IGN)
        # STEWARDD_WRAPPER runs stewardd under a tool (valgrind).
        if wrapper is None:
            wrapper = os.environ.get("STEWARDD_WRAPPER", "")
        self.proc = subprocess.Popen(
            [*wrapper.split(), STEWARDD, "-c", self.config_path, *extra_args],
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else self.stderr,
            stderr=self.stderr,
            preexec_fn=limit)
        if wait_socket:
            self.wait_event("stewardd_started")
        return self

    @property
    def pid(self):
        return self.proc.pid

    # -- the event log ---------------------------------------------------
    def events(self):
        """Every event so far (reads what was appended since last time)."""
        try:
            with open(self.events_path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return self._events
        self._offset += len(data)
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if line.strip():
                try:
                    self._events.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise Failure(f"event log line is not JSON ({e}): "
                                  f"{line[:300]!r}")
        return self._events

    def find(self, event=None, ward=None, **fields):
        """Every event matching the given event name, ward and fields."""
        out = []
        for e in self.events():
            if event is not None and e.get("event") != event:
                continue
            if ward is not None and e.get("ward") != ward:
                continue
            if all(e.get(k) == v for k, v in fields.items()):
                out.append(e)
        return out

    def wait_for(self, what, predicate, timeout=10.0):
        """Wait until predicate() is true; fail with context at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if self.proc is not None and self.proc.poll() is not None \
                    and not getattr(self, "_expect_exit", False):
                self.fail(f"stewardd exited with {self.proc.returncode} "
                          f"while waiting for {what}")
            if time.monotonic() >= deadline:
                self.fail(f"timed out after {timeout}s waiting for {what}")
            reap_children()
            time.sleep(0.01)

    def wait_event(self, event=None, ward=None, count=1, timeout=10.0,
                   **fields):
        """Wait for the count-th event matching; return it."""
        desc = f"event {event!r}" + (f" of ward {ward!r}" if ward else "") \
            + (f" with {fields}" if fields else "") \
            + (f" (#{count})" if count > 1 else "")

        def found():
            m = self.find(event, ward, **fields)
            return m[count - 1] if len(m) >= count else None
        return self.wait_for(desc, found, timeout)

    def wait_file(self, name, timeout=10.0, lines=1):
        """Wait until file name in the scenario's dir has some lines."""
        p = self.path(name)

        def ready():
            try:
                with open(p) as f:
                    content = f.read()
            except FileNotFoundError:
                return None
            return content if content.count("\n") >= lines else None
        return self.wait_for(f"file {name} with {lines} line(s)", ready,
                             timeout)

    def pids_in(self, name):
        with open(self.path(name)) as f:
            return [int(x) for x in f.read().split()]

    # -- the control socket -----------------------------------------------
    def connect(self, timeout=5.0):
        """A raw connection to the control socket."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # A blocking connect waits for room in a full backlog.
        sock.connect(self.socket_path)
        sock.settimeout(timeout)
        return sock

    def hold_clients(self, n):
        """n connections to the control socket that never send a byte
        (some wait in the backlog; fewer where a connect fails)."""
        socks = []
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(self.socket_path)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close()
                break
            socks.append(s)
        return socks

    def request(self, line, timeout=30.0, sock=None):
        """Send one protocol line; return the reply as a dict."""
        own = sock is None
        if own:
            sock = self.connect(timeout)
        sock.settimeout(timeout)
        try:
            sock.sendall(line.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    self.fail(f"control socket closed without a reply "
                              f"to {line!r} (got {data[:200]!r})")
                data += chunk
            return json.loads(data)
        finally:
            if own:
                sock.close()

    def ctl(self, *args, check_rc=None, timeout=60):
        """Run stewardctl against this stewardd; return the CompletedProcess."""
        p = subprocess.run([STEWARDCTL, "-s", self.socket_path, *args],
                           capture_output=True, text=True, timeout=timeout)
        if check_rc is not None and p.returncode != check_rc:
            self.fail(f"stewardctl {' '.join(args)} exited {p.returncode}, "
                      f"expected {check_rc}\nstdout: {p.stdout}\n"
                      f"stderr: {p.stderr}")
        return p

    def status(self):
        """The status document, as stewardctl status --json gives it."""
        return self.request("steward/1 status")

    def instance(self, ward, replica=0):
        for i in self.status()["instances"]:
            if i["ward"] == ward and i["replica"] == replica:
                return i
        self.fail(f"no instance {ward}:{replica} in status")

    # -- the end ---------------------------------------------------------
    def send(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Send sig and wait for stewardd to exit; return its exit code."""
        self._expect_exit = True
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail(f"stewardd did not exit within {timeout}s of {sig!r}")

    def expect_exit(self):
        self._expect_exit = True

    def tail(self, n=25):
        lines = []
        try:
            with open(self.events_path, errors="replace") as f:
                lines = f.read().splitlines()[-n:]
        except FileNotFoundError:
            lines = ["(no event log)"]
        try:
            with open(self.stderr_path, errors="replace") as f:
                err = f.read().splitlines()[-n:]
        except FileNotFoundError:
            err = []
        return ("--- event log (tail) ---\n" + "\n".join(lines) +
                "\n--- stewardd stderr (tail) ---\n" + "\n".join(err))

    def check_sanitizers_quiet(self):
        """Fail if a sanitizer warned on stewardd's stderr (a build with
        AddressSanitizer, say that false reports may follow): a warning
        is no error report, and would pass unseen."""
        try:
            with open(self.stderr_path, errors="replace") as f:
                warned = [line for line in f
                          if re.match(r"==\d+==WARNING: ", line)]
        except FileNotFoundError:
            return
        if warned:
            self.fail("a sanitizer warned:\n" + "".join(warned[:5]))

    def fail(self, msg):
        state = "not started"
        if self.proc is not None:
            rc = self.proc.poll()
            state = "running" if rc is None else f"exited with {rc}"
        raise Failure(f"{self.name}: {msg}\nstewardd: {state}\n"
                      f"{self.tail()}")

    def cleanup(self):
        """Kill stewardd if it still runs (its directory goes with
        every tmpdir(), remove_dirs())."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def check(cond, msg, st=None):
    """Assert with a message (and the scenario's context)."""
    if not cond:
        if st is not None:
            st.fail(msg)
        raise Failure(msg)


def check_only_replica_hung(st, wards, replica, timeout_ms, late_ms):
    """Every heartbeat stop of "herd" is of replica, judged between its
    timeout and late_ms after its last beat; no other instance of wards
    went anywhere but starting and running."""
    for stop in st.find("stopping", ward="herd", cause="heartbeat_timeout"):
        check(stop["replica"] == replica,
              f"replica {stop['replica']} judged", st)
        check(timeout_ms <= stop["last_beat_ms"] <= late_ms,
              f"judged {stop['last_beat_ms']}ms after its last beat "
              f"(timeout {timeout_ms}ms)", st)
    touched = [e for e in st.find()
               if e.get("ward") in wards and e.get("replica") != replica and
               e["event"] not in ("starting", "running")]
    check(not touched, f"a beating instance was touched: {touched[:2]}", st)


def run_check(config_text, name="check"):
    """Run stewardd --check on a config; return (rc, stdout, stderr, path)."""
    d = tmpdir(name)
    path = os.path.join(d, "steward.ini")
    with open(path, "w") as f:
        f.write(config_text.format(testward=TESTWARD, tmp=d))
    p = subprocess.run([STEWARDD, "--check", path], capture_output=True,
                       text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr, path
