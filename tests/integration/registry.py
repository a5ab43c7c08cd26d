"""The registry of integration scenarios.

A scenario module (sc_*.py) registers each of its scenarios by name:

    from registry import scenario
    from harness import Steward, check

    @scenario("a-name")
    def a_name():
        st = Steward("a-name", CONFIG)
        yield st.start()
        ...

The function is a generator: it yields the started Steward once (so the
runner can clean it up whatever happens) and then checks and stops it.
The name is what meson registers, what `scenarios.py NAME` runs and what
run.sh's valgrind skip list matches: never rename one lightly.
"""
import importlib
import os

SCENARIOS = {}


def scenario(name):
    """Register the decorated generator function as scenario name."""
    def register(fn):
        if name in SCENARIOS:
            raise ValueError(f"scenario {name!r} is registered twice "
                             f"({SCENARIOS[name].__module__} and "
                             f"{fn.__module__})")
        SCENARIOS[name] = fn
        return fn
    return register


def load_all():
    """Import every sc_*.py beside this file; each registers its own."""
    here = os.path.dirname(os.path.abspath(__file__))
    for fname in sorted(os.listdir(here)):
        if fname.startswith("sc_") and fname.endswith(".py"):
            importlib.import_module(fname[:-3])
    return SCENARIOS
