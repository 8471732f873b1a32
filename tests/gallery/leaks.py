"""A defect that looks like the server's fault: an adapter that leaks a connection per call until the
server refuses more.  The harness counts who holds the connections before it excuses a failure as a
server fault, so this one stays the adapter's failure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg

from adapter_contracts.adapters.errors import translate_errors
from adapter_contracts.adapters.postgres import PostgresAdapter
from adapter_contracts.adapters.postgres.bounds import bounded_connect
from adapter_contracts.adapters.postgres.translation import cannot_connect
from adapter_contracts.harness.plugging import adapter_factory

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class LeaksAConnectionPerCall(PostgresAdapter):
    """Opens a connection for every statement (a "health check" of its own) and never closes it."""

    def __init__(self, conninfo: str, **kwargs: Any) -> None:
        super().__init__(conninfo, **kwargs)
        self._leaked: list[psycopg.Connection[Any]] = []

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        with translate_errors(psycopg.Error, lambda exc: cannot_connect(str(exc), lost=True)):
            self._leaked.append(bounded_connect(self._conninfo, self._timeout))
        return super()._connection()


@adapter_factory(engine="postgres")
def leaks_a_connection_per_call(endpoint: Endpoint) -> PostgresAdapter:
    return LeaksAConnectionPerCall(endpoint.dsn, timeout=endpoint.timeout)
