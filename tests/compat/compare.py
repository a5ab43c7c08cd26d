#!/usr/bin/env python3
"""The supervisord compatibility test: a corpus of real supervisord
configs (listed in tests/compat/corpus.list, read from corpus_dir()), read
by Debian's supervisord and by stewardd, compared program by program.

For each file: both readers must agree on whether it is accepted; when
both accept it, every process must match in name, argv, environment,
directory, user, priority order, autostart, autorestart, exit codes,
start and stop settings and where its output goes.  A difference is
either fixed in steward or listed below in DELIBERATE with its reason;
anything else fails the test.

supervisord reads only a file with a [supervisord] section: a file
without one (a conf.d fragment) is read by both through a main file
holding [supervisord] and [include] files = FRAGMENT.  Variables the
files name as %(ENV_X)s are set (ENV_VALUES, else "1"); a log directory
that does not exist on this machine is created under a scratch root and
the file's path rewritten to it, in a second reading, so that the
programs of such files are compared too (the first reading, as
published, must be refused by both).

Usage: compare.py STEWARDD [CORPUS_DIR]   (exit 0 when all agree)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def corpus_dir():
    """Where the corpus is: $STEWARD_COMPAT_CORPUS, else shared/compat/corpus
    beside the checkout.  The files are public configs of other projects;
    the repository keeps only their list (corpus.list), not the files.
    None when neither is there."""
    for d in (os.environ.get("STEWARD_COMPAT_CORPUS"),
              os.path.join(HERE, "..", "..", "..", "shared", "compat",
                           "corpus")):
        if d and os.path.isdir(d):
            return os.path.abspath(d)
    return None


def corpus_missing(prog):
    """Say plainly that the corpus part was not run, and why."""
    print(f"{prog}: the corpus is not here (set STEWARD_COMPAT_CORPUS, or "
          "place the files listed in tests/compat/corpus.list in "
          "shared/compat/corpus beside the checkout): its files were not "
          "compared", file=sys.stderr)
SUPERVISOR_PYTHON = "/usr/bin/python3"

# Values for %(ENV_X)s that must be of a kind ("1" fits the rest).
ENV_VALUES = {
    "SUPERVISOR_PHP_COMMAND": "/usr/bin/php -S 0.0.0.0:80",
    "SUPERVISOR_PHP_USER": "nobody",
    "AIO_LOG_LEVEL": "info",
    "SUPERVISORD_STDOUT": "/dev/stdout",
    "NUM_WORKERS_DEFAULT": "3",
    "HOME": None,  # keep the real one
}

# Differences steward makes on purpose: (file regex, what, reason).
# "what" is "accepted" (one reader accepts, the other not), a process
# field name, or "process-set" (a process one reader has and not the
# other).
DELIBERATE = [
    (r".*", "stdout:auto",
     "AUTO: steward names the file NAME-stdout.log (NAME-stderr.log) in "
     "childlogdir, where supervisord adds a random part to the name "
     "(steward.ini(5), stdout_logfile)"),
    (r".*", "fcgi-program",
     "[fcgi-program:x] is an error in steward: it does not own FastCGI "
     "sockets (steward.ini(5), Sections)"),
    (r".*", "supervisord-files",
     "[supervisord] logfile, pidfile and childlogdir are not used by "
     "stewardd (it keeps its own event log), so their directories need "
     "not exist; supervisord refuses to start without them"),
    (r"supervisor--tests_fixtures_issue-664\.conf", "accepted",
     "a program name is ASCII letters, digits, '_', '-' and '.' in "
     "steward (it goes into the control protocol, the event log and "
     "paths); supervisord takes any name without ' ', ':' or '/'"),
]


def deliberate(name, what):
    for pat, w, why in DELIBERATE:
        if w == what and re.fullmatch(pat, name):
            return why
    return None


def env_names(text):
    """The %(ENV_X)s names a file uses and does not define itself."""
    used = set(re.findall(r"%\(ENV_([A-Za-z0-9_]+)\)", text))
    defined = set(re.findall(r"[\s,=\"']([A-Za-z_][A-Za-z0-9_]*)=", text))
    return sorted(n for n in used if n not in defined)


def read_supervisord(jobs):
    """supervisord's readings of [(main, env)], in one Python process."""
    p = subprocess.run([SUPERVISOR_PYTHON, os.path.join(HERE, "svread.py")],
                       input=json.dumps([{"path": m, "env": e}
                                         for m, e in jobs]),
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"svread.py: {p.stderr}")
    return json.loads(p.stdout)


