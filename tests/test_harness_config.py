"""The harness configuration: flags, env vars and ini keys resolve the same way."""

from __future__ import annotations

import pytest

from adapter_contracts.harness.config import OPTIONS, ConfigError, HarnessConfig


class FakeSource:
    def __init__(self, flags: dict[str, object] | None = None, ini: dict[str, str] | None = None) -> None:
        self.flags = flags or {}
        self.ini = ini or {}

    def getoption(self, name: str) -> object:
        return self.flags.get(name)

    def getini(self, name: str) -> str:
        return self.ini.get(name, "")


def test_every_option_has_flag_ini_and_env() -> None:
    for option in OPTIONS:
        assert option.flag.startswith("--")
        assert option.ini.startswith("contract_")
        assert option.env.startswith("CONTRACT_")


def test_flag_beats_env_beats_ini() -> None:
    source = FakeSource(flags={"contract_postgres_dsn": "postgresql://flag"},
                        ini={"contract_postgres_dsn": "postgresql://ini", "contract_mysql_dsn": "mysql://ini"})
    env = {"CONTRACT_POSTGRES_DSN": "postgresql://env", "CONTRACT_MYSQL_DSN": "mysql://env"}
    config = HarnessConfig.from_pytest(source, env)
    # An async twin reaches its twin's server: --postgres-dsn is postgres-async's too.
    assert config.dsns == {"postgres": "postgresql://flag", "mysql": "mysql://env",
                           "postgres-async": "postgresql://flag", "mysql-async": "mysql://env"}
    assert HarnessConfig.from_pytest(FakeSource(ini={"contract_mysql_dsn": "mysql://ini"}), {}).dsns == {
        "mysql": "mysql://ini", "mysql-async": "mysql://ini"
    }


def test_lists_accept_commas_and_repeats() -> None:
    config = HarnessConfig.from_values({"contract_engines": ["memory,postgres", "mysql"],
                                        "contract_require_engines": "postgres"})
    assert config.engines == ("memory", "postgres", "mysql")
    assert config.required("postgres")
    assert not config.required("mysql")
    assert HarnessConfig.from_values({"contract_require_engines": "all"}).required("anything")


def test_provider_applies_to_all_or_per_engine() -> None:
    config = HarnessConfig.from_values({"contract_provider": "local,mongo=dsn"})
    assert config.provider_for("postgres") == "local"
    assert config.provider_for("mongo") == "dsn"
    assert HarnessConfig.from_values({}).provider_for("postgres") is None


def test_bad_timeout_names_the_option() -> None:
    with pytest.raises(ConfigError, match="--startup-timeout='soon'"):
        HarnessConfig.from_values({"contract_startup_timeout": "soon"})


def test_container_network_is_published_unless_host_is_asked_for() -> None:
    assert HarnessConfig.from_values({}).container_network == "published"
    assert HarnessConfig.from_values({"contract_container_network": " Host "}).container_network == "host"
    with pytest.raises(ConfigError, match="--container-network='bridge' is not one of published, host"):
        HarnessConfig.from_values({"contract_container_network": "bridge"})
