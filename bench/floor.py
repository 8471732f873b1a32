"""The distance of a certification from its round-trip floor, per engine.

One serial certification run per engine (``CI=true pytest --engine E contracts``, the
Hypothesis ``ci`` profile, a throwaway local server unless CONTRACT_* variables name
one) with :mod:`bench.floor_plugin` loaded.  Per engine it reports the run's round
trips, the median of ``SELECT 1`` on the same server, the floor (round trips x that
median: what the run would cost if the server answered at once and Python took no
time), the ratio of the run's wall time to the floor, and where the CPU time went:
the pytest process by kind of code (sampled), the run's (pytest and the children it
waited for, which includes a MariaDB server it started itself), and the server's
processes (read from /proc while the run lasts; a server from a DSN is shared, so it
is left out).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from adapter_contracts.harness.provision.ownership import OWNER_FILE, parse_owner
from bench.timing import cpu_seconds, measured_env

ROOT = Path(__file__).resolve().parent.parent
#: Work directories of the throwaway servers, by the engines' prefixes (their LocalServerSpec).
SERVER_DIRS = ("contract-pg-", "contract-mysql-", "contract-mongod-")
KINDS = ("harness", "hypothesis", "adapter", "reference", "driver", "pytest and the rest")
_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, float] | None:
    """(start time, CPU seconds) of a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19], (int(fields[11]) + int(fields[12])) / _TICKS


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _servers_of(run_pid: int) -> list[int]:
    """Server processes (and their children: PostgreSQL's backends) whose work directory the run owns."""
    found: list[int] = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for arg in args:
            text = arg.decode(errors="replace")
            for prefix in SERVER_DIRS:
                at = text.find(prefix)
                if at < 0:
                    continue
                start = text.rfind("=", 0, at) + 1  # --datadir=/tmp/contract-mysql-x/data
                workdir = Path(text[start:at]) / text[at:].split("/", 1)[0]
                try:
                    record = parse_owner((workdir / OWNER_FILE).read_text())
                except OSError:
                    record = None
                if record and record.get("pid") == run_pid:
                    found.append(int(proc.name))
    family, frontier = set(found), list(found)
    while frontier:
        for child in _children(frontier.pop()):
            if child not in family:
                family.add(child)
                frontier.append(child)
    return sorted(family)


class ServerCpu:
    """CPU seconds of the run's servers, sampled while it lasts (a process's last figure before it ends)."""

    def __init__(self, run_pid: int) -> None:
        self.run_pid = run_pid
        self.seen: dict[tuple[int, str], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            for pid in _servers_of(self.run_pid):
                stat = _stat(pid)
                if stat is not None:
                    self.seen[(pid, stat[0])] = stat[1]

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(timeout=5)
        return sum(self.seen.values())


def run_floor(engine: str) -> dict[str, Any]:
    """One serial certification of ``engine`` with the floor plugin; its figures."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        out = Path(tmp) / "floor.json"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "bench.floor_plugin",
                   "--engine", engine, "adapter_contracts/contracts"]
        env = measured_env(CI="true", BENCH_FLOOR_OUT=str(out))
        before = cpu_seconds(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        server = ServerCpu(process.pid)
        output, _ = process.communicate(timeout=1800)
        wall = time.perf_counter() - began
        server_cpu = server.stop()
        after = cpu_seconds(resource.RUSAGE_CHILDREN)
        figures: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    tail = output.strip().splitlines()[-1] if output.strip() else ""
    trips = sum(figures.get("round_trips", {}).values())
    batches = figures.get("select_one_ms", {}).get(engine)
    median = statistics.median(batches) if batches else None
    floor = trips * median / 1000 if median else None
    cpu = figures.get("cpu_s", {})
    sampled = sum(cpu.values()) or 1.0
    process_cpu = after - before
    row: dict[str, Any] = {
        "engine": engine,
        "exit": process.returncode,
        "wall_s": round(wall, 1),
        "round_trips": trips,
        "select1_ms": round(median, 4) if median else None,
        "select1_range_ms": f"{min(batches):g}-{max(batches):g}" if batches else None,
        "select1_batches_ms": batches,
        "floor_s": round(floor, 2) if floor else None,
        "ratio": round(wall / floor, 1) if floor else None,
        "run_cpu_s": round(process_cpu, 1),
        "server_cpu_s": round(server_cpu, 1),
    }
    row.update({f"{kind} %": round(100 * cpu.get(kind, 0.0) / sampled) for kind in KINDS})
    row["summary"] = tail[-160:]
    # A certification that did not pass measured something else: keep what failed, to be told.
    row["failed"] = [line[:300] for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))][:20]
    return row