def read_steward(stewardd, main, env):
    p = subprocess.run([stewardd, "--check", main, "--dump-json"],
                       capture_output=True, text=True, env=env, timeout=60)
    if p.returncode not in (0, 78):
        raise RuntimeError(f"stewardd --check {main}: {p.returncode} "
                           f"{p.stderr}")
    return json.loads(p.stdout)


def steward_processes(d):
    """stewardd's dump as supervisord's records: keyed by group, name."""
    out = {}
    for w in d["wards"]:
        group = w["group"] or w["name"]
        for pr in w["processes"]:
            out[(group, pr["name"])] = {
                "argv": pr["argv"], "directory": pr["directory"],
                "environment": pr["environment"],
                "stdout": pr["stdout"], "stderr": pr["stderr"],
                "group_priority": w["priority"],
                "autostart": w["autostart"], "restart": w["restart"],
                "exitcodes": w["exitcodes"],
                "start_timeout_ms": w["start_timeout_ms"],
                "start_retries": w["start_retries"],
                "stop_signal": w["stop_signal"],
                "stop_timeout_ms": w["stop_timeout_ms"],
                "stop_group": w["stop_group"], "kill_group": w["kill_group"],
                "uid": w.get("uid"), "umask": w["umask"],
            }
    return out


def compare_processes(name, sv, st, notes):
    """Differences between the two readings of one accepted file."""
    bad = []
    svp = {}
    for p in sv["processes"]:
        # A listener is a process as a program is (steward.ini(5),
        # Event listeners); an fcgi-program is not run.
        if p["kind"] not in ("program", "eventlistener"):
            why = deliberate(name, p["kind"])
            if why is None:
                bad.append(f"{p['group']}:{p['name']}: a {p['kind']} "
                           "steward does not run")
            else:
                notes.add(why)
            continue
        svp[(p["group"], p["name"])] = p
    stp = steward_processes(st)
    for key in sorted(set(svp) | set(stp)):
        if key not in stp or key not in svp:
            bad.append(f"{key[0]}:{key[1]}: only "
                       f"{'supervisord' if key in svp else 'steward'} "
                       "has this process")
            continue
        a, b = svp[key], stp[key]
        for field in b:
            va, vb = a.get(field), b[field]
            # A relative path is from the daemon's working directory in
            # both (stewardd --check runs in ours and says it absolute).
            if field == "directory" and va is not None:
                va = os.path.abspath(va)
            if field in ("stdout", "stderr") and va not in (
                    "inherit", "null", "stdout", "AUTO") and va[0] != "/":
                va = os.path.abspath(va)
            if field in ("stdout", "stderr") and va == "AUTO" and \
                    isinstance(vb, str) and \
                    vb.endswith(f"/{key[1]}-{field}.log"):
                notes.add(deliberate(name, "stdout:auto"))
                continue
            if va != vb:
                why = deliberate(name, field)
                if why is None:
                    bad.append(f"{key[0]}:{key[1]} {field}: supervisord "
                               f"{va!r}, steward {vb!r}")
                else:
                    notes.add(why)
    return bad


def prepare(text, root):
    """The file with each missing log directory moved under root."""
    def fix(m):
        key, path = m.group(1), m.group(2)
        d = os.path.dirname(path)
        if (path.startswith("/") and d and not os.path.isdir(d)
                and "%(" not in d):
            os.makedirs(root + d, exist_ok=True)
            return f"{key}{root}{path}"
        return m.group(0)
    def fixdir(m):
        key, path = m.group(1), m.group(2)
        if path.startswith("/") and not os.path.isdir(path):
            os.makedirs(root + path, exist_ok=True)
            return f"{key}{root}{path}"
        return m.group(0)
    text = re.sub(r"(?m)^(\s*(?:stdout_logfile|stderr_logfile|logfile|"
                  r"pidfile)\s*=\s*)([^\s;]+)", fix, text)
    return re.sub(r"(?m)^(\s*childlogdir\s*=\s*)([^\s;]+)", fixdir, text)


