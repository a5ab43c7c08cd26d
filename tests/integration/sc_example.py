"""An example of a scenario module: sc_*.py files register more scenarios.

    from scenarios import scenario
    from harness import Steward, check

    @scenario("a-name")
    def a_name():
        st = Steward("a-name", CONFIG)
        yield st.start()
        ...
"""
