"""adapter-contracts: the public interface for adapter authors, in one place.

Everything an adapter written outside this repository needs is importable from
here, and only from here is it promised to stay put::

    from adapter_contracts import Adapter, Conflict, Endpoint, adapter_factory, check_key, limits
    from adapter_contracts import AsyncAdapter, async_adapter_factory  # the asyncio flavour

The abstract interface and its records, the error classes and the way to
translate a driver's errors into them, the shared validation (call it first,
store what it returns), the cursor and page helpers, the record builders, the
limits, and the factory decorator with the ``Endpoint`` it receives.  The
names resolve lazily: importing the package (which pytest does whenever it
loads the installed plugin) costs nothing until a name is used.

The packages below this one (``adapter_contracts.adapters``, ``.contracts``,
``.harness``, ``.strategies``, ``.examples``) are the suite itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapter_contracts.adapters import limits
    from adapter_contracts.adapters.async_base import AsyncAdapter
    from adapter_contracts.adapters.base import (
        UNSET,
        Adapter,
        Unset,
    )
    from adapter_contracts.adapters.cursor import (
        CURSOR_MAX_LENGTH,
        decode_cursor,
        encode_cursor,
        keyset_page,
        listing_scope,
        text_after,
    )
    from adapter_contracts.adapters.errors import (
        AdapterError,
        Conflict,
        MissingReference,
        NotFound,
        StorageUnavailable,
        Unsupported,
        ValidationError,
        translate_errors,
    )
    from adapter_contracts.adapters.inputs import (
        new_campaign,
        new_client,
        new_client_campaign,
        new_user,
        user_changes,
    )
    from adapter_contracts.adapters.records import (
        BillingEntry,
        BillingTotals,
        Campaign,
        Client,
        ClientCampaign,
        ClientOAuth,
        JSONObject,
        Page,
        UsageInput,
        User,
        UserIntegration,
        UserSetup,
        UserWorkspace,
    )
    from adapter_contracts.adapters.validation import (
        check_amount,
        check_bool,
        check_email,
        check_key,
        check_limit,
        check_name,
        check_password_hash,
        check_payload,
        check_text,
        check_timestamp,
        check_usage,
        check_usage_batch,
        check_window,
        dumps_payload,
        epoch_ms,
        exact_str,
        from_epoch_ms,
        now_utc,
        truncate_ms,
    )
    from adapter_contracts.harness.endpoint import (
        Endpoint,
    )
    from adapter_contracts.harness.plugging import (
        AdapterFactory,
        AsyncAdapterFactory,
        adapter_factory,
        async_adapter_factory,
    )

#: Where the public names live, searched in this order.
_HOMES = (
    "adapter_contracts.adapters.base",
    "adapter_contracts.adapters.async_base",
    "adapter_contracts.adapters.errors",
    "adapter_contracts.adapters.records",
    "adapter_contracts.adapters.validation",
    "adapter_contracts.adapters.cursor",
    "adapter_contracts.adapters.inputs",
    "adapter_contracts.harness.plugging",
    "adapter_contracts.harness.endpoint",
)

__all__ = [
    "CURSOR_MAX_LENGTH",
    "UNSET",
    "Adapter",
    "AdapterError",
    "AdapterFactory",
    "AsyncAdapter",
    "AsyncAdapterFactory",
    "BillingEntry",
    "BillingTotals",
    "Campaign",
    "Client",
    "ClientCampaign",
    "ClientOAuth",
    "Conflict",
    "Endpoint",
    "JSONObject",
    "MissingReference",
    "NotFound",
    "Page",
    "StorageUnavailable",
    "Unset",
    "Unsupported",
    "UsageInput",
    "User",
    "UserIntegration",
    "UserSetup",
    "UserWorkspace",
    "ValidationError",
    "adapter_factory",
    "async_adapter_factory",
    "check_amount",
    "check_bool",
    "check_email",
    "check_key",
    "check_limit",
    "check_name",
    "check_password_hash",
    "check_payload",
    "check_text",
    "check_timestamp",
    "check_usage",
    "check_usage_batch",
    "check_window",
    "decode_cursor",
    "dumps_payload",
    "encode_cursor",
    "epoch_ms",
    "exact_str",
    "from_epoch_ms",
    "keyset_page",
    "limits",
    "listing_scope",
    "new_campaign",
    "new_client",
    "new_client_campaign",
    "new_user",
    "now_utc",
    "text_after",
    "translate_errors",
    "truncate_ms",
    "user_changes",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'adapter_contracts' has no attribute {name!r}")
    if name == "limits":
        value: Any = importlib.import_module("adapter_contracts.adapters.limits")
    else:
        value = next(vars(module)[name] for module in map(importlib.import_module, _HOMES) if name in vars(module))
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
