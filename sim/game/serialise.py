"""A scenario config to and from plain JSON data (what a saved game stores).

``dataclasses.asdict`` writes it; OmegaConf's structured merge reads it back into the typed
dataclasses, so the schema's type checks and ``__post_init__`` range checks run again.
"""

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ScenarioConfig


def config_from_dict(data: dict) -> ScenarioConfig:
    """The ``ScenarioConfig`` saved as ``dataclasses.asdict(config)`` (round-trip exact).

    A game saved before the ``draws`` key (2026-12-05) drew with NumPy's Generator, and one
    saved before keyed draws became the default (2026-12-07) stored ``draws: generator``
    also in agent mode, where the key means nothing: both replay as they were played."""
    data = dict(data)
    if "draws" not in data:
        data["draws"] = "generator"
    if data.get("mode", "aggregate") != "aggregate" and data["draws"] == "generator":
        data["draws"] = "counter"  # agent mode reads no aggregate draws
    try:
        merged = OmegaConf.merge(OmegaConf.structured(ScenarioConfig), data)
        config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as e:
        raise ValueError(f"game log config: {str(e).splitlines()[0]}") from None
    if not isinstance(config, ScenarioConfig):
        raise ValueError(f"game log config is not a scenario, got {type(config).__name__}")
    return config
