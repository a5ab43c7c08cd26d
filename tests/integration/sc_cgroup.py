"""Scenarios for the cgroup per instance (steward-cgroup.c).

Each needs a writable cgroup v2 hierarchy (root, and a cgroup2 mount in
/proc/self/mountinfo) and skips without one.  A ward here leaves a
process behind that has left its process group (setsid): only the
cgroup can find it.
"""
import ctypes
import os
import struct
import subprocess
import signal
import time

import harness
from harness import Steward, check, alive
from registry import scenario


def cgroup_dir():
    """This process's cgroup v2 directory, if it is writable; else None."""
    mnt = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            if post.startswith("cgroup2 ") and pre.split()[3] == "/":
                mnt = pre.split()[4]
                break
    if mnt is None:
        return None
    own = None
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                own = line[3:].strip()
    if own is None:
        return None
    path = mnt + ("" if own == "/" else own)
    if os.geteuid() != 0 or not os.access(path, os.W_OK):
        return None
    return path


def need_cgroups():
    if cgroup_dir() is None:
        harness.skip("needs root and a writable cgroup v2 hierarchy")


def strays(st):
    """The pids the wards' detached children wrote down."""
    try:
        with open(st.path("strays")) as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def wait_strays(st, n):
    st.wait_for(f"{n} detached children", lambda: len(strays(st)) >= n)
    return strays(st)


def wait_gone(st, pid, what):
    st.wait_for(f"{what} (pid {pid}) gone", lambda: not alive(pid))


# A ward whose shell leaves a grandchild in a session of its own (a
# double fork with setsid), which writes its pid down and sleeps.
STRAY = ("/bin/sh -c 'setsid /bin/sh -c \"echo \\$\\$ >> {tmp}/strays; "
         "exec sleep 1000\" & exec sleep 1000'")


