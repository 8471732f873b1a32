"""Driver errors become the contract's errors one way in every adapter (adapters/errors.py's
translate_errors), decided by each engine's pure translation (adapters/<engine>/translation.py),
which an async driver of the same engine reuses.  The contracts prove the translations on live
servers; these tests pin the decisions themselves, including the rare codes no contract provokes.
"""

from __future__ import annotations

import sqlite3

import pytest

from adapter_contracts import (
    AdapterError,
    Conflict,
    MissingReference,
    StorageUnavailable,
    ValidationError,
    translate_errors,
)
from adapter_contracts.adapters.mysql import translation as mysql
from adapter_contracts.adapters.postgres import translation as postgres


class DriverError(Exception):
    pass


def _refused(exc: DriverError) -> AdapterError:
    return Conflict("id", f"refused: {exc}")


def test_a_driver_error_raised_in_the_block_is_replaced_by_its_translation() -> None:
    with pytest.raises(Conflict, match="refused: boom") as info, translate_errors(DriverError, _refused):
        raise DriverError("boom")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__  # the driver's traceback does not follow the adapter's error


@pytest.mark.parametrize("raised", [MissingReference("user_id"), KeyError("x"), KeyboardInterrupt()])
def test_adapter_errors_and_other_exceptions_pass_unchanged(raised: BaseException) -> None:
    with pytest.raises(type(raised)) as info, translate_errors(DriverError, _refused):
        raise raised
    assert info.value is raised


def test_a_tuple_of_driver_errors_is_translated_and_nothing_else_is_touched() -> None:
    with pytest.raises(Conflict), translate_errors((DriverError, sqlite3.Error), _refused):
        raise sqlite3.OperationalError("locked")
    with translate_errors(DriverError, _refused):
        pass  # no error, nothing raised


@pytest.mark.parametrize(
    ("sqlstate", "constraint", "lost", "missing", "expected", "field"),
    [
        ("23505", "users_email_key", False, None, Conflict, "email"),
        ("23505", "users_pkey", False, None, Conflict, "id"),
        ("23505", None, False, None, Conflict, "id"),
        ("23503", "client_billing_admin_id_fkey", False, None, MissingReference, "admin_id"),
        ("23503", "an_unknown_fkey", False, None, AdapterError, None),
        ("23505", "users_email_key", False, "user_id", MissingReference, "user_id"),  # a missing parent first
        ("23514", "a_check", False, "client_id", MissingReference, "client_id"),
        ("23505", "users_pkey", True, None, StorageUnavailable, None),
        ("57P01", None, True, None, StorageUnavailable, None),
        ("22P05", None, False, None, AdapterError, None),
        (None, None, False, None, AdapterError, None),
    ],
)
def test_postgres_decides_by_sqlstate_and_constraint(
    sqlstate: str | None, constraint: str | None, lost: bool, missing: str | None,
    expected: type[AdapterError], field: str | None,
) -> None:
    error = postgres.translate(sqlstate, constraint, "message", lost=lost, missing_parent=missing)
    assert type(error) is expected
    assert getattr(error, "field", None) == field


@pytest.mark.parametrize(
    ("code", "message", "interface", "expected", "field"),
    [
        (1062, "Duplicate entry 'x@y' for key 'users.email'", False, Conflict, "email"),
        (1062, "Duplicate entry 'a' for key 'PRIMARY'", False, Conflict, "id"),
        (1452, "a child row: FOREIGN KEY (`admin_id`) REFERENCES `users`", False, MissingReference, "admin_id"),
        (4025, "CONSTRAINT `data` failed for column `payload`", False, ValidationError, "payload"),
        (1213, "Deadlock found when trying to get lock", False, mysql.Deadlock, None),
        (2013, "Lost connection to MySQL server during query", False, StorageUnavailable, None),
        (0, "", True, StorageUnavailable, None),
        (1146, "Table 'x.users' doesn't exist", False, AdapterError, None),
        (None, "no code", False, AdapterError, None),
    ],
)
def test_mysql_decides_by_error_code(
    code: int | None, message: str, interface: bool, expected: type[AdapterError], field: str | None
) -> None:
    error = mysql.translate(code, message, interface=interface)
    assert type(error) is expected
    assert getattr(error, "field", None) == field


def test_mysql_reads_code_and_message_from_the_driver_errors_args() -> None:
    assert (mysql.error_code(DriverError(1062, "dup")), mysql.error_message(DriverError(1062, "dup"))) == (1062, "dup")
    assert (mysql.error_code(DriverError("closed")), mysql.error_message(DriverError("closed"))) == (None, "closed")
