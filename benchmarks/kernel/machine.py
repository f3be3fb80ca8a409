"""What the machine was doing and what was measured: process age, load, CPU steal, the
threading layer, the CPU model and the source commit. Plain ``/proc`` and ``git`` reads,
each returning None where the platform does not say."""

import os
import platform
import time


def process_age(t_script):
    """Seconds since this process started (Linux /proc, 10 ms resolution), and the origin;
    without /proc, since ``t_script`` (a ``time.perf_counter()`` taken at script start)."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime, in ticks
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start, "process start (/proc/self/stat)"
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - t_script, "script start (no /proc)"


def cpu_ticks():
    """(steal, total) jiffies of all CPUs from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return values[7], sum(values[:8])  # user..steal; guest time is inside user
    except (OSError, ValueError, IndexError):
        return None


def source_version():
    """Commit of the checkout and whether sim/ has uncommitted changes (what was measured)."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                              capture_output=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sim"], cwd=root,
                               text=True, capture_output=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "sim_uncommitted_changes": None}
    return {"git_commit": head or None, "sim_uncommitted_changes": bool(dirty)}


def load_average():
    """1-minute load average of the machine (other processes compete for the cores)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def steal_fraction(start, end):
    """Share of CPU time the hypervisor gave to other guests during the run."""
    if start is None or end is None or end[1] <= start[1]:
        return None
    return (end[0] - start[0]) / (end[1] - start[1])


def threading_layer(numba):
    try:
        return numba.threading_layer()
    except ValueError:
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
