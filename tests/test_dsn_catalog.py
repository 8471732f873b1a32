"""One DSN parser per engine: a DSN that does not parse is a usage error naming the part that is wrong,
its password masked whatever characters it holds, before any driver sees it; and a port where something
other than the engine answers fails within the connect bound."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.base import dsn_names
from adapter_contracts.harness.provenance import mask, mask_command
from adapter_contracts.harness.provision.common import dsn_secrets, redact_dsn, scrub
from adapter_contracts.harness.usage import ConfigError
from tests.inner import CONTRACTS, ROOT, child_env
from tests.loopback import serving

#: (engine, DSN, the password or the part of it that must never show, the part the message must name).
CATALOG = [
    ("postgres", "postgresql://u:Garb4gePw@[::1/x", "Garb4gePw", "the host"),
    ("postgres", "postgresql://u:Garb4gePw@[::1]x/db", "Garb4gePw", "the host"),
    ("postgres", "postgresql://u:Se@cr/t?x%;@127.0.0.1:5432/postgres", "cr/t?x", "the password"),
    ("postgres", "postgresql://u:p@ss@127.0.0.1:5432/postgres", "p@ss", "the password"),
    ("postgres", "postgresql://u:pa#ss@127.0.0.1:5432/postgres", "pa#ss", "the password"),
    ("postgres", "postgresql://u:pa?ss@127.0.0.1:5432/postgres", "pa?ss", "the password"),
    ("postgres", "postgresql://u:pa/ss@127.0.0.1:5432/postgres", "pa/ss", "the password"),
    ("postgres", "postgresql://u:pa%zzss@127.0.0.1:5432/postgres", "pa%zzss", "the password"),
    ("postgres", "postgresql://u:pa ss@127.0.0.1:5432/postgres", "pa ss", "the password"),
    ("postgres", "postgresql://u:Sekr3tPw@127.0.0.1:99999/postgres", "Sekr3tPw", "the port"),
    ("postgres", "postgresql://u:Sekr3tPw@127.0.0.1:54x2/postgres", "Sekr3tPw", "the port"),
    ("postgres", "postgresql://u:Sekr3tPw@::1:5432/postgres", "Sekr3tPw", "the host"),
    ("postgres", "postgresq://u:Sekr3tPw@127.0.0.1:5432/postgres", "Sekr3tPw", "the scheme"),
    ("postgres", "host=127.0.0.1 password='Sekr3t Pw", "Sekr3t Pw", "key=value"),
    ("postgres", "host=127.0.0.1 password=Sekr3tPw port", "Sekr3tPw", "key=value"),
    ("mysql", "mysql://root:Se@cr#t:33306@127.0.0.1:33306/", "cr#t", "the password"),
    ("mysql", "mysql://root:Se@cr#t:33306@127.0.0.1:33306/", "Se@cr", "the password"),
    ("mysql", "mysql://root:a:b@c@127.0.0.1:3306/", "b@c", "the password"),
    ("mysql", "mysql://root:Sekr3tPw@127.0.0.1:0/", "Sekr3tPw", "the port"),
    ("mysql", "mysql://root:Sekr3tPw@127.0.0.1:/", "Sekr3tPw", "the port"),
    ("mysql", "mysql://root:Sekr3tPw@127.0.0.1:3306,127.0.0.2:3306/", "Sekr3tPw", "the host"),
    ("mysql", "mysql://root:Sekr3tPw@[::1/", "Sekr3tPw", "the host"),
    ("mysql", "postgresql://root:Sekr3tPw@127.0.0.1:3306/", "Sekr3tPw", "the scheme"),
    ("mysql", "127.0.0.1:3306 user=root password=Sekr3tPw", "Sekr3tPw", "the scheme"),
    ("mysql", "mysql://ro ot:Sekr3tPw@127.0.0.1:3306/", "Sekr3tPw", "the user name"),
    ("mongo", "mongodb://u:Se@cr/et@127.0.0.1:27017/", "cr/et", "the password"),
    ("mongo", "mongodb://u:Sekr3tPw@127.0.0.1:70000/", "Sekr3tPw", "the port"),
]


def _id(case: tuple[str, str, str, str]) -> str:
    return f"{case[0]}-{case[3].removeprefix('the ').replace(' ', '_')}-{CATALOG.index(case)}"


@pytest.mark.parametrize("case", CATALOG, ids=[_id(c) for c in CATALOG])
def test_a_malformed_dsn_is_a_usage_error_naming_the_part_with_the_password_masked(
    case: tuple[str, str, str, str],
) -> None:
    engine, dsn, secret, part = case
    with pytest.raises(ConfigError) as raised:
        HarnessConfig.from_values({dsn_names(engine)[1]: dsn})
    message = str(raised.value)
    assert message.startswith(f"--{engine}-dsn: ")
    assert part in message, message
    assert "\n" not in message
    assert secret not in message, message
    for shown in (redact_dsn(dsn), mask_command([f"--{engine}-dsn", dsn]),
                  mask_command([f"--{engine}-dsn={dsn}"]), mask(f"connecting to {dsn} failed", dsn_secrets(dsn)),
                  scrub(f"connecting to {dsn} failed", [dsn])):
        assert secret not in shown, shown


@pytest.mark.parametrize("dsn", [
    "postgresql://u:p%40ss@127.0.0.1:5432/postgres", "postgresql://[::1]:5432/db", "postgresql:///db?host=/tmp",
    "postgresql://u:pw@h1:5432,h2:5433/db", "host=127.0.0.1 password='a b' dbname=x", "postgres://u@h/db",
    "postgresql+psycopg://u:pw@h/db", "postgresql://u:p^ss{x}|!$:b@h/db",
])
def test_well_formed_postgres_dsns_pass(dsn: str) -> None:
    assert HarnessConfig.from_values({"contract_postgres_dsn": dsn}).dsns["postgres"] == dsn


@pytest.mark.parametrize("dsn", [
    "mysql://root@127.0.0.1:3306", "mysql://u:p%23ss@h:3306/db?unix_socket=/tmp/s.sock", "mariadb://u:pw@h/",
    "mysql+pymysql://u:pw@h:3306/db",
])
def test_well_formed_mysql_dsns_pass(dsn: str) -> None:
    assert HarnessConfig.from_values({"contract_mysql_dsn": dsn}).dsns["mysql"] == dsn


def _child(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=ROOT,
                          env=child_env(), capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize(("kind", "dsn", "secret"), [
    ("postgres", "postgresql://u:Garb4gePw@[::1/x", "Garb4gePw"),
    ("mysql", "mysql://root:Se@cr#t:33306@127.0.0.1:33306/", "cr#t"),
], ids=["postgres-bracket", "mysql-unencoded"])
def test_a_malformed_dsn_never_shows_its_password_in_the_terminal_or_the_reports(
    tmp_path: Path, kind: str, dsn: str, secret: str,
) -> None:
    """Through a real run with a report (before: the password 59 times in the terminal and 108 in the
    reports, and the MySQL run went to port 3306).  Cost: about 2 s each."""
    report = tmp_path / "report"
    done = _child(f"--{kind}-dsn", dsn, "--conformance-report", str(report), f"{CONTRACTS}/test_users.py")
    out = done.stdout + done.stderr
    assert done.returncode == int(pytest.ExitCode.USAGE_ERROR), out[-3000:]
    assert [line for line in out.splitlines() if "error" in line.lower()] == [
        next(line for line in out.splitlines() if f"--{kind}-dsn: " in line)], out[-3000:]
    documents = report.with_suffix(".json").read_text() + report.with_suffix(".md").read_text()
    assert json.loads(report.with_suffix(".json").read_text())["status"] != "in progress"
    for text in (out, documents):
        assert secret not in text
        assert "Sekr" not in text


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port where something that is not the engine answers: it accepts, reads, and never replies."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    with serving(server, held.append):
        yield int(server.getsockname()[1])
    for conn in held:
        conn.close()


@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_a_port_where_something_else_answers_fails_within_the_bound(silent_port: int, kind: str) -> None:
    """Before: a MySQL DSN on such a port hung until killed at 130 s.  Cost: about 5 s each."""
    scheme = "postgresql" if kind == "postgres" else "mysql"
    began = time.monotonic()
    done = _child(f"--{kind}-dsn", f"{scheme}://root@127.0.0.1:{silent_port}/postgres", "--engine", kind,
                  "--server-timeout", "2", "--require-engine", kind, f"{CONTRACTS}/test_users.py", timeout=60)
    took = time.monotonic() - began
    out = done.stdout + done.stderr
    assert took < 20, f"{took:.1f}s:\n{out[-3000:]}"
    assert done.returncode == 3, out[-3000:]
    assert f"127.0.0.1:{silent_port}" in out, out[-3000:]
