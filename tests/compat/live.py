#!/usr/bin/env python3
"""Run a handful of the corpus under Debian's supervisord and under
stewardd, with every command replaced by a stand-in, and compare the
processes that run: their names, argv, environment, working directory
and user.

The stand-in (written here) is run as `python3 STANDIN ORIGINAL...`: the
original command's words are its arguments, split by each daemon, so
their argv is compared as each daemon made it.  It records what it got
and sleeps until stopped.  Log directories and working directories
that do not exist here are made under a scratch root (compare.py's
prepare), the control sockets moved into the scratch directory.

Usage: live.py STEWARDD   (exit 0 when every process matches)
"""
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

FILES = [
    "sail--runtimes_8.0_supervisord.conf",
    "all-in-one--Containers_talk_supervisord.conf",
    "misp-docker--core_files_etc_supervisor_conf.d_10-supervisor.conf",
    "dd-agent--supervisord.dev.conf",
    "celery--extra_supervisord_celeryd.conf",
]

# Variables steward adds to every ward's environment, on purpose: the
# contract of steward.ini(5) (STEWARD_WARD, STEWARD_REPLICA).
STEWARD_ONLY = {"STEWARD_WARD", "STEWARD_REPLICA"}

STANDIN = r'''#!/usr/bin/python3
import json, os, sys, time
out = %(out)r
name = "%%s:%%s" %% (os.environ.get("SUPERVISOR_GROUP_NAME", "?"),
                   os.environ.get("SUPERVISOR_PROCESS_NAME", "?"))
rec = {"argv": sys.argv[1:], "cwd": os.getcwd(), "uid": os.getuid(),
       "env": dict(os.environ)}
tmp = os.path.join(out, name + ".tmp")
with open(tmp, "w") as f:
    json.dump(rec, f)
os.rename(tmp, os.path.join(out, name + ".json"))
while True:
    time.sleep(1000)
'''


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stand_in(text, standin, root):
    """The file with stand-in commands, sockets and directories here."""
    text = compare.prepare(text, root)
    text = re.sub(r"(?m)^(\s*command\s*=\s*)",
                  lambda m: f"{m.group(1)}/usr/bin/python3 {standin} ", text)
    text = re.sub(r"(?m)^(\s*file\s*=\s*)(\S+)",
                  lambda m: f"{m.group(1)}{root}/sv.sock", text)
    text = re.sub(r"(?m)^(\s*port\s*=\s*)(\S+)",
                  lambda m: f"{m.group(1)}127.0.0.1:{free_port()}", text)

    def mkdir(m):
        path = m.group(2)
        if path.startswith("/") and not os.path.isdir(path) and \
                "%(" not in path:
            os.makedirs(root + path, mode=0o755, exist_ok=True)
            return f"{m.group(1)}{root}{path}"
        return m.group(0)
    return re.sub(r"(?m)^(\s*directory\s*=\s*)([^\s;]+)", mkdir, text)


def run(argv, cwd, env, out, want, timeout=20):
    """Start a daemon, wait for want records in out, stop it."""
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    log = open(os.path.join(cwd, os.path.basename(argv[0]) + ".log"), "w")
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log,
                         stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            have = {f[:-5] for f in os.listdir(out) if f.endswith(".json")}
            if have >= want or p.poll() is not None:
                break
            time.sleep(0.05)
        # Anything more that would start comes at once: look once more.
        time.sleep(0.3)
        recs = {}
        for f in os.listdir(out):
            if f.endswith(".json"):
                with open(os.path.join(out, f)) as fh:
                    recs[f[:-5]] = json.load(fh)
        return recs
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()


def main():
    stewardd = os.path.abspath(sys.argv[1])
    if not os.path.exists("/usr/bin/supervisord"):
        print("live.py: Debian's supervisor package is not installed",
              file=sys.stderr)
        return 1
    corpus = compare.corpus_dir()
    if corpus is None:
        compare.corpus_missing("live.py")
        return 77  # meson: skipped
    work = tempfile.mkdtemp(prefix="steward-live-")
    os.chmod(work, 0o755)
    failed = 0
    try:
        for name in FILES:
            d = os.path.join(work, name.split("--")[0])
            out = os.path.join(d, "out")
            os.makedirs(out)
            os.chmod(d, 0o755)
            os.chmod(out, 0o1777)
            standin = os.path.join(d, "standin.py")
            with open(standin, "w") as f:
                f.write(STANDIN % {"out": out})
            os.chmod(standin, 0o755)
            with open(os.path.join(corpus, name)) as f:
                text = f.read()
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("STEWARD", "NOTIFY_SOCKET",
                                        "WATCHDOG_", "SUPERVISOR_"))}
            for n in compare.env_names(text):
                if n not in env:
                    v = compare.ENV_VALUES.get(n, "1")
                    if v is not None:
                        env[n] = v
            with open(os.path.join(d, name), "w") as f:
                f.write(stand_in(text, standin, os.path.join(d, "root")))
            main_conf = os.path.join(d, name)
            if not re.search(r"(?m)^\[supervisord\]", text):
                main_conf = os.path.join(d, "main.conf")
                with open(main_conf, "w") as f:
                    f.write(f"[supervisord]\n[include]\nfiles = {name}\n")
            sv_read = compare.read_supervisord([(main_conf, env)])[0]
            if not sv_read["ok"]:
                print(f"FAIL   {name}: supervisord refuses it: "
                      f"{sv_read['error']}")
                failed += 1
                continue
            want = {f"{p['group']}:{p['name']}" for p in
                    sv_read["processes"]
                    if p["autostart"] and p["kind"] == "program"}
            sv = run(["/usr/bin/supervisord", "-n", "-c", main_conf], d,
                     env, out, want)
            st = run([stewardd, "-c", main_conf, "-s",
                      os.path.join(d, "st.sock"), "-l",
                      os.path.join(d, "events.jsonl")], d, env, out, want)
            bad = []
            if set(sv) != want:
                bad.append(f"supervisord ran {sorted(sv)}, its config says "
                           f"{sorted(want)}")
            for key in sorted(set(sv) | set(st)):
                if key not in sv or key not in st:
                    bad.append(f"{key}: runs under "
                               f"{'supervisord' if key in sv else 'steward'}"
                               " only")
                    continue
                a, b = sv[key], st[key]
                for field in ("argv", "cwd", "uid"):
                    if a[field] != b[field]:
                        bad.append(f"{key} {field}: supervisord "
                                   f"{a[field]!r}, steward {b[field]!r}")
                ea = a["env"]
                eb = {k: v for k, v in b["env"].items()
                      if k not in STEWARD_ONLY}
                for k in sorted(set(ea) | set(eb)):
                    if ea.get(k) != eb.get(k):
                        bad.append(f"{key} environment {k}: supervisord "
                                   f"{ea.get(k)!r}, steward {eb.get(k)!r}")
            if bad:
                failed += 1
                print(f"DIFFER {name}")
                for b in bad:
                    print(f"    {b}")
                for log in ("supervisord.log", "stewardd.log"):
                    p = os.path.join(d, log)
                    if os.path.exists(p):
                        with open(p) as f:
                            print(f"    --- {log}\n" + "".join(
                                "    " + l for l in f.readlines()[-15:]))
            else:
                print(f"same   {name}: {len(st)} processes")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
