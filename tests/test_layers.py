"""The layer rule (docs/architecture.md), checked on the source: imports point down, no cycle.

Every ``import`` in ``sim/`` (at module level or inside a function) is resolved to a
module of the package; an arrow from a layer to a higher one, between two packages of the
same layer (firm and market know nothing of each other), or from ``sim`` to the runners
is a failure, and so is a cycle among modules. Modules stay under 400 lines unless listed
in ``LONG_MODULES`` with the reason. The installed package list in ``pyproject.toml``
must name every package in the tree (a wheel would silently lack one otherwise).
"""

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"

# lower numbers are lower layers; a module may import only from strictly lower layers or
# from its own package. The most specific prefix wins.
LAYERS = {
    "sim.units": 0, "sim.seeds": 0, "sim.recorder": 0, "sim.errors": 0, "sim.analogies": 0,
    "sim.formatting": 0,
    "sim.config": 1, "sim.kernel": 1,
    "sim.firm": 2, "sim.market": 2,
    "sim.results": 3, "sim.calibration": 3,
    "sim.scenario": 4,
    "sim.plots": 5, "sim.game": 5,
    "sim.cli": 6,
    "sim.game.cli": 7, "sim.game.__main__": 7.5,
    "sim.studio": 8,
    "sim.commands": 9,
    "sim": 9,  # the package's lazy facade (sim/__init__.py)
}
# the top-level package of each layer, for "same layer, other package" arrows
LONG_MODULES = {
    # "sim.x.y": "why it must stay long",
}
MAX_LINES = 400


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def sim_modules() -> dict:
    return {module_name(p): p for p in SIM.rglob("*.py")}


def layer_of(mod: str) -> tuple:
    """(rank, the prefix that set it)."""
    best = None
    for prefix in LAYERS:
        if mod == prefix or mod.startswith(prefix + "."):
            if best is None or len(prefix) > len(best):
                best = prefix
    if best is None:
        raise AssertionError(f"{mod}: no layer in tests/test_layers.py LAYERS; add it")
    return LAYERS[best], best


def resolve(name: str, modules: dict) -> str | None:
    """The module of ``sim`` that ``name`` (a dotted import target) lands in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(mod: str, path: Path, modules: dict) -> list:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # "from pkg import sub" imports the submodule when there is one
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem
                       for a in node.names]
        else:
            continue
        for t in targets:
            if t.split(".")[0] in ("experiments", "benchmarks", "hydra_plugins", "tests"):
                out.append((node.lineno, t))
            elif t == "sim" or t.startswith("sim."):
                target = resolve(t, modules)
                if target is not None and target != mod:
                    out.append((node.lineno, target))
    return out


def graph() -> dict:
    modules = sim_modules()
    return {mod: imports_of(mod, path, modules) for mod, path in modules.items()}


def test_every_sim_module_has_a_layer():
    for mod in sim_modules():
        layer_of(mod)


def test_imports_point_down():
    bad = []
    for mod, targets in graph().items():
        rank, prefix = layer_of(mod)
        for line, target in targets:
            if target.split(".")[0] != "sim":
                bad.append(f"{mod}:{line} imports the runner {target}")
                continue
            trank, tprefix = layer_of(target)
            if tprefix == prefix or mod == "sim":
                continue  # inside one package (or the lazy facade)
            if trank >= rank:
                bad.append(f"{mod}:{line} -> {target} (layer {rank} {prefix} -> "
                           f"layer {trank} {tprefix})")
    assert not bad, "imports that point up or sideways:\n" + "\n".join(bad)


def _cycles(edges: dict) -> list:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    edges = {}
    for mod, targets in graph().items():
        # a package's __init__ re-exporting its own modules is not a cycle of meaning
        edges[mod] = {t for _, t in targets if t.startswith("sim")
                      and not (mod.endswith(t.rpartition(".")[0]) and t.startswith(mod + "."))}
    cycles = _cycles(edges)
    assert not cycles, f"import cycles: {cycles}"


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_kernel_imports_only_numpy_and_numba():
    allowed = {"numpy", "numba", "llvmlite", "math", "os", "time", "warnings", "importlib",
               "functools", "dataclasses", "typing", "collections", "sim", "__future__",
               "numba_cuda", "threading", "contextlib", "weakref",
               "ctypes",  # ctypes: a Generator's function pointers (sim.kernel.generator)
               "hashlib", "pathlib"}  # the Numba cache's key (sim.kernel._numba_cache)
    bad = []
    for path in (SIM / "kernel").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom)
                     and not node.level else [])
            for n in names:
                if n.split(".")[0] not in allowed:
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {n}")
    assert not bad, "\n".join(bad)


def test_domain_layers_do_not_import_io_or_plotting():
    banned = {"matplotlib", "seaborn", "hydra", "omegaconf", "pandas", "pyarrow"}
    bad = []
    for pkg in ("firm", "market"):
        for path in (SIM / pkg).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                bad += [f"{path.relative_to(ROOT)}:{node.lineno} imports {n}" for n in names
                        if n.split(".")[0] in banned]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("mod", sorted(sim_modules()))
def test_module_is_short(mod):
    lines = len(sim_modules()[mod].read_text().splitlines())
    if mod in LONG_MODULES:
        return
    assert lines <= MAX_LINES, f"{mod} has {lines} lines (> {MAX_LINES}); split it"


def test_pyproject_installs_every_package():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(cfg["tool"]["setuptools"]["packages"])
    found = set()
    for top in ("sim", "experiments", "benchmarks", "hydra_plugins"):
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(module_name(init))
    found.add("sim.configs")
    found.add("hydra_plugins")  # a namespace package (no __init__.py), listed so that an
    # editable install maps it and Hydra finds the plugins from any working directory
    found.discard("configs")
    assert found - listed == set(), f"packages missing from pyproject.toml: {found - listed}"
    assert listed - found == set(), f"listed packages that do not exist: {listed - found}"
    assert cfg["tool"]["setuptools"]["package-dir"]["sim.configs"] == "configs"


def test_test_file_names_are_unique():
    """pytest imports test files by basename (no __init__.py): two with one name break collection."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(ROOT)} and {path.relative_to(ROOT)}")
        seen[path.name] = path
    assert not clashes, clashes
