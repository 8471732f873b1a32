"""The same statements the adapters issue, through the raw drivers, for adapter/raw ratios.

Each class mirrors what its adapter sends for get_user, save_integration and a
page of list_campaigns, minus validation, mapping and transaction handling;
``ingest`` is the driver's fastest bulk path (COPY, multi-row INSERT,
executemany, insert_many), and ``explain`` reports the access path of the
billing queries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from adapter_contracts.harness.engines.base import Endpoint
from adapter_contracts.harness.engines.mysql.provisioning import parse_mysql_dsn

Usage = tuple[datetime, Decimal, Decimal, str | None]
PG_INDEX = "idx_client_billing_client"


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


class Raw:
    """What every raw driver offers the benchmarks."""

    billing_index = PG_INDEX

    def get_user(self, user_id: str) -> object:
        raise NotImplementedError

    def save_integration(self, user_id: str, category: str, provider: str, data: dict[str, Any]) -> object:
        raise NotImplementedError

    def list_campaigns(self, user_id: str, limit: int) -> object:
        raise NotImplementedError

    def ingest(self, client_id: str, rows: Sequence[Usage]) -> None:
        raise NotImplementedError

    def analyze(self) -> None:
        """Refresh planner statistics after bulk loads."""

    def explain(self, query: str, client_id: str, lo: datetime, hi: datetime) -> tuple[bool, str]:
        """(uses the (client_id, timestamp, id) index, one-line access path) for "totals" or "listing"."""
        return False, "n/a"

    def close(self) -> None:
        """Release the connection."""


class PostgresRaw(Raw):
    def __init__(self, endpoint: Endpoint) -> None:
        import psycopg

        self.conn = psycopg.connect(endpoint.dsn, autocommit=True)
        self.conn.execute("SET TIME ZONE 'UTC'")

    def get_user(self, user_id: str) -> object:
        return self.conn.execute(
            "SELECT id, email, password_hash, name, created_at FROM users WHERE id = %s", (user_id,)).fetchone()

    def save_integration(self, user_id: str, category: str, provider: str, data: dict[str, Any]) -> object:
        return self.conn.execute(
            "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (%s, %s, %s, %s::jsonb)"
            " ON CONFLICT (user_id, category, provider) DO UPDATE SET data = EXCLUDED.data",
            (user_id, category, provider, json.dumps(data)))

    def list_campaigns(self, user_id: str, limit: int) -> object:
        return self.conn.execute(
            "SELECT id, user_id, created_at, payload FROM campaigns WHERE user_id = %s"
            " ORDER BY created_at, id LIMIT %s", (user_id, limit + 1)).fetchall()

    def ingest(self, client_id: str, rows: Sequence[Usage]) -> None:
        with self.conn.transaction(), self.conn.cursor().copy(
            'COPY client_billing (client_id, "timestamp", tokens_used, cost, admin_id) FROM STDIN'
        ) as copy:
            for ts, tokens, cost, admin in rows:
                copy.write_row((client_id, ts, tokens, cost, admin))

    def analyze(self) -> None:
        self.conn.execute("ANALYZE client_billing")

    def explain(self, query: str, client_id: str, lo: datetime, hi: datetime) -> tuple[bool, str]:
        sql = _SQL_QUERIES[query].replace("`timestamp`", '"timestamp"')
        row = self.conn.execute(f"EXPLAIN (FORMAT JSON) {sql}", (client_id, lo, hi)).fetchone()
        assert row is not None
        plan = row[0] if not isinstance(row[0], str) else json.loads(row[0])
        scans = [n for n in _walk(plan) if ("Node Type" in n and "Relation Name" in n) or "Index Name" in n]
        uses = any(n.get("Index Name") == PG_INDEX for n in scans)
        path = ", ".join(f"{n['Node Type']}" + (f" on {n['Index Name']}" if "Index Name" in n else "") for n in scans)
        return uses, path

    def close(self) -> None:
        self.conn.close()


#: The totals and listing statements both SQL adapters send (MySQL spelling).
_SQL_QUERIES = {
    "totals": "SELECT count(*), COALESCE(sum(tokens_used), 0), COALESCE(sum(cost), 0) FROM client_billing"
              " WHERE client_id = %s AND `timestamp` >= %s AND `timestamp` < %s",
    "listing": "SELECT id, client_id, `timestamp`, tokens_used, cost, admin_id FROM client_billing"
               " WHERE client_id = %s AND `timestamp` >= %s AND `timestamp` < %s ORDER BY `timestamp`, id LIMIT 101",
}


class MySQLRaw(Raw):
    def __init__(self, endpoint: Endpoint) -> None:
        address, _ = parse_mysql_dsn(endpoint.dsn)
        self.conn = address.connect(endpoint.database)
        with self.conn.cursor() as cur:
            cur.execute("SET SESSION time_zone = '+00:00'")
        self.cur = self.conn.cursor()

    def get_user(self, user_id: str) -> object:
        self.cur.execute("SELECT id, email, password_hash, name, created_at FROM users WHERE id = %s", (user_id,))
        return self.cur.fetchone()

    def save_integration(self, user_id: str, category: str, provider: str, data: dict[str, Any]) -> object:
        return self.cur.execute(
            "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (%s, %s, %s, %s)"
            " ON DUPLICATE KEY UPDATE data = VALUES(data)", (user_id, category, provider, json.dumps(data)))

    def list_campaigns(self, user_id: str, limit: int) -> object:
        self.cur.execute("SELECT id, user_id, created_at, payload FROM campaigns WHERE user_id = %s"
                         f" ORDER BY created_at, id LIMIT {limit + 1}", (user_id,))
        return self.cur.fetchall()

    def ingest(self, client_id: str, rows: Sequence[Usage]) -> None:
        # PyMySQL rewrites executemany of one INSERT ... VALUES into multi-row INSERTs
        # bounded by max_allowed_packet: the driver's best path short of LOAD DATA.
        self.conn.begin()
        self.cur.executemany(
            "INSERT INTO client_billing (client_id, `timestamp`, tokens_used, cost, admin_id)"
            " VALUES (%s, %s, %s, %s, %s)",
            [(client_id, ts.replace(tzinfo=None), tokens, cost, admin) for ts, tokens, cost, admin in rows])
        self.conn.commit()

    def analyze(self) -> None:
        self.cur.execute("ANALYZE TABLE client_billing")
        self.cur.fetchall()

    def explain(self, query: str, client_id: str, lo: datetime, hi: datetime) -> tuple[bool, str]:
        params = (client_id, lo.replace(tzinfo=None), hi.replace(tzinfo=None))
        self.cur.execute("EXPLAIN FORMAT=JSON " + _SQL_QUERIES[query], params)
        row = self.cur.fetchone()
        tables = [n for n in _walk(json.loads(row[0])) if "access_type" in n]
        uses = any(n.get("key") == PG_INDEX and n.get("access_type") in ("range", "ref") for n in tables)
        path = ", ".join(f"{n['access_type']} on {n.get('key')}" for n in tables)
        return uses, path

    def close(self) -> None:
        self.conn.close()


class SQLiteRaw(Raw):
    billing_index = "client_billing_client_time"

    def __init__(self, endpoint: Endpoint) -> None:
        self.conn = sqlite3.connect(str(endpoint.extra["path"]), isolation_level=None)

    def get_user(self, user_id: str) -> object:
        return self.conn.execute(
            "SELECT id, email, password_hash, name, created_at FROM users WHERE id = ?", (user_id,)).fetchone()

    def save_integration(self, user_id: str, category: str, provider: str, data: dict[str, Any]) -> object:
        return self.conn.execute(
            "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, category, provider) DO UPDATE SET data = excluded.data",
            (user_id, category, provider, json.dumps(data)))

    def list_campaigns(self, user_id: str, limit: int) -> object:
        return self.conn.execute(
            "SELECT id, user_id, created_at, payload FROM campaigns WHERE user_id = ?"
            " ORDER BY created_at, id LIMIT ?", (user_id, limit + 1)).fetchall()

    def ingest(self, client_id: str, rows: Sequence[Usage]) -> None:
        self.conn.execute("BEGIN")
        self.conn.executemany(
            "INSERT INTO client_billing (client_id, timestamp, tokens_used_units, cost_units, admin_id)"
            " VALUES (?, ?, ?, ?, ?)",
            [(client_id, int(ts.timestamp() * 1000), int(tokens * 10_000), int(cost * 10_000), admin)
             for ts, tokens, cost, admin in rows])
        self.conn.execute("COMMIT")

    def analyze(self) -> None:
        self.conn.execute("ANALYZE")

    def explain(self, query: str, client_id: str, lo: datetime, hi: datetime) -> tuple[bool, str]:
        sql = (_SQL_QUERIES[query].replace("`timestamp`", "timestamp").replace("%s", "?")
               .replace("tokens_used", "tokens_used_units").replace("cost", "cost_units"))
        rows = self.conn.execute("EXPLAIN QUERY PLAN " + sql,
                                 (client_id, int(lo.timestamp() * 1000), int(hi.timestamp() * 1000))).fetchall()
        path = "; ".join(str(r[-1]) for r in rows)
        return f"USING INDEX {self.billing_index}" in path or f"COVERING INDEX {self.billing_index}" in path, path

    def close(self) -> None:
        self.conn.close()


class MongomockRaw(Raw):
    """pymongo's API on the stand-in's own client, without the harness's per-call lock."""

    billing_index = "clientId_timestamp_seq"

    def __init__(self, endpoint: Endpoint) -> None:
        client = endpoint.extra["client"]
        self.db = getattr(client, "_target", client)[endpoint.database]

    def get_user(self, user_id: str) -> object:
        return self.db["users"].find_one({"_id": user_id})

    def save_integration(self, user_id: str, category: str, provider: str, data: dict[str, Any]) -> object:
        key = {"userId": user_id, "category": category, "provider": provider}
        return self.db["user_integrations"].update_one(key, {"$set": {"data": data}}, upsert=True)

    def list_campaigns(self, user_id: str, limit: int) -> object:
        return list(self.db["campaigns"].find({"userId": user_id}).sort([("createdAt", 1), ("_id", 1)])
                    .limit(limit + 1))

    def ingest(self, client_id: str, rows: Sequence[Usage]) -> None:
        from bson.decimal128 import Decimal128

        from adapter_contracts.adapters.mongo import format_timestamp

        # Far above the adapter's counter, so these never collide with its entry ids.
        start = 10**12 + self.db["client_billing"].count_documents({})
        self.db["client_billing"].insert_many([
            {"clientId": client_id, "timestamp": format_timestamp(ts), "tokensUsed": Decimal128(tokens),
             "cost": Decimal128(cost), "adminId": admin, "seq": start + i}
            for i, (ts, tokens, cost, admin) in enumerate(rows)])


def raw_for(endpoint: Endpoint) -> Raw | None:
    kinds: dict[str, type[Raw]] = {
        "postgres": PostgresRaw, "mysql": MySQLRaw, "sqlite": SQLiteRaw, "mongomock": MongomockRaw,
    }
    kind = kinds.get(endpoint.engine)
    return None if kind is None else kind(endpoint)
