"""Scenarios for the path rule: an unprivileged user attacks, for real,
every path stewardd (as root) creates, chowns, chmods or reopens; and the
output paths real configs use (/dev/stdout, a log directory that is a
root-owned symlink) work."""
import os
import pwd
import signal
import stat
import subprocess

import harness
from harness import Steward, check
from registry import scenario
from stanzas import PLAIN, STEWARD

NOBODY = 65534


def need_root():
    harness.need_root("needs root (an unprivileged user attacks)")
    pwd.getpwuid(NOBODY)


def as_nobody(*argv, **kw):
    """Run argv as user nobody; return the CompletedProcess."""
    return subprocess.run(list(argv), user=NOBODY, group=NOBODY,
                          capture_output=True, text=True, timeout=30, **kw)


def victim(st, name="victim", mode=0o644):
    """A root-owned file the attacker wants; returns its path."""
    p = st.path(name)
    with open(p, "w") as f:
        f.write("root's own\n")
    os.chmod(p, mode)
    return p


def untouched(p, mode=0o644):
    sb = os.stat(p)
    with open(p) as f:
        body = f.read()
    return sb.st_uid == 0 and stat.S_IMODE(sb.st_mode) == mode and \
        body == "root's own\n", f"{p}: uid {sb.st_uid} mode " \
        f"{oct(stat.S_IMODE(sb.st_mode))} body {body[:200]!r}"


# The racer of item 1: as the ward's user, swap the notify socket for a
# symlink to root's file between stewardd's bind() and its chown/chmod,
# and leave a file in the instance directory so that it survives.
RACER = r"""
import os, sys, time
d, target, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
sock, tmp = os.path.join(d, "notify"), os.path.join(d, "racer-link")
end = time.monotonic() + secs
swaps = denied = 0
while time.monotonic() < end:
    try:
        open(os.path.join(d, "keep"), "a").close()
    except OSError:
        pass
    try:
        os.symlink(target, tmp)
    except FileExistsError:
        pass
    except OSError:
        denied += 1
        continue
    try:
        os.rename(tmp, sock)
        swaps += 1
    except OSError:
        pass
    if os.stat(target).st_uid != 0:
        print("won", swaps, denied)
        sys.exit(0)
print("lost", swaps, denied)
"""


@scenario("notify-dir-race-by-ward-user")
def notify_dir_race_by_ward_user():
    need_root()
    st = Steward("notifyrace", """
[ward:flap]
command = /bin/true
heartbeat = notify
user = nobody
restart = always
backoff = 1ms..2ms
restart_limit = 1000/1s

[ward:steady]
command = /bin/sh -c 'systemd-notify --ready; exec sleep 1000'
heartbeat = notify
user = nobody
""")
    with open(st.path("racer.py"), "w") as f:
        f.write(RACER)
    os.chmod(st.dir, 0o755)
    target = victim(st)
    yield st.start()
    e = st.wait_event("running", ward="steady")
    check(e["reason"] == "READY=1 received", f"{e}", st)
    base = f"/run/steward-notify.{st.pid}"
    st.wait_for("the flapping ward's notify directory",
                lambda: os.path.isdir(f"{base}/flap.0"))
    # Bounded: 4 s of racing (the unfixed stewardd lost within 1 s).
    r = as_nobody("/usr/bin/python3", st.path("racer.py"), f"{base}/flap.0",
                  target, "4")
    ok, why = untouched(target)
    check(ok and r.stdout.startswith("lost"),
          f"the racer won: {r.stdout} {r.stderr}; {why}", st)
    # It could not even write there: no swap, no file left behind.
    words = r.stdout.split()
    check(words[1] == "0" and int(words[2]) > 0 and
          not os.path.exists(f"{base}/flap.0/keep"),
          f"the racer wrote in the instance directory: {r.stdout}", st)
    # The layout: directories only root can change, the socket the ward's.
    for d in (base, f"{base}/steady.0"):
        sb = os.lstat(d)
        check(sb.st_uid == 0 and stat.S_IMODE(sb.st_mode) == 0o711 and
              stat.S_ISDIR(sb.st_mode),
              f"{d}: uid {sb.st_uid} mode {oct(sb.st_mode)}", st)
    sb = os.lstat(f"{base}/steady.0/notify")
    check(stat.S_ISSOCK(sb.st_mode) and sb.st_uid == NOBODY and
          stat.S_IMODE(sb.st_mode) == 0o600,
          f"socket uid {sb.st_uid} mode {oct(sb.st_mode)}", st)
    check(st.stop() == 0, "stewardd exit code", st)
    check(not os.path.exists(base), "the notify directory is removed", st)


