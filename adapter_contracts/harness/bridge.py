"""The harness's one bridge from the synchronous contracts to an :class:`AsyncAdapter`.

Every contract is written once, against :class:`Adapter`.  An async adapter
runs them through :class:`AsyncBridge`, an ``Adapter`` whose every operation
submits the async adapter's coroutine to one event loop, running in a thread of
its own (:class:`LoopThread`), and waits for it, bounded.  The async adapter is
made on that loop and lives there until the bridge is closed, which closes the
adapter on its loop and then stops the loop and joins the thread.

Errors pass through unchanged: what the coroutine raised is what the contract
sees (the same object), so an async adapter is judged on exactly the documented
error classes a sync one is.  A coroutine that does not finish within
:data:`CALL_TIMEOUT` seconds is cancelled and the contract fails with a
``BridgeTimeout`` naming the operation: a hung adapter, never a hung run.

The async-native contracts use :meth:`AsyncBridge.run` to run whole coroutines
(many tasks sharing the one instance, cancellations, loop-lag probes) on the
instance's own loop.
"""

from __future__ import annotations

import abc
import asyncio
import concurrent.futures
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from adapter_contracts.adapters.async_base import AsyncAdapter, operations
from adapter_contracts.adapters.base import Adapter

if TYPE_CHECKING:
    from adapter_contracts.harness.endpoint import Endpoint

__all__ = ["CALL_TIMEOUT", "AsyncBridge", "BridgeTimeout", "LoopThread", "bridge_class", "bridged_factory",
           "is_async_factory", "open_bridge"]

T = TypeVar("T")

#: Seconds one bridged operation may take (the slowest contracts write 1 MiB payloads on a loaded machine).
CALL_TIMEOUT = 120.0
#: Seconds to wait for the loop's thread to start and to stop.
_THREAD_TIMEOUT = 10.0


class BridgeTimeout(TimeoutError):
    """A bridged coroutine did not finish in time; it was cancelled."""


class LoopThread:
    """One event loop running forever in one daemon thread, until :meth:`close`."""

    def __init__(self, name: str = "adapter-contracts-loop") -> None:
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.call_soon(ready.set)
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, name=name, daemon=True)
        self.thread.start()
        if not ready.wait(_THREAD_TIMEOUT):
            raise RuntimeError(f"{name}: the event loop's thread did not start within {_THREAD_TIMEOUT:.0f}s")

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT, what: str = "coroutine") -> T:
        """Run ``coro`` on the loop and return its result or raise its exception, within ``timeout``.

        A task made on the loop and a lock released by its done callback, rather than
        ``asyncio.run_coroutine_threadsafe``: every bridged operation pays this hand-off, and the
        chained concurrent future (and its condition variable) made it cost twice as much
        (51 against 112 µs a call, measured in docs/performance.md).
        """
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError(f"{what}: called from the bridge's own event loop (await the async adapter instead)")
        done = threading.Lock()
        done.acquire()
        started: list[asyncio.Task[T]] = []

        def start() -> None:
            task = self.loop.create_task(coro)
            started.append(task)
            task.add_done_callback(lambda _: done.release())

        try:
            self.loop.call_soon_threadsafe(start)
        except RuntimeError:  # the loop is closed
            coro.close()
            raise
        if done.acquire(timeout=timeout):
            task = started[0]
            if task.cancelled():
                # What run_coroutine_threadsafe gave: an Exception, not asyncio's BaseException.
                raise concurrent.futures.CancelledError(f"{what} was cancelled on the adapter's event loop")
            return task.result()
        # ``start`` ran, or runs, before this: the loop runs its callbacks in the order they came.
        self.loop.call_soon_threadsafe(lambda: started[0].cancel())
        # Give the cancellation its chance to run the coroutine's cleanup before the caller goes on.
        done.acquire(timeout=_THREAD_TIMEOUT)
        raise BridgeTimeout(f"{what} did not finish within {timeout:.0f}s on the adapter's event loop; "
                            "it was cancelled") from None

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(_THREAD_TIMEOUT)
        if not self.thread.is_alive():
            self.loop.close()


