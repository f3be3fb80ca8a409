"""A small sweep on a local Ray instance through hydra-ray-launcher (the cluster path), and
that no socket the sweep opened listens beyond loopback (issue 14)."""

import ipaddress
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

pytest.importorskip("hydra_plugins.hydra_ray_launcher")
ray = pytest.importorskip("ray")  # noqa: F841 - psutil ships inside ray's third-party files
psutil = pytest.importorskip("psutil")


def is_loopback(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%")[0])
    mapped = getattr(addr, "ipv4_mapped", None)
    return (mapped or addr).is_loopback


def _watch_listeners(root_pid, stop, seen):
    """Record every listening socket of ``root_pid`` and its descendants until ``stop``."""
    while not stop.is_set():
        try:
            root = psutil.Process(root_pid)
            pids = {root_pid} | {p.pid for p in root.children(recursive=True)}
        except psutil.NoSuchProcess:
            break
        for pid in pids:
            try:
                conns = psutil.Process(pid).net_connections(kind="inet")
                name = psutil.Process(pid).name()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            for c in conns:
                if c.status == psutil.CONN_LISTEN:
                    seen.add((name, c.laddr.ip, c.laddr.port))
        time.sleep(0.2)


def test_ray_local_sweep_writes_the_combined_table_and_listens_on_loopback_only(tmp_path):
    sweep = tmp_path / "sweep"
    env = {k: v for k, v in __import__("os").environ.items() if k != "RAY_AUTH_MODE"}
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "-m", "hydra/launcher=ray_local",
         "scenario=baseline,price_war", "seed=0,1", "horizon_days=200", "plots=false",
         f"hydra.sweep.dir={sweep}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    stop, seen = threading.Event(), set()
    watcher = threading.Thread(target=_watch_listeners, args=(proc.pid, stop, seen),
                               daemon=True)
    watcher.start()
    try:
        output, _ = proc.communicate(timeout=300)
    finally:
        stop.set()
        watcher.join()
        proc.kill()
    assert proc.returncode == 0, output[-2000:]
    assert "include_dashboard': False" in output
    assert seen, "saw no listening socket: the watcher missed Ray"
    assert {name for name, _, _ in seen} & {"gcs_server", "raylet"}, seen
    wide = sorted(s for s in seen if not is_loopback(s[1]))
    assert not wide, f"listening beyond loopback: {wide}"
    table = pd.read_parquet(sweep / "kpis.parquet")
    assert len(table) == 4
    assert (table["status"] == "ok").all()
    assert sorted(zip(table["override.scenario"], table["override.seed"], strict=True)) == [
        ("baseline", "0"), ("baseline", "1"), ("price_war", "0"), ("price_war", "1")]
    assert table["npv"].notna().all()
