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
channel on a machine without Teams secrets. Without an app id, password, ``TEAMS_SENDER_ID_KEY``
or a tenant the channel still starts, logs what is missing, and answers 503.

The webhook is public, so it is hardened (review S7-S13): the token is verified before the
body is read; the body is capped at 256 KB (413); the activity's shape is checked (400); only
``channelId: msteams`` with a key endorsed for it, only the deployment's tenants (403), and
replies only to Microsoft's https service URLs. Overrides of the OpenID, token and service URLs
are honoured only for loopback addresses with ``BOT_TEAMS_TEST_MODE=1`` (the offline tests).

``tenant_trusts`` maps a dedicated tenant to its Trust; ``ask`` marks a shared tenant (NHSmail),
where each user is asked which Trust they work for once, and the answer is remembered against
a pseudonymous per-user key (``bot.rasa_ext.stores.remember_trust``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.answers import trust_choice
from bot.channels.teams_activity import (
    ADAPTIVE_CARD,
    ATTACHMENT_GUIDANCE,
    activity_problem,
    adaptive_card,
    has_user_files,
    hashed_sender_id,
    hashed_user_key,
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
    MAX_LEEWAY_SECONDS,
    TEAMS_CHANNELS,
    KeyServiceUnavailable,
    OpenIdKeyStore,
    TeamsAuthError,
    check_activity_claims,
    read_bearer_token,
    signing_key_id,
    verify_connector_token,
)
from bot.channels.teams_connector import (
    MULTI_TENANT_TOKEN_URL,
    BotConnectorClient,
    ConnectorError,
    RetryPolicy,
    allowed_service_url,
    is_loopback_url,
    single_tenant_token_url,
    test_mode,
)
from bot.channels.teams_state import RecentItems, TeamsState, state_from_environment
from bot.danger import is_immediate_danger
from bot.policy.packs import TRUST_IDS
from bot.rasa_ext.turns import guard, safety_line
from bot.render import display_text

USER_KEY = "user_key"  # metadata key read by bot.rasa_ext.stores to remember the Trust

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

#: Teams activities are a few KB; 256 KB leaves room for big cards and stops a 100 MB body
#: (Sanic's default limit) being parsed for anyone with any bearer header (review S8).
MAX_BODY_BYTES = 256 * 1024

#: ``tenant_trusts`` value for a shared tenant (NHSmail): ask each user their Trust once.
ASK = "ask"
#: What a user who works for a Trust without a pack chooses ("Another Trust").
OTHER_TRUST = "other"


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
    allowed_tenants: tuple[str, ...] = ()
    channels: tuple[str, ...] = TEAMS_CHANNELS
    max_body_bytes: int = MAX_BODY_BYTES

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_password)

    def problems(self) -> list[str]:
        """What stops the channel serving (it answers 503 and logs these)."""
        found = []
        if not self.configured:
            found.append("MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD are not set")
        if not self.sender_id_key:
            # The pseudonym was keyed with the public app id, so anyone with the database could
            # recompute it from a conversation id and an AAD object id (review S9).
            found.append("TEAMS_SENDER_ID_KEY is not set (the sender pseudonym needs a secret key)")
        if not self.tenants():
            found.append("no tenant is allowed: set MICROSOFT_TENANT_ID or tenant_trusts")
        return found

    def tenants(self) -> frozenset[str]:
        """The Entra tenants whose users may use this deployment; any other gets 403 (S7)."""
        tenants = {t.lower() for t in self.tenant_trusts} | {t.lower() for t in self.allowed_tenants}
        if self.tenant_id:
            tenants.add(self.tenant_id.lower())
        return frozenset(tenants)

    def locked_down(self, environ: Mapping[str, str] | None = None) -> TeamsSettings:
        """These settings with the trust anchors Microsoft's, whatever was configured (S11).

        Whoever can set ``BOTFRAMEWORK_OPENID_URL`` could mint their own tokens, and the token
        URL receives the client secret. So overrides of the OpenID and token URLs and of the
        issuers are honoured only with ``BOT_TEAMS_TEST_MODE=1`` and only for loopback
        addresses; otherwise they are dropped with an error. The leeway is clamped to 300 s.
        """
        changes: dict[str, Any] = {}
        testing = test_mode(environ)
        if self.openid_url != DEFAULT_OPENID_URL and not (testing and is_loopback_url(self.openid_url)):
            logger.error("Ignoring the OpenID URL override: only loopback, with BOT_TEAMS_TEST_MODE=1")
            changes["openid_url"] = DEFAULT_OPENID_URL
        if self.token_url and not (testing and is_loopback_url(self.token_url)):
            logger.error("Ignoring the token URL override: only loopback, with BOT_TEAMS_TEST_MODE=1")
            changes["token_url"] = ""
        if tuple(self.issuers) != DEFAULT_ISSUERS and not testing:
            logger.error("Ignoring the issuers override: only with BOT_TEAMS_TEST_MODE=1")
            changes["issuers"] = DEFAULT_ISSUERS
        if not 0 <= self.leeway_seconds <= MAX_LEEWAY_SECONDS:
            logger.error("Clamping leeway_seconds to %d", MAX_LEEWAY_SECONDS)
            changes["leeway_seconds"] = max(0.0, min(float(self.leeway_seconds), MAX_LEEWAY_SECONDS))
        return replace(self, **changes) if changes else self

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
            allowed_tenants=tuple(
                str(t).strip().lower() for t in (creds.get("allowed_tenants") or []) if str(t).strip()
            ),
        )


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
        remember_buttons: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> None:
        self.client = client
        self.conversation = conversation
        self._remember_buttons = remember_buttons
        #: Replies that could not be delivered: the channel seam (``bot.rasa_ext.turns``)
        #: reads it, so a turn whose replies all failed still ends with the safe line.
        self.failed_deliveries = 0

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
            self.failed_deliveries += 1
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
            try:
                await self._remember_buttons(payloads)
            except Exception as error:  # noqa: BLE001 - Redis down must not lose the reply
                logger.error("Could not remember the buttons offered: %s", type(error).__name__)
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

    def __init__(
        self,
        settings: TeamsSettings,
        state: TeamsState | None = None,
        trust_memory: TrustMemory | None = None,
    ) -> None:
        self.settings = settings = settings.locked_down()
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
        self.state = state or state_from_environment()
        self.trusts = trust_memory or TrustMemory()
        self._held = RecentItems(max_items=1000, ttl_seconds=600)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.problems = settings.problems()
        for problem in self.problems:
            logger.error("Teams channel will answer 503: %s", problem)
        if settings.configured and not settings.tenant_id and not settings.token_url:
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

    @property
    def ready(self) -> bool:
        return not self.problems

    # --- identity and metadata --------------------------------------------------------------

    def sender_id(self, activity: Mapping[str, Any]) -> str:
        user = activity.get("from") or {}
        user_id = str(user.get("aadObjectId") or user.get("id") or "")
        conversation_id = str((activity.get("conversation") or {}).get("id", ""))
        return hashed_sender_id(conversation_id, user_id, self.settings.sender_id_key)

    def user_key(self, activity: Mapping[str, Any]) -> str:
        """One pseudonymous key per person (all their chats), for remembering their Trust."""
        user = activity.get("from") or {}
        user_id = str(user.get("aadObjectId") or user.get("id") or "")
        return hashed_user_key(self.tenant_id(activity) or "", user_id, self.settings.sender_id_key)

    @staticmethod
    def tenant_id(activity: Mapping[str, Any]) -> str | None:
        channel_data = activity.get("channelData") or {}
        tenant = (channel_data.get("tenant") or {}).get("id")
        tenant = tenant or (activity.get("conversation") or {}).get("tenantId")
        return str(tenant).lower() if tenant else None

    def trust_for(self, tenant_id: str | None) -> str | None:
        """The Trust whose policy pack applies: the deployment's tenant mapping, else default.

        ``ask`` (a shared tenant) is returned as it is: the user is asked.
        """
        if tenant_id and tenant_id in self.settings.tenant_trusts:
            return self.settings.tenant_trusts[tenant_id]
        return self.settings.default_trust

    def message_metadata(self, activity: Mapping[str, Any]) -> dict[str, Any]:
        """Only the tenant, the Trust and the per-user key: Rasa keeps metadata on the tracker
        (the store's allow-list then drops the key), so names, raw user ids and attachments
        (Rasa 3.6 copied their URLs here) stay out."""
        tenant = self.tenant_id(activity)
        metadata: dict[str, Any] = {"tenant_id": tenant}
        trust = self.trust_for(tenant)
        if trust and trust != ASK:
            metadata["trust"] = trust
        metadata[USER_KEY] = self.user_key(activity)
        return metadata

    # --- handling activities ---------------------------------------------------------------

    def _output_for(self, activity: Mapping[str, Any], sender_id: str) -> TeamsOutput:
        async def remember(payloads: list[str]) -> None:
            await self.state.remember_buttons(sender_id, payloads)

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
        last_card = await self.state.last_card(sender_id)
        value = activity.get("value")
        payload = payload_from_card_value(value) if value is not None else None
        text = payload or pick_numbered_option(text, last_card) or text
        if not text:
            return
        message = UserMessage(
            text=text,
            output_channel=output,
            sender_id=sender_id,
            input_channel=self.name(),
            metadata=self.message_metadata(activity),
        )

        async def handle(guarded: UserMessage) -> None:
            await self._with_trust(guarded, on_new_message)

        await guard(message, handle, self.state.offered)

    async def _with_trust(self, message: UserMessage, on_new_message: OnNewMessage) -> None:
        """Pass the message on, with the user's Trust; in a shared tenant ask for it first.

        In the NHSmail shared tenant the tenant cannot tell the Trust, so the user's own choice
        (remembered per person, keyed pseudonymously) decides. Until they have chosen, their
        message is held here in memory (never stored) while the question is asked, then
        answered. Immediate danger is never held: 999 comes first, the question after.
        """
        metadata = message.metadata
        user_key = metadata.get(USER_KEY)
        chosen = chosen_trust(message.text)
        if chosen and user_key:
            await self.trusts.remember(user_key, chosen)
        remembered = chosen or (await self.trusts.remembered(user_key) if user_key else None)
        if remembered in TRUST_IDS:
            metadata["trust"] = remembered
        if remembered or self.trust_for(metadata.get("tenant_id")) != ASK:
            await on_new_message(message)
            held = self._held.pop(message.sender_id) if chosen else None
            if held:
                await on_new_message(_again(message, held))
            return
        if is_immediate_danger(message.text):
            await on_new_message(message)
        elif not message.text.startswith("/"):
            self._held.put(message.sender_id, message.text)
        await message.output_channel.send_response(message.sender_id, trust_choice())

    async def _welcome(self, activity: Mapping[str, Any], on_new_message: OnNewMessage) -> None:
        """Install/add: inject ``welcome_payload`` (default ``/help``) so the domain's own
        help response, with its topic buttons, is the welcome, then the first-use line (don't
        type identifiers; Teams keeps the chat). Teams sends both a conversationUpdate and an
        installationUpdate for one install, so only the first in two minutes per conversation
        counts, across replicas when Redis is configured."""
        conversation_id = str((activity.get("conversation") or {}).get("id", ""))
        if not self.settings.welcome_payload:
            return
        if not await self.state.first_time(f"welcome\x1f{conversation_id}", self.state.WELCOME_TTL):
            return
        sender_id = self.sender_id(activity)
        output = self._output_for(activity, sender_id)
        await guard(
            UserMessage(
                text=self.settings.welcome_payload,
                output_channel=output,
                sender_id=sender_id,
                input_channel=self.name(),
                metadata=self.message_metadata(activity),
            ),
            on_new_message,
            trusted=True,
        )
        line = safety_line("first_use_privacy")
        if line:
            await output.send_text_message(sender_id, line)

    async def verify_token(self, authorization: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The token's claims and signing key, checked from the header alone (before the body).

        One refetch of the keys on an unknown ``kid`` happens inside the key store.
        """
        token = read_bearer_token(authorization)
        kid = signing_key_id(token)
        jwk = await self.keys.key_for(kid)
        claims = verify_connector_token(
            token,
            jwk,
            app_id=self.settings.app_id,
            issuers=self.settings.issuers,
            leeway_seconds=self.settings.leeway_seconds,
        )
        return claims, jwk

    async def authenticate(self, authorization: str | None, activity: Mapping[str, Any]) -> None:
        """Raise TeamsAuthError unless the bearer token is Microsoft's, for this bot and this
        activity, and the activity's service URL is one replies may go to."""
        claims, jwk = await self.verify_token(authorization)
        self.check_activity(claims, jwk, activity)

    def check_activity(
        self, claims: Mapping[str, Any], jwk: Mapping[str, Any], activity: Mapping[str, Any]
    ) -> None:
        service_url = str(activity.get("serviceUrl", ""))
        check_activity_claims(
            claims,
            jwk,
            service_url=service_url,
            channel_id=activity.get("channelId"),
            channels=self.settings.channels,
        )
        if not allowed_service_url(service_url):
            raise TeamsAuthError("serviceUrl is not a Microsoft https service URL")

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self._tasks.discard(done)
            if not done.cancelled() and done.exception() is not None:
                error = done.exception()
                logger.error("Teams activity failed: %s", type(error).__name__)

        task.add_done_callback(finished)

    async def drain(self, timeout_seconds: float = 10.0) -> None:
        """Wait (bounded) for background turns to finish, e.g. at shutdown."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_seconds)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        teams_webhook = Blueprint("teams_webhook", __name__)

        @teams_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.ready})

        # stream=True: Sanic does not read the body before the handler, so the token is
        # checked first and the body is read only up to the cap (S8).
        @teams_webhook.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            return await self._webhook(request, on_new_message)

        @teams_webhook.listener("before_server_stop")
        async def finish_turns(*_: Any) -> None:
            await self.drain()

        @teams_webhook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            await self.client.close()
            await self.state.close()

        return teams_webhook

    async def _read_body(self, request: Request) -> bytes:
        """The body, read only up to ``max_body_bytes``; PayloadTooLarge beyond it."""
        limit = self.settings.max_body_bytes
        length = request.headers.get("Content-Length")
        if length and length.strip().isdecimal() and int(length) > limit:
            raise PayloadTooLarge("body too large")
        if request.stream is None:  # a non-streaming route (only in unit tests)
            body = request.body or b""
        else:
            request.stream.request_max_size = limit
            chunks: list[bytes] = []
            size = 0
            async for chunk in request.stream:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge("body too large")
                chunks.append(chunk)
            body = b"".join(chunks)
        if len(body) > limit:
            raise PayloadTooLarge("body too large")
        return body

    async def _webhook(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Authenticate, then answer at once and process in the background.

        The order is the point: the token (header only) first, then the body up to 256 KB,
        then its shape, then the checks that tie the token to the activity, then the tenant.
        Teams resends an activity it has no answer to within about 15 s, and Rasa 3.6 held
        the answer until the whole turn (custom actions included, 300 s timeout) was done,
        which produced duplicate turns. Duplicates that still arrive are dropped by id.
        """
        if not self.ready:
            return response.text("Teams channel not configured", status=HTTPStatus.SERVICE_UNAVAILABLE)
        authorization = request.headers.get("Authorization")
        if not authorization:
            return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
        try:
            claims, jwk = await self.verify_token(authorization)
        except TeamsAuthError as error:
            logger.warning("Rejected a Teams request: %s", error)
            return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
        except KeyServiceUnavailable as error:
            logger.error("Cannot check Teams requests: %s", error)
            return response.text("Try again later", status=HTTPStatus.SERVICE_UNAVAILABLE)
        except Exception as error:  # noqa: BLE001 - a bad token must never become a 500
            logger.error("Unexpected error while checking a Teams request: %s", type(error).__name__)
            return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
        try:
            body = await self._read_body(request)
        except PayloadTooLarge:
            return response.text("Body too large", status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            activity = parse_activity(body or b"")
        except (ValueError, RecursionError):  # deep nesting raised RecursionError: a 500 (S8)
            activity = None
        problem = activity_problem(activity)
        if problem:
            return response.text(f"Not a Teams activity: {problem}", status=HTTPStatus.BAD_REQUEST)
        try:
            self.check_activity(claims, jwk, activity)
        except TeamsAuthError as error:
            logger.warning("Rejected a Teams request: %s", error)
            return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
        tenant = self.tenant_id(activity)
        if tenant not in self.settings.tenants():
            logger.warning("Rejected a Teams request from a tenant this deployment does not serve")
            return response.text("Forbidden", status=HTTPStatus.FORBIDDEN)
        if activity.get("type") == "invoke":
            # Teams waits for an InvokeResponse (card actions, feedback); 202 shows an error.
            return response.json({}, status=HTTPStatus.OK)

        conversation_id = str((activity.get("conversation") or {}).get("id", ""))
        activity_id = activity.get("id")
        if activity_id and not await self._first_time(f"{conversation_id}\x1f{activity_id}"):
            return response.text("", status=HTTPStatus.OK)
        self._spawn(self.handle_activity(activity, on_new_message))
        return response.text("", status=HTTPStatus.ACCEPTED)

    async def _first_time(self, key: str) -> bool:
        try:
            return await self.state.first_time(key, self.state.ACTIVITY_TTL)
        except Exception as error:  # noqa: BLE001 - Redis down: answer rather than drop
            logger.error("Could not check for a resent activity: %s", type(error).__name__)
            return True


def parse_activity(body: bytes) -> Any:
    """The activity's JSON (one function, so a test can prove it is not called too early)."""
    return json.loads(body)


def chosen_trust(text: str) -> str | None:
    """The Trust in a ``/choose_trust{"trust": …}`` button payload, if it is one we know."""
    if not text.startswith("/choose_trust{"):
        return None
    try:
        value = json.loads(text[len("/choose_trust") :]).get("trust")
    except (ValueError, AttributeError):
        return None
    return value if value in TRUST_IDS or value == OTHER_TRUST else None


def _again(message: UserMessage, text: str) -> UserMessage:
    return UserMessage(
        text=text,
        output_channel=message.output_channel,
        sender_id=message.sender_id,
        input_channel=message.input_channel,
        metadata=dict(message.metadata),
    )


class TrustMemory:
    """Which Trust each person chose, in the conversation database (``user_trusts``)."""

    async def remember(self, user_key: str, trust: str) -> None:
        from bot.rasa_ext.stores import remember_trust

        try:
            await asyncio.to_thread(remember_trust, user_key, trust)
        except Exception as error:  # noqa: BLE001 - the answer matters more than the memory
            logger.error("Could not remember a Trust: %s", type(error).__name__)

    async def remembered(self, user_key: str) -> str | None:
        from bot.rasa_ext.stores import remembered_trust

        try:
            return await asyncio.to_thread(remembered_trust, user_key)
        except Exception as error:  # noqa: BLE001
            logger.error("Could not read a remembered Trust: %s", type(error).__name__)
            return None
