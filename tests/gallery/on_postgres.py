"""A defect that only real storage with a real network link can show: a cascade outside a transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.postgres import PostgresAdapter
from adapter_contracts.adapters.validation import check_key
from adapter_contracts.harness.plugging import adapter_factory

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint

#: Children first, as a cascade in adapter code is usually written where the
#: schema has no foreign keys (the MySQL seed); each statement commits alone.
_CHILDREN = (
    ("user_setup", "user_id"), ("user_workspace", "user_id"), ("user_integrations", "user_id"),
    ("campaigns", "user_id"), ("admin_clients", "admin_id"),
)


class CascadeStatementByStatement(PostgresAdapter):
    """delete_user runs its cascade as separate autocommitted statements: correct while the link
    holds, half-done when the connection drops in the middle."""

    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        for table, column in _CHILDREN:
            self._execute(f"DELETE FROM {table} WHERE {column} = %s", (user_id,))
        self._execute("UPDATE client_billing SET admin_id = NULL WHERE admin_id = %s", (user_id,))
        return self._execute("DELETE FROM users WHERE id = %s", (user_id,)).rowcount > 0


@adapter_factory(engine="postgres")
def cascade_statement_by_statement(endpoint: Endpoint) -> PostgresAdapter:
    return CascadeStatementByStatement(endpoint.dsn)
