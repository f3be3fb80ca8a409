"""Experiment runners: each answers a strategist's question with a sweep, a summary table,
comparison plots and a report (``python -m experiments.NAME key=value ...``)."""

import sys

# the modules ``python -m experiments.NAME`` runs; the others are their shared parts
RUNNERS = ("generation_timing", "launch_timing", "marketing_mix", "policy_search", "pricing",
           "research_value", "risk", "rollout", "sensitivity", "stylized_facts", "team_size")


def not_a_runner(module: str) -> None:
    """Run as ``python -m`` a module that is a part of the runners, not one of them: say so
    in one line and exit 2 (it exited 0 having done nothing)."""
    print(f"{module}: error: a part of the experiment runners, not a runner; run one of: "
          + ", ".join(f"python -m experiments.{name}" for name in RUNNERS), file=sys.stderr)
    sys.exit(2)
