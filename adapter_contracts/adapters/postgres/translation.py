"""Driver errors as the contract's errors, decided by SQLSTATE and constraint name.

The decision needs no driver class: psycopg and asyncpg both report the
SQLSTATE and the violated constraint, so an asynchronous adapter translates
with this same function.  Only whether the connection is lost, and which
parent is missing, are the caller's to find out (connection.py).
"""

from __future__ import annotations

from adapter_contracts.adapters.errors import AdapterError, Conflict, MissingReference, StorageUnavailable

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"

#: Unique constraint (Postgres default names) -> the Conflict field.
UNIQUE_FIELDS = {
    "users_pkey": "id",
    "users_email_key": "email",
    "campaigns_pkey": "id",
    "clients_pkey": "id",
}

#: Foreign key (Postgres default names) -> the MissingReference field.
FOREIGN_KEY_FIELDS = {
    "user_setup_user_id_fkey": "user_id",
    "user_workspace_user_id_fkey": "user_id",
    "user_integrations_user_id_fkey": "user_id",
    "campaigns_user_id_fkey": "user_id",
    "admin_clients_admin_id_fkey": "admin_id",
    "admin_clients_client_id_fkey": "client_id",
    "client_oauth_client_id_fkey": "client_id",
    "client_campaigns_client_id_fkey": "client_id",
    "client_billing_client_id_fkey": "client_id",
    "client_billing_admin_id_fkey": "admin_id",
}


def is_integrity_violation(sqlstate: str | None) -> bool:
    """SQLSTATE class 23: the statement failed as a whole, perhaps over a missing parent."""
    return sqlstate is not None and sqlstate.startswith("23")


def translate(
    sqlstate: str | None, constraint: str | None, message: str, *, lost: bool, missing_parent: str | None = None,
) -> AdapterError:
    """The contract's error for a failed statement.

    ``lost``: the connection is gone (the operation may be retried).
    ``missing_parent``: for an integrity violation, the first argument, in
    signature order, whose parent row does not exist; it is reported before any
    other conflict, as the reference does.
    """
    if lost:
        return StorageUnavailable(f"PostgreSQL unavailable: {message}")
    if is_integrity_violation(sqlstate):
        if missing_parent is not None:
            return MissingReference(missing_parent)
        if sqlstate == UNIQUE_VIOLATION:
            return Conflict(UNIQUE_FIELDS.get(constraint or "", "id"))
        if sqlstate == FOREIGN_KEY_VIOLATION and constraint in FOREIGN_KEY_FIELDS:
            return MissingReference(FOREIGN_KEY_FIELDS[constraint])
    if sqlstate is None:
        return AdapterError(f"the driver could not carry out the operation: {message}")
    return AdapterError(f"PostgreSQL refused the operation ({sqlstate}): {message}")


def cannot_connect(message: str, *, lost: bool) -> AdapterError:
    """The contract's error for a connection attempt that failed (``lost``: the server is unreachable)."""
    return (StorageUnavailable if lost else AdapterError)(f"cannot connect to PostgreSQL: {message}")
