"""Config stanzas that several scenarios share, in one place.

Each is a piece of steward.ini text with the placeholders the harness
fills in (Steward's constructor and write_config): {testward}, {tmp},
{events}, {socket}.  Scenarios concatenate them with their own stanzas:

    st = Steward("name", stanzas.CANARY + '''
    [ward:mine]
    ...
    ''')

A stanza used by one scenario only stays beside that scenario.

supervisord_head() is the other kind: the head of a supervisord.conf
(no placeholders) for the scenarios that run the same file under
stewardd and Debian's supervisord (sc_supervisorctl*.py, svctl.py).
"""

# The [steward] head of a scenario's config: its event log and control
# socket in the scenario's directory.  The harness puts it in front of a
# config that has no [steward] section; a scenario that needs more keys
# there writes STEWARD + "key = value\n".
STEWARD = """[steward]
event_log = {events}
socket = {socket}
"""

# A ward that must never be stopped: it beats every 50 ms under a short
# timeout, so a fault that delays the loop or steals its resources shows
# up as a canary judged hung (sc_faults.canary_ok checks it).
CANARY = """
[ward:canary]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 600ms
backoff = 10ms
"""

# Four replicas that beat, exit 1 after three beats and are restarted
# (nearly) without limit: steady spawning and reaping load.
CRASHERS = """
[ward:crasher]
command = {testward} --beat 50 --exit-after 3 --code 1
heartbeat = pipe
heartbeat_timeout = 1s
replicas = 4
backoff = 20ms..100ms
restart_limit = 1000/1m
"""

# A healthy ward beating every 50 ms, judged after 400 ms of silence.
BEATING = """
[ward:beater]
command = {testward} --beat 50
heartbeat = pipe
heartbeat_timeout = 400ms
"""

# A plain ward "w" that beats every 100 ms (the default timeout), for
# scenarios about something other than the ward.
PLAIN = """
[ward:w]
command = {testward} --beat 100
heartbeat = pipe
"""

# The username and password of the scenarios that serve supervisord's
# API (supervisord_head's auth=SV_AUTH, INET_HEAD's {user}, {password}).
SV_AUTH = ("admin", "s3cret")

# The head of a supervisord.conf served on a port, for the web page's and
# the hostile bytes' scenarios: str.format fills {port}, {user} and
# {password} (no rpcinterface nor [supervisorctl]: no supervisorctl
# runs on it).
INET_HEAD = """[inet_http_server]
port=127.0.0.1:{port}
username={user}
password={password}

[supervisord]
logfile=%(here)s/supervisord.log
childlogdir=%(here)s
nodaemon=true
"""


def supervisord_head(port=None, chmod=None, auth=None, supervisord=""):
    """The head of a supervisord.conf that Debian's supervisorctl and
    supervisord read as they are and stewardd reads too (no {}
    placeholders: %(here)s is supervisord's): the server, on the socket
    %(here)s/supervisor.sock ([unix_http_server], with chmod) or on a
    port ("HOST:PORT", [inet_http_server]); [supervisord] in the
    foreground with its files in %(here)s, and supervisord's extra key
    lines; the rpcinterface; [supervisorctl] pointed at the server.
    auth, a (username, password), goes into the server and
    [supervisorctl] both.  The programs follow it, after a blank line."""
    if port is None:
        server = "[unix_http_server]\nfile=%(here)s/supervisor.sock\n"
        url = "unix://%(here)s/supervisor.sock"
    else:
        server = f"[inet_http_server]\nport={port}\n"
        url = f"http://{port}"
    if chmod is not None:
        server += f"chmod={chmod}\n"
    login = "" if auth is None else "username=%s\npassword=%s\n" % auth
    return (server + login + """
[supervisord]
logfile=%(here)s/supervisord.log
childlogdir=%(here)s
pidfile=%(here)s/supervisord.pid
nodaemon=true
""" + supervisord + """
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=""" + url + "\n" + login)
