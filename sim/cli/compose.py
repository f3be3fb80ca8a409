"""Composition as a library call: overrides -> the typed ``AppConfig``.

``compose(overrides)`` is what experiments, benchmarks, the studio and tests use; it gives
the same one-line ``MarketsimError`` as the command line for bad input. The checks here
(override syntax, group options, unknown keys, ranges) also run inside ``marketsim``
before Hydra writes anything.
"""

import dataclasses
import difflib
import re
from importlib import resources
from pathlib import Path

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, ListConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from sim.cli.messages import (
    GRAMMAR_URL,
    UserError,
    explain_compose_error,
    full_error,
    unknown_key_message,
)
from sim.config import AppConfig
from sim.config.store import register_configs

CONFIG_DIR = Path(str(resources.files("sim.configs")))


def to_app_config(cfg: DictConfig) -> AppConfig:
    """Typed config from Hydra's; unknown keys and range errors become ``UserError``."""
    _check_known_keys(cfg)
    try:
        app = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as e:
        raise UserError(explain_compose_error(e)) from None
    except ValueError as e:
        raise UserError(override_path(str(e), cfg)) from None
    if not isinstance(app, AppConfig):
        raise UserError(f"config did not resolve to AppConfig, got {type(app).__name__}")
    return app


def override_path(message: str, cfg: DictConfig) -> str:
    """A schema's message names a firm or a segment by its name (``firm 'us'.x``,
    ``segment 'budget'.y``); on the command line the key is ``firm.x``,
    ``competitors.incumbent.x`` or ``market.segments[1].y``."""
    match = re.match(r"(firm|segment) '((?:[^'\\]|\\.)*)'\.", message)
    if not match:
        return message
    kind, name = match.groups()
    path = None
    try:
        if kind == "firm":
            if OmegaConf.select(cfg, "firm.name", default=None) == name:
                path = "firm"
            else:
                for key, comp in (OmegaConf.select(cfg, "competitors", default=None) or {}).items():
                    if comp.get("name") == name:
                        path = f"competitors.{key}"
                        break
        else:
            segments = OmegaConf.select(cfg, "market.segments", default=None) or []
            for i, seg in enumerate(segments):
                if seg.get("name") == name:
                    path = f"market.segments[{i}]"
                    break
    except OmegaConfBaseException:
        return message
    if path is None:
        return message
    return f"{path}.{message[match.end():]}"


def _check_known_keys(node, path: str = "") -> None:
    """Reject keys added with ``+key=...`` that no schema field takes: ``OmegaConf.to_object``
    would keep them as stray attributes, so a misspelt key would silently change nothing."""
    if isinstance(node, DictConfig):
        schema = OmegaConf.get_type(node)
        fields = ([f.name for f in dataclasses.fields(schema)]
                  if dataclasses.is_dataclass(schema) else None)
        for key in node.keys():
            sub = f"{path}.{key}" if path else str(key)
            if fields is not None and key not in fields and not (path == "" and key == "hydra"):
                raise UserError(unknown_key_message(sub, str(key), fields))
            _check_known_keys(node._get_node(key), sub)
    elif isinstance(node, ListConfig):
        for i in range(len(node)):
            _check_known_keys(node._get_node(i), f"{path}[{i}]")


OUTPUT_DIRS = ("hydra.run.dir", "hydra.sweep.dir")
COMMANDS = ("list", "report", "studio", "game")  # marketsim's subcommands


def check_overrides(overrides) -> None:
    """Parse each override alone, so that a malformed one is named in the message; refuse
    group choices that are paths (``market=../scenario/baseline`` would leave the config
    tree) and empty output directories (``hydra.run.dir=`` writes into the current one)."""
    parser = OverridesParser.create()
    for text in overrides:
        try:
            parsed = parser.parse_override(text)
        except HydraException as e:
            if "=" not in text and not text.startswith(("~", "-")):  # a bare word
                close = difflib.get_close_matches(text, COMMANDS, n=1, cutoff=0.6)
                if close:
                    raise UserError(f"unknown command {text!r}; did you mean "
                                    f"'marketsim {close[0]}'? (or write key=value, e.g. "
                                    "seed=3)") from None
            reason = str(e).splitlines()[0]
            raise UserError(f"malformed override {text!r}: {reason}; write key=value, e.g. "
                            f"seed=3 or 'key=[a,b]' (grammar: {GRAMMAR_URL})") from None
        if not parsed.key_or_group:
            raise UserError(f"malformed override {text!r}: no key before '='; write "
                            "key=value, e.g. seed=3")
        key = parsed.key_or_group
        if key in OUTPUT_DIRS and not parsed.is_delete():
            value = parsed.value()
            if isinstance(value, str) and not value.strip():
                raise UserError(f"{key} must not be empty, got {value!r} (an empty directory "
                                f"would put every output into the current one): give a "
                                f"directory, e.g. {key}=outputs/my_run")
        group = key.split("@")[0]
        if group in config_groups():
            for name in _override_values(parsed):
                if isinstance(name, str) and (
                        "/" in name or "\\" in name or name.startswith(".") or not name.strip()):
                    options = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
                    raise UserError(f"{key}={name}: a {group} option is a name from "
                                    f"configs/{group}/, not a path; choose one of "
                                    f"{', '.join(options)}")


