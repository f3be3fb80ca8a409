"""The sweeper's and the launcher's parse of the jobs' override lines (``JobOverrides``).

Every job of a sweep repeats the command line's other overrides, and a seed sweep's own
line (``seed=17``) is a plain key and a whole number: ``JobOverrides`` parses each distinct
line once and makes ``key=N`` lines without Hydra's grammar. Both must give exactly what
``OverridesParser.parse_overrides`` gives (equal ``Override`` objects, the same errors),
and ``is_plain_value`` the same split into plain values and structural overrides.
"""

import pytest
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType
from hydra.errors import OverrideParseException

from hydra_plugins.marketsim_sweeper.marketsim_sweeper import JobOverrides
from sim.cli import CONFIG_DIR
from sim.config.store import register_configs

# whole numbers in every spelling the grammar takes, keys that are grammar words, and the
# structural and value overrides a sweep's jobs carry
LINES = [
    "seed=0", "seed=7", "seed=10", "seed=9999", "seed=12345678901234567890123",
    "seed=00", "seed=07", "seed=1_000", "seed=-1", "seed=+1", "seed=1.0", "seed=1e3",
    "seed= 3", "seed=3 ", "Seed=3", "true=1", "null=0", "inf=5", "nan=2", "False=1",
    "int=2", "_a=3", "x_1=10", "a-b=3", "a.b=3", "a/b=3", "+seed=3", "++seed=3", "~seed",
    "~seed=3", "seed@pkg=3", "scenario=price_war", "outputs=compact", "plots=false",
    "horizon_days=150", "firm.pricing.list_price=249", "firm.pricing.list_price=249.5",
    "hydra.job.chdir=true", "hydra/launcher=marketsim", "description='a b'",
    "output_tables=[timeseries,pnl]", "seed=${x}", "replications=2", "seed=", "=3",
    "seed=1,2",
]


@pytest.fixture(scope="module")
def loader():
    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        yield GlobalHydra.instance().config_loader()


def reference_plain_value(override, loader) -> bool:
    """The plain-value test as the sweeper made it before ``JobOverrides`` (the twin)."""
    key = override.key_or_group
    return (override.type == OverrideType.CHANGE and override.package is None
            and not key.startswith("hydra") and "/" not in key
            and not loader.repository.group_exists(key))


def test_each_line_parses_to_the_grammars_override(loader):
    parser = OverridesParser.create(config_loader=loader)
    lines = JobOverrides(loader)
    fast = []
    for line in LINES:
        want = parser.parse_overrides([line])
        for _ in range(2):  # the first parse and the kept one
            got = lines.parse([line])
            assert got == want, line
            assert type(got[0].value()) is type(want[0].value()), line
            assert got[0].input_line == line
        if line not in lines._parsed:  # made without the grammar
            fast.append(line)
    assert fast == ["seed=0", "seed=7", "seed=10", "seed=9999", "seed=12345678901234567890123",
                    "Seed=3", "true=1", "null=0", "inf=5", "nan=2", "False=1", "int=2", "_a=3",
                    "x_1=10", "horizon_days=150", "replications=2"]
    # a job's whole list, in order, with repeats
    job = ["seed=4", "outputs=compact", "seed=4", "scenario=price_war", "plots=false"]
    assert lines.parse(job) == parser.parse_overrides(job)


def test_each_call_gets_copies(loader):
    lines = JobOverrides(loader)
    first = lines.parse(["outputs=compact", "seed=3"])
    first[0].input_line = "changed"
    first[1].input_line = "changed"
    again = lines.parse(["outputs=compact", "seed=3"])
    assert [o.input_line for o in again] == ["outputs=compact", "seed=3"]


@pytest.mark.parametrize("bad", ["seed=[1,2", "seed=3=4", "a b=3", "seed=(", "seed"])
def test_a_bad_line_raises_the_grammars_error(loader, bad):
    parser = OverridesParser.create(config_loader=loader)
    with pytest.raises(OverrideParseException) as want:
        parser.parse_overrides(["seed=1", bad])
    with pytest.raises(OverrideParseException) as got:
        JobOverrides(loader).parse(["seed=1", bad])
    assert str(got.value) == str(want.value)


def test_plain_values_are_split_as_before(loader):
    parser = OverridesParser.create(config_loader=loader)
    lines = JobOverrides(loader)
    for line in LINES:
        o = parser.parse_overrides([line])[0]
        for _ in range(2):
            assert lines.is_plain_value(o) == reference_plain_value(o, loader), line
    plain = {line for line in LINES
             if lines.is_plain_value(parser.parse_overrides([line])[0])}
    assert "seed=7" in plain and "firm.pricing.list_price=249" in plain
    assert not plain & {"scenario=price_war", "+seed=3", "~seed", "hydra.job.chdir=true",
                        "hydra/launcher=marketsim", "seed@pkg=3"}
