"""Terminal scenarios (issue 17, item 7): a ward's words reach people
escaped.

A ward sends STATUS= and WORK= holding C1 controls (U+009B as UTF-8, and
the raw byte 0x9b that an 8-bit terminal reads as CSI), U+202E (a
right-to-left override) and invalid UTF-8.  stewardd's readable stderr
lines, `stewardctl status` and `stewardctl log` must show each visibly
(\\u009b, \\x9b, \\u202e, \\xff) and never pass the bytes themselves; JSON
stays valid JSON and never turns an invalid byte into a Latin-1
character.
"""
import json
import os
import subprocess

from harness import Steward, check, tmpdir, STEWARDCTL, STEWARDD
from registry import scenario

# Bytes a terminal would obey, and how people must be shown them.
HOSTILE = {
    b"\xc2\x9b": "\\u009b",   # CSI as UTF-8 (C1)
    b"\xc2\x85": "\\u0085",   # NEL (C1)
    b"\x9b": "\\x9b",         # CSI as a raw byte: invalid UTF-8
    b"\xe2\x80\xae": "\\u202e",  # RIGHT-TO-LEFT OVERRIDE
    b"\xe2\x81\xa6": "\\u2066",  # LEFT-TO-RIGHT ISOLATE
    b"\xff": "\\xff",         # invalid UTF-8 (Latin-1 "ÿ" if misread)
    b"\xe9": "\\xe9",         # invalid UTF-8 (Latin-1 "é" if misread)
}
RAW = list(HOSTILE)

SCRIPT = r"""#!/bin/sh
printf 'STATUS=st-\302\233[31m-\233-\342\200\256gnp.exe-\377-\351-end\n' >&3
printf 'WORK=wk-\302\205-\233-\342\201\246-\377\n' >&3
printf 'READY=1\n' >&3
while [ ! -e {tmp}/go ]; do sleep 0.02; done
exit 3
"""


def ctl(st, *args):
    """stewardctl's stdout as bytes (it may hold anything); exit 0."""
    p = subprocess.run([STEWARDCTL, "-s", st.socket_path, *args],
                       capture_output=True, timeout=30)
    check(p.returncode == 0, f"stewardctl {args} exited {p.returncode}: "
          f"{p.stderr!r}", st)
    return p.stdout


def no_raw(text, what, st):
    """text (bytes) holds none of the hostile byte sequences."""
    for raw in RAW:
        # The escaped forms are ASCII; a raw sequence is the attack.
        check(raw not in text, f"{what} passes {raw!r} raw:\n{text!r}", st)


@scenario("ward-text-is-escaped-for-people")
def ward_text_is_escaped_for_people():
    st = Steward("terminal", """
[ward:evil]
command = /bin/sh {tmp}/hostile.sh
heartbeat = pipe
heartbeat_timeout = 30s
restart = never
""", extra_files={"hostile.sh": SCRIPT})
    yield st.start()
    st.wait_event("running", ward="evil")
    st.wait_for("STATUS= and WORK= heard",
                lambda: (st.instance("evil").get("status") or "")
                .endswith("end") and st.instance("evil").get("work"))

    # stewardctl status: the table shows every one escaped.
    out = ctl(st, "status")
    no_raw(out, "stewardctl status", st)
    for want in (b"st-\\u009b[31m-\\x9b-\\u202egnp.exe-\\xff-\\xe9-end",
                 b"work=wk-\\u0085-\\x9b-\\u2066-\\xff"):
        check(want in out, f"status lacks {want!r}:\n{out!r}", st)

    # --json stays JSON; an invalid byte is never a Latin-1 character.
    doc = json.loads(ctl(st, "status", "--json"))
    inst = [i for i in doc["instances"] if i["ward"] == "evil"][0]
    check("\u00ff" not in inst["status"] and "\u00e9" not in inst["status"],
          f"invalid UTF-8 read as Latin-1: {inst['status']!r}", st)
    check("\u202e" in inst["status"] and "\\xff" in inst["status"],
          f"JSON status: {inst['status']!r}", st)

    # The ward ends inside its WORK unit: its reason quotes the unit.
    with open(st.path("go"), "w"):
        pass
    e = st.wait_event("exited", ward="evil")
    check("\u00ff" not in e["reason"],
          f"event log reads invalid UTF-8 as Latin-1: {e['reason']!r}", st)

    # The event log is JSON, safe to cat: \uNNNN and \\xNN only.
    with open(st.events_path, "rb") as f:
        no_raw(f.read(), "the event log", st)

    # stderr: the readable lines show the unit escaped.
    with open(st.stderr_path, "rb") as f:
        err = f.read()
    no_raw(err, "stewardd's stderr", st)
    check(b'WORK unit "wk-\\u0085-\\x9b-\\u2066-\\xff"' in err,
          f"stderr lacks the escaped unit:\n{err!r}", st)

    # stewardctl log, the table and one record in detail.
    out = ctl(st, "log", "--ward", "evil")
    no_raw(out, "stewardctl log", st)
    check(b"wk-\\u0085-\\x9b-\\u2066-\\xff" in out,
          f"stewardctl log lacks the escaped unit:\n{out!r}", st)
    if e.get("log_id"):
        out = ctl(st, "log", "--id", str(e["log_id"]))
        no_raw(out, "stewardctl log --id", st)
        check(b"\\x9b" in out, f"log --id:\n{out!r}", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("check-messages-are-escaped")
def check_messages_are_escaped():
    """--check quotes a file's bytes in its messages: escaped too."""
    d = tmpdir("check-escape")
    path = os.path.join(d, "steward.ini")
    with open(path, "wb") as f:
        f.write(b"[steward]\nsocket = " + d.encode() + b"/ctl.sock\n\n"
                b"[ward:ev\xe2\x80\xaeil\x9b]\ncommand = /bin/true\n\n"
                b"[ward:ok]\ncommand = /bin/true\n"
                b"heartbeat = n\xc2\x9bone\xff\n")
    yield None
    for argv in ([STEWARDD, "--check", path],
                 [STEWARDCTL, "check", path]):
        p = subprocess.run(argv, capture_output=True, timeout=20)
        check(p.returncode != 0, f"{argv} accepted the file", None)
        no_raw(p.stdout + p.stderr, " ".join(argv[1:2]), None)
        check(b"\\u202e" in p.stderr and b"\\u009b" in p.stderr and
              b"\\xff" in p.stderr,
              f"{argv[1]}: not escaped: {p.stderr!r}", None)
    os.unlink(path)
    os.rmdir(d)
