#!/usr/bin/env python3
"""steward's integration scenarios: the real stewardd, real processes.

    scenarios.py --list      the names, one a line (meson registers each)
    scenarios.py NAME        run one scenario (exit 0 ok, 1 failed,
                             77 skipped: the scenario printed why)

This file is only the runner.  The pieces live beside it:

    harness.py     the stewardd under test (Steward), waits with deadlines,
                   check(), and /proc readers (fd_count, rss_kib, ...)
    registry.py    @scenario("name") and the table of every scenario
    stanzas.py     ward stanzas and config heads several scenarios share
    svctl.py       what the supervisorctl scenarios share: supervisorctl
                   and xmlrpc.client on a server, Debian's supervisord
                   on the same config, waits on a process's state
    sc_*.py        the scenarios, one module per topic

No module imports from this one.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import registry  # noqa: E402


def run(name, fn):
    harness.become_subreaper()
    gen = fn()
    st = None
    ok = False
    try:
        st = next(gen)
        try:
            next(gen)
        except StopIteration:
            pass
        if st is not None:
            st.check_sanitizers_quiet()
        ok = True
    except harness.Failure as e:
        print(f"FAIL {name}\n{e}", file=sys.stderr)
        return 1
    finally:
        if st is not None:
            st.cleanup()
        harness.reap_children()
        if ok:
            harness.remove_dirs()
    print(f"ok {name}")
    return 0


def main(argv):
    scenarios = registry.load_all()
    if argv == ["--list"]:
        print("\n".join(scenarios))
        return 0
    if len(argv) != 1 or argv[0] not in scenarios:
        print(f"usage: {sys.argv[0]} --list | NAME", file=sys.stderr)
        return 64
    return run(argv[0], scenarios[argv[0]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
