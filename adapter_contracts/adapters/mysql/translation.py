"""Driver errors as the contract's errors, decided by MySQL's error codes.

The decision needs no driver class: PyMySQL's errors (which aiomysql raises
too) and asyncmy's carry ``(code, message)`` in ``args``, so an asynchronous
adapter translates with these same functions.  Only whether the error was the
client's own (an interface error) is the caller's to say (connection.py).
"""

from __future__ import annotations

import re

from adapter_contracts.adapters.errors import (
    AdapterError,
    Conflict,
    MissingReference,
    StorageUnavailable,
    ValidationError,
)

#: Client/server codes meaning the connection is gone (server gone away, lost
#: during query, cannot connect, lost during handshake/extended).
LOST_CONNECTION = frozenset({2003, 2006, 2013, 2055})
#: Server refusals that validation should already have prevented: too long,
#: out of range, bad string, MariaDB json_valid CHECK, MySQL bad JSON, bad datetime.
INVALID_VALUE = frozenset({1406, 1264, 1366, 4025, 3140, 1292})
DUPLICATE_KEY = 1062
NO_PARENT = 1452
#: InnoDB rolled the whole transaction back; running it again is safe.
DEADLOCK = 1213

_KEY_FIELDS = {"PRIMARY": "id", "email": "email"}


class Deadlock(AdapterError):
    """InnoDB chose this transaction as a deadlock victim and rolled it back whole (1213).

    The adapter runs the transaction again a few times; the caller sees this
    error only when every attempt was chosen.
    """


def error_code(exc: BaseException) -> int | None:
    return exc.args[0] if exc.args and isinstance(exc.args[0], int) else None


def error_message(exc: BaseException) -> str:
    return str(exc.args[1]) if len(exc.args) > 1 else str(exc)


def conflict_field(message: str) -> str:
    # MariaDB says "for key 'email'", MySQL 8 "for key 'users.email'".
    match = re.search(r"for key '([^']*)'", message)
    key = match.group(1).rsplit(".", 1)[-1] if match else "PRIMARY"
    return _KEY_FIELDS.get(key, key)


def translate(code: int | None, message: str, *, interface: bool = False) -> AdapterError:
    """The contract's error for a failed call (``interface``: the client's own error, e.g. a closed connection)."""
    if code in LOST_CONNECTION or interface:
        return StorageUnavailable(f"MySQL connection lost: {message}")
    if code == DUPLICATE_KEY:
        return Conflict(conflict_field(message))
    if code == NO_PARENT:
        field = "admin_id" if "admin_id" in message else "client_id" if "client_id" in message else "user_id"
        return MissingReference(field)
    if code in INVALID_VALUE:
        column = re.search(r"column [`']?(\w+)", message)
        return ValidationError(column.group(1) if column else "value", message)
    if code == DEADLOCK:
        return Deadlock(f"MySQL error {code}: {message}")
    return AdapterError(f"MySQL error {code}: {message}")


def cannot_connect(exc: BaseException) -> AdapterError:
    return StorageUnavailable(f"cannot connect to MySQL: {exc}")
