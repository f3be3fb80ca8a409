"""A runner's command line: ``key=value`` arguments into settings and job overrides.

``python -m experiments.NAME [quick=true] [seeds=N] [out=DIR] [launcher=joblib|ray|basic]
[jobs=N] [<experiment keys>] [<marketsim overrides>]``. Booleans take true/false and the
usual spellings (yes/no, on/off, 1/0) and refuse anything else; ``seed=`` and
``replications=`` are the runner's own (it runs ``seeds`` seeds per option), so they are
refused with the key to use instead.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, fields
from pathlib import Path


class ExperimentError(Exception):
    """Bad experiment input (exit status 2) or failed jobs (``code=1``): one line."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


TRUE_WORDS = ("true", "yes", "on", "1", "y", "t")
FALSE_WORDS = ("false", "no", "off", "0", "n", "f")
# the runner owns these: it runs ``seeds`` seeds, one replication each
RUNNER_KEYS = {"seed": "seeds=N (the runner runs seeds 0..N-1 of every option)",
               "replications": "seeds=N (each seed is one job)"}


def _shadowed(key: str, value: str) -> str:
    """Where a runner's own key has the name of a scenario setting (``risk``'s ``draws``,
    its number of input draws, and the scenario's ``draws``, how its random numbers are
    drawn), how to reach the scenario's: Hydra's ``++``; else nothing."""
    from sim.config.scenario import ScenarioConfig

    if key not in {f.name for f in fields(ScenarioConfig)}:
        return ""
    return (f" ({key} here is this runner's own setting; the scenario's {key} is set "
            f"with ++{key}={value})")


def parse_bool(key: str, text: str) -> bool:
    """``true``/``false`` and the usual spellings (yes/no, on/off, 1/0), else an error."""
    low = str(text).strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise ExperimentError(f"{key} must be true or false (or yes/no, on/off, 1/0), got {text!r}")


@dataclass
class Options:
    name: str
    quick: bool = False
    seeds: int = 10
    out: Path = Path(".")
    launcher: str = "joblib"
    jobs: int | None = None
    overrides: list = field(default_factory=list)  # passed to every job
    keys: dict = field(default_factory=dict)  # experiment-specific settings

    def __getitem__(self, key):
        return self.keys[key]


def quick_horizon(opts: Options, days: int) -> list:
    """``["horizon_days=DAYS"]`` for a quick run whose user did not set ``horizon_days``
    (the user's value holds, as docs/experiments.md says; appended after it, the quick
    horizon had overridden it in seven runners), else []."""
    if not opts.quick or any(o.lstrip("+").startswith("horizon_days=") for o in opts.overrides):
        return []
    return [f"horizon_days={days}"]


