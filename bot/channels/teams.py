"""Microsoft Teams channel for Rasa 3.6: ``bot.channels.teams.TeamsInput``.

Served at ``/webhooks/teams/webhook``. It replaces Rasa's ``botframework`` channel, whose
pitfalls are listed in ``/work/shared/research/rasa-anchors.md`` section B; each fix is
described where it is made (``teams_auth``, ``teams_activity``, ``teams_connector``).

It does not subclass ``BotFrameworkInput``: that class fetches Microsoft's keys in its
constructor (so the server cannot start offline) and every method we would inherit is one we
need to change.

Configuration (``credentials.yml``), every key optional, environment variables as fallback::

    bot.channels.teams.TeamsInput:
      tenant_trusts:            # Entra tenant id -> Trust pack id
        "9f3c…": tewv

The secrets are read from ``MICROSOFT_APP_ID``, ``MICROSOFT_APP_PASSWORD`` and
``MICROSOFT_TENANT_ID`` rather than ``${…}`` interpolation, because Rasa refuses to load a
credentials file that names an unset variable, which would stop ``rasa run`` for every
channel on a machine without Teams secrets. Without an app id and password the channel still
starts but answers 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.teams_activity import (
    ADAPTIVE_CARD,
    ATTACHMENT_GUIDANCE,
    adaptive_card,
    has_user_files,
    hashed_sender_id,
    image_card,
    is_install_event,
    payload_from_card_value,
    pick_numbered_option,
    strip_bot_mention,
)
from bot.channels.teams_auth import (
    DEFAULT_ISSUERS,
    DEFAULT_LEEWAY_SECONDS,
    DEFAULT_OPENID_URL,
    KeyServiceUnavailable,
    OpenIdKeyStore,
    TeamsAuthError,
    read_bearer_token,
    signing_key_id,
    verify_activity_token,
)
from bot.channels.teams_connector import (
    MULTI_TENANT_TOKEN_URL,
    BotConnectorClient,
    ConnectorError,
    RetryPolicy,
    single_tenant_token_url,
)
from bot.render import display_text

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def _parse_tenant_trusts(raw: Any) -> dict[str, str]:
    """``{tenant: trust}`` from YAML, or ``"tenant=trust,tenant2=trust2"`` from the env."""
    if isinstance(raw, Mapping):
        return {str(k).strip().lower(): str(v).strip() for k, v in raw.items() if k and v}
    if isinstance(raw, str) and raw.strip():
        pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
        return {k.strip().lower(): v.strip() for k, v in pairs if k.strip() and v.strip()}
    return {}


@dataclass(frozen=True)
class TeamsSettings:
    """Everything the channel needs; see the module docstring for where each comes from."""

    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    openid_url: str = DEFAULT_OPENID_URL
    token_url: str = ""
    issuers: tuple[str, ...] = DEFAULT_ISSUERS
    tenant_trusts: Mapping[str, str] = field(default_factory=dict)
    default_trust: str | None = None
    welcome_payload: str = "/help"
    attachment_reply: str = ATTACHMENT_GUIDANCE
    sender_id_key: str = ""
    leeway_seconds: float = DEFAULT_LEEWAY_SECONDS
    key_refresh_seconds: float = 300.0
    request_timeout_seconds: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_password)

    @property
    def resolved_token_url(self) -> str:
        if self.token_url:
            return self.token_url
        if self.tenant_id:
            return single_tenant_token_url(self.tenant_id)
        return MULTI_TENANT_TOKEN_URL

    @classmethod
    def from_credentials(
        cls, credentials: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
    ) -> TeamsSettings:
        """Read ``credentials.yml`` values, falling back to environment variables."""
        creds = dict(credentials or {})
        env = os.environ if environ is None else environ

        def pick(key: str, variable: str | None = None, default: str = "") -> str:
            value = creds.get(key)
            if value not in (None, ""):
                return str(value)
            return env.get(variable, default) if variable else default

        issuers = creds.get("issuers") or DEFAULT_ISSUERS
        if isinstance(issuers, str):
            issuers = [issuers]
        retry = RetryPolicy(**creds["retry"]) if isinstance(creds.get("retry"), Mapping) else None
        return cls(
            app_id=pick("app_id", "MICROSOFT_APP_ID"),
            app_password=pick("app_password", "MICROSOFT_APP_PASSWORD"),
            tenant_id=pick("tenant_id", "MICROSOFT_TENANT_ID"),
            openid_url=pick("openid_url", "BOTFRAMEWORK_OPENID_URL", DEFAULT_OPENID_URL),
            token_url=pick("token_url", "BOTFRAMEWORK_TOKEN_URL"),
            issuers=tuple(str(issuer) for issuer in issuers),
            tenant_trusts=_parse_tenant_trusts(creds.get("tenant_trusts") or env.get("TEAMS_TENANT_TRUSTS")),
            default_trust=pick("default_trust", "TEAMS_DEFAULT_TRUST") or None,
            welcome_payload=pick("welcome_payload", default="/help"),
            attachment_reply=pick("attachment_reply", default=ATTACHMENT_GUIDANCE),
            sender_id_key=pick("sender_id_key", "TEAMS_SENDER_ID_KEY"),
            leeway_seconds=float(creds.get("leeway_seconds", DEFAULT_LEEWAY_SECONDS)),
            key_refresh_seconds=float(creds.get("key_refresh_seconds", 300.0)),
            request_timeout_seconds=float(creds.get("request_timeout_seconds", 10.0)),
            retry=retry or RetryPolicy(),
        )


class _RecentItems:
    """A small bounded, expiring map (duplicate activities, install events, last buttons)."""

    def __init__(self, max_items: int, ttl_seconds: float) -> None:
        self.max_items = max_items
        self.ttl_seconds = ttl_seconds
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def put(self, key: str, value: Any = True) -> None:
        self._items[key] = (time.monotonic() + self.ttl_seconds, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def pop(self, key: str) -> Any:
        expires, value = self._items.pop(key, (0.0, None))
        return value if expires > time.monotonic() else None

    def seen_before(self, key: str) -> bool:
        """True if ``key`` was recorded and has not expired; records it otherwise."""
        expires, _ = self._items.get(key, (0.0, None))
        if expires > time.monotonic():
            return True
        self.put(key)
        return False


@dataclass(frozen=True)
class ConversationRef:
    """Where to send replies for one incoming activity. Kept in memory only."""

    service_url: str
    conversation_id: str
    bot: Mapping[str, Any]
    user: Mapping[str, Any]
    reply_to_id: str | None = None

    @classmethod
    def from_activity(cls, activity: Mapping[str, Any]) -> ConversationRef:
        bot = activity.get("recipient") or {}
        user = activity.get("from") or {}
        return cls(
            service_url=str(activity.get("serviceUrl", "")),
            conversation_id=str((activity.get("conversation") or {}).get("id", "")),
            bot={k: bot[k] for k in ("id", "name") if k in bot},
            user={"id": user.get("id", "")},
            reply_to_id=activity.get("id"),
        )


class TeamsOutput(OutputChannel):
    """Sends Rasa's responses to one Teams conversation through the Bot Connector."""

    def __init__(
        self,
        client: BotConnectorClient,
        conversation: ConversationRef,
        remember_buttons: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.client = client
        self.conversation = conversation
        self._remember_buttons = remember_buttons

    @classmethod
    def name(cls) -> str:
        """``teams``, so domain responses can have ``channel: teams`` variants."""
        return "teams"

    def _activity(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": "message",
            "from": dict(self.conversation.bot),
            "recipient": dict(self.conversation.user),
            "conversation": {"id": self.conversation.conversation_id},
        }
        if self.conversation.reply_to_id:
            activity["replyToId"] = self.conversation.reply_to_id
        activity.update(fields)
        return activity

    async def send_activity(self, fields: Mapping[str, Any]) -> None:
        """Post one activity. Failures are logged, not raised: an exception here would abort
        Rasa's turn before the tracker is saved, losing the user's message as well."""
        try:
            await self.client.post_activity(
                self.conversation.service_url,
                self.conversation.conversation_id,
                self._activity(fields),
            )
        except ConnectorError as error:
            logger.error("Could not deliver a Teams reply: %s", error)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One activity per Rasa message (Rasa 3.6 made one POST per paragraph, which counts
        against Teams' rate limits); Teams renders the paragraphs as markdown."""
        await self.send_activity({"text": display_text(text, keep_markdown=True), "textFormat": "markdown"})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        payloads = [str(b.get("payload", b.get("title", ""))) for b in buttons if not b.get("url")]
        if self._remember_buttons is not None:
            self._remember_buttons(payloads)
        await self.send_activity({"text": "", "summary": text, "attachments": [adaptive_card(text, buttons)]})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_activity({"attachments": [image_card(image)]})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """``custom:`` responses: a bare Adaptive Card is wrapped, anything else is taken as
        activity fields (e.g. ``{"attachments": [...]}``) and posted as given."""
        if json_message.get("type") == "AdaptiveCard":
            fields: dict[str, Any] = {
                "attachments": [{"contentType": ADAPTIVE_CARD, "content": json_message}]
            }
        else:
            fields = dict(json_message)
        await self.send_activity(fields)


class TeamsInput(InputChannel):
    """The Teams webhook. Constructing it and building its blueprint do no network I/O."""

    def __init__(self, settings: TeamsSettings) -> None:
        self.settings = settings
        self.keys = OpenIdKeyStore(
            settings.openid_url,
            # Two fetches happen inside a webhook call, which must answer within ~15 s.
            timeout_seconds=min(settings.request_timeout_seconds, 5.0),
            min_refresh_seconds=settings.key_refresh_seconds,
        )
        self.client = BotConnectorClient(
            settings.app_id,
            settings.app_password,
            settings.resolved_token_url,
            timeout_seconds=settings.request_timeout_seconds,
            retry=settings.retry,
        )
        self._recent_activities = _RecentItems(max_items=10_000, ttl_seconds=15 * 60)
        self._recent_installs = _RecentItems(max_items=10_000, ttl_seconds=120)
        self._last_buttons = _RecentItems(max_items=10_000, ttl_seconds=3600)
        self._tasks: set[asyncio.Task[Any]] = set()
        if not settings.configured:
            logger.warning(
                "Teams channel has no MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD: it will answer 503."
            )
        elif not settings.tenant_id and not settings.token_url:
            logger.warning(
                "MICROSOFT_TENANT_ID is not set: using the multi-tenant token endpoint, which "
                "new (single-tenant) Azure Bots cannot use."
            )

    @classmethod
    def name(cls) -> str:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(TeamsSettings.from_credentials(credentials))

    # --- identity and metadata --------------------------------------------------------------

    def sender_id(self, activity: Mapping[str, Any]) -> str:
        user = activity.get("from") or {}
        user_id = str(user.get("aadObjectId") or user.get("id") or "")
        conversation_id = str((activity.get("conversation") or {}).get("id", ""))
        return hashed_sender_id(conversation_id, user_id, self.settings.sender_id_key or self.settings.app_id)

    @staticmethod
    def tenant_id(activity: Mapping[str, Any]) -> str | None:
        channel_data = activity.get("channelData") or {}
        tenant = (channel_data.get("tenant") or {}).get("id")
        tenant = tenant or (activity.get("conversation") or {}).get("tenantId")
        return str(tenant).lower() if tenant else None

    def trust_for(self, tenant_id: str | None) -> str | None:
        """The Trust whose policy pack applies: the deployment's tenant mapping, else default."""
        if tenant_id and tenant_id in self.settings.tenant_trusts:
            return self.settings.tenant_trusts[tenant_id]
        return self.settings.default_trust

    def message_metadata(self, activity: Mapping[str, Any]) -> dict[str, Any]:
        """Only the tenant and the Trust: Rasa stores metadata in the tracker, so names,
        raw user ids and attachments (Rasa 3.6 copied their URLs here) stay out."""
        tenant = self.tenant_id(activity)
        metadata: dict[str, Any] = {"tenant_id": tenant}
        trust = self.trust_for(tenant)
        if trust:
            metadata["trust"] = trust
        return metadata

    # --- handling activities ---------------------------------------------------------------

    def _output_for(self, activity: Mapping[str, Any], sender_id: str) -> TeamsOutput:
        def remember(payloads: list[str]) -> None:
            self._last_buttons.put(sender_id, payloads)

        return TeamsOutput(self.client, ConversationRef.from_activity(activity), remember)

    async def handle_activity(self, activity: Mapping[str, Any], on_new_message: OnNewMessage) -> None:
        """Process one authenticated activity (runs after the webhook has answered)."""
        kind = activity.get("type")
        if kind == "message":
            await self._handle_message(activity, on_new_message)
        elif is_install_event(activity):
            await self._welcome(activity, on_new_message)
        else:
            logger.debug("Ignoring Teams activity of type %r", kind)

    async def _handle_message(self, activity: Mapping[str, Any], on_new_message: OnNewMessage) -> None:
        sender_id = self.sender_id(activity)
        output = self._output_for(activity, sender_id)
        if has_user_files(activity.get("attachments")):
            # Never passed on or stored; the user is told why (abuse-image scenario).
            await output.send_text_message(sender_id, self.settings.attachment_reply)
        bot_id = (activity.get("recipient") or {}).get("id")
        text = strip_bot_mention(activity.get("text"), activity.get("entities"), bot_id)
        last_buttons = self._last_buttons.pop(sender_id)
        value = activity.get("value")
        payload = payload_from_card_value(value) if value is not None else None
        text = payload or pick_numbered_option(text, last_buttons) or text
        if not text:
            return
        await on_new_message(
            UserMessage(
                text=text,
                output_channel=output,
                sender_id=sender_id,
                input_channel=self.name(),
                metadata=self.message_metadata(activity),
            )
        )

    async def _welcome(self, activity: Mapping[str, Any], on_new_message: OnNewMessage) -> None:
        """Install/add: inject ``welcome_payload`` (default ``/help``) so the domain's own
        help response, with its topic buttons, is the welcome. Teams sends both a
        conversationUpdate and an installationUpdate for one install, so only the first in
        two minutes per conversation counts."""
        conversation_id = str((activity.get("conversation") or {}).get("id", ""))
        if not self.settings.welcome_payload or self._recent_installs.seen_before(conversation_id):
            return
        sender_id = self.sender_id(activity)
        await on_new_message(
            UserMessage(
                text=self.settings.welcome_payload,
                output_channel=self._output_for(activity, sender_id),
                sender_id=sender_id,
                input_channel=self.name(),
                metadata=self.message_metadata(activity),
            )
        )

    async def authenticate(self, authorization: str | None, activity: Mapping[str, Any]) -> None:
        """Raise TeamsAuthError unless the bearer token is Microsoft's, for this bot and this
        activity. One refetch of the keys on an unknown ``kid`` happens inside the key store."""
        token = read_bearer_token(authorization)
        kid = signing_key_id(token)
        jwk = await self.keys.key_for(kid)
        verify_activity_token(
            token,
            jwk,
            app_id=self.settings.app_id,
            service_url=str(activity.get("serviceUrl", "")),
            channel_id=activity.get("channelId"),
            issuers=self.settings.issuers,
            leeway_seconds=self.settings.leeway_seconds,
        )

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self._tasks.discard(done)
            if not done.cancelled() and done.exception() is not None:
                logger.error("Teams activity failed", exc_info=done.exception())

        task.add_done_callback(finished)

    async def drain(self, timeout_seconds: float = 10.0) -> None:
        """Wait (bounded) for background turns to finish, e.g. at shutdown."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_seconds)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        teams_webhook = Blueprint("teams_webhook", __name__)

        @teams_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.settings.configured})

        @teams_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self._webhook(request, on_new_message)

        @teams_webhook.listener("before_server_stop")
        async def finish_turns(*_: Any) -> None:
            await self.drain()

        @teams_webhook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            await self.client.close()

        return teams_webhook

    async def _webhook(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Authenticate, then answer at once and process in the background.

        Teams resends an activity it has no answer to within about 15 s, and Rasa 3.6 held
        the answer until the whole turn (custom actions included, 300 s timeout) was done,
        which produced duplicate turns. Duplicates that still arrive are dropped by id.
        """
        if not self.settings.configured:
            return response.text("Teams channel not configured", status=HTTPStatus.SERVICE_UNAVAILABLE)
        authorization = request.headers.get("Authorization")
        if not authorization:
            return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
        try:
            activity = json.loads(request.body or b"")
        except ValueError:
            activity = None
        if not isinstance(activity, dict):
            return response.text("Body must be a JSON activity", status=HTTPStatus.BAD_REQUEST)
        try:
            await self.authenticate(authorization, activity)
        except TeamsAuthError as error:
            logger.warning("Rejected a Teams request: %s", error)
            return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
        except KeyServiceUnavailable as error:
            logger.error("Cannot check Teams requests: %s", error)
            return response.text("Try again later", status=HTTPStatus.SERVICE_UNAVAILABLE)
        except Exception:  # noqa: BLE001 - a bad token must never become a 500
            logger.exception("Unexpected error while checking a Teams request")
            return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)

        conversation_id = str((activity.get("conversation") or {}).get("id", ""))
        activity_id = activity.get("id")
        if activity_id and self._recent_activities.seen_before(f"{conversation_id}\x1f{activity_id}"):
            return response.text("", status=HTTPStatus.OK)
        self._spawn(self.handle_activity(activity, on_new_message))
        return response.text("", status=HTTPStatus.ACCEPTED)