@scenario("cgroup-restart-and-stop-end-detached-children")
def cgroup_restart_and_stop_end_detached_children():
    need_cgroups()
    st = Steward("cgroup-restart", f"""
[steward]
event_log = {{events}}
socket = {{socket}}
metrics_file = {{tmp}}/steward.prom
metrics_interval = 1s

[ward:forker]
command = {STRAY}
start_timeout = 200ms
stop_timeout = 2s
""")
    yield st.start()
    st.wait_event("cgroups")
    st.wait_event("running", ward="forker")
    first = wait_strays(st, 1)[0]
    check(os.getsid(first) == first, "the stray has a session of its own",
          st)
    st.ctl("restart", "forker", check_rc=0)
    wait_gone(st, first, "the first process's detached child")
    st.wait_event("running", ward="forker", count=2)
    second = wait_strays(st, 2)[1]
    check(alive(second), "the new instance's child runs", st)
    # The restart's record says what the cgroup held when it ended.
    rec = st.find("starting", ward="forker")[-1]
    check(rec.get("procs_left", 0) >= 1 and "cpu_usec" in rec,
          f"usage in the restart's record: {rec}", st)
    # status shows the cgroup's usage.
    inst = st.instance("forker")
    check(inst.get("procs", 0) >= 2 and inst.get("cpu_usec", -1) >= 0,
          f"status has procs and cpu_usec: {inst}", st)
    # So does the metrics file, rewritten every second.

    def metric(name):
        try:
            with open(st.path("steward.prom")) as f:
                for line in f:
                    if line.startswith(name + '{ward="forker",replica="0"}'):
                        return float(line.split()[-1])
        except FileNotFoundError:
            pass
        return None
    st.wait_for("steward_ward_processes of forker:0 at 2 or more",
                lambda: (metric("steward_ward_processes") or 0) >= 2)
    check(metric("steward_ward_cpu_seconds_total") is not None,
          "steward_ward_cpu_seconds_total in the metrics file", st)
    main_pid = st.instance("forker")["pid"]
    st.ctl("stop", "forker", check_rc=0)
    rec = st.wait_event("stopped", ward="forker")
    check(not alive(second), "the detached child is gone once stopped", st)
    # Its exit was held until "populated 0": the end's record still
    # names the process that ended, as an exit not held does.
    check(rec.get("pid") == main_pid,
          f"the held end's record has the ended pid {main_pid}: {rec}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("cgroup-job-replica-detached-child-ends-with-the-run")
def cgroup_job_replica_detached_child_ends():
    need_cgroups()
    st = Steward("cgroup-job", """
[job:detach]
command = /bin/sh -c 'setsid /bin/sh -c "echo \\$\\$ >> {tmp}/strays; exec sleep 1000" & sleep 0.2; echo answered'
replicas = 1
timeout = 5s
""")
    yield st.start()
    st.wait_event("cgroups")
    p = st.ctl("run", "detach", timeout=20)
    check(p.returncode == 0 and "answered" in p.stdout,
          f"run: rc {p.returncode} {p.stdout} {p.stderr}", st)
    pid = wait_strays(st, 1)[0]
    wait_gone(st, pid, "the replica's detached child")
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("cgroup-leftovers-of-a-killed-stewardd-are-ended")
def cgroup_leftovers_are_ended():
    need_cgroups()
    st = Steward("cgroup-kill", f"""
[ward:forker]
command = {STRAY}
start_timeout = 200ms
""")
    yield st.start()
    st.wait_event("running", ward="forker")
    pid = wait_strays(st, 1)[0]
    # The guard would kill it through cgroup.kill: kill the guard first,
    # as a cgroup-less host's or an OOM killer's bad day would.
    guard = None
    with open(f"/proc/{st.proc.pid}/task/{st.proc.pid}/children") as f:
        kids = [int(x) for x in f.read().split()]
    for k in kids:
        with open(f"/proc/{k}/cmdline", "rb") as f:
            if b"stewardd" in f.read():
                guard = k
    check(guard is not None, f"found the guard among {kids}", st)
    os.kill(guard, signal.SIGKILL)
    st.wait_event("guard_lost")
    os.kill(st.proc.pid, signal.SIGKILL)
    st.proc.wait()
    check(alive(pid), "the stray outlived stewardd and its guard", st)
    # The same config (so the same socket): the next stewardd ends it.
    st.proc = None
    st.start()
    wait_gone(st, pid, "the killed stewardd's stray")
    rec = st.wait_event("cgroup_leftovers")
    check(rec["procs"] >= 1, f"the leftovers were counted: {rec}", st)
    st.wait_event("running", ward="forker", count=2)
    check(st.stop() == 0, "stewardd exit code", st)
    harness.reap_children()


@scenario("cgroup-limit-needs-its-controller")
def cgroup_limit_needs_its_controller():
    need_cgroups()
    own = cgroup_dir()
    with open(os.path.join(own, "cgroup.controllers")) as f:
        have = f.read().split()
    st = Steward("cgroup-limit", """
[ward:capped]
command = /bin/sleep 1000
memory_max = 64MiB
pids_max = 50
start_timeout = 200ms
restart = never
""")
    rc, out, err, _ = harness.run_check(open(st.config_path).read(),
                                        name="cgroup-limit-check")
    if "memory" in have and "pids" in have:
        yield st.start()
        st.wait_for("capped to run or to fail",
                    lambda: st.find("running", ward="capped") or
                    st.find("exited", ward="capped"))
        failed = st.find("exited", ward="capped")
        if failed:
            # Offered but not to be had: our cgroup holds processes (this
            # harness) and is not the root, and the kernel's "no internal
            # processes" rule refuses.  It says so, naming the key.
            check("memory_max needs the memory controller" in
                  failed[0]["reason"], f"{failed[0]['reason']}", st)
            check(st.stop() == 0, "stewardd exit code", st)
            return
        path = st.find("cgroups")[0]["path"]
        with open(f"{path}/ward:capped/0/memory.max") as f:
            check(f.read().strip() == str(64 << 20), "memory.max", st)
        with open(f"{path}/ward:capped/0/pids.max") as f:
            check(f.read().strip() == "50", "pids.max", st)
        check(rc == 0 and "warning" not in err, f"--check: {err}", st)
        check(st.stop() == 0, "stewardd exit code", st)
        return
    # Without the controllers: --check warns, the start fails and says
    # which key needs which controller.
    check(rc == 0 and "memory_max needs the memory controller" in err,
          f"--check names the key and the controller: {err}", st)
    yield st.start()
    rec = st.wait_event("exited", ward="capped")
    check("memory_max needs the memory controller" in rec["reason"],
          f"the start's error: {rec['reason']}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("cgroup-stewardd-leaves-its-cgroup-to-enable-a-controller")
def cgroup_stewardd_moves_to_a_leaf():
    # stewardd started inside a cgroup of its own (T), as systemd starts
    # a unit with Delegate=yes: a ward's cgroup_controllers = hugetlb
    # needs hugetlb in T's cgroup.subtree_control, which the kernel
    # refuses while stewardd is in T.  So it moves into a leaf first.
    need_cgroups()
    own = cgroup_dir()
    with open(os.path.join(own, "cgroup.controllers")) as f:
        if "hugetlb" not in f.read().split():
            harness.skip("the hierarchy offers no hugetlb controller here")
    ctl = os.path.join(own, "cgroup.subtree_control")
    with open(ctl) as f:
        was_on = "hugetlb" in f.read().split()
    if not was_on:
        try:
            with open(ctl, "w") as f:
                f.write("+hugetlb")
        except OSError as e:
            harness.skip(f"cannot enable hugetlb below {own}: {e}")
    t = os.path.join(own, f"sc-move-{os.getpid()}")
    os.mkdir(t)
    st = Steward("cgroup-move", """
[ward:huge]
command = /bin/sleep 1000
cgroup_controllers = hugetlb
start_timeout = 200ms
""")
    with open(st.path("into.sh"), "w") as f:
        f.write(f'echo $$ > {t}/cgroup.procs && exec "$@"\n')
    # Into T first, then under whatever wrapper the run has (valgrind).
    wrapper = (f"/bin/sh {st.path('into.sh')} "
               + os.environ.get("STEWARDD_WRAPPER", ""))
    try:
        yield st.start(wrapper=wrapper)
        rec = st.wait_event("cgroup_moved")
        path = st.find("cgroups")[0]["path"]
        leaf = os.path.basename(path) + ".stewardd"
        check(rec["to"] == leaf and rec["controller"] == "hugetlb",
              f"{rec}", st)
        st.wait_event("running", ward="huge")

        def procs(d):
            with open(os.path.join(d, "cgroup.procs")) as f:
                return [int(x) for x in f.read().split()]
        moved = procs(os.path.join(t, leaf))
        check(st.proc.pid in moved and len(moved) == 2,
              f"stewardd and its guard are in the leaf: {moved}", st)
        check(procs(t) == [], "nothing is left in stewardd's cgroup", st)
        files = os.listdir(f"{path}/ward:huge/0")
        check(any(x.startswith("hugetlb.") for x in files),
              f"the instance's cgroup has hugetlb's files: {files}", st)
        check(st.stop() == 0, "stewardd exit code", st)
        # An orderly exit undoes the move: controller off, leaf gone.
        with open(os.path.join(t, "cgroup.subtree_control")) as f:
            check(f.read().split() == [], "hugetlb is off in T again", st)
        check(not os.path.exists(os.path.join(t, leaf)),
              "the leaf is removed", st)
        # Killed after the move: the leaf stays (the guard in it ends
        # the wards' tree and exits).  Once T can hold a process again
        # (systemd makes a unit's cgroup afresh), the next stewardd on
        # the socket removes it.
        st.proc = None
        st.start(wrapper=wrapper)
        st.wait_event("cgroup_moved", count=2)
        st.wait_event("running", ward="huge", count=2)
        os.kill(st.proc.pid, signal.SIGKILL)
        st.proc.wait()
        st.wait_for("the guard to end the wards' tree and exit",
                    lambda: procs(os.path.join(t, leaf)) == [] and
                    not os.path.exists(path))
        with open(os.path.join(t, "cgroup.subtree_control"), "w") as f:
            f.write("-hugetlb")
        with open(st.config_path) as f:
            text = f.read()
        with open(st.config_path, "w") as f:
            f.write(text.replace("cgroup_controllers = hugetlb\n", ""))
        st.proc = None
        st.start(wrapper=wrapper)
        st.wait_event("running", ward="huge", count=3)
        check(not os.path.exists(os.path.join(t, leaf)),
              "the killed stewardd's leaf is removed at start", st)
        check(st.proc.pid in procs(t) and len(st.find("cgroup_moved")) == 2,
              "without a controller to enable, stewardd stays in T", st)
        check(st.stop() == 0, "stewardd exit code", st)
    finally:
        if st.proc is not None and st.proc.poll() is None:
            st.proc.kill()  # failed: its guard then ends the rest
            st.proc.wait()
        harness.reap_children()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open(os.path.join(t, "cgroup.events")) as f:
                if "populated 0" in f.read():
                    break
            time.sleep(0.02)  # cleanup only: the guard's, unobservable
        for d in (t,):
            for sub in sorted((os.path.join(r, n) for r, ds, _ in
                               os.walk(d) for n in ds), reverse=True):
                try:
                    os.rmdir(sub)
                except OSError:
                    pass
            try:
                os.rmdir(d)
            except OSError:
                pass
        if not was_on:
            try:
                with open(ctl, "w") as f:
                    f.write("-hugetlb")
            except OSError:
                pass  # a cgroup below still uses it


def cgroup_mount():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            if post.startswith("cgroup2 ") and pre.split()[3] == "/":
                return pre.split()[4]
    return None


@scenario("cgroups-unavailable-are-said-once")
def cgroups_unavailable_are_said_once():
    # stewardd in a mount namespace of its own where the cgroup2 mount
    # is read-only: as in a container without a writable cgroupfs.
    need_cgroups()
    if harness.under_wrapper():
        harness.skip("runs stewardd under a wrapper of its own")
    mnt = cgroup_mount()
    st = Steward("cgroup-ro", """
[ward:plain]
command = /bin/sleep 1000
start_timeout = 200ms
""")
    with open(st.path("ro.sh"), "w") as f:
        f.write(f'mount -o bind,remount,ro {mnt} && exec "$@"\n')
    wrapper = f"unshare --mount --propagation private /bin/sh {st.path('ro.sh')}"
    yield st.start(wrapper=wrapper)
    rec = st.wait_event("cgroups_unavailable")
    check("Read-only file system" in rec["reason"] and
          rec["level"] == "warn", f"{rec}", st)
    st.wait_event("running", ward="plain")
    check(not st.find("cgroups"), "no cgroups record", st)
    inst = st.instance("plain")
    check("procs" not in inst, f"no usage without cgroups: {inst}", st)
    check(st.stop() == 0, "stewardd exit code", st)
    with open(st.stderr_path) as f:
        err = f.read()
    check(err.count("not tracking wards by cgroup") == 1,
          f"said once on stderr: {err}", st)
    # cgroups = required: no start at all, exit status 78, and why.
    with open(st.config_path) as f:
        text = f.read()
    with open(st.config_path, "w") as f:
        f.write(text.replace("[steward]\n", "[steward]\ncgroups = required\n"))
    p = subprocess.run([*wrapper.split(), harness.STEWARDD, "-c",
                        st.config_path],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 78 and "cgroups = required" in p.stderr and
          "Read-only file system" in p.stderr,
          f"required: rc {p.returncode}: {p.stderr}", st)


@scenario("cgroup-unwatchable-rest-is-killed-at-once")
def cgroup_unwatchable_rest_is_killed_at_once():
    # What outlives an instance's main process is given stop_timeout to
    # end, and its cgroup's emptying is heard through an inotify watch on
    # cgroup.events.  Where the kernel refuses the watch, nothing would
    # be heard: the rest is killed at once, and stewardd says why.
    # stewardd runs in a user namespace of its own (uid 0 mapped to 0:
    # it still owns the cgroup tree) whose limit of inotify watches is 0,
    # a limit that holds only in that namespace.
    need_cgroups()
    if harness.under_wrapper():
        harness.skip("runs stewardd under a wrapper of its own")
    # The rest ignores TERM, so that only a kill ends it before the
    # grace period is over.
    st = Steward("cgroup-nowatch", r"""
[ward:lin]
command = /bin/sh -c 'setsid /bin/sh -c "trap \"\" TERM; echo \$\$ >> {tmp}/strays; exec sleep 1000" & sleep 1.5; exit 3'
heartbeat = none
restart = never
stop_timeout = 30s
""")
    with open(st.path("nowatch.sh"), "w") as f:
        f.write('echo 0 > /proc/sys/user/max_inotify_watches && '
                'exec "$@"\n')
    yield st.start(wrapper="unshare --user --map-root-user /bin/sh "
                   + st.path("nowatch.sh"))
    stray = wait_strays(st, 1)[0]
    rec = st.wait_event("exited", ward="lin")
    check(rec.get("exit_code") == 3 and rec.get("procs_left") == 1,
          f"the main process's end, one process left: {rec}", st)
    # At once: well within the 30 s the rest would otherwise be given.
    st.wait_for(f"the rest (pid {stray}) killed at once",
                lambda: not alive(stray), timeout=5)
    with open(st.stderr_path) as f:
        err = f.read()
    check("cannot wait for the rest of lin:0's cgroup (watching "
          "cgroup.events: No space left on device): killing it at once"
          in err, f"said why on stderr: {err}", st)
    check(st.instance("lin")["state"] == "exited",
          f"stewardd answers: {st.instance('lin')}", st)
    check(st.stop() == 0, "stewardd exit code", st)


# A stray in a session of its own that ignores TERM and forks all along
# (a sleep at a time, each ignoring TERM too): only cgroup.kill at the
# stop's deadline ends it.
STUBBORN = r"""#!/bin/sh
setsid /bin/sh -c 'trap "" TERM; echo $$ >> "$1"
while :; do sleep 0.05; done' sh {tmp}/strays &
exec sleep 1000
"""

STUBBORN_WARD = """
[ward:stubborn]
command = /bin/sh {tmp}/stubborn.sh
start_timeout = 200ms
stop_timeout = 300ms
"""


@scenario("cgroup-held-ends-across-restarts-and-a-cgroup-made-again")
def cgroup_held_ends_across_restarts_and_a_cgroup_made_again():
    # Each end of the instance is held until its cgroup is empty: two
    # restarts (the cgroup.events watch added at the first, used again
    # at the second), then a stop; then its cgroup, removed from outside
    # while it was stopped, is made again at the start (the watch of the
    # removed one hears nothing more); then a reload removes the ward
    # (its cgroup goes with the instance) and the next adds it again.
    need_cgroups()
    st = Steward("cgroup-held", STUBBORN_WARD,
                 extra_files={"stubborn.sh": STUBBORN})
    yield st.start()
    path = st.wait_event("cgroups")["path"]
    inst = f"{path}/ward:stubborn/0"
    config = open(st.config_path).read()
    ends = {"restart": 0, "stop": 0}

    def held_end(verb, count):
        """verb ends the instance: its end is told only once the stray,
        killed at the stop's deadline, is gone."""
        stray = wait_strays(st, count)[-1]
        main_pid = st.instance("stubborn")["pid"]
        st.ctl(verb, "stubborn", check_rc=0)
        ends[verb] += 1
        rec = st.wait_event("stopped" if verb == "stop" else "starting",
                            ward="stubborn", cause=verb, count=ends[verb])
        check(rec.get("pid") == main_pid if verb == "stop" else
              rec.get("pid") != main_pid, f"{verb} #{count}: {rec}", st)
        check(not alive(stray), f"{verb} #{count}: the end was told with "
              f"the stray (pid {stray}) still running", st)
        check(rec.get("procs_left", 0) >= 1,
              f"{verb} #{count}: what the cgroup held: {rec}", st)

    st.wait_event("running", ward="stubborn")
    held_end("restart", 1)
    st.wait_event("running", ward="stubborn", count=2)
    held_end("restart", 2)
    st.wait_event("running", ward="stubborn", count=3)
    held_end("stop", 3)
    # Removed from outside while empty, as a cleanup of a tree might:
    # the next start makes it again, and its end is heard there.
    os.rmdir(inst)
    st.ctl("start", "stubborn", check_rc=0)
    st.wait_event("running", ward="stubborn", count=4)
    check(os.path.isdir(inst), "the instance's cgroup is made again", st)
    held_end("stop", 4)
    # A reload removes the ward, and its cgroup with the instance...
    ward = STUBBORN_WARD.format(tmp=st.dir)
    check(ward in config, f"the ward's section in {config}", st)
    st.write_config(config.replace(ward, ""))
    r = st.request("steward/1 reload")
    check(r["ok"], f"reload: {r}", st)
    st.wait_for("the removed ward's cgroup to go",
                lambda: not os.path.exists(os.path.dirname(inst)))
    # ...and the next adds it again: a new instance in a new cgroup.
    st.write_config(config)
    r = st.request("steward/1 reload")
    check(r["ok"], f"reload: {r}", st)
    st.wait_event("running", ward="stubborn", count=5)
    held_end("restart", 5)
    st.wait_event("running", ward="stubborn", count=6)
    # The shutdown waits for the last stray too.
    stray = wait_strays(st, 6)[-1]
    check(st.stop() == 0, "stewardd exit code", st)
    check(not alive(stray), "the last stray outlived stewardd", st)


class Inotify:
    """Our own inotify descriptor (IN_MODIFY), to see the changes stewardd
    is told of: the kernel queues the same ones to every watcher."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.names = {}

    def watch(self, path):
        wd = self.libc.inotify_add_watch(self.fd, path.encode(), 0x2)
        if wd < 0:
            raise OSError(ctypes.get_errno(), f"inotify_add_watch {path}")
        self.names[wd] = path

    def read(self):
        """The paths of the events queued, in order."""
        out = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return out
            at = 0
            while at < len(data):
                wd, _, _, n = struct.unpack_from("iIII", data, at)
                at += 16 + n
                out.append(self.names.get(wd))

    def close(self):
        os.close(self.fd)


@scenario("cgroup-held-end-survives-lost-inotify-events")
def cgroup_held_end_survives_lost_inotify_events():
    # stewardd held up (stopped here) while more cgroup.events changes
    # than fs.inotify.max_queued_events come: the kernel drops the rest,
    # among them the "populated 0" a held end waits for.  The overflow
    # is said, and each held instance is looked at again.
    need_cgroups()
    with open("/proc/sys/fs/inotify/max_queued_events") as f:
        limit = int(f.read())
    if limit > 65536:
        harness.skip(f"fs.inotify.max_queued_events is {limit}: too many "
                     "changes to make in seconds")
    n = 200  # watched cgroups: the kernel tells each at most every 10 ms
    st = Steward("cgroup-lost", f"""
[ward:many]
command = {STRAY.replace("strays", "many")}
replicas = {n}
start_timeout = 0

[ward:held]
command = /bin/sh {{tmp}}/stubborn.sh
start_timeout = 100ms
stop_timeout = 1h
""", extra_files={"stubborn.sh": STUBBORN})
    yield st.start()
    path = st.wait_event("cgroups")["path"]
    # Stopped, each of many leaves a stray: each cgroup is watched.
    st.wait_for(f"{n} detached children of many",
                lambda: os.path.exists(st.path("many")) and
                len(st.pids_in("many")) >= n)
    st.ctl("stop", "many", check_rc=0)
    for r in range(n):
        rec = st.wait_event("stopped", ward="many", replica=r)
        check(rec.get("procs_left", 0) >= 1, f"a stray left: {rec}", st)
    st.wait_event("running", ward="held")
    stray = wait_strays(st, 1)[0]
    main_pid = st.instance("held")["pid"]
    stop = subprocess.Popen([harness.STEWARDCTL, "-s", st.socket_path,
                             "stop", "held"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    # Reaped: its end is held for the stray, which ignores TERM.
    st.wait_for("the held main process to be reaped",
                lambda: not os.path.exists(f"/proc/{main_pid}"))
    ino = Inotify()
    held_events = f"{path}/ward:held/0/cgroup.events"
    ino.watch(held_events)
    st.send(signal.SIGSTOP)
    try:
        st.wait_for("stewardd to stop",
                    lambda: harness.process_state(st.pid) == "T")
        fds = []
        for r in range(n):
            ino.watch(f"{path}/ward:many/{r}/cgroup.events")
            fds.append(os.open(f"{path}/ward:many/{r}/cgroup.freeze",
                               os.O_WRONLY | os.O_CLOEXEC))
        # Freeze and thaw the empty cgroups until more changes than the
        # queue holds were told (those of one file in a row merge).
        told, last, rounds = 0, None, 0
        deadline = time.monotonic() + 20
        while told <= limit + n:
            for fd in fds:
                os.write(fd, b"1" if rounds % 2 == 0 else b"0")
            rounds += 1
            for name in ino.read():
                told += name != last
                last = name
            check(time.monotonic() < deadline,
                  f"{told} changes told in 20s ({rounds} rounds)", st)
        for fd in fds:
            os.write(fd, b"0")
            os.close(fd)
        # The stray ends now: its "populated 0" is told after the
        # overflow, and dropped.
        os.kill(stray, signal.SIGKILL)
        st.wait_for("the held cgroup's change to be told",
                    lambda: held_events in ino.read())
    finally:
        ino.close()
        st.send(signal.SIGCONT)
    st.wait_event("stopped", ward="held")
    rec = st.wait_event("cgroup_events_lost")
    check(rec["held"] == 1, f"one held instance looked at: {rec}", st)
    stop.wait(timeout=10)
    check(stop.returncode == 0, f"stewardctl stop: {stop.returncode}", st)
    check(st.stop() == 0, "stewardd exit code", st)


def stop_and_wait(st, ward, timeout=10.0):
    """stewardctl stop WARD beside the test, until the stopped record:
    the record and stewardctl's exit code.  The record may be written
    before stewardctl has read its answer: it gets 10 s more, then is
    killed (its wait would last stop_timeout)."""
    stop = subprocess.Popen([harness.STEWARDCTL, "-s", st.socket_path,
                             "stop", ward], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        rec = st.wait_event("stopped", ward=ward, timeout=timeout)
        stop.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if stop.poll() is None:
            stop.kill()
        stop.wait()
    return rec, stop.returncode


def own_cgroup_script(ignore_term=False):
    """A root ward's script: it makes a cgroup "own" inside its
    instance's, moves a stray in a session of its own there (which
    writes its pid to {tmp}/strays; with ignore_term, deaf to SIGTERM),
    and sleeps."""
    mnt = cgroup_mount()
    trap = 'trap "" TERM; ' if ignore_term else ""
    return (f'#!/bin/sh\n'
            f'cg={mnt}$(sed -n "s/^0:://p" /proc/self/cgroup)/own\n'
            'mkdir "$cg" || exit 1\n'
            f"setsid /bin/sh -c '{trap}echo $$ > \"$1/cgroup.procs\" && "
            "echo $$ >> \"$2\" && exec sleep 1000' sh \"$cg\" "
            "{tmp}/strays &\n"
            'exec sleep 1000\n')


@scenario("cgroup-stop-signal-reaches-a-root-wards-own-cgroups")
def cgroup_stop_signal_reaches_a_root_wards_own_cgroups():
    # A ward run as root makes a cgroup inside its instance's and moves
    # a process there (as a container runtime would), which is stopped
    # (SIGSTOP) when the ward is: the stop signal and the SIGCONT after
    # it reach it there too, so its end needs no stop_timeout's SIGKILL.
    need_cgroups()
    script = own_cgroup_script()
    st = Steward("cgroup-own", """
[ward:nest]
command = /bin/sh {tmp}/nest.sh
start_timeout = 100ms
stop_timeout = 1h
""", extra_files={"nest.sh": script})
    yield st.start()
    path = st.wait_event("cgroups")["path"]
    st.wait_event("running", ward="nest")
    stray = wait_strays(st, 1)[0]
    with open(f"/proc/{stray}/cgroup") as f:
        where = f.read()
    check(where.strip().endswith("/ward:nest/0/own"),
          f"the stray is in the ward's own cgroup: {where}", st)
    os.kill(stray, signal.SIGSTOP)
    st.wait_for("the stray to stop", lambda: harness.process_state(stray)
                == "T")
    rec, rc = stop_and_wait(st, "nest")
    check(rc == 0, f"stewardctl stop: {rc}", st)
    check(not alive(stray), f"the stray is gone: {rec}", st)
    check(not st.find("killing", ward="nest"), "no SIGKILL was needed", st)
    check(st.stop() == 0, "stewardd exit code", st)
    check(not os.path.exists(path), "stewardd's cgroup is removed", st)


@scenario("cgroup-root-wards-own-cgroups-are-counted-and-removed")
def cgroup_root_wards_own_cgroups_are_counted_and_removed():
    # A ward run as root moves a process into a cgroup it made inside its
    # instance's.  status counts that process, the end's record counts
    # it as left behind, and when a reload removes the ward, its
    # directories go bottom-up, the ward's own cgroup first, without a
    # warning (before, only the instance's own cgroup.procs was counted,
    # and the removal failed: "Device or resource busy").
    need_cgroups()
    script = own_cgroup_script(ignore_term=True)
    ward = """
[ward:nest]
command = /bin/sh {tmp}/nest.sh
start_timeout = 100ms
stop_timeout = 500ms
restart = never
"""
    st = Steward("cgroup-own-count", ward + """
[ward:keep]
command = sleep 1000
""", extra_files={"nest.sh": script})
    yield st.start()
    path = st.wait_event("cgroups")["path"]
    st.wait_event("running", ward="nest")
    stray = wait_strays(st, 1)[0]
    own = f"{path}/ward:nest/0/own"
    st.wait_for("the stray to be in the ward's own cgroup",
                lambda: str(stray) in open(f"{own}/cgroup.procs").read())
    inst = st.instance("nest")
    check(inst.get("procs") == 2,
          f"status counts the main process and the one below: {inst}", st)
    # The main process ends; the stray (TERM ignored) is what is left,
    # ended by stop_timeout's kill.
    os.kill(inst["pid"], signal.SIGKILL)
    rec = st.wait_event("exited", ward="nest")
    check(rec.get("procs_left") == 1,
          f"the end counts the process below: {rec}", st)
    wait_gone(st, stray, "the stray in the ward's own cgroup")
    check(os.path.isdir(own), "the ward's own cgroup is still there", st)
    config = open(st.config_path).read()
    st.write_config(config.replace(ward.format(tmp=st.dir), ""))
    r = st.request("steward/1 reload")
    check(r["ok"], f"reload: {r}", st)
    st.wait_for("the removed ward's cgroups to go",
                lambda: not os.path.exists(f"{path}/ward:nest"))
    check("cannot remove" not in open(st.stderr_path).read(),
          "no warning about removing the cgroups", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("cgroup-stop-signal-reaches-thousands-of-strays")
def cgroup_stop_signal_reaches_thousands_of_strays():
    # 2,500 strays in their own sessions: more pids than an 8 KiB read
    # of cgroup.procs held (stewardd read no more before).  The stop
    # signal reaches every one, so the stop ends without stop_timeout's
    # SIGKILL, and the end's record counts them past 8 KiB too.
    need_cgroups()
    n = 2500
    script = ('#!/bin/sh\n'
              'i=0\n'
              f'while [ $i -lt {n} ]; do setsid sleep 1000 & i=$((i+1)); '
              'done\n'
              'exec sleep 1000\n')
    st = Steward("cgroup-many", """
[ward:many]
command = /bin/sh {tmp}/many.sh
start_timeout = 100ms
stop_timeout = 1h
""", extra_files={"many.sh": script})
    yield st.start()
    path = st.wait_event("cgroups")["path"]
    st.wait_event("running", ward="many")
    procs = os.path.join(path, "ward:many", "0", "cgroup.procs")

    def leaders():
        """Processes of the cgroup that lead a session of their own: a
        stray between its fork and setsid(2) is still in the main
        process's group, which the stop's first signal reaches anyway."""
        k = 0
        with open(procs) as f:
            pids = [int(p) for p in f.read().split()]
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    sid = int(f.read().rsplit(")", 1)[1].split()[3])
            except (OSError, ValueError, IndexError):
                continue
            k += sid == pid
        return k
    # The main process leads its own session too.
    st.wait_for(f"{n} strays, each in a session of its own",
                lambda: leaders() >= n + 1, timeout=60)
    with open(procs, "rb") as f:
        size = len(f.read())
    check(size > 8192, f"cgroup.procs is {size} bytes, more than 8 KiB",
          st)
    rec, rc = stop_and_wait(st, "many", timeout=60)
    check(rc == 0, f"stewardctl stop: {rc}", st)
    check(rec.get("procs_left", 0) >= n, f"every stray counted: {rec}", st)
    check(not st.find("killing", ward="many"), "no SIGKILL was needed", st)
    check(st.stop() == 0, "stewardd exit code", st)
