"""The seam between a channel and the agent: every user message passes through :func:`guard`.

It exists so that safety holds even when a part fails (review findings S3, S6):

- **Input normalisation.** NFC, control characters (C0/C1, bidi overrides) and lone surrogates
  removed, a length cap. A lone surrogate used to crash spaCy (``GraphComponentException``)
  and the user got no reply.
- **Typed payload syntax.** ``/intent{"slot": "value"}`` is honoured only when it equals a
  button the assistant just offered; otherwise it is read as plain words (slash, braces and
  quotes removed), so a typed ``/inform{"who": "John Smith 9434765919"}`` cannot set a slot.
  A bare ``/intent`` (no values) carries nothing typed and stays a command.
- **A failed turn is never silent.** If the turn raises, a custom action fails (the action
  server down or crashing), or the turn ends without a single reply being delivered (a
  connector error), the user gets the fixed
  ``failed_turn`` line of ``policies/safety.yml``, which includes 999. If the message
  describes immediate danger (``bot.danger.is_immediate_danger``) and no delivered reply
  mentions 999, the ``immediate_danger`` line is sent.

It sits outside Rasa's processor and does not care where actions run (HTTP or in-process).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from typing import Any

logger = logging.getLogger(__name__)

#: Custom actions that failed during the current turn. Rasa logs a failed action ("Bot will
#: continue, but the actions events are lost") and carries on, so without this a greeting
#: whose action server is down would end the turn with no sign anything went wrong.
_failed_actions: ContextVar[list[str] | None] = ContextVar("failed_actions", default=None)


def watch_custom_actions() -> None:
    """Record (per turn) every custom action that raises, whether served over HTTP or in-process."""
    try:
        from rasa.core.actions.action import RemoteAction
    except ImportError:  # pragma: no cover - rasa_sdk-only environments
        return
    if getattr(RemoteAction.run, "_watched", False):
        return
    original = RemoteAction.run

    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except Exception as error:
            # A form rejecting its slot (ActionExecutionRejection) is dialogue, not a failure.
            failures = _failed_actions.get()
            if failures is not None and type(error).__name__ != "ActionExecutionRejection":
                failures.append(self.name())
            raise

    run._watched = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]


MAX_TEXT_CHARS = 5000

#: Used only if policies/safety.yml cannot be read: the seam must answer whatever broke.
FALLBACK_FAILED_TURN = (
    "Sorry, something went wrong on my side and I couldn't answer that. If anyone is in "
    "immediate danger, call 999 now, then call security. Otherwise please try again in a moment."
)
FALLBACK_DANGER = (
    "If anyone is in immediate danger, call 999 now, then call security. Do that before anything else."
)

_BARE_INTENT = re.compile(r"^/[A-Za-z_][A-Za-z0-9_]{0,60}$")
_PAYLOAD_CHARS = re.compile(r"[{}\[\]\"/\\:]")
_BIDI = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF}


def normalise_text(text: Any) -> str:
    """NFC, without lone surrogates, control characters (``\\n``/``\\t`` kept) or bidi overrides."""
    if not isinstance(text, str):
        return ""
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    text = unicodedata.normalize("NFC", text)
    kept = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\t":
            kept.append(ch)
        elif code < 0x20 or 0x7F <= code < 0xA0 or code in _BIDI:
            kept.append(" ")
        else:
            kept.append(ch)
    return "".join(kept)[:MAX_TEXT_CHARS].strip()


def gate_payload(text: str, offered: Iterable[str] | None) -> str:
    """``text`` if it is a plain message, a bare ``/intent`` or an offered button; else plain words."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    if _BARE_INTENT.match(stripped) or stripped in set(offered or ()):
        return stripped
    return re.sub(r"\s+", " ", _PAYLOAD_CHARS.sub(" ", stripped)).strip()


def safety_line(name: str) -> str:
    try:
        from bot.guidance import safety_lines

        line = safety_lines().get(name)
        if isinstance(line, str) and line.strip():
            return " ".join(line.split())
    except Exception:  # noqa: BLE001 - the seam must answer whatever broke
        logger.error("Could not read policies/safety.yml")
    return FALLBACK_DANGER if name == "immediate_danger" else FALLBACK_FAILED_TURN


def _is_danger(text: str) -> bool:
    try:
        from bot.danger import is_immediate_danger

        return is_immediate_danger(text)
    except Exception:  # noqa: BLE001
        logger.error("The danger check failed")
        return False


def _texts(message: dict[str, Any]) -> str:
    parts = [str(message.get("text") or "")]
    for button in message.get("buttons") or []:
        parts.append(str(button.get("title") or ""))
    custom = message.get("custom")
    if custom:
        parts.append(str(custom))
    return " ".join(parts)