@scenario("ward-output-refuses-links-in-user-dirs")
def ward_output_refuses_links_in_user_dirs():
    need_root()
    st = Steward("outlinks", """
[ward:w]
command = /bin/sh -c 'echo written; exec sleep 1000'
user = nobody
stdout = {tmp}/app/sub/out.log
restart = never
autostart = no

[ward:last]
command = /bin/sh -c 'echo written; exec sleep 1000'
user = nobody
stdout = {tmp}/app/last.log
restart = never
autostart = no

[ward:fine]
command = /bin/sh -c 'echo fine-marker; exec sleep 1000'
user = nobody
stdout = {tmp}/app/real/fine.log
""")
    os.chmod(st.dir, 0o755)
    os.mkdir(st.path("cron.d"), 0o755)   # root's, like /etc/cron.d
    os.mkdir(st.path("app"), 0o755)
    os.chown(st.path("app"), NOBODY, NOBODY)   # the ward user's log dir
    r = as_nobody("mkdir", st.path("app/real"))
    check(r.returncode == 0, f"mkdir: {r.stderr}")
    yield st.start()
    # The ward's user plants links in the directory it owns.
    for link, dest in (("app/sub", st.path("cron.d")),
                       ("app/last.log", st.path("cron.d/last"))):
        r = as_nobody("ln", "-s", dest, st.path(link))
        check(r.returncode == 0, f"ln: {r.stderr}", st)
    # --check sees them now, with file and line.
    r = subprocess.run([harness.STEWARDD, "--check", st.config_path],
                       capture_output=True, text=True, timeout=20)
    lines = [ln for ln in r.stderr.splitlines()
             if "another user can change" in ln]
    check(r.returncode == 78 and len(lines) == 2 and
          lines[0].startswith(f"{st.config_path}:9: [ward:w] stdout = ")
          and lines[1].startswith(f"{st.config_path}:16: [ward:last] "),
          f"--check rc {r.returncode}: {r.stderr}", st)
    # The spawns, which walk the path again, refuse it too.
    st.ctl("start", "w", "last")
    for ward in ("w", "last"):
        e = st.wait_event("exited", ward=ward)
        check("opening stdout file" in e["message"] and
              "refusing" in e["message"] and
              "another user can change" in e["message"], f"{e}", st)
    check(os.listdir(st.path("cron.d")) == [],
          f"root wrote in cron.d: {os.listdir(st.path('cron.d'))}", st)
    # A plain file in the user's own directory still works.
    st.wait_for("the ward's output in its own directory",
                lambda: os.path.exists(st.path("app/real/fine.log")) and
                "fine-marker" in open(st.path("app/real/fine.log")).read())
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("ward-output-to-stewardd-stdout")
def ward_output_to_stewardd_stdout():
    st = Steward("devstdout", """
[ward:plain]
command = /bin/sh -c 'echo out-marker-1; echo err-marker-1 >&2; exec sleep 1000'
stdout = /dev/stdout
stderr = /dev/stderr

[ward:crossed]
command = /bin/sh -c 'echo out-marker-2; echo err-marker-2 >&2; exec sleep 1000'
stdout = /dev/fd/2
stderr = /dev/fd/1

[program:sv]
command = /bin/sh -c 'echo out-marker-3; echo err-marker-3 >&2; exec sleep 1000'
stdout_logfile = /dev/stdout
stderr_logfile = /dev/stderr

[ward:linked]
command = /bin/sh -c 'echo linked-marker; exec sleep 1000'
stdout = {tmp}/log/app/web.log
""")
    # /var/log/app -> /data/log/app, made by root.
    os.makedirs(st.path("data/log/app"))
    os.mkdir(st.path("log"))
    os.symlink(st.path("data/log/app"), st.path("log/app"))
    out = open(st.path("stdout"), "wb")
    yield st.start(stdout=out)

    def has(name, *words):
        with open(st.path(name), errors="replace") as f:
            body = f.read()
        return all(w in body for w in words)
    st.wait_for("markers on stewardd's stdout",
                lambda: has("stdout", "out-marker-1", "err-marker-2",
                            "out-marker-3"))
    st.wait_for("markers on stewardd's stderr",
                lambda: has("stderr", "err-marker-1", "out-marker-2",
                            "err-marker-3"))
    check(not has("stdout", "err-marker-1") and
          not has("stderr", "out-marker-1"), "streams kept apart", st)
    st.wait_for("the output through the root-owned link",
                lambda: os.path.exists(st.path("data/log/app/web.log")) and
                has("data/log/app/web.log", "linked-marker"))
    check(not st.find("exited"), f"no spawn failed: {st.find('exited')}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("event-log-reopen-refuses-planted-symlink")
def event_log_reopen_refuses_planted_symlink():
    need_root()
    st = Steward("evlink", """[steward]
event_log = {tmp}/logs/events.jsonl
socket = {socket}
""" + PLAIN)
    os.chmod(st.dir, 0o755)
    os.mkdir(st.path("logs"), 0o755)
    os.chown(st.path("logs"), NOBODY, NOBODY)   # a user can write it
    st.events_path = st.path("logs/events.jsonl")
    target = victim(st, mode=0o600)
    yield st.start()
    st.wait_event("running", ward="w")
    # The user deletes the log and plants a link to root's file.
    r = as_nobody("sh", "-c", f"rm -f {st.events_path} && "
                  f"ln -s {target} {st.events_path}")
    check(r.returncode == 0, f"plant: {r.stderr}", st)

    def old_log():
        # stewardd keeps writing to the deleted file: read it by its fd.
        for fd in os.listdir(f"/proc/{st.pid}/fd"):
            p = f"/proc/{st.pid}/fd/{fd}"
            try:
                if os.readlink(p) == st.events_path + " (deleted)":
                    return open(p, errors="replace").read()
            except OSError:
                pass
        return ""
    # The automatic reopen (before the next records are written, the
    # file is found deleted) refuses the link and says so in the old
    # file.  A restart makes records.
    st.ctl("restart", "w", check_rc=0)
    st.wait_for("the automatic reopen to be refused",
                lambda: "event_log_reopen_failed" in old_log())
    check("refusing" in old_log() and
          "another user can change" in old_log(), old_log()[-600:], st)
    ok, why = untouched(target, 0o600)
    check(ok, f"root wrote through the link: {why}", st)
    # And so does the one asked for.
    p = st.ctl("reopen")
    check(p.returncode != 0 and "refusing" in p.stdout + p.stderr,
          f"reopen: rc {p.returncode} {p.stdout} {p.stderr}", st)
    ok, why = untouched(target, 0o600)
    check(ok, f"root wrote through the link: {why}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("control-socket-refuses-user-dir")
def control_socket_refuses_user_dir():
    need_root()
    st = Steward("ctldir", """[steward]
event_log = {events}
socket = {tmp}/sock/ctl.sock
""" + PLAIN)
    os.chmod(st.dir, 0o755)
    os.mkdir(st.path("sock"), 0o755)
    os.chown(st.path("sock"), NOBODY, NOBODY)
    st.socket_path = st.path("sock/ctl.sock")
    target = victim(st, mode=0o600)
    yield st.start(wait_socket=False)
    st.expect_exit()

    def settled():
        if st.proc.poll() is not None:
            return "exited"
        return "listening" if os.path.exists(st.socket_path) else None
    how = st.wait_for("stewardd to refuse or listen", settled)
    if how == "listening":
        # The unfixed daemon: the user swaps the socket for a link, and
        # a reload that sets group chowns and chmods root's file.
        r = as_nobody("sh", "-c", f"rm -f {st.socket_path} && "
                      f"ln -s {target} {st.socket_path}")
        check(r.returncode == 0, f"plant: {r.stderr}", st)
        body = open(st.config_path).read().replace(
            "[steward]\n", "[steward]\ngroup = nogroup\n", 1)
        with open(st.config_path, "w") as f:
            f.write(body)
        st.send(signal.SIGHUP)
        st.wait_event("reloaded")
        ok, why = untouched(target, 0o600)
        check(ok, f"root's file changed through the link: {why}", st)
        st.fail("stewardd listened in a directory another user can change")
    err = open(st.stderr_path, errors="replace").read()
    check(st.proc.returncode != 0 and "refusing" in err and
          "another user can change" in err, f"rc {st.proc.returncode}", st)


@scenario("metrics-file-refuses-links-in-user-dirs")
def metrics_file_refuses_links_in_user_dirs():
    need_root()
    st = Steward("metricslink", STEWARD + """metrics_file = {tmp}/textfile/sub/steward.prom
metrics_interval = 1s
""" + PLAIN)
    os.chmod(st.dir, 0o755)
    os.mkdir(st.path("rootdir"), 0o755)         # root's, like /etc
    os.mkdir(st.path("textfile"), 0o755)
    os.chown(st.path("textfile"), NOBODY, NOBODY)  # a user can write it
    r = as_nobody("ln", "-s", st.path("rootdir"), st.path("textfile/sub"))
    check(r.returncode == 0, f"ln: {r.stderr}")
    yield st.start()
    e = st.wait_event("metrics_write_failed")
    check("refusing" in e["message"] and
          "another user can change" in e["message"], f"{e}", st)
    check(os.listdir(st.path("rootdir")) == [],
          f"root wrote in rootdir: {os.listdir(st.path('rootdir'))}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("config-files-refuse-links-in-user-dirs")
def config_files_refuse_links_in_user_dirs():
    # The ward's user owns its application directory, where the config
    # names an environment_file, and points it at a secret of root's: a
    # root-owned file config_strict accepts, whose variables the ward
    # (as that user) would be given.  The same for an include.
    need_root()
    st = Steward("cfglinks", """[steward]
event_log = {events}
socket = {socket}
include = {tmp}/app/conf.d/*.ini

[ward:w]
command = /bin/sh -c 'echo "SECRET=$SECRET" > {tmp}/app/leak; exec sleep 1000'
user = nobody
environment_file = {tmp}/app/env
""")
    os.chmod(st.dir, 0o755)
    secret = st.path("secret.env")
    with open(secret, "w") as f:
        f.write("SECRET=root-only-value\n")
    os.chmod(secret, 0o600)
    os.mkdir(st.path("app"), 0o755)
    os.chown(st.path("app"), NOBODY, NOBODY)
    os.mkdir(st.path("rootconf"), 0o755)
    with open(st.path("rootconf/x.ini"), "w") as f:
        f.write("[ward:x]\ncommand = /bin/true\n")
    for cmd in (["ln", "-s", secret, st.path("app/env")],
                ["ln", "-s", st.path("rootconf"), st.path("app/conf.d")]):
        r = as_nobody(*cmd)
        check(r.returncode == 0, f"{cmd}: {r.stderr}")
    # --check names both files and why.
    r = subprocess.run([harness.STEWARDD, "--check", st.config_path],
                       capture_output=True, text=True, timeout=20)
    check(r.returncode == 78 and
          r.stderr.count("a symbolic link in a directory that another "
                         "user can change") >= 2 and
          "app/env" in r.stderr and "conf.d" in r.stderr,
          f"--check rc {r.returncode}: {r.stderr}")
    yield st.start(wait_socket=False)
    st.expect_exit()

    def settled():
        if st.proc.poll() is not None:
            return "exited"
        if os.path.exists(st.path("app/leak")):
            return "leaked"
        return None
    how = st.wait_for("stewardd to refuse the config, or the ward to run",
                      settled)
    if how == "leaked":
        leak = open(st.path("app/leak")).read()
        st.fail(f"the ward was given root's file: {leak!r}")
    err = open(st.stderr_path, errors="replace").read()
    check(st.proc.returncode == 78 and "refusing" in err,
          f"rc {st.proc.returncode}", st)