def prepare_file(path, work):
    """The readings to make of one corpus file: [(attempt, main, env)]."""
    name = os.path.basename(path)
    with open(path) as f:
        text = f.read()
    env = dict(os.environ)
    for n in env_names(text):
        if n not in env:
            v = ENV_VALUES.get(n, "1")
            if v is not None:
                env[n] = v
    runs = []
    for attempt in ("as published", "with log directories made"):
        d = os.path.join(work, name, attempt.split()[0])
        os.makedirs(d)
        body = text if attempt == "as published" else \
            prepare(text, os.path.join(d, "root"))
        if attempt != "as published" and body == text:
            break
        with open(os.path.join(d, name), "w") as f:
            f.write(body)
        main = os.path.join(d, name)
        if not re.search(r"(?m)^\[supervisord\]", body):
            main = os.path.join(d, "main.conf")
            with open(main, "w") as f:
                f.write(f"[supervisord]\n[include]\nfiles = {name}\n")
        runs.append((attempt, main, env))
    return text, runs


def judge_file(name, text, results, notes):
    """The differences of one file's readings [(attempt, sv, st)]."""
    if results[0][1]["ok"] and results[0][2]["ok"]:
        results = results[:1]  # as published, both accept: enough
    bad = []
    for attempt, sv, st in results:
        if sv["ok"] != st["ok"]:
            st_err = "; ".join(p["message"] for p in st["problems"]
                               if p["severity"] == "error")
            kinds = [k for k in ("fcgi-program",)
                     if re.search(r"(?m)^\[%s:" % k, text)]
            why = deliberate(name, "accepted")
            for k in kinds:
                why = why or deliberate(name, k)
            if (sv["error"] or "").startswith(
                    "The directory named as part of the path") and \
                    re.search(r"(?m)^\s*(logfile|pidfile)\s*=", text):
                why = why or deliberate(name, "supervisord-files")
            if why is not None:
                notes.add(why)
            else:
                bad.append(f"{attempt}: supervisord "
                           f"{'accepts' if sv['ok'] else 'refuses'} "
                           f"({sv['error']}), steward "
                           f"{'accepts' if st['ok'] else 'refuses'} "
                           f"({st_err})")
        elif sv["ok"]:
            bad += [f"{attempt}: {b}" for b in
                    compare_processes(name, sv, st, notes)]
    last = results[-1][1]
    return bad, last["ok"], sum(1 for p in last["processes"]
                                if p["kind"] in ("program",
                                                 "eventlistener"))


# environment= as people write it, and its corners: each read by both
# (supervisord's dict_of_key_value_pairs is Python's shlex).
ENV_FORMS = [
    'A="1",B="2"', "A=1,B=2", "A='x y'", "A=x y", "A=a@b", "A=${HOME}/x",
    "A=1, B=2", 'A="x,y"', "A=", "A=x,", "A=x;y", "A=1,B=2,", 'A="a\\"b"',
    'PATH="/usr/local/bin:%(ENV_PATH)s"', "A=x#y", "A=1 ,B=2", "A=-x",
    "A=*", "A=\u00e9", 'A="x"y', "A='it''s'", 'A="', "A=1,\n  B=2",
    "HOME=/home/app,USER=app", 'A="%(program_name)s"',
]


