"""Config stanzas that several scenarios share, in one place.

Each is a piece of steward.ini text with the placeholders the harness
fills in (Steward's constructor and write_config): {testward}, {tmp},
{events}, {socket}.  Scenarios concatenate them with their own stanzas:

    st = Steward("name", stanzas.CANARY + '''
    [ward:mine]
    ...
    ''')

A stanza used by one scenario only stays beside that scenario.
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
