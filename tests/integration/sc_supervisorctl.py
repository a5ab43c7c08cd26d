"""supervisord's XML-RPC API served by stewardd ([unix_http_server]).

Debian's own supervisorctl (installed by ./run.sh test with the
`supervisor` package) drives stewardd through the socket of the
config's [unix_http_server], found through its [supervisorctl]
serverurl; then the same commands drive Debian's supervisord on the same
config, and the outputs are compared line by line (pids, uptimes and
dates made alike).  Python's xmlrpc.client reads the structs and faults.
"""
import os
import subprocess
import xmlrpc.client

import webdriver
from harness import check
from registry import scenario
from stanzas import SV_AUTH, supervisord_head
from svctl import (compare, ctl, need_supervisorctl, proxy, show, sock_of,
                   steward, supervisord, wait_status)

SVCTL_CONF = supervisord_head() + """
[program:sleeper]
command=sleep 1000
startsecs=0

[program:web]
command=sleep 1000
process_name=%(program_name)s_%(process_num)02d
numprocs=2
autostart=false
startsecs=0
"""

# What each server is asked, in order, by supervisorctl.
COMMANDS = [
    "status",
    "start web:*",
    "status",
    "signal CONT web:*",
    "signal BOGUS sleeper",
    "stop web:web_00",
    "signal CONT web:web_00",
    "signal CONT all",
    "status web:web_00 sleeper",
    "restart sleeper",
    "start all",
    "stop all",
    "status",
    "start sleeper",
    "pid sleeper",
    "start nosuch",
    "stop nosuch",
    "status nosuch",
    "pid nosuch",
    "restart all",
]


def _drive(st, conf):
    """Every command's exit code and output, then the API's answers."""
    wait_status(st, conf, "sleeper")
    got = [(c,) + ctl(conf, c) for c in COMMANDS]
    p = proxy(sock_of(conf))
    infos = p.supervisor.getAllProcessInfo()
    api = {"keys": [sorted(i.keys()) for i in infos],
           "states": [(i["group"], i["name"], i["state"], i["statename"])
                      for i in infos],
           "api": p.supervisor.getAPIVersion()}
    for call in (lambda: p.supervisor.getProcessInfo("nosuch"),
                 lambda: p.supervisor.stopProcess("web:web_00"),
                 lambda: p.supervisor.startProcess("sleeper"),
                 lambda: p.supervisor.noSuchMethod()):
        try:
            call()
            api.setdefault("faults", []).append(None)
        except xmlrpc.client.Fault as e:
            api.setdefault("faults", []).append((e.faultCode, e.faultString))
    return got, api


