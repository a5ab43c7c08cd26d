#!/usr/bin/python3
"""What Debian's supervisord (4.2.5) understands of a config file.

Run with the Python that has the `supervisor` package (Debian's
/usr/bin/python3).  Reads from stdin a JSON list of {"path", "env"} (the
environment supervisord would have, for %(ENV_X)s) and prints a JSON
list with, for each file, one document in the shape of
`stewardd --check FILE --dump-json` reduced to what both can say:

  {"ok": bool, "error": str, "programs": [{"name", "group",
   "group_priority", "kind", "processes": [{"name", "argv", "directory",
   "environment", "stdout", "stderr"}], "priority", "autostart",
   "restart", "exitcodes", "start_timeout_ms", "start_retries",
   "stop_signal", "stop_timeout_ms", "stop_group", "kill_group", "uid",
   "umask"}]}

The environment is what supervisord's spawn adds to its own:
SUPERVISOR_ENABLED, SUPERVISOR_SERVER_URL, SUPERVISOR_PROCESS_NAME,
SUPERVISOR_GROUP_NAME, then the config's (process.py, _spawn_as_child).
"""
import json
import os
import shlex
import signal
import socket
import sys

from supervisor import datatypes
from supervisor.options import ServerOptions, EventListenerConfig, \
    FastCGIProcessConfig


def signame(n):
    try:
        return signal.Signals(n).name[3:]
    except ValueError:
        return str(n)


def output(v, redirected=False):
    if redirected:
        return "stdout"
    if v is datatypes.Automatic:
        return "AUTO"  # a file in childlogdir: see compare.py
    if v is None:
        return "null"
    return v


def read(path):
    """One file's reading, as a dict."""
    o = ServerOptions()
    o.configfile = path
    try:
        o.process_config(do_usage=False)
    except (ValueError, OSError) as e:
        return {"ok": False, "error": str(e), "processes": []}
    # options.realize() works this out: a unix socket, else inet.
    serverurl = None
    for c in o.configroot.supervisord.server_configs:
        if c["family"] is socket.AF_UNIX:
            serverurl = "unix://%s" % c["file"]
            break
    if serverurl is None:
        for c in o.configroot.supervisord.server_configs:
            if c["family"] is socket.AF_INET:
                serverurl = "http://%s:%s" % (c["host"] or "localhost",
                                              c["port"])
                break
    order = []
    for g in o.process_group_configs:
        for p in g.process_configs:
            kind = ("eventlistener" if isinstance(p, EventListenerConfig)
                    else "fcgi-program" if isinstance(p, FastCGIProcessConfig)
                    else "program")
            # A process's program: its section, found through the parser
            # is lost, so the group (homogeneous) or the process name's
            # prefix tells; compare.py matches on process names instead.
            env = {"SUPERVISOR_ENABLED": "1"}
            url = p.serverurl if p.serverurl is not None else serverurl
            if url:
                env["SUPERVISOR_SERVER_URL"] = url
            env["SUPERVISOR_PROCESS_NAME"] = p.name
            env["SUPERVISOR_GROUP_NAME"] = g.name
            env.update(p.environment or {})
            ar = p.autorestart
            restart = ("never" if not ar else
                       "always" if ar is datatypes.RestartUnconditionally
                       else "on-failure")
            rec = {
                "name": p.name, "group": g.name,
                "group_priority": g.priority, "kind": kind,
                "argv": shlex.split(p.command),
                "directory": p.directory,
                "environment": env,
                "stdout": output(p.stdout_logfile),
                "stderr": output(p.stderr_logfile, p.redirect_stderr),
                "priority": p.priority, "autostart": bool(p.autostart),
                "restart": restart, "exitcodes": sorted(p.exitcodes),
                "start_timeout_ms": p.startsecs * 1000,
                "start_retries": p.startretries,
                "stop_signal": signame(p.stopsignal),
                "stop_timeout_ms": p.stopwaitsecs * 1000,
                "stop_group": bool(p.stopasgroup),
                "kill_group": bool(p.killasgroup),
                "uid": p.uid, "umask": -1 if p.umask is None else p.umask,
            }
            order.append(rec)
    return {"ok": True, "error": None, "processes": order,
            "warnings": o.parse_warnings}


def main():
    out = []
    for job in json.load(sys.stdin):
        # supervisord takes ENV_X from its environment when its options
        # are made (options.py, ServerOptions.__init__).
        os.environ.clear()
        os.environ.update(job["env"])
        out.append(read(job["path"]))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