def _parse_value(text: str):
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_args(name: str, argv, keys: dict, quick_seeds: int = 3, seeds: int = 20) -> Options:
    """Split ``key=value`` arguments into experiment settings and job overrides.

    ``keys`` maps the runner's own keys to their defaults (their types are enforced).
    """
    opts = Options(name=name, seeds=seeds, out=Path("experiments_out") / name,
                   keys=dict(keys))
    seeds_given = False
    for arg in argv:
        if "=" not in arg or arg.startswith(("=", "-")):
            raise ExperimentError(f"arguments are key=value, got {arg!r}")
        key, value = arg.split("=", 1)
        if key.lstrip("+~") in RUNNER_KEYS:
            raise ExperimentError(f"{key}= is set by the runner; use "
                                  f"{RUNNER_KEYS[key.lstrip('+~')]}, got {arg!r}")
        if key == "quick":
            opts.quick = parse_bool(key, value)
        elif key == "seeds":
            opts.seeds = _positive_int(key, value)
            seeds_given = True
        elif key == "out":
            if not value.strip():
                raise ExperimentError("out must be a directory, got ''")
            opts.out = Path(value)
            if opts.out.exists() and not opts.out.is_dir():
                raise ExperimentError(f"out must be a directory, got {value!r}, which is a file")
        elif key == "launcher":
            if value not in ("joblib", "ray", "basic"):
                raise ExperimentError(f"launcher must be one of joblib, ray, basic; got {value!r}")
            opts.launcher = value
        elif key == "jobs":
            opts.jobs = _positive_int(key, value)
        elif key in opts.keys:
            default = opts.keys[key]
            parsed = _parse_value(value)
            if isinstance(default, bool):
                parsed = parse_bool(key, value)
            if isinstance(default, (int, float)) and not isinstance(default, bool):
                if not isinstance(parsed, (int, float)) or isinstance(parsed, bool):
                    raise ExperimentError(f"{key} must be a number, got {value!r}"
                                          + _shadowed(key, value))
                if not math.isfinite(parsed):
                    raise ExperimentError(f"{key} must be a finite number, got {value!r}")
                if isinstance(default, float):
                    parsed = float(parsed)
                elif parsed != int(parsed):  # a count (trials, draws, n): refused before
                    # anything runs, not after the whole design (n=2.5 failed at its end)
                    raise ExperimentError(f"{key} must be a whole number, got {value!r}")
                else:
                    parsed = int(parsed)
            if isinstance(default, list):
                parsed = [_parse_value(v) for v in value.strip("[]").split(",") if v]
                if not parsed:  # an empty list had run the runner's default values
                    raise ExperimentError(f"{key} lists nothing, got {value!r}: give at "
                                          f"least one value, or leave {key} out for the "
                                          "runner's defaults")
            opts.keys[key] = parsed
        else:
            _check_not_misspelt(key, opts)
            opts.overrides.append(arg)
    if opts.quick and not seeds_given:
        opts.seeds = quick_seeds
    claim_out(opts)
    return opts


RUNNER_MARK = ".marketsim_runner"  # in out/: the runner whose outputs the folder holds


def claim_out(opts: Options) -> None:
    """Refuse an ``opts.out`` that holds another runner's outputs (``mark_out``): its
    report, summary and sweep were replaced while the other runner's files stayed beside
    them (pricing over a risk run kept the risk's draws.csv and plots). A folder with no
    mark (new, or written before the mark existed) is taken. Nothing is written here."""
    mark = opts.out / RUNNER_MARK
    other = mark.read_text().strip() if mark.is_file() else ""
    if other and other != opts.name:
        raise ExperimentError(f"out={opts.out} holds the outputs of experiments.{other}; "
                              f"choose another out= for experiments.{opts.name} (or remove "
                              "that folder)")


def mark_out(opts: Options) -> None:
    """Mark ``opts.out`` as this runner's, when it first writes there (``run_sweep``,
    ``write_report``): bad input, refused before, leaves no folder."""
    opts.out.mkdir(parents=True, exist_ok=True)
    mark = opts.out / RUNNER_MARK
    if not mark.is_file():
        mark.write_text(opts.name + "\n")


RUNNER_OPTIONS = ("quick", "seeds", "out", "launcher", "jobs")


def _check_not_misspelt(key: str, opts: Options) -> None:
    """A top-level key close to one of the runner's own options (``qick``) is refused here,
    naming the runner's options; the scenario's keys pass on to the jobs' composition."""
    from sim.cli.messages import TOP_GROUPS
    from sim.config.scenario import AppConfig

    own = [*RUNNER_OPTIONS, *opts.keys]
    scenario = {f.name for f in fields(AppConfig)} | set(TOP_GROUPS)
    if "." in key or key.startswith(("+", "~")) or key in own or key in scenario:
        return
    close = difflib.get_close_matches(key, own, n=1, cutoff=0.75)
    if close:
        raise ExperimentError(f"unknown key {key!r}; did you mean {close[0]!r}? (this runner "
                              f"takes {', '.join(own)}; other keys set the scenario)")


def _positive_int(key, value):
    try:
        n = int(value)
    except ValueError:
        raise ExperimentError(f"{key} must be a whole number >= 1, got {value!r}") from None
    if n < 1:
        raise ExperimentError(f"{key} must be a whole number >= 1, got {value!r}")
    return n


if __name__ == "__main__":
    from experiments import not_a_runner

    not_a_runner("experiments.options")
