"""The numeric limits of the contract, defined once.

String limits follow the MySQL reference schema and count characters (code
points), as ``VARCHAR(n)`` does under utf8mb4.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

USER_ID_MAX = 36
ENTITY_ID_MAX = 64  # campaigns, clients, client campaigns
CATEGORY_MAX = 128
PROVIDER_MAX = 128
PLATFORM_MAX = 64
EMAIL_MAX = 255
NAME_MAX = 255
PASSWORD_HASH_MAX_BYTES = 65_535  # MySQL TEXT, measured in UTF-8 bytes

PAYLOAD_MAX_DEPTH = 30  # a flat dict has depth 1; MariaDB json_valid fails at 32
PAYLOAD_MAX_BYTES = 1 << 20  # compact UTF-8 JSON serialisation
JSON_INT_MAX = 2**53 - 1  # exactly representable in every engine and in JS

AMOUNT_PLACES = 4
AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
AMOUNT_LIMIT = Decimal(10) ** 14  # exclusive; DECIMAL(18, 4)

TIME_MIN = datetime(1970, 1, 1, tzinfo=UTC)
TIME_MAX = datetime(9999, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)

PAGE_SIZE_MAX = 1000
BATCH_MAX = 10_000  # entries per record_usage_batch call
