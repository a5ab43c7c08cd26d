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


@scenario("check-reads-the-file-of-c")
def check_reads_the_file_of_c():
    # --check takes its file as the operand or from -c, in either order,
    # as a person used to "nginx -t -c FILE" writes it.
    import subprocess
    rc, out, err, good = harness.run_check("""[ward:a]
command = {testward} --beat 100
""")
    check(rc == 0, f"the good file: {err}")
    rc, out, err, bad = harness.run_check("""[ward:a]
command = {testward}
replicas = 0
""")
    check(rc == 78, f"the bad file: rc {rc}: {err}")

    def run(*args):
        p = subprocess.run([harness.STEWARDD, *args], capture_output=True,
                           text=True, timeout=20)
        return p.returncode, p.stdout, p.stderr

    ok_line = f"{good}: OK, 1 ward, 1 instance, 0 warnings"
    for args in (["--check", good], ["--check", "-c", good],
                 ["-c", good, "--check"], ["-n", good], [f"--check={good}"],
                 ["--check", "--config", good]):
        rc, out, err = run(*args)
        check(rc == 0 and out.strip() == ok_line,
              f"stewardd {' '.join(args)}: rc {rc}, out {out!r}, err {err!r}")
    for args in (["--check", "-c", bad], ["-c", bad, "-n"]):
        rc, out, err = run(*args)
        check(rc == 78 and f"{bad}:3: [ward:a] replicas = \"0\"" in err,
              f"stewardd {' '.join(args)}: rc {rc}, err {err!r}")
    # A file named after --check wins over -c's, as stewardd(8) says.
    rc, out, err = run("--check", good, "-c", bad)
    check(rc == 0 and out.strip() == ok_line, f"-n wins: rc {rc}: {err}")
    rc, out, err = run("-c", good, "--check", "--dump-json")
    check(rc == 0 and out.startswith('{"file":'), f"--dump-json: {out!r}")
    # No file at all, or two: a usage error that says what to write.
    rc, out, err = run("--check")
    check(rc == 64 and "--check needs a FILE" in err, f"no file: {err!r}")
    rc, out, err = run("--check", good, bad)
    check(rc == 64 and f'unexpected argument "{bad}"' in err,
          f"two files: {err!r}")
    # A usage error says what was wrong and the synopsis, not the whole
    # --help (which goes to stdout when asked for).
    check(len(err.splitlines()) <= 4 and "stewardd --help" in err,
          f"a usage error is short: {err!r}")
    rc, out, err = run("--help")
    check(rc == 0 and "Exit codes:" in out and not err, f"--help: {err!r}")
    yield None
