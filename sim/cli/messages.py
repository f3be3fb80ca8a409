"""One-line messages for bad input: composition errors, unknown keys, the run context.

``RunContext`` is what one ``main()`` call shares with its Hydra callbacks (the user's own
``HYDRA_FULL_ERROR`` and the sweep's failed jobs); it lives in a context variable that
``main()`` sets and resets, so nothing outlives the call.
"""

import contextvars
import difflib
import os
import re
import sys
import traceback
from dataclasses import dataclass, field

from hydra.errors import MissingConfigException
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf._utils import is_structured_config
from omegaconf.errors import (
    ConfigAttributeError,
    ConfigKeyError,
    InterpolationResolutionError,
    OmegaConfBaseException,
    ValidationError,
)

from sim.errors import MarketsimError

UserError = MarketsimError  # the command line's name for it
GRAMMAR_URL = "https://hydra.cc/docs/advanced/override_grammar/basic/"


@dataclass
class RunContext:
    full_error: bool = False  # HYDRA_FULL_ERROR as the user set it (main() forces it on)
    failed_jobs: list = field(default_factory=list)
    # (staging, final): a run into a directory that holds an earlier run goes to a new
    # staging directory first, and replaces the earlier run only when it succeeds
    replace: tuple | None = None
    held: list = field(default_factory=list)  # open files (a sweep's lock) closed by main()


CONTEXT: contextvars.ContextVar = contextvars.ContextVar("marketsim_run", default=None)


def full_error() -> bool:
    ctx = CONTEXT.get()
    if ctx is not None:
        return ctx.full_error
    return os.environ.get("HYDRA_FULL_ERROR") == "1"


def one_line(message) -> str:
    """``message`` on one line (the lines of a multi-line message joined by '; ')."""
    lines = [ln.strip() for ln in str(message).splitlines() if ln.strip()]
    return "; ".join(lines) if lines else "unknown error"


def report(message) -> None:
    """One line on stderr and exit status 2 (with the traceback too under HYDRA_FULL_ERROR=1)."""
    if full_error() and sys.exc_info()[0] is not None:
        traceback.print_exc()
    print(f"marketsim: error: {one_line(message)}", file=sys.stderr)
    raise SystemExit(2)


TOP_GROUPS = ("scenario", "policy")  # config groups chosen at the top level, not keys


def unknown_key_message(full_key: str, key: str, allowed) -> str:
    allowed = [str(k) for k in allowed if k != "hydra"]
    parent = full_key[: len(full_key) - len(key)].rstrip(".") or "the top level"
    top = parent == "the top level"
    close = difflib.get_close_matches(key, allowed + list(TOP_GROUPS if top else ()), n=1,
                                      cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    groups = (f"; and the config groups {', '.join(f'{g}=NAME' for g in TOP_GROUPS)}"
              if top else "")
    return f"unknown key {full_key!r}{hint} ({parent} takes: {', '.join(allowed)}{groups})"


_EXPECTED = [
    (r"converted to Integer", "a whole number"),
    (r"converted to Float", "a number"),
    (r"valid bool|converted to Boolean", "true or false"),
    (r"Cannot convert '\w+' to string", "a single text value"),
]


def explain_compose_error(e: Exception) -> str:
    """One line for a Hydra/OmegaConf composition error: the key and what is allowed."""
    if isinstance(e, MissingConfigException) and e.options is not None:
        group, _, name = (e.missing_cfg_file or "").rpartition("/")
        options = [o for o in e.options if o != "schema"]
        hint = " (`marketsim list` describes them)" if group == "scenario" else ""
        return f"{group}={name}: no such {group}; choose one of {', '.join(options)}{hint}"
    cause = e if isinstance(e, OmegaConfBaseException) else e.__cause__
    if isinstance(cause, InterpolationResolutionError):
        key = cause.full_key or "a value"
        reason = (cause.msg or str(cause)).splitlines()[0].strip().rstrip(".")
        return (f"{key}: cannot resolve the interpolation in its value ({reason}); give "
                f"{key} a plain value")
    if isinstance(cause, OmegaConfBaseException) and cause.full_key:
        key, parent = cause.full_key, cause.parent_node
        if isinstance(cause, (ConfigKeyError, ConfigAttributeError)) and parent is not None:
            if isinstance(parent, DictConfig) and not is_structured_config(
                    OmegaConf.get_type(parent)):
                have = ", ".join(str(k) for k in parent.keys()) or "none"
                owner = key.rsplit(".", 1)[0]
                if owner.endswith("rollout"):  # keyed by the market's regions
                    if have == "none":
                        return (f"{key}: {owner} takes the market's regions, and this market "
                                "has none (market.regions is empty; scenario=global_rollout "
                                "has some)")
                    return (f"{key}: {owner} takes the market's regions (it has: {have}); a "
                            f"region of market.regions not listed is added with "
                            f"+{owner}.REGION=DAY")
                return (f"{key}: {owner} has no entry {str(cause.key)!r} to change (it has: "
                        f"{have}); add one with +{key}=VALUE")
            return unknown_key_message(key, str(cause.key), list(parent.keys()))
        msg = cause.msg.splitlines()[0] if cause.msg else ""
        if isinstance(cause, ValidationError):
            if (isinstance(parent, ListConfig) and isinstance(cause.key, int)
                    and cause.key >= len(parent)):
                if len(parent) == 0:  # a list given whole, with an item of the wrong kind
                    return (f"{key.rsplit('[', 1)[0]}: each item must be a group of "
                            f"settings (KEY: VALUE, ...), got {cause.value!r} at {key}")
                return (f"{key}: no such item; {key.rsplit('[', 1)[0]} has {len(parent)} "
                        f"(indices 0 to {len(parent) - 1})")
            if "is not Optional" in msg:
                return (f"{key} cannot be null: it takes a value (`marketsim --cfg job` "
                        "shows the default)")
            if msg.startswith("Invalid type assigned") and "is not a subclass of" in msg:
                return (f"{key} is a group of settings, not a single value: set one of its "
                        f"keys, e.g. {key}.KEY=VALUE (`marketsim --cfg job` shows them)")
            for pattern, expected in _EXPECTED:
                if re.search(pattern, msg):
                    return f"{key} must be {expected}, got {cause.value!r}"
        return f"{key}: {msg}"
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Config search path", "provider=",
                                                        "Set the environment", "See https",
                                                        "full_key:", "object_type=",
                                                        "reference_type="))]
    return " ".join(lines)


