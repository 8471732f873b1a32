"""The reference-model state machine: any adapter driven side by side with MemoryAdapter."""

from contracts.model.machine import AdapterModel, build_machine, model_settings

__all__ = ["AdapterModel", "build_machine", "model_settings"]
