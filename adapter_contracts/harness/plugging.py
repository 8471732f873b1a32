"""Plugging in an adapter from outside this repository: ``--adapter package.module:factory``.

A factory is any callable taking the provisioned :class:`~adapter_contracts.harness.engines.base.Endpoint`
and returning an :class:`~adapter_contracts.adapters.base.Adapter`, marked with the engine whose
storage it needs::

    from adapter_contracts.harness.plugging import adapter_factory

    @adapter_factory(engine="postgres")
    def make_adapter(endpoint):
        return MyPostgresAdapter(endpoint.dsn)

The harness provisions that engine (DSN, container or local server), hands the
endpoint to the factory, and runs every contract against what it returns.

An :class:`~adapter_contracts.adapters.async_base.AsyncAdapter` is plugged in the same way, with
:func:`async_adapter_factory` on a coroutine function (or a function returning the adapter)::

    from adapter_contracts import async_adapter_factory

    @async_adapter_factory(engine="postgres-async")
    async def make_adapter(endpoint):
        return MyAsyncPostgresAdapter(await asyncpg.create_pool(endpoint.dsn))

Each call runs on a new event loop in a thread of its own, where the adapter then lives; the
contracts reach it through the harness's bridge (:mod:`adapter_contracts.harness.bridge`).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from adapter_contracts.adapters.async_base import AsyncAdapter
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.harness.bridge import bridged_factory, is_async_factory

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["AdapterFactory", "AsyncAdapterFactory", "PluggedAdapter", "PluggingError", "adapter_factory",
           "async_adapter_factory", "load_factory"]


class AdapterFactory(Protocol):
    engine: str

    def __call__(self, endpoint: Endpoint) -> Adapter: ...


class AsyncAdapterFactory(Protocol):
    engine: str
    flavour: str

    def __call__(self, endpoint: Endpoint) -> AsyncAdapter | Awaitable[AsyncAdapter]: ...


F = TypeVar("F", bound=Callable[..., Adapter])
AF = TypeVar("AF", bound=Callable[..., "AsyncAdapter | Awaitable[AsyncAdapter]"])


class PluggingError(Exception):
    """The --adapter value cannot be used; the message says what was checked and how to fix it."""


def adapter_factory(*, engine: str) -> Callable[[F], F]:
    """Mark a factory with the engine id whose provisioned storage it needs."""
    if not isinstance(engine, str) or not engine:
        raise PluggingError(f"adapter_factory(engine={engine!r}): engine must be a non-empty engine id")

    def mark(factory: F) -> F:
        factory.engine = engine  # type: ignore[attr-defined]
        return factory

    return mark


def async_adapter_factory(*, engine: str) -> Callable[[AF], AF]:
    """Mark a factory of :class:`AsyncAdapter` (a coroutine function, or a function returning one) with the
    engine id whose provisioned storage it needs."""
    if not isinstance(engine, str) or not engine:
        raise PluggingError(f"async_adapter_factory(engine={engine!r}): engine must be a non-empty engine id")

    def mark(factory: AF) -> AF:
        factory.engine = engine  # type: ignore[attr-defined]
        factory.flavour = "async"  # type: ignore[attr-defined]
        return factory

    return mark


@dataclass(frozen=True)
class PluggedAdapter:
    spec: str
    engine: str
    factory: AdapterFactory


def load_factory(spec: str, known_engines: set[str] | None = None,
                 async_engines: set[str] | None = None) -> PluggedAdapter:
    """Import ``package.module:attribute`` and check it is a marked factory (an async one: of an async engine,
    when ``async_engines`` says which those are)."""
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise PluggingError(f"--adapter={spec!r}: expected 'package.module:factory'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PluggingError(
            f"--adapter={spec!r}: cannot import {module_name!r} ({exc}); is it installed or on PYTHONPATH?"
        ) from None
    target: object = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise PluggingError(f"--adapter={spec!r}: {module_name!r} has no attribute {attribute!r}")
        target = getattr(target, part)
    if not callable(target):
        raise PluggingError(f"--adapter={spec!r}: {attribute!r} is not callable")
    engine = getattr(target, "engine", None)
    if not isinstance(engine, str) or not engine:
        raise PluggingError(
            f"--adapter={spec!r}: the factory does not name its engine; decorate it with "
            "@adapter_contracts.harness.plugging.adapter_factory(engine='postgres') or set factory.engine"
        )
    if known_engines is not None and engine not in known_engines:
        raise PluggingError(
            f"--adapter={spec!r}: engine {engine!r} is not registered; known: {', '.join(sorted(known_engines))}"
        )
    if is_async_factory(target):
        if async_engines is not None and engine not in async_engines:
            raise PluggingError(
                f"--adapter={spec!r}: an async factory needs an async engine, whose certificate includes the "
                f"async-native contracts; {engine!r} is synchronous; async engines: {', '.join(sorted(async_engines))}")
        target = bridged_factory(target)
    return PluggedAdapter(spec=spec, engine=engine, factory=target)  # type: ignore[arg-type]
