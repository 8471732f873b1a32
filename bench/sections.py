"""The benchmark sections.  Each returns rows (dicts) for one table of the report."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from adapter_contracts.adapters.errors import Unsupported
from adapter_contracts.adapters.records import UsageInput
from adapter_contracts.harness.session import StartedEngine
from bench.raw import Raw, Usage
from bench.timing import Stats, measure, once

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PAYLOAD: dict[str, Any] = {"token": "x" * 40, "scopes": ["read", "write"], "expires": 3600, "nested": {"a": 1}}
Row = dict[str, Any]


def _ratio(adapter: Stats, raw: Stats | None) -> float | None:
    return None if raw is None or raw.median_ms <= 0 else round(adapter.median_ms / raw.median_ms, 2)


# -- reset -------------------------------------------------------------------------


def reset(engine_id: str, started: StartedEngine, repeat: int) -> list[Row]:
    """Median per-test reset with a few rows in every table (what a contract leaves behind)."""
    adapter = started.adapter
    counter = itertools.count()

    def dirty() -> None:
        n = next(counter)
        user = adapter.create_user(email=f"r{n}@example.com", password_hash="h", id=f"u{n}")
        adapter.save_user_setup(user.id, is_setup_complete=True, setup_data={"a": 1})
        adapter.save_user_workspace(user.id, {"w": 1})
        adapter.save_integration(user.id, "crm", "hub", {"k": 1})
        adapter.create_campaign(user_id=user.id, payload={"c": 1}, id=f"c{n}")
        client = adapter.create_client(payload={"p": 1}, id=f"k{n}")
        adapter.link_admin(user.id, client.id)
        adapter.save_oauth(client.id, "ads", {"t": 1})
        adapter.save_client_campaign(f"cc{n}", client_id=client.id, payload={"x": 1})
        adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=1, admin_id=user.id)

    empty = measure(started.engine.reset, repeat)
    samples = []
    for _ in range(repeat):
        dirty()
        samples.append(once(started.engine.reset))
    samples.sort()
    return [{
        "engine": engine_id,
        "empty_median_ms": round(empty.median_ms, 3),
        "dirty_median_ms": round(statistics.median(samples) * 1000, 3),
        "dirty_p95_ms": round(samples[int(0.95 * (len(samples) - 1))] * 1000, 3),
        "n": repeat,
    }]


# -- point operations --------------------------------------------------------------


def point(engine_id: str, started: StartedEngine, raw: Raw | None, repeat: int) -> list[Row]:
    adapter = started.adapter
    started.engine.reset()
    user = adapter.create_user(email="p@example.com", password_hash="h" * 60, name="P", id="pu")
    for i in range(60):
        adapter.create_campaign(user_id=user.id, payload={"i": i}, id=f"pc{i:03d}",
                                created_at=T0 + timedelta(seconds=i))
    adapter.save_integration(user.id, "crm", "hub", PAYLOAD)
    ops: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("get_user", lambda: adapter.get_user("pu"), raw and (lambda: raw.get_user("pu"))),
        ("save_integration (upsert)", lambda: adapter.save_integration("pu", "crm", "hub", PAYLOAD),
         raw and (lambda: raw.save_integration("pu", "crm", "hub", PAYLOAD))),
        ("list_campaigns page of 20", lambda: adapter.list_campaigns("pu", limit=20),
         raw and (lambda: raw.list_campaigns("pu", 20))),
    ]
    rows = []
    for name, through_adapter, through_raw in ops:
        a = measure(through_adapter, repeat)
        r = measure(through_raw, repeat) if through_raw is not None else None
        rows.append({
            "engine": engine_id, "operation": name,
            "adapter_median_ms": round(a.median_ms, 3), "adapter_p95_ms": round(a.p95_ms, 3),
            "raw_median_ms": None if r is None else round(r.median_ms, 3),
            "raw_p95_ms": None if r is None else round(r.p95_ms, 3),
            "adapter/raw": _ratio(a, r),
        })
    return rows


# -- bulk ingest -------------------------------------------------------------------


def usage_rows(n: int, admin: str | None = None, start: int = 0, spacing: int = 1) -> list[Usage]:
    """``n`` entries ``spacing`` seconds apart from T0 + ``start`` seconds."""
    return [(T0 + timedelta(seconds=start + i * spacing), Decimal(i % 1000), Decimal("0.0125"), admin)
            for i in range(n)]


def ingest(engine_id: str, started: StartedEngine, raw: Raw | None, n: int) -> list[Row]:
    adapter = started.adapter
    started.engine.reset()
    adapter.create_user(email="a@example.com", password_hash="h", id="admin")
    adapter.create_client(payload={}, id="ingest")
    rows = usage_rows(n, "admin")
    inputs = [UsageInput(ts, tokens, cost, admin) for ts, tokens, cost, admin in rows]

    def singles() -> None:
        for ts, tokens, cost, admin in rows:
            adapter.record_usage("ingest", timestamp=ts, tokens_used=tokens, cost=cost, admin_id=admin)

    def batch() -> None:
        for i in range(0, n, 10_000):  # BATCH_MAX per call
            adapter.record_usage_batch("ingest", inputs[i:i + 10_000])

    paths: list[tuple[str, Callable[[], None] | None]] = [
        ("record_usage x N", singles),
        ("record_usage_batch", None if "usage_batch" in type(adapter).unsupported else batch),
        ("raw best path", None if raw is None else (lambda: raw.ingest("ingest", rows))),
    ]
    results: dict[str, float | None] = {}
    for name, action in paths:
        if action is None:
            results[name] = None
            continue
        try:
            results[name] = n / once(action)
        except Unsupported:
            results[name] = None
    best = results["raw best path"]
    out = []
    for name, rate in results.items():
        out.append({
            "engine": engine_id, "path": name, "rows": n,
            "rows_per_s": None if rate is None else round(rate),
            "vs_raw_best": None if rate is None or not best else round(rate / best, 3),
        })
    return out


# -- billing windows ---------------------------------------------------------------


def scaling(engine_id: str, started: StartedEngine, raw: Raw | None, sizes: list[int], repeat: int) -> list[Row]:
    """Totals and a first listing page for one client among ten, table grown step by step.

    The target client gets one entry per second from T0; nine others get one
    entry every ten seconds over the same span (the table holds 1.9 times the
    target's entries, a tenth of them the target's neighbours' in the
    index).  After each growth step every
    window size up to the current table is timed, so a column that stays flat
    while the table grows shows the cost follows the window, not the table.
    """
    adapter = started.adapter
    started.engine.reset()
    others = [f"other{i}" for i in range(9)]
    for client in ["target", *others]:
        adapter.create_client(payload={}, id=client)

    def load(count: int, start: int) -> None:
        for client in ["target", *others]:
            rows = usage_rows(count, None, start) if client == "target" else usage_rows(count // 10, None, start, 10)
            if raw is not None:
                raw.ingest(client, rows)
            else:
                for i in range(0, len(rows), 10_000):  # BATCH_MAX per call
                    adapter.record_usage_batch(client, [UsageInput(*r) for r in rows[i:i + 10_000]])

    out: list[Row] = []
    loaded = 0
    for size in sizes:
        load(size - loaded, loaded)
        loaded = size
        if raw is not None:
            raw.analyze()
        windows = [(w, T0, T0 + timedelta(seconds=w)) for w in sizes if w <= size]
        narrow = (10, T0 + timedelta(seconds=size // 2), T0 + timedelta(seconds=size // 2 + 10))
        for w, lo, hi in [*windows, narrow]:
            totals = measure(lambda lo=lo, hi=hi: adapter.usage_totals("target", start=lo, end=hi),
                             repeat, warmup=1)
            page = measure(lambda lo=lo, hi=hi: adapter.list_usage("target", start=lo, end=hi, limit=100),
                           repeat, warmup=1)
            check = adapter.usage_totals("target", start=lo, end=hi)
            assert check.count == w, (check, w)
            row: Row = {
                "engine": engine_id, "table_rows": size + 9 * (size // 10), "window": w,
                "totals_median_ms": round(totals.median_ms, 3), "page100_median_ms": round(page.median_ms, 3),
            }
            if raw is not None and engine_id != "mongomock":
                for query in ("totals", "listing"):
                    uses, path = raw.explain(query, "target", lo, hi)
                    row[f"{query}_index"] = uses
                    row[f"{query}_plan"] = path
            out.append(row)
    return out
