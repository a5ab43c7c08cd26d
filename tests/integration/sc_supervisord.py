"""A supervisord.conf run unchanged: programs, groups, includes,
environment and startsecs as supervisord means them."""
import os
import time

from harness import Steward, check, tmpdir
from registry import scenario
from stanzas import supervisord_head


SUPERVISORD_CONF = "; A supervisord.conf as people have them.\n" + \
    supervisord_head(supervisord='environment=SITE="demo site",TIER=prod\n') \
    + """
[program:web]
command=/bin/sh -c 'echo "$SUPERVISOR_PROCESS_NAME $1 $SITE $TIER $PORT" > %(here)s/out/web.%(process_num)d; exec sleep 1000' sh --port=%(process_num)d
process_name=%(program_name)s_%(process_num)02d
numprocs=2
numprocs_start=8
priority=10
environment=PORT="80%(process_num)02d",
    EXTRA='with, comma'
redirect_stderr=true
stdout_logfile=%(here)s/web.log
stdout_logfile_maxbytes=1MB
autorestart=true
startsecs=0

[program:worker]
command=/bin/sh -c 'echo "$SUPERVISOR_PROCESS_NAME $(pwd) $EXTRA" > out/worker; exec sleep 1000'
priority=20
directory=%(here)s
stopsignal=INT
startsecs=0

[group:site]
programs=web,worker
priority=5

[include]
files = conf.d/*.conf
"""

EXTRA_CONF = """[program:extra]
command=/bin/sh -c 'echo "$SUPERVISOR_PROCESS_NAME $SUPERVISOR_ENABLED" > %(here)s/../out/extra; exec sleep 1000'
startsecs=0
"""


def _sv_tree(d):
    """Write the supervisord.conf tree into directory d."""
    os.makedirs(os.path.join(d, "conf.d"), exist_ok=True)
    os.makedirs(os.path.join(d, "out"), exist_ok=True)
    with open(os.path.join(d, "supervisord.conf"), "w") as f:
        f.write(SUPERVISORD_CONF)
    with open(os.path.join(d, "conf.d", "extra.conf"), "w") as f:
        f.write(EXTRA_CONF)


def _outputs(d):
    out = {}
    for name in sorted(os.listdir(os.path.join(d, "out"))):
        with open(os.path.join(d, "out", name)) as f:
            out[name] = f.read().replace(d, "HERE")
    return out


@scenario("supervisord-conf-runs-unchanged")
def supervisord_conf_runs_unchanged():
    import subprocess
    st = Steward("svconf", "")
    _sv_tree(st.dir)
    st.config_path = os.path.join(st.dir, "supervisord.conf")
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    for name, r in (("web", 0), ("web", 1), ("worker", 0), ("extra", 0)):
        st.wait_event("running", ward=name, replica=r)
    st.wait_for("every program's output",
                lambda: len(os.listdir(st.path("out"))) == 4 and
                all(os.path.getsize(os.path.join(st.path("out"), n)) > 0
                    for n in os.listdir(st.path("out"))))
    got = _outputs(st.dir)
    want = {"web.8": "web_08 --port=8 demo site prod 8008\n",
            "web.9": "web_09 --port=9 demo site prod 8009\n",
            "worker": "worker HERE with, comma\n",
            "extra": "extra 1\n"}
    # worker does not get EXTRA (it is web's): the line ends in a blank.
    want["worker"] = "worker HERE \n"
    check(got == want, f"processes differ from supervisord's: {got}", st)
    # Priorities: [group:site]'s 5 orders its programs (web and worker
    # have their own, which order them only inside the group, as in
    # supervisord) before extra (999); they stop after it.
    starts = [e["ward"] for e in st.find("starting")]
    check(max(starts.index("web"), starts.index("worker")) <
          starts.index("extra"), f"{starts}", st)
    # [group:site] programs=web,worker is a group: steered as one.
    r = st.request("steward/1 restart site")
    check(r["ok"] and sorted(x["ward"] for x in r["results"]) ==
          ["web", "web", "worker"], f"restart site: {r}", st)
    # supervisorctl's names: GROUP:* and GROUP:PROCESS.
    r = st.request("steward/1 restart site:*")
    check(r["ok"] and sorted(x["ward"] for x in r["results"]) ==
          ["web", "web", "worker"], f"restart site:*: {r}", st)
    r = st.request("steward/1 restart site:web_09 site:worker")
    check(r["ok"] and sorted((x["ward"], x["replica"])
                             for x in r["results"]) ==
          [("web", 1), ("worker", 0)], f"restart site:web_09: {r}", st)
    with open(st.path("supervisord.conf")) as f:
        check(f.read() == SUPERVISORD_CONF, "the file is unchanged", st)
    check(st.stop() == 0, "stewardd exit code", st)
    stops = [e["ward"] for e in st.find("stopped")]
    check(stops.index("extra") < min(stops.index("worker"),
                                     stops.index("web")), f"{stops}", st)
    # The same tree under Debian's supervisord starts the same processes.
    if not os.path.exists("/usr/bin/supervisord"):
        print("supervisord is not installed: compared with expected output")
        return
    d = tmpdir("svreal")
    _sv_tree(d)
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c",
                           os.path.join(d, "supervisord.conf")],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        st.wait_for("supervisord's processes",
                    lambda: len(os.listdir(os.path.join(d, "out"))) == 4 and
                    all(os.path.getsize(os.path.join(d, "out", n)) > 0
                        for n in os.listdir(os.path.join(d, "out"))),
                    timeout=20)
        real = _outputs(d)
    finally:
        sv.terminate()
        sv.wait(20)
    check(real == got, f"supervisord started {real}, steward {got}", st)


