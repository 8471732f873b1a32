"""Driver errors as the contract's errors: MySQL's error codes and what each means here."""

from __future__ import annotations

import re

#: Client/server codes meaning the connection is gone (server gone away, lost
#: during query, cannot connect, lost during handshake/extended).
LOST_CONNECTION = frozenset({2003, 2006, 2013, 2055})
#: Server refusals that validation should already have prevented: too long,
#: out of range, bad string, MariaDB json_valid CHECK, MySQL bad JSON, bad datetime.
INVALID_VALUE = frozenset({1406, 1264, 1366, 4025, 3140, 1292})
DUPLICATE_KEY = 1062
NO_PARENT = 1452

_KEY_FIELDS = {"PRIMARY": "id", "email": "email"}


def conflict_field(message: str) -> str:
    # MariaDB says "for key 'email'", MySQL 8 "for key 'users.email'".
    match = re.search(r"for key '([^']*)'", message)
    key = match.group(1).rsplit(".", 1)[-1] if match else "PRIMARY"
    return _KEY_FIELDS.get(key, key)
