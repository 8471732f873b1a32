"""SQLite: an embedded engine that needs nothing installed.

Its adapter is the third-party example in :mod:`adapter_contracts.examples.sqlite_adapter`,
imported when the engine starts, so that the harness does not depend on the
example at import time: the engine only provisions a database file and hands
its path over.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from adapter_contracts.harness.engines.base import Endpoint, Engine, Layout
from adapter_contracts.harness.provision.common import ProvisionUnavailable
from adapter_contracts.harness.provision.local import owned_workdir

if TYPE_CHECKING:
    import sqlite3

    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig

__all__ = ["SQLiteEngine"]

EXAMPLE_MODULE = "adapter_contracts.examples.sqlite_adapter"
#: The work directory's name prefix: how the sweep recognises an ended run's database file.
WORKDIR_PREFIX = "contract-sqlite-"

Factory = Callable[[Endpoint], "Adapter"]


def _example_factory() -> Factory:
    try:
        module = importlib.import_module(EXAMPLE_MODULE)
    except ImportError as exc:
        raise ProvisionUnavailable(f"example adapter not importable: {exc}") from None
    return cast(Factory, module.make_adapter)


class SQLiteEngine(Engine):
    id = "sqlite"
    label = "SQLite"
    providers = ("file",)
    layout: ClassVar[Layout | None] = Layout("sqlite", "adapter_contracts.examples", "sqlite.schema.json")

    def __init__(self) -> None:
        super().__init__()
        self._conn: sqlite3.Connection | None = None
        self._tables: tuple[str, ...] = ()
        self._factory: Factory | None = None

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        import sqlite3

        factory = _example_factory()
        # A throwaway database: on tmpfs when there is one, so commits do not wait on disk syncs.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        directory, self.swept = owned_workdir(WORKDIR_PREFIX, None, stack, base=shm)
        path = str(directory / "contract.db")
        endpoint = Endpoint(
            engine=self.id, provider=provider, dsn=f"sqlite:///{path}", database=path,
            server_version=f"SQLite {sqlite3.sqlite_version}", driver="sqlite3 (stdlib)",
            extra={"path": path},
        )
        # The engine's own connection, for reset and snapshot only.  Foreign
        # keys stay off on it (SQLite's per-connection default), so tables can
        # be emptied in any order without cascades doing extra work.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
        stack.callback(self._close)
        self._conn = conn
        self._factory = factory
        # Reset and snapshots read the canonical tables, whatever else the adapter makes.
        assert self.layout is not None
        self._tables = self.layout.tables()
        return endpoint
    def present_tables(self) -> set[str]:
        return {name for (name,) in self._connection().execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")}

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("SQLite engine used before start()")
        return self._conn

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        factory = self._factory or _example_factory()
        return factory(endpoint)

    def reset(self) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in self._tables:
                conn.execute(f'DELETE FROM "{table}"')
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        conn = self._connection()
        result: dict[str, list[tuple[Any, ...]]] = {}
        # One read transaction, so every table is seen at the same instant.
        conn.execute("BEGIN")
        try:
            for table in self._tables:
                width = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
                order = ", ".join(str(i) for i in range(1, width + 1))
                result[table] = [tuple(row) for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')]
        finally:
            conn.execute("COMMIT")
        return result

    def introspect(self, endpoint: Endpoint) -> dict[str, Any]:
        from adapter_contracts.harness.engines.sqlite.introspection import introspect_path

        path = endpoint.extra.get("path") or endpoint.database or endpoint.dsn.removeprefix("sqlite:///")
        return introspect_path(str(path))

    def inspection_endpoint(self, dsn: str, database: str | None) -> Endpoint:
        path = database or self.database_of(dsn)
        if not Path(path).is_file():
            raise ValueError(f"no SQLite database file at {path}")
        return Endpoint(engine=self.id, provider="dsn", dsn=dsn, database=path, server_version="unknown",
                        driver="adapter_contracts.harness.schema", owned=False, extra={"path": path})

    def database_of(self, dsn: str) -> str:
        return dsn.removeprefix("sqlite:///")

    def shown(self, dsn: str) -> str:
        return dsn  # a file path: no password to mask