# Small files, not from the corpus, for what configparser does with
# repeats and continuations: read by both and compared like the corpus.
SYNTHETIC = {
    "synthetic-group-continued.conf":
        "[supervisord]\n[program:a]\ncommand=/bin/true\n"
        "[program:b]\ncommand=/bin/true\npriority=5\n"
        "[group:g]\nprograms=a,\n  b\npriority=50\n",
    "synthetic-sections-twice.conf":
        "[supervisord]\n[program:a]\ncommand=/bin/true\nstartsecs=3\n"
        "[group:g]\nprograms=a\n[program:b]\ncommand=/bin/false\n"
        "[program:a]\nstartsecs=4\nautostart=false\n"
        "[group:g]\nprograms=a,b\npriority=7\n",
    "synthetic-keys-twice.conf":
        "[supervisord]\n[program:a]\ncommand=/bin/true one\n"
        "command=/bin/true two\nCommand=/bin/true three\n"
        "environment=A=1\nenvironment=B=2\n",
    "synthetic-numprocs-from-env.conf":
        "[supervisord]\nenvironment=N=\"3\",U=\"nobody\"\n"
        "[program:w]\ncommand=/bin/echo %(ENV_N)s %(process_num)d\n"
        "process_name=%(program_name)s_%(process_num)02d\n"
        "numprocs=%(ENV_N)s\nuser=%(ENV_U)s\nenvironment=N=\"4\"\n"
        "directory=/tmp\nstdout_logfile=/tmp/%(ENV_N)s.log\n",
}


def check_env_forms(stewardd, work):
    """Each of ENV_FORMS in a program: the same environment, or both
    refusing it.  Returns the differences."""
    jobs, mains = [], []
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root"}
    for i, form in enumerate(ENV_FORMS):
        main = os.path.join(work, f"env-{i}.conf")
        with open(main, "w") as f:
            f.write("[supervisord]\n[program:p]\ncommand=/bin/true\n"
                    f"environment={form}\n")
        jobs.append((main, env))
        mains.append(main)
    bad = []
    for form, main, sv in zip(ENV_FORMS, mains, read_supervisord(jobs)):
        st = read_steward(stewardd, main, env)
        a = sv["processes"][0]["environment"] if sv["ok"] else None
        b = (dict(st["wards"][0]["processes"][0]["environment"])
             if st["ok"] else None)
        if a != b:
            bad.append(f"environment={form!r}: supervisord {a}, "
                       f"steward {b}")
    return bad


def main():
    stewardd = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) > 2 else corpus_dir()
    if corpus is None:
        corpus_missing("compare.py")
    if not os.path.exists(SUPERVISOR_PYTHON) or subprocess.run(
            [SUPERVISOR_PYTHON, "-c", "import supervisor"],
            capture_output=True).returncode != 0:
        print("compare.py: Debian's supervisor package is not installed "
              "(run.sh installs it)", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="steward-compat-")
    failed = 0
    notes = set()
    accepted = procs = 0
    files = sorted(f for f in os.listdir(corpus)
                   if f.endswith(".conf")) if corpus else []
    try:
        plan = []
        synth = os.path.join(work, "synthetic")
        os.makedirs(synth)
        for f, text in SYNTHETIC.items():
            with open(os.path.join(synth, f), "w") as fh:
                fh.write(text)
        for f in files + sorted(SYNTHETIC):
            src = os.path.join(corpus if f in files else synth, f)
            text, runs = prepare_file(src, work)
            plan.append((f, text, runs))
        jobs = [(m, e) for _, _, runs in plan for _, m, e in runs]
        sv_all = iter(read_supervisord(jobs))
        for f, text, runs in plan:
            results = [(a, next(sv_all), read_steward(stewardd, m, e))
                       for a, m, e in runs]
            bad, ok, n = judge_file(f, text, results, notes)
            accepted += ok
            procs += n
            if bad:
                failed += 1
                print(f"DIFFER {f}")
                for b in bad:
                    print(f"    {b}")
            else:
                print(f"same   {f}")
        bad = check_env_forms(stewardd, work)
        for b in bad:
            print(f"DIFFER {b}")
        print(f"{len(ENV_FORMS)} environment= forms, "
              f"{len(ENV_FORMS) - len(bad)} read alike")
        failed += len(bad)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(files)} corpus and {len(SYNTHETIC)} synthetic files, "
          f"{len(files) + len(SYNTHETIC) - failed} read alike; "
          f"{accepted} accepted by supervisord with {procs} processes "
          "compared")
    for n in sorted(x for x in notes if x):
        print(f"deliberate: {n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
