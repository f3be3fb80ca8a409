"""marketsim: rehearse a product launch before spending real money.

``run_scenario(config, seed) -> Results`` runs one scenario (a typed ``ScenarioConfig``);
the command line (``sim.cli``) wraps it with Hydra.
"""

__all__ = ["ScenarioConfig", "Results", "run_scenario"]


def __getattr__(name):  # lazy: importing sim.kernel alone should not import SimPy/pandas
    if name == "run_scenario":
        from sim.scenario import run_scenario

        return run_scenario
    if name == "ScenarioConfig":
        from sim.config import ScenarioConfig

        return ScenarioConfig
    if name == "Results":
        from sim.results import Results

        return Results
    raise AttributeError(name)
