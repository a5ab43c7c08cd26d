"""Spawning: what a ward gets (environment, fds, directory, user) and
the wrapped error that names the step when it cannot be started."""
import os

import harness
from harness import Steward, check
from registry import scenario


@scenario("missing-binary-is-a-wrapped-error")
def missing_binary_is_a_wrapped_error():
    st = Steward("missing", """
[ward:ghost]
command = /nonexistent/bin/ghost --flag
restart_limit = 1/1m
backoff = 10ms

[ward:noexec]
command = {tmp}/not-executable
restart_limit = 1/1m
backoff = 10ms
autostart = false

[ward:nopath]
command = no-such-program-anywhere
restart_limit = 1/1m
backoff = 10ms
""", extra_files={"not-executable": "#!/bin/sh\nexit 0\n"})
    # --check refuses a command that is not executable; one that stops
    # being executable later fails at spawn.
    os.chmod(st.path("not-executable"), 0o755)
    yield st.start()
    os.chmod(st.path("not-executable"), 0o644)
    check(st.request("steward/1 start --no-wait noexec")["ok"],
          "start noexec", st)
    e = st.wait_event("backoff", ward="ghost", cause="spawn_failed")
    check(e["message"] == 'cannot start ward "ghost:0": executing '
          '/nonexistent/bin/ghost: No such file or directory',
          e["message"], st)
    check(isinstance(e["log_id"], int) and e["log_id"] > 0, "log id", st)
    chain = e["error"]
    check(len(chain) == 2, f"two layers: {chain}", st)
    check(chain[1].get("errname") == "ENOENT", f"errno: {chain}", st)
    check(chain[1]["fields"]["path"] == "/nonexistent/bin/ghost",
          f"path field: {chain}", st)
    check(chain[1]["fields"]["stage"] == "executing the program",
          f"stage field: {chain}", st)
    check(chain[0]["at"].startswith("supervisord/"),
          f"wrap site is relative: {chain[0]['at']}", st)
    st.wait_event("failed", ward="ghost")
    e = st.wait_event("backoff", ward="noexec", cause="spawn_failed")
    check(e["message"].endswith("not-executable: Permission denied"),
          e["message"], st)
    e = st.wait_event("backoff", ward="nopath", cause="spawn_failed")
    check(e["message"] == 'cannot start ward "nopath:0": looking up '
          '"no-such-program-anywhere" on PATH: No such file or directory',
          e["message"], st)
    with open(st.stderr_path) as f:
        text = f.read()
    check(f"[log {e['log_id']}]" in text,
          "the readable line on stderr names the log id", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("spawn-stage-errors-name-the-step")
def spawn_stage_errors_name_the_step():
    st = Steward("stages", """
[ward:nodir]
command = {testward}
directory = /nonexistent-dir
restart = never

[ward:noout]
command = {testward}
stdout = /nonexistent-dir/out.log
restart = never
""")
    yield st.start()
    e = st.wait_event("exited", ward="nodir")
    check(e["message"] == 'cannot start ward "nodir:0": changing directory '
          'to /nonexistent-dir: No such file or directory', e["message"], st)
    e = st.wait_event("exited", ward="noout")
    check(e["message"] == 'cannot start ward "noout:0": opening stdout file '
          '/nonexistent-dir/out.log: No such file or directory',
          e["message"], st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("ward-gets-its-environment-and-fds")
def ward_gets_its_environment_and_fds():
    st = Steward("env", """
[ward:env]
command = /bin/sh -c 'env > {tmp}/env.$STEWARD_REPLICA; pwd > {tmp}/pwd.$STEWARD_REPLICA; exec {testward} --fds {tmp}/fds.$STEWARD_REPLICA --beat 100'
replicas = 2
heartbeat = pipe
heartbeat_timeout = 2s
directory = /tmp
environment = MODE=prod GREETING="hello world" EMPTY=
""")
    yield st.start()
    for r in (0, 1):
        st.wait_event("running", ward="env", replica=r)
        env = dict(line.split("=", 1) for line in
                   st.wait_file(f"env.{r}").splitlines() if "=" in line)
        check(env.get("STEWARD_WARD") == "env", f"STEWARD_WARD {env}", st)
        check(env.get("STEWARD_REPLICA") == str(r), "STEWARD_REPLICA", st)
        check(env.get("STEWARD_HEARTBEAT_FD") == "3", "HEARTBEAT_FD", st)
        check(env.get("STEWARD_HEARTBEAT_INTERVAL_MS") == "1000",
              "interval is half the timeout", st)
        check(env.get("GREETING") == "hello world", "quoted value", st)
        check(env.get("MODE") == "prod" and env.get("EMPTY") == "",
              "environment=", st)
        check(env.get("PATH") == os.environ.get("PATH"),
              "stewardd's own environment is inherited", st)
        fds = sorted(int(x) for x in st.wait_file(f"fds.{r}").split())
        check(fds == [0, 1, 2, 3], f"open fds in the ward: {fds}", st)
        check(st.wait_file(f"pwd.{r}").strip() == "/tmp", "directory=", st)
    pids = {e["pid"] for e in st.find("running", ward="env")}
    check(len(pids) == 2, f"two instances with their own pids: {pids}", st)
    for pid in pids:
        check(os.getpgid(pid) == pid and os.getsid(pid) == pid,
              "each instance leads its own session and group", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("user-and-group-are-applied")
def user_and_group_are_applied():
    harness.need_root()
    st = Steward("user", """
[ward:nobody]
command = /bin/sh -c 'id -u > {tmp}/uid.tmp; id -g >> {tmp}/uid.tmp; id -G >> {tmp}/uid.tmp; echo $HOME $USER >> {tmp}/uid.tmp; /usr/bin/python3 -c "import os; os.setuid(0)" 2>/dev/null && echo REGAINED >> {tmp}/uid.tmp; mv {tmp}/uid.tmp {tmp}/uid; exec {testward} --beat 100'
user = nobody
group = nogroup
heartbeat = pipe
heartbeat_timeout = 2s
""")
    # Sticky, as /tmp: nobody writes there; stewardd refuses its control
    # socket in a directory others can change without the sticky bit.
    os.chmod(st.dir, 0o1777)
    yield st.start()
    st.wait_event("running", ward="nobody")
    lines = st.wait_file("uid", lines=4).splitlines()
    check(lines[0] == "65534" and lines[1] == "65534",
          f"uid/gid {lines}", st)
    check(lines[2].split() == ["65534"], f"supplementary groups {lines}", st)
    check(lines[3] == "/nonexistent nobody", f"HOME USER {lines}", st)
    check("REGAINED" not in lines, "the ward could become root again", st)
    check(st.stop() == 0, "stewardd exit code", st)