class _Delivery:
    """Counts the replies an output channel really delivered during one turn."""

    def __init__(self, output: Any) -> None:
        self.output = output
        self.delivered: list[str] = []
        self._original = output.send_response

        async def send_response(recipient_id: str, message: dict[str, Any]) -> None:
            failed_before = getattr(output, "failed_deliveries", 0)
            said = _texts(message)  # before sending: Rasa's send_response pops "text" off the dict
            try:
                await self._original(recipient_id, message)
            except Exception as error:  # noqa: BLE001 - a failed post must not end the turn
                logger.error("A reply could not be delivered: %s", type(error).__name__)
                return
            if getattr(output, "failed_deliveries", 0) == failed_before:
                self.delivered.append(said)

        output.send_response = send_response

    def restore(self) -> None:
        self.output.send_response = self._original

    async def say(self, recipient_id: str, text: str) -> None:
        await self.output.send_response(recipient_id, {"text": text})


async def guard(
    message: Any,
    handle: Callable[[Any], Awaitable[Any]],
    offered_buttons: Callable[[str], Awaitable[Iterable[str] | None]] | None = None,
    trusted: bool = False,
) -> None:
    """Run one user turn through ``handle`` with the protections in the module docstring.

    ``offered_buttons(sender_id)`` returns the payloads the assistant just offered this user;
    ``trusted`` marks a message the channel itself made (the install welcome).
    """
    message.guarded = True
    text = normalise_text(message.text)
    if not trusted and text.startswith("/") and not _BARE_INTENT.match(text):
        offered: Iterable[str] | None = None
        if offered_buttons is not None:
            try:
                offered = await offered_buttons(message.sender_id)
            except Exception:  # noqa: BLE001
                logger.error("Could not read the buttons last offered")
        text = gate_payload(text, offered)
    message.text = text
    danger = bool(text) and not text.startswith("/") and _is_danger(text)
    output = message.output_channel
    delivery = _Delivery(output)
    failed = False
    watch_custom_actions()
    failures: list[str] = []
    watching = _failed_actions.set(failures)
    try:
        await handle(message)
    except Exception as error:  # noqa: BLE001 - never silence, never a 5xx
        failed = True
        logger.error("A turn failed: %s", type(error).__name__)
    finally:
        delivery.restore()
        _failed_actions.reset(watching)
    if failures:
        failed = True
        logger.error("A turn's custom actions failed: %s", ", ".join(failures))
    try:
        if danger and not any("999" in reply for reply in delivery.delivered):
            await delivery.say(message.sender_id, safety_line("immediate_danger"))
        if failed or not delivery.delivered:
            await delivery.say(message.sender_id, safety_line("failed_turn"))
    except Exception as error:  # noqa: BLE001
        logger.error("The safe fallback line could not be delivered: %s", type(error).__name__)


async def buttons_from_tracker(agent: Any, sender_id: str) -> list[str]:
    """Payloads of the buttons in the assistant's replies since the user's last message."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return []
    payloads: list[str] = []
    for event in reversed(tracker.events):
        kind = getattr(event, "type_name", "")
        if kind == "user":
            break
        if kind == "bot":
            for button in (getattr(event, "data", None) or {}).get("buttons") or []:
                if isinstance(button, dict) and button.get("payload"):
                    payloads.append(str(button["payload"]))
    return payloads


def guarded_handler(agent_of: Callable[[], Any]) -> Callable[[Any], Awaitable[None]]:
    """The ``on_new_message`` every channel gets from :func:`install_channel_seam`."""

    async def handler(message: Any) -> None:
        agent = agent_of()
        if getattr(message, "guarded", False):  # the channel ran the guard itself (Teams)
            await agent.handle_message(message)
            return

        async def offered(sender_id: str) -> list[str]:
            return await buttons_from_tracker(agent, sender_id)

        await guard(message, agent.handle_message, offered)

    return handler


def install_channel_seam() -> None:
    """Make Rasa's channel registration hand every channel the guarded handler.

    ``rasa.core.channels.channel.register`` builds each channel's blueprint with a handler that
    calls ``app.ctx.agent.handle_message``; this wraps that handler in :func:`guard`.
    """
    from rasa.core.channels import channel as rasa_channel

    if getattr(rasa_channel.register, "_guarded", False):
        return
    from urllib.parse import urljoin

    def register(input_channels: list[Any], app: Any, route: str | None) -> None:
        handler = guarded_handler(lambda: app.ctx.agent)
        for input_channel in input_channels:
            prefix = urljoin(route, input_channel.url_prefix()) if route else None
            app.blueprint(input_channel.blueprint(handler), url_prefix=prefix)
        app.ctx.input_channels = input_channels

    register._guarded = True  # type: ignore[attr-defined]
    rasa_channel.register = register
