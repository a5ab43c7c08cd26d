"""supervisorctl avail, reread, update, update NAME, add and remove
against stewardd.

The same commands run against Debian's supervisord on the same config
and its same edit, and the outputs are compared line by line (pids and
uptimes made alike).  Deliberate differences are listed where they are
made alike.
"""
from harness import check
from registry import scenario
from stanzas import supervisord_head
from svctl import (compare, ctl, need_supervisorctl, pid, show, steward,
                   supervisord, wait_running)

CONF = supervisord_head() + """
[program:steady]
command=sleep 1000
startsecs=0

[program:sleeper]
command=sleep 1001
startsecs=0

[program:gone]
command=sleep 1002
startsecs=0

[program:web]
command=sleep 1003
process_name=%(program_name)s_%(process_num)02d
numprocs=2
autostart=false
startsecs=0
"""

# The edit: sleeper changes, gone goes, new and the group grp come.
EDITED = CONF.replace("sleep 1001", "sleep 1011").replace(
    "[program:gone]", "[program:new]") + """
[group:grp]
programs=a,b

[program:a]
command=sleep 1004
startsecs=0

[program:b]
command=sleep 1005
startsecs=0
"""

BEFORE = ["avail", "reread"]
# update sleeper applies only sleeper; the rest waits for update.
AFTER = ["reread", "avail", "update sleeper", "reread", "update nosuch",
         "update"]
SETTLED = ["status", "reread", "avail"]
# add and remove, refused (unknown, already there, still running) and
# carried out.
GROUPS = ["add nosuch", "add steady", "remove nosuch", "remove steady",
          "stop sleeper", "remove sleeper", "avail", "add sleeper"]


def _drive(st, conf):
    """Each command's exit code and output, and steady's pid before and
    after the update (it must not change: only the difference is
    applied)."""
    wait_running(st, conf, ["steady", "sleeper", "gone"],
                 "steady, sleeper and gone running")
    steady = pid(conf, "steady")
    got = [(c,) + ctl(conf, c) for c in BEFORE]
    with open(conf, "w") as f:
        f.write(EDITED)
    got += [(c,) + ctl(conf, c) for c in AFTER]
    wait_running(st, conf, ["steady", "sleeper", "new", "grp:a", "grp:b"],
                 "the updated groups running")
    got += [(c,) + ctl(conf, c) for c in SETTLED]
    got += [(c,) + ctl(conf, c) for c in GROUPS]
    wait_running(st, conf, ["sleeper"], "sleeper added again and running")
    # A config with an error: CANT_REREAD, nothing changed.  The
    # message is each reader's own (deliberate): its start is compared.
    with open(conf, "w") as f:
        f.write(EDITED + "\n[program:broken]\nautostart=true\n")
    rc, out = ctl(conf, "reread")
    got.append(("reread (broken)", rc, out[:len("ERROR: CANT_REREAD: ")]))
    got += [(c,) + ctl(conf, c) for c in ("avail",)]
    return got, (steady, pid(conf, "steady"))


@scenario("supervisorctl-reread-update-avail")
def supervisorctl_reread_update_avail():
    """reread says what changed and applies nothing; update applies only
    the difference (an unchanged program keeps its process), update NAME
    only that group; avail lists the config read, in use or not."""
    need_supervisorctl()
    st, conf = steward("svupdate", CONF)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    got, steady = _drive(st, conf)
    check(steady[0] == steady[1], f"steady kept its process: {steady}", st)
    st.wait_event("reloaded", reason="addProcessGroup grp (XML-RPC)")
    check(st.stop() == 0, "stewardd exit code", st)
    show(got)
    with supervisord(CONF, "svupdate") as (real_conf, _):
        real, real_steady = _drive(st, real_conf)
    check(real_steady[0] == real_steady[1], "supervisord kept steady", st)
    check(len(got) == len(real), "every command ran", st)
    compare(got, real, st)
