"""Users and what a user owns: setup, workspace, integrations, campaigns."""

from __future__ import annotations

from datetime import datetime

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Unset
from adapter_contracts.adapters.cursor import created_key, listing_scope
from adapter_contracts.adapters.errors import Conflict, NotFound
from adapter_contracts.adapters.inputs import integration_key, new_campaign, new_user, user_changes
from adapter_contracts.adapters.mongo.codecs import (
    USER_FIELDS,
    decode_payload,
    encode_payload,
    format_timestamp,
    to_campaign,
    to_integration,
    to_setup,
    to_user,
)
from adapter_contracts.adapters.mongo.paging import window
from adapter_contracts.adapters.mongo_async.connection import AsyncMongoConnection, Doc
from adapter_contracts.adapters.records import (
    Campaign,
    JSONObject,
    Page,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
)
from adapter_contracts.adapters.validation import (
    check_bool,
    check_email,
    check_key,
    check_limit,
    check_payload,
    check_timestamp,
    check_window,
)


class UserMethods(AsyncMongoConnection):
    """The users and what they own: parent checks, re-checks and cascades as single-document steps."""

    # -- users ---------------------------------------------------------------

    async def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        user = new_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)
        doc = {
            "_id": user.id, "email": user.email, "name": user.name,
            "passwordHash": user.password_hash, "createdAt": format_timestamp(user.created_at),
        }
        try:
            await self._users.insert_one(doc)
        except Conflict:
            # Asked, not read from the error: mongomock gives no keyPattern, and a
            # clash on both keys must name the id (as the reference does).
            raise Conflict("id" if await self._exists(self._users, {"_id": user.id}) else "email") from None
        return user

    async def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        doc = await self._users.find_one({"_id": user_id})
        return None if doc is None else to_user(doc)

    async def get_user_by_email(self, email: str) -> User | None:
        doc = await self._users.find_one({"email": check_email(email)})
        return None if doc is None else to_user(doc)

    async def update_user(
        self,
        user_id: str,
        *,
        email: str | Unset = UNSET,
        password_hash: str | Unset = UNSET,
        name: str | Unset | None = UNSET,
    ) -> User:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        fields = user_changes(email=email, password_hash=password_hash, name=name)
        changes: Doc = {USER_FIELDS[key]: value for key, value in fields.items()}
        if not changes:
            doc = await self._users.find_one({"_id": user_id})
        else:
            try:
                doc = await self._users.find_one_and_update({"_id": user_id}, {"$set": changes})
            except Conflict:
                raise Conflict("email") from None
        if doc is None:
            raise NotFound("user", user_id)
        return to_user(doc)

    async def _delete_user_children(self, user_id: str) -> None:
        for collection in (self._setup, self._workspace, self._integrations, self._campaigns):
            await collection.delete_many({"userId": user_id})
        await self._admins.delete_many({"adminId": user_id})
        await self._billing.update_many({"adminId": user_id}, {"$set": {"adminId": None}})

    async def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        await self._delete_user_children(user_id)
        deleted = (await self._users.delete_one({"_id": user_id})) == 1
        if deleted:
            await self._delete_user_children(user_id)
        return deleted

    # -- user setup and workspace -------------------------------------------

    async def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        doc = await self._setup.find_one({"userId": user_id})
        return None if doc is None else to_setup(doc)

    async def save_user_setup(
        self,
        user_id: str,
        *,
        is_setup_complete: bool,
        completed_at: datetime | None = None,
        setup_data: JSONObject | None = None,
    ) -> UserSetup:
        setup = UserSetup(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            is_setup_complete=check_bool(is_setup_complete, field="is_setup_complete"),
            completed_at=None if completed_at is None else check_timestamp(completed_at, field="completed_at"),
            setup_data=None if setup_data is None else check_payload(setup_data, field="setup_data"),
        )
        key = {"userId": setup.user_id}
        await self._require(self._users, setup.user_id, "user_id")
        await self._upsert(self._setup, key, {
            "isSetupComplete": setup.is_setup_complete,
            "completedAt": None if setup.completed_at is None else format_timestamp(setup.completed_at),
            "setupData": encode_payload(setup.setup_data),
        })
        await self._confirm(self._users, setup.user_id, "user_id", lambda: self._setup.delete_one(key))
        return setup

    async def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        doc = await self._workspace.find_one({"userId": user_id})
        return None if doc is None else UserWorkspace(doc["userId"], decode_payload(doc["workspace"]))

    async def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        row = UserWorkspace(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            workspace=check_payload(workspace, field="workspace"),
        )
        key = {"userId": row.user_id}
        await self._require(self._users, row.user_id, "user_id")
        await self._upsert(self._workspace, key, {"workspace": encode_payload(row.workspace)})
        await self._confirm(self._users, row.user_id, "user_id", lambda: self._workspace.delete_one(key))
        return row

    # -- user integrations ---------------------------------------------------

    @staticmethod
    def _integration_key(user_id: str, category: str, provider: str) -> Doc:
        return dict(zip(("userId", "category", "provider"), integration_key(user_id, category, provider), strict=True))

    async def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = self._integration_key(user_id, category, provider)
        row = UserIntegration(key["userId"], key["category"], key["provider"], check_payload(data, field="data"))
        await self._require(self._users, row.user_id, "user_id")
        await self._upsert(self._integrations, key, {"data": encode_payload(row.data)})
        await self._confirm(self._users, row.user_id, "user_id", lambda: self._integrations.delete_one(key))
        return row

    async def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        doc = await self._integrations.find_one(self._integration_key(user_id, category, provider))
        return None if doc is None else to_integration(doc)

    async def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        query: Doc = {"userId": check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)}
        if category is not None:
            query["category"] = check_key(category, field="category", max_len=limits.CATEGORY_MAX)
        # Sorted here, in code-point order, whatever collation the collection may carry.
        rows = [to_integration(d) for d in await self._integrations.find(query)]
        return sorted(rows, key=lambda r: (r.category, r.provider))

    async def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = self._integration_key(user_id, category, provider)
        return (await self._integrations.delete_one(key)) == 1

    # -- campaigns -----------------------------------------------------------

    async def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        row = new_campaign(user_id=user_id, payload=payload, id=id, created_at=created_at)
        await self._require(self._users, row.user_id, "user_id")
        try:
            await self._campaigns.insert_one({
                "_id": row.id, "userId": row.user_id,
                "createdAt": format_timestamp(row.created_at), "payload": encode_payload(row.payload),
            })
        except Conflict:
            raise Conflict("id") from None
        await self._confirm(self._users, row.user_id, "user_id", lambda: self._campaigns.delete_one({"_id": row.id}))
        return row

    async def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        doc = await self._campaigns.find_one({"_id": campaign_id})
        return None if doc is None else to_campaign(doc)

    async def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        doc = await self._campaigns.find_one_and_update(
            {"_id": campaign_id}, {"$set": {"payload": encode_payload(payload)}})
        if doc is None:
            raise NotFound("campaign", campaign_id)
        return to_campaign(doc)

    async def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return (await self._campaigns.delete_one({"_id": campaign_id})) == 1

    async def list_campaigns(
        self,
        user_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Campaign]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        lo, hi = check_window(start, end)
        limit = check_limit(limit)
        query = {"userId": user_id, **window("createdAt", lo, hi)}
        page = (listing_scope("campaigns", user_id), limit, after, str)
        return await self._page(self._campaigns, query, ("createdAt", "_id"), page, to_campaign, created_key)
