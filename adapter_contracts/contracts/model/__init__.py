"""The reference-model state machine: any adapter driven side by side with MemoryAdapter."""

from adapter_contracts.contracts.model.machine import AdapterModel, RunCounts, build_machine

__all__ = ["AdapterModel", "RunCounts", "build_machine"]