STARTSECS_CONF = """[supervisord]
logfile=%(here)s/supervisord.log
childlogdir=%(here)s
pidfile=%(here)s/supervisord.pid

[program:quick]
command=/bin/true
autorestart=false
startsecs=3
startretries=2
backoff=10ms..50ms

[program:zero]
command=/bin/sh -c 'exit 0'
autorestart=false
startsecs=0
"""


@scenario("program-dying-inside-startsecs-is-retried-then-failed")
def program_dying_inside_startsecs_is_retried_then_failed():
    """supervisord's startsecs: an end inside it is a failed start,
    retried startretries times whatever autorestart says, then FATAL;
    with startsecs = 0 autorestart alone decides."""
    import subprocess
    st = Steward("startsecs", "")
    st.supervisord_conf(STARTSECS_CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    failed = st.wait_event("failed", ward="quick")
    starts = st.find("starting", ward="quick")
    check(len(starts) == 3, f"quick started {len(starts)} times, "
          "expected 1 + startretries = 3", st)
    check(not st.find("running", ward="quick") and
          not st.find("exited", ward="quick"),
          "quick never reached running nor exited", st)
    check("startretries = 2" in failed["reason"], failed["reason"], st)
    st.wait_event("exited", ward="zero")
    check(len(st.find("starting", ward="zero")) == 1,
          "zero (startsecs = 0, autorestart = false) ran once", st)
    check(st.stop() == 0, "stewardd exit code", st)
    # Debian's supervisord does the same with the same file.
    if not os.path.exists("/usr/bin/supervisord"):
        return
    sv = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c",
                           st.path("supervisord.conf")],
                          stdout=subprocess.DEVNULL,
                          stderr=open(st.path("supervisord.err"), "w"))
    try:
        def log():
            try:
                with open(st.path("supervisord.log")) as f:
                    return f.read()
            except FileNotFoundError:
                return ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and sv.poll() is None and not (
                "gave up: quick entered FATAL state" in log() and
                "exited: zero (exit status 0; expected)" in log()):
            time.sleep(0.05)
        check("gave up: quick entered FATAL state" in log() and
              "exited: zero (exit status 0; expected)" in log(),
              "supervisord gave quick up and ran zero once: " + log() +
              open(st.path("supervisord.err")).read(), st)
        check(log().count("spawned: 'quick'") == 3,
              f"supervisord spawned quick 3 times: {log()}", st)
    finally:
        sv.terminate()
        sv.wait(20)
