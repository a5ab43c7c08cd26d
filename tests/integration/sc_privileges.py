"""Scenarios for privileges: strict config files, no symlinked logs."""
import os
import signal
import subprocess

import harness
from harness import Steward, check
from registry import scenario
from stanzas import STEWARD


@scenario("root-refuses-files-others-can-change")
def root_refuses_files_others_can_change():
    harness.need_root()
    st = Steward("strict", STEWARD + """include = {tmp}/inc/*.ini

[ward:a]
command = {testward} --beat 100
environment_file = {tmp}/env
""")
    os.mkdir(st.path("inc"))
    with open(st.path("inc/b.ini"), "w") as f:
        f.write(f"[ward:b]\ncommand = {harness.TESTWARD}\n")
    with open(st.path("env"), "w") as f:
        f.write("A=1\n")
    for name, mode, gid in (("steward.ini", 0o666, 0), ("inc/b.ini", 0o664,
                                                         65534),
                            ("env", 0o646, 0)):
        p = st.path(name)
        os.chmod(p, mode)
        os.chown(p, 0, gid)
        r = subprocess.run([harness.STEWARDD, "--check", st.config_path],
                           capture_output=True, text=True, timeout=20)
        check(r.returncode == 78 and f"{p}: refused: other users can "
              "change it" in r.stderr, f"{name}: {r.stderr}")
        os.chmod(p, 0o644)
        os.chown(p, 0, 0)
    r = subprocess.run([harness.STEWARDD, "--check", st.config_path],
                       capture_output=True, text=True, timeout=20)
    check(r.returncode == 0, f"all fixed: {r.stderr}")
    yield None


@scenario("ward-log-files-do-not-follow-symlinks")
def ward_log_files_do_not_follow_symlinks():
    # A link in a log directory that others can write (mode 0777) is
    # refused; only one that only root could have put there is followed
    # (see ward-output-to-stewardd-stdout and SECURITY in stewardd(8)).
    # Planted after the config was read (--check refuses it before).
    st = Steward("nofollow", """
[ward:w]
command = {testward} --beat 100
stdout = {tmp}/logs/w.log
restart = never
autostart = no
""")
    os.mkdir(st.path("logs"))
    os.chmod(st.path("logs"), 0o777)
    yield st.start()
    os.symlink("/etc/steward-should-not-be-written", st.path("logs/w.log"))
    st.ctl("start", "w")
    e = st.wait_event("exited", ward="w")
    check("opening stdout file" in e["message"] and
          "refusing it: a symbolic link in a directory that another user "
          "can change" in e["message"], f"{e}", st)
    check(not os.path.exists("/etc/steward-should-not-be-written"),
          "the symlink's target was not created", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("ward-log-fifo-without-reader-fails-fast")
def ward_log_fifo_without_reader_fails_fast():
    # stewardd waits for a child until it executes: a FIFO nobody reads
    # must fail the spawn (ENXIO), never block the daemon.
    st = Steward("fifo", """
[ward:w]
command = {testward} --beat 100
heartbeat = pipe
stdout = {tmp}/w.fifo
restart = never

[ward:other]
command = {testward} --beat 50
heartbeat = pipe
""")
    os.mkfifo(st.path("w.fifo"))
    yield st.start()
    e = st.wait_event("exited", ward="w", timeout=10)
    check("opening stdout file" in e["message"] and
          "No such device or address" in e["message"], f"{e}", st)
    st.wait_event("running", ward="other")
    check(st.request("steward/1 health")["ok"], "stewardd answers", st)
    # With a reader, the same FIFO works, and is blocking for the ward.
    r = os.open(st.path("w.fifo"), os.O_RDONLY | os.O_NONBLOCK)
    try:
        check(st.request("steward/1 start w")["ok"], "start w", st)
        st.wait_event("running", ward="w")
    finally:
        os.close(r)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("wards-start-with-default-signal-handling")
def wards_start_with_default_signal_handling():
    # stewardd catches some signals and ignores SIGPIPE, and its parent
    # may have left others ignored (nohup): a ward gets none of that.
    st = Steward("sigdfl", """
[ward:plain]
command = /bin/sleep 600
heartbeat = none
start_timeout = 100ms
""")
    yield st.start(ignore=(signal.SIGHUP, signal.SIGUSR2, signal.SIGQUIT,
                           signal.SIGTTOU))
    e = st.wait_event("running", ward="plain")

    def mask(pid, field):
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1], 16)
        raise AssertionError(field)
    ours = mask(st.pid, "SigIgn") | mask(st.pid, "SigCgt")
    check(ours & (1 << (signal.SIGUSR2 - 1)) and
          ours & (1 << (signal.SIGPIPE - 1)),
          f"stewardd ignores or catches SIGUSR2 and SIGPIPE: {ours:x}", st)
    for field in ("SigIgn", "SigCgt", "SigBlk"):
        v = mask(e["pid"], field)
        check(v == 0, f"the ward's {field} is {v:x}, not 0", st)
    check(st.stop() == 0, "stewardd exit code", st)
