"""Whole-suite wall time per engine, and Hypothesis examples per second, from subprocess runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.timing import measured_env

ROOT = Path(__file__).resolve().parent.parent


def run_suite(engine: str | None, workers: int | None = None, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """One pytest run (Hypothesis ci profile, as CI runs it); wall time, outcome counts, examples/s."""
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp:
        out = Path(tmp) / "examples.json"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "bench.examples_plugin"]
        if engine is not None:
            command += ["--engine", engine]
        if workers is not None:
            command += ["-n", str(workers)]
        command += list(extra)
        env = measured_env(CI="true", BENCH_EXAMPLES_OUT=str(out))
        began = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        # Under xdist every worker writes the file; only the serial runs count examples.
        runs = json.loads(out.read_text()) if out.exists() else []
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-200:]
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|errors?|xfailed)", tail)}
    examples = sum(n for _, n, _ in runs)
    seconds = sum(s for _, n, s in runs if n)
    model = [(n, s) for node, n, s in runs if "test_model" in node]
    return {
        "engine": engine or "all",
        "workers": workers or 0,
        "wall_s": round(wall, 1),
        "exit": done.returncode,
        **counts,
        "hypothesis_examples": examples,
        "examples_per_s": round(examples / seconds, 1) if seconds else None,
        "model_examples_per_s": round(sum(n for n, _ in model) / sum(s for _, s in model), 1)
        if model and sum(s for _, s in model) else None,
        "summary": tail[-160:],
    }
