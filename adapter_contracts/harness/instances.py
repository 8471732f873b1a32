"""The adapter factory, checked on every call: a new instance each time, of the class the first call gave.

Contracts that need a second instance (a reader beside a writer, racing
workers, a reopened adapter) get it from another call of the factory.  A
factory that hands every caller one shared instance hides what those contracts
look for (a per-instance cache serves its own writes), and one whose class
changes after its first call certifies a class the other calls never use.
Either is one line, and ``NOT CERTIFIED`` (the engine's facts carry it).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# Failed is pytest.fail.Exception; the public alias is untyped.
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.harness.private.pytest_api import Failed

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["CheckedFactory", "FactoryViolation"]


class FactoryViolation(Failed):
    """A call of the factory broke its promise; the contract that made the call fails with one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, pytrace=False)


def _name(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


class CheckedFactory:
    """Wraps a factory whose first call returned ``first``; every later call is checked."""

    def __init__(self, factory: Callable[[Endpoint], Adapter], first: Adapter) -> None:
        self.factory = factory
        self.first_class = type(first)
        self.calls = 1
        #: The first violation, one line, for the verdict.
        self.violation: str | None = None
        self._returned: list[Callable[[], object | None]] = []
        self._remember(first)
        module = getattr(factory, "__module__", None)
        self.label = f"{module}:{getattr(factory, '__qualname__', '?')}" if module else repr(factory)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.factory, name)  # engine, and whatever else the factory carries

    def _remember(self, adapter: object) -> None:
        try:
            self._returned.append(weakref.ref(adapter))
        except TypeError:  # no weak references to it (__slots__): keep it alive, then
            self._returned.append(lambda kept=adapter: kept)  # type: ignore[misc]

    def _seen(self, adapter: object) -> bool:
        return any(ref() is adapter for ref in self._returned)

    def __call__(self, endpoint: Endpoint) -> Adapter:
        adapter = self.factory(endpoint)
        self.calls += 1
        problem = None
        if self._seen(adapter):
            problem = (f"call {self.calls} returned an instance an earlier call returned (one shared instance)",
                       "returned the same instance again")
        elif type(adapter) is not self.first_class:
            problem = (f"call {self.calls} returned {_name(adapter)} where call 1 returned "
                       f"{self.first_class.__module__}.{self.first_class.__qualname__}",
                       f"returned {_name(adapter)} on call {self.calls}")
        if problem is None:
            self._remember(adapter)
            return adapter
        line = f"factory {self.label}: {problem[0]}; every call must return a new instance of one class"
        self.violation = self.violation or line
        raise FactoryViolation(f"{line}\nadapter:   the factory {problem[1]}\n"
                               f"reference: every call of a factory returns a new instance of the first call's class")