@scenario("supervisorctl-drives-stewardd-as-supervisord")
def supervisorctl_drives_stewardd_as_supervisord():
    """Debian's supervisorctl against stewardd, compared with the same
    commands against Debian's supervisord on the same config."""
    need_supervisorctl()
    st, conf = steward("svctl", SVCTL_CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got, api = _drive(st, conf)
    mode = os.stat(st.path("supervisor.sock")).st_mode & 0o777
    check(mode == 0o700, f"the socket's mode is {mode:o}, not chmod's 700",
          st)
    check(st.stop() == 0, "stewardd exit code", st)
    check(not os.path.exists(st.path("supervisor.sock")),
          "the socket is removed at exit", st)
    # What supervisord answers, as its source says (rpcinterface.py).
    check(api["faults"][0] == (10, "BAD_NAME: nosuch"), f"{api}", st)
    check(api["faults"][3] == (1, "UNKNOWN_METHOD"), f"{api}", st)
    check(api["api"] == "3.0", f"{api}", st)
    # The same config under Debian's supervisord gives the same answers.
    with supervisord(SVCTL_CONF, "svctl") as (real_conf, _):
        real, real_api = _drive(st, real_conf)
    show(got)
    check(len(got) == len(real) == len(COMMANDS), "every command ran", st)
    compare(got, real, st)
    check(api == real_api, f"the API: stewardd {api}, supervisord "
          f"{real_api}", st)


AUTH_CONF = supervisord_head(chmod="0770", auth=SV_AUTH) + """
[program:sleeper]
command=sleep 1000
startsecs=0
"""

AUTH_COMMANDS = ["status", "-p wrong status", "-u nobody -p s3cret pid",
                 "stop sleeper", "-p wrong start sleeper", "status"]


def _auth_drive(st, conf):
    wait_status(st, conf, "sleeper")
    return [(c,) + ctl(conf, c) for c in AUTH_COMMANDS]


@scenario("supervisorctl-password-and-socket-mode")
def supervisorctl_password_and_socket_mode():
    """[unix_http_server] username and password: supervisorctl with them
    steers, with a wrong one it is told as supervisord tells it; the
    socket has chmod's mode."""
    need_supervisorctl()
    st, conf = steward("svauth", AUTH_CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got = _auth_drive(st, conf)
    mode = os.stat(st.path("supervisor.sock")).st_mode & 0o777
    check(mode == 0o770, f"the socket's mode is {mode:o}, not chmod's 770",
          st)
    # Without credentials the API answers 401, as supervisord does.
    try:
        proxy(st.path("supervisor.sock")).supervisor.getPID()
        check(False, "a call without credentials was answered", st)
    except xmlrpc.client.ProtocolError as e:
        check(e.errcode == 401, f"without credentials: {e}", st)
    check(st.stop() == 0, "stewardd exit code", st)
    show(got)
    with supervisord(AUTH_CONF, "svauth") as (real_conf, _):
        real = _auth_drive(st, real_conf)
    compare(got, real, st)


INET_CONF = supervisord_head(port="127.0.0.1:{port}", auth=SV_AUTH) + """
[program:sleeper]
command=sleep 1000
startsecs=0
"""

INET_COMMANDS = ["status", "-p wrong status", "stop sleeper", "pid sleeper",
                 "start sleeper", "status"]


@scenario("supervisorctl-over-inet-http-server")
def supervisorctl_over_inet_http_server():
    """[inet_http_server] on 127.0.0.1 with a password: supervisorctl
    steers through it as through supervisord's; --check warns of a port
    with no password that listens beyond the loopback."""
    import harness
    need_supervisorctl()
    text = INET_CONF.replace("{port}", str(webdriver.free_port()))
    st, conf = steward("svinet", text)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    wait_status(st, conf, "sleeper")
    got = [(c,) + ctl(conf, c) for c in INET_COMMANDS]
    check(st.stop() == 0, "stewardd exit code", st)
    show(got)
    with supervisord(text, "svinet") as (real_conf, _):
        wait_status(st, real_conf, "sleeper",
                    "sleeper running under supervisord")
        real = [(c,) + ctl(real_conf, c) for c in INET_COMMANDS]
    compare(got, real, st)
    # An open port: two warnings, no error.
    open_conf = st.path("open.conf")
    with open(open_conf, "w") as f:
        f.write(text.replace("127.0.0.1:", "").replace(
            "username=admin\npassword=s3cret\n\n[supervisord]",
            "\n[supervisord]"))
    p = subprocess.run([harness.STEWARDD, "--check", open_conf],
                       capture_output=True, text=True, timeout=20)
    check(p.returncode == 0 and "has no password" in p.stderr and
          "listens beyond the loopback" in p.stderr,
          f"--check of an open port: {p.returncode} {p.stderr}", st)


@scenario("supervisorctl-sha-password")
def supervisorctl_sha_password():
    """A server password written {SHA} and hex is the SHA-1 of the one
    supervisorctl sends, as supervisord takes it: the right one steers,
    a wrong one is told as supervisord tells it."""
    import hashlib
    need_supervisorctl()
    sha = "{SHA}" + hashlib.sha1(b"s3cret").hexdigest()
    text = AUTH_CONF.replace("chmod=0770\nusername=admin\npassword=s3cret",
                             "chmod=0770\nusername=admin\npassword=" + sha)
    check(sha in text, "the config has the {SHA} password", None)
    st, conf = steward("svsha", text)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got = _auth_drive(st, conf)
    check(st.stop() == 0, "stewardd exit code", st)
    show(got)
    check(got[0][1] == 0 and "RUNNING" in got[0][2], f"status: {got[0]}", st)
    with supervisord(text, "svsha") as (real_conf, _):
        real = _auth_drive(st, real_conf)
    compare(got, real, st)
