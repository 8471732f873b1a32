"""The Hypothesis budget a run proved, from the examples the harness counted itself.

A certificate needs at least the ``ci`` budget: every property contract must
have run at least as many examples as the manifest's floor for it, which is
what the reference adapter runs at the ``ci`` profile.  The counts come from
:mod:`adapter_contracts.harness.recording` (Hypothesis's ``inner_test`` hook, and
the model test's own count of its runs), never from Hypothesis's printed
statistics, so a profile loaded after the harness's, a ``@settings`` of the
user's or a plugin that cuts a test short all show up as examples not run.

Why the floor cannot reject a correct adapter: the ``ci`` profile is
derandomized, so which examples a contract generates depends only on the
contract's code, the strategies and Hypothesis (the first two pinned by the
manifest's file hashes), never on the adapter's answers as long as they are
the reference's; a correct adapter therefore runs exactly the reference's
examples, the floor.  A larger budget (``thorough``) stops later, never earlier:
Hypothesis ends a passing test at ``max_examples`` valid examples or when the
contract's choice space is exhausted, and the exhausted space is the same for
every seed.  The floor only binds contracts that passed and were not declined
(a declined capability runs its probe, not its examples).

``dev`` (the default outside CI and certification requests) and ``repro`` are
checks: a run on them is never a certificate, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from adapter_contracts.harness.manifest import Manifest
from adapter_contracts.harness.recording import ContractRecord

__all__ = ["CERTIFYING_PROFILES", "Budget"]

#: Profiles whose budget is at least ci's; the rest are checks.
CERTIFYING_PROFILES = frozenset({"ci", "thorough"})


@dataclass(frozen=True)
class Budget:
    profile: str
    #: "derandomized", the --hypothesis-seed given, or None (random, not reproducible)
    seed: str | int | None = None

    @property
    def certifying(self) -> bool:
        return self.profile in CERTIFYING_PROFILES

    def examples(self, manifest: Manifest, records: Mapping[str, ContractRecord | None]) -> dict[str, int]:
        """Examples each collected property contract ran, by manifest id."""
        return {contract: (record.examples or 0) if record else 0
                for contract, record in sorted(records.items()) if contract in manifest.examples}

    def below_floor(self, manifest: Manifest, records: Mapping[str, ContractRecord | None],
                    bound: Set[str]) -> dict[str, tuple[int, int]]:
        """Of the ``bound`` contracts (passed, not declined), those with fewer examples than their floor:
        id -> (ran, floor)."""
        below = {}
        for contract, ran in self.examples(manifest, records).items():
            if contract not in bound:
                continue
            floor = manifest.examples[contract]
            if ran < floor:
                below[contract] = (ran, floor)
        return below
