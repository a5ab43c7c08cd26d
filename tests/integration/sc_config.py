"""Config checking: every problem reported at once, long lines, cycles,
and the report of a good config."""
import os

import harness
from harness import Steward, check
from registry import scenario


@scenario("bad-config-is-refused-with-every-problem")
def bad_config_is_refused_with_every_problem():
    rc, out, err, path = harness.run_check("""[steward]
event_log = relative.log

[ward:web]
command = /bin/true 'unterminated
heartbeat = pipe
heartbeat_timeout = 3x
restart = sometimes
backoff = 30s..1s
restart_limit = five
stop_signal = SIGFOO
replicas = 0
autostart = perhaps
stdout = somewhere
user = no-such-user-here
  indented = line
commnd = /bin/true
no equals sign here

[ward:web]
command = /bin/true

[bogus]
x = 1
""")
    lines = err.splitlines()
    expect = [
        f"{path}:2: [steward] event_log = \"relative.log\": expected an "
        "absolute path, or - for standard error",
        f"{path}:5: [ward:web] command = \"/bin/true 'unterminated\": ",
        f"{path}:7: [ward:web] heartbeat_timeout = \"3x\": ",
        f"{path}:8: [ward:web] restart = \"sometimes\": expected always, "
        "on-failure or never",
        f"{path}:9: [ward:web] backoff = \"30s..1s\": ",
        f"{path}:10: [ward:web] restart_limit = \"five\": ",
        f"{path}:11: [ward:web] stop_signal = \"SIGFOO\": ",
        f"{path}:12: [ward:web] replicas = \"0\": ",
        f"{path}:13: [ward:web] autostart = \"perhaps\": ",
        f"{path}:14: [ward:web] stdout = \"somewhere\": expected inherit, "
        "null, an absolute file path",
        f"{path}:16: an indented line",
        f"{path}:17: warning: [ward:web] unknown key \"commnd\" ignored; "
        "did you mean command?",
        f"{path}:18: \"no equals sign here\" is not a setting; expected "
        "KEY = VALUE",
        f"{path}:20: \"web\" is already defined at {path}:4 (as [ward:web])",
        f"{path}:23: unknown section [bogus]",
        f"{path}:15: [ward:web] user = \"no-such-user-here\": no such user",
    ]
    for want in expect:
        check(any(line.startswith(want) for line in lines),
              f"missing problem {want!r} in:\n{err}")
    check(rc == 78, f"--check exit code {rc}")
    check(err.splitlines()[-1].startswith(f"{path}: 15 errors, 1 warning"),
          f"summary line: {err.splitlines()[-1]}")
    # stewardd -c refuses to start on it, with the same messages.
    import subprocess
    p = subprocess.run([harness.STEWARDD, "-c", path], capture_output=True,
                       text=True, timeout=20)
    check(p.returncode == 78, f"stewardd -c exit code {p.returncode}")
    check(f"{path}:7: [ward:web] heartbeat_timeout" in p.stderr, p.stderr)
    yield None


@scenario("long-lines-are-read-whole")
def long_lines_are_read_whole():
    arg = "a" * 3000
    value = "v" * 5000
    st = Steward("longlines", f"""
[ward:long]
command = /bin/sh -c 'printf %s "$1" > {{tmp}}/arg; printf %s "$BIG" > {{tmp}}/big; exec {{testward}} --beat 100' sh {arg}
environment = BIG={value}
heartbeat = pipe
heartbeat_timeout = 2s
""")
    yield st.start()
    st.wait_event("running", ward="long")
    st.wait_for("files", lambda: os.path.exists(st.path("big")))
    with open(st.path("arg")) as f:
        check(f.read() == arg, "a 3000-byte argument arrives whole", st)
    with open(st.path("big")) as f:
        check(f.read() == value, "a 5000-byte value arrives whole", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("check-refuses-dependency-cycles")
def check_refuses_dependency_cycles():
    rc, out, err, path = harness.run_check("""[ward:a]
command = /bin/true
requires = b

[ward:b]
command = /bin/true
after = a
""")
    check(rc == 78 and f"{path}:1: a cycle of requires/after: a -> b -> a"
          in err, err)
    yield None


@scenario("check-accepts-a-good-config")
def check_accepts_a_good_config():
    rc, out, err, path = harness.run_check("""[steward]
event_log = -

[ward:a]
command = {testward} --beat 100   ; an inline comment
heartbeat = pipe
heartbeat_timeout = 1s
replicas = 3
""")
    check(rc == 0, f"exit code {rc}: {err}")
    check(out.strip() == f"{path}: OK, 1 ward, 3 instances, 0 warnings",
          out)
    yield None
