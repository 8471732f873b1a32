"""The MongoDB stand-in: mongomock, in process, labelled as a stand-in and never certified as MongoDB.

It provisions through the real engine's database functions (a ``contract_<hex>``
database holding the run's owner record, swept and dropped the same way), on
its mongomock client, so every default run exercises them.
"""

from __future__ import annotations

import functools
import threading
import time
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, ClassVar

from adapter_contracts.harness.engines.base import Endpoint, Layout
from adapter_contracts.harness.engines.mongo import LAYOUT, MongoEngine
from adapter_contracts.harness.provision.common import ProvisionUnavailable

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig

__all__ = ["MongomockEngine"]


class _Atomic:
    """A mongomock client, database or collection whose every call holds one lock.

    A real server applies each single-document operation atomically (an $inc, a
    unique-index check plus insert, an upsert).  mongomock only guards its dicts:
    under threads two find_one_and_update($inc) calls returned the same value
    (198 distinct billing seqs out of 200 in the concurrency contract).  The
    stand-in gets the server's per-operation atomicity here, so that the adapter
    stays written for real MongoDB and never branches on mongomock.
    """

    def __init__(self, target: Any, lock: threading.RLock) -> None:
        self._target = target
        self._lock = lock

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, _wrapped_types()):
            return _Atomic(value, self._lock)
        return value

    def __getitem__(self, name: str) -> Any:
        return self._wrap(self._target[name])

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return self._wrap(attr)

        # A plain closure: with functools.wraps, for metadata nothing reads, an attribute cost 5.4 us
        # instead of 1.1, about 0.3 of the 12 CPU-s of a mongomock run (68,600 attributes).
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return self._wrap(attr(*args, **kwargs))

        return call


@functools.cache
def _wrapped_types() -> tuple[type, ...]:
    """mongomock's database and collection types, imported once the stand-in is used: the registry
    lists the engine without importing mongomock."""
    import mongomock

    return (mongomock.Database, mongomock.Collection)


class MongomockEngine(MongoEngine):
    """mongomock: an in-process imitation of MongoDB.

    Every adapter shares the one client, like several connections to one server;
    every mongomock call is made atomic (see :class:`_Atomic`).
    """

    id = "mongomock"
    label = "MongoDB stand-in (mongomock)"
    providers = ("mongomock",)
    stand_in = True
    fallback = None
    by_default = False
    layout: ClassVar[Layout | None] = LAYOUT
    drivers = ("mongomock", "pymongo")
    server = None

    def __init__(self) -> None:
        super().__init__()
        self.reset_seconds: list[float] = []

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        from importlib import metadata  # costs 10 ms: not when the registry lists the engines

        from adapter_contracts.harness.engines.mongo import provisioning

        try:
            import mongomock
        except ImportError as exc:
            raise ProvisionUnavailable(f"mongomock not importable: {exc}") from None
        client = _Atomic(mongomock.MongoClient(tz_aware=True), threading.RLock())
        self._db = provisioning.own_database(self, client, None, stack)
        stack.callback(setattr, self, "_db", None)
        self.conditions, self.conditions_unmet = provisioning.conditions(self._db, self)
        return Endpoint(
            engine=self.id, provider=provider, dsn="mongomock://", database=self._db.name,
            server_version=f"mongomock {metadata.version('mongomock')} (stand-in, not MongoDB)",
            driver=provisioning.driver(), extra={"client": client},
        )

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.mongo import MongoAdapter

        # mongomock's close() is a no-op, so each adapter may close "its" shared client.
        return MongoAdapter(endpoint.extra["client"], endpoint.database)

    def reset(self) -> None:
        began = time.perf_counter()
        super().reset()
        self.reset_seconds.append(time.perf_counter() - began)
