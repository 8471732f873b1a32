"""Which contracts run only on async engines: the modules marked ``pytest.mark.async_native`` as a whole.

An engine's :attr:`~adapter_contracts.harness.engines.base.Engine.flavour` decides, at collection: the
plugin parametrizes these contracts only over engines whose flavour is ``"async"``, and only there
does a certificate require them.  Read from the contracts' source (nothing is imported), as the
fault contracts are.
"""

from __future__ import annotations

from adapter_contracts.harness.contract_marks import marked_contract_files

__all__ = ["ASYNC_MARKER", "async_contract_files"]

#: The marker of the async-native contracts.
ASYNC_MARKER = "async_native"


def async_contract_files() -> frozenset[str]:
    """The contract modules whose ``pytestmark`` names ``pytest.mark.async_native``."""
    return marked_contract_files(ASYNC_MARKER)
