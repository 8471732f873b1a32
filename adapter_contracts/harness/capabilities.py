"""The one registry of optional capabilities.

An adapter may decline a capability listed here, and only here, by naming it
in ``Adapter.unsupported`` together with the error it raises instead.  Tests
of a capability carry ``@pytest.mark.capability(NAME)``; on an adapter that
declines it, the harness runs the capability's probe instead of the test and
requires the declared error with nothing written.  Core entity operations are
never optional: they are not in this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.records import UsageInput

__all__ = ["CAPABILITIES", "Capability"]


@dataclass(frozen=True)
class Capability:
    name: str
    doc: str
    #: A minimal call that exercises the capability on empty storage.
    probe: Callable[[Adapter], object]


def _probe_usage_batch(adapter: Adapter) -> object:
    client = adapter.create_client(payload={}, id="capability-probe")
    try:
        return adapter.record_usage_batch(
            client.id, [UsageInput(datetime(2024, 1, 1, tzinfo=timezone.utc), 1, 1)]
        )
    finally:
        adapter.delete_client(client.id)


CAPABILITIES: dict[str, Capability] = {
    c.name: c
    for c in (
        Capability("usage_batch", "Append many billing entries in one atomic call (record_usage_batch).",
                   _probe_usage_batch),
        Capability("schema_declaration", "Declare the expected storage schema, checked for drift (expected_schema).",
                   lambda adapter: adapter.expected_schema()),
    )
}