class AsyncBridge(Adapter):
    """An :class:`Adapter` whose operations are those of one :class:`AsyncAdapter`, run on its own loop.

    Made by :func:`open_bridge`; one subclass per async adapter class (:func:`bridge_class`), which
    carries that class's ``unsupported`` and names it.
    """

    #: The async adapter class this bridge class runs.
    inner_class: ClassVar[type[AsyncAdapter] | None] = None

    def __init__(self, inner: AsyncAdapter, loop: LoopThread) -> None:
        self.inner = inner
        self.loop_thread = loop
        self._closed = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.loop_thread.loop

    def run(self, work: Callable[[AsyncAdapter], Awaitable[T]], timeout: float = CALL_TIMEOUT) -> T:
        """``await work(inner)`` on the instance's loop: for contracts that drive the async adapter itself."""

        async def call() -> T:
            return await work(self.inner)

        return self.loop_thread.run(call(), timeout, getattr(work, "__name__", "work"))

    def _call(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        if self._closed:
            raise RuntimeError(f"{type(self.inner).__name__}.{name}: the bridge was closed")

        async def call() -> Any:
            return await getattr(self.inner, name)(*args, **kwargs)

        return self.loop_thread.run(call(), CALL_TIMEOUT, f"{type(self.inner).__name__}.{name}()")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.loop_thread.run(self.inner.close(), CALL_TIMEOUT, f"{type(self.inner).__name__}.close()")
        finally:
            self.loop_thread.close()


def _forward(name: str) -> Callable[..., Any]:
    def operation(self: AsyncBridge, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = getattr(Adapter, name).__doc__
    return operation


for _name in operations(Adapter):
    if _name != "close":
        setattr(AsyncBridge, _name, _forward(_name))
abc.update_abstractmethods(AsyncBridge)  # type: ignore[type-abstract]


@functools.cache
def bridge_class(inner: type[AsyncAdapter]) -> type[AsyncBridge]:
    """The bridge class of ``inner``: named after it and declaring its ``unsupported``."""
    name = f"AsyncBridge[{inner.__name__}]"
    namespace = {"inner_class": inner, "unsupported": dict(inner.unsupported), "__module__": __name__,
                 "__qualname__": name, "__doc__": f"The bridge to {inner.__module__}.{inner.__qualname__}."}
    return type(name, (AsyncBridge,), namespace)


def is_async_factory(factory: object) -> bool:
    """Whether ``factory`` makes an async adapter: marked so, or a coroutine function."""
    return getattr(factory, "flavour", None) == "async" or inspect.iscoroutinefunction(factory)


def open_bridge(make: Callable[[], AsyncAdapter | Awaitable[AsyncAdapter]], label: str) -> Adapter:
    """Start a loop thread, make the async adapter on it (``make()``, awaited when it returns an awaitable)
    and return its bridge.  Raises TypeError when ``make`` gives no AsyncAdapter."""
    loop = LoopThread(f"adapter-contracts-loop {label}")

    async def build() -> Any:
        made = make()
        return await made if inspect.isawaitable(made) else made

    try:
        inner = loop.run(build(), CALL_TIMEOUT, f"{label}()")
    except BaseException:
        loop.close()
        raise
    if not isinstance(inner, AsyncAdapter):
        loop.close()
        raise TypeError(f"{label} returned {type(inner).__module__}.{type(inner).__qualname__}, "
                        "not an adapter_contracts.AsyncAdapter")
    return bridge_class(type(inner))(inner, loop)


def bridged_factory(factory: Callable[[Endpoint], Any]) -> Callable[[Endpoint], Adapter]:
    """A synchronous factory for the harness from an async one: each call opens a new bridge."""

    @functools.wraps(factory)
    def make(endpoint: Endpoint) -> Adapter:
        return open_bridge(lambda: factory(endpoint), getattr(factory, "__qualname__", "the factory"))

    make.flavour = "async"  # type: ignore[attr-defined]
    return make
