"""Self-tests of the MySQL adapter's and engine's pure helpers (no server needed)."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from adapter_contracts.adapters.mysql import MySQLAdapter, schema_statements
from adapter_contracts.adapters.mysql.translation import conflict_field
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.mysql import MySQLEngine
from adapter_contracts.harness.engines.mysql.provisioning import ServerAddress, parse_mysql_dsn, server_label
from adapter_contracts.harness.engines.mysql.storage import RawStorage
from adapter_contracts.harness.provision import local
from adapter_contracts.harness.provision.common import ProvisionUnavailable, redact_dsn


def test_schema_gets_the_exact_collation_on_every_table() -> None:
    statements = schema_statements("utf8mb4_nopad_bin")
    created = [s.split()[5] for s in statements]
    assert MySQLEngine.layout is not None
    assert sorted(created) == sorted(MySQLEngine.layout.tables())
    for statement in statements:
        assert statement.startswith("CREATE TABLE IF NOT EXISTS")
        assert "COLLATE=utf8mb4_nopad_bin" in statement
        assert "__EXACT__" not in statement
        assert " TIMESTAMP" not in statement.upper().replace("`TIMESTAMP`", "")


def test_reset_deletes_every_canonical_table_in_one_batch_whatever_keys_the_adapter_declared() -> None:
    raw = RawStorage(ServerAddress("127.0.0.1", 1, "root", ""), "contract_x", MySQLEngine())
    parts = [part.strip() for part in raw._reset_sql.split(";") if part.strip()]
    assert parts[0] == "SET FOREIGN_KEY_CHECKS = 0"
    assert parts[-1] == "SET FOREIGN_KEY_CHECKS = 1"
    order = [part.removeprefix("DELETE FROM ").strip("`") for part in parts[1:-1]]
    assert MySQLEngine.layout is not None
    assert sorted(order) == sorted(MySQLEngine.layout.tables())
    assert order.index("users") > order.index("campaigns")
    assert order.index("clients") > order.index("client_billing")


@pytest.mark.parametrize(
    ("version", "label"),
    [("10.11.19-MariaDB-0+deb12u1", "MariaDB 10.11.19"), ("8.0.36", "MySQL 8.0.36"),
     ("8.0.34-Vitess", "MySQL 8.0.34 (Vitess)")],
)
def test_server_label(version: str, label: str) -> None:
    assert server_label(version) == label


def test_dsn_round_trip_keeps_credentials_out_of_redacted_form() -> None:
    address, database = parse_mysql_dsn("mysql://app:s%40cret@db.example:3307/ignored")
    assert (address.host, address.port, address.user, address.password, database) == (
        "db.example", 3307, "app", "s@cret", "ignored")
    dsn = address.dsn("contract_abc")
    assert "s%40cret" in dsn
    assert "cret" not in redact_dsn(dsn)
    assert parse_mysql_dsn("mysql://root@127.0.0.1:3306") == (ServerAddress("127.0.0.1", 3306, "root", ""), None)


def test_dsn_with_other_scheme_is_unavailable_not_a_crash() -> None:
    with pytest.raises(ProvisionUnavailable, match="scheme"):
        parse_mysql_dsn("postgresql://x@y/z")


def test_adapter_from_url_parses_socket_and_tls() -> None:
    adapter = MySQLAdapter.from_url("mysql://u:p@127.0.0.1:3306/db?unix_socket=/tmp/s.sock")
    params = adapter._params
    assert (params["user"], params["password"], params["database"]) == ("u", "p", "db")
    assert params["unix_socket"] == "/tmp/s.sock"
    assert params["ssl_disabled"] is True
    remote = MySQLAdapter.from_url("mysql://u:p@db.example:3306/db")
    assert "ssl" in remote._params
    assert "ssl_disabled" not in remote._params
    with pytest.raises(ValueError, match="no database"):
        MySQLAdapter.from_url("mysql://u:p@127.0.0.1:3306")


@pytest.mark.parametrize(
    ("message", "field"),
    [("Duplicate entry 'a' for key 'PRIMARY'", "id"), ("Duplicate entry 'x@y' for key 'email'", "email"),
     ("Duplicate entry 'x@y' for key 'users.email'", "email"), ("Duplicate entry 'a' for key 'users.PRIMARY'", "id")],
)
def test_duplicate_key_names_map_to_fields(message: str, field: str) -> None:
    assert conflict_field(message) == field


def test_local_provider_without_binaries_says_what_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "find_binary", lambda name, extra_dirs=(): None)
    with ExitStack() as stack, pytest.raises(ProvisionUnavailable, match="mariadbd or mysqld"):
        MySQLEngine().start("local", HarnessConfig(), stack)


def test_dsn_provider_needs_a_dsn() -> None:
    with ExitStack() as stack, pytest.raises(ProvisionUnavailable, match="mysql-dsn"):
        MySQLEngine().start("dsn", HarnessConfig(), stack)