def config_groups() -> set:
    """The config groups of the shipped tree (``scenario``, ``market``, ``firm``, ...)."""
    return {p.name for p in CONFIG_DIR.iterdir()
            if p.is_dir() and p.name != "hydra" and any(p.glob("*.yaml"))}


def _override_values(parsed) -> list:
    """The value(s) of an override: one, or each of a sweep's choices."""
    if parsed.is_sweep_override():
        from hydra.core.override_parser.types import ChoiceSweep

        value = parsed.value()
        return list(value.list) if isinstance(value, ChoiceSweep) else []
    try:
        return [parsed.value()]
    except HydraException:
        return []


def check_choices(choices, searchpath=()) -> None:
    """Every chosen config-group option must exist. Hydra skips a missing *optional* one
    (``policy``) silently, so ``policy=qualty_first`` would run without any policy.
    ``searchpath`` is ``hydra.searchpath`` (e.g. a ``marketsim-fit`` output directory)."""
    from hydra.core.global_hydra import GlobalHydra

    hydra_now = GlobalHydra.instance()
    loader = hydra_now.config_loader() if hydra_now.is_initialized() else None
    extra_dirs = [Path(sp[len("file://"):]) for sp in (searchpath or [])
                  if str(sp).startswith("file://")]
    for group, name in dict(choices).items():
        if name is None or group.startswith("hydra"):
            continue
        label = group.split("@")[0]
        if loader is not None:  # the whole search path, ``--config-dir`` additions included
            options = _group_options(loader, label)
        else:
            options = sorted(p.stem for p in (CONFIG_DIR / label).glob("*.yaml"))
        options += sorted(p.stem for d in extra_dirs for p in (d / label).glob("*.yaml"))
        if options and name not in options:
            raise UserError(f"{group}={name}: no such {label}; choose one of "
                            f"{', '.join(options)}")


_GROUP_OPTIONS: dict = {}


def _group_options(loader, label: str) -> list:
    """A group's options on the loader's search path, listed once per process and search
    path (a sweep in one process checks every job). They are read from the loader's own
    repository: ``loader.get_group_options`` first deep-copies that repository, the
    ConfigStore's schemas included (about 0.04 s a group), to list the same sources."""
    from hydra.core.object_type import ObjectType

    key = (label, tuple((e.provider, e.path) for e in loader.get_search_path().get_path()))
    if key not in _GROUP_OPTIONS:
        listed = loader.repository.get_group_options(label, ObjectType.CONFIG)
        _GROUP_OPTIONS[key] = [o for o in listed if o != "schema"]
    return list(_GROUP_OPTIONS[key])


def compose(overrides=()) -> AppConfig:
    """The typed config for ``overrides`` (for tests, benchmarks and experiments).

    Bad input raises ``UserError`` with the same one-line message as the command line.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    overrides = list(overrides)
    check_overrides(overrides)
    register_configs()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = hydra_compose("config", overrides=overrides, return_hydra_config=True)
            check_choices(cfg.hydra.runtime.choices, cfg.hydra.searchpath)
    except (HydraException, OmegaConfBaseException) as e:
        if full_error():
            raise
        raise UserError(explain_compose_error(e)) from None
    with read_write(cfg), open_dict(cfg):
        del cfg["hydra"]
    return to_app_config(cfg)


def scenarios() -> dict:
    """Scenario name -> one-line description, from the shipped scenario configs."""
    out = {}
    for path in sorted((CONFIG_DIR / "scenario").glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        out[path.stem] = data.get("description", "")
    return out


