"""Pure functions that read Teams activities and build Teams replies.

No I/O and no Rasa imports, so each rule can be unit-tested on its own. The pitfalls they
avoid are listed in ``/work/shared/research/rasa-anchors.md`` section B.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.render import display_text

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
HERO_CARD = "application/vnd.microsoft.card.hero"
ADAPTIVE_CARD_VERSION = "1.4"  # Teams desktop and mobile both render 1.4

ATTACHMENT_GUIDANCE = (
    "Please don't send images or files here. I can't receive them and they shouldn't be "
    "shared. If it's an abuse image, don't forward, copy or screenshot it; leave the device "
    "as it is."
)

_AT_TAG = re.compile(r"<at(?:\s[^>]*)?>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")
_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)
_INTENT_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_SPACES = re.compile(r"[ \t\u00a0]+")


# --- reading an incoming activity ----------------------------------------------------------


def strip_bot_mention(
    text: str | None, entities: Sequence[Mapping[str, Any]] | None, bot_id: str | None
) -> str:
    """Remove the bot's ``<at>Name</at>`` mention; keep other people's names as plain words.

    In team channels Teams puts ``<at>BotName</at>`` in the text and Rasa 3.6 passes it to
    NLU unchanged, which skews intent classification (the SDKs' ``RemoveRecipientMention``).
    The bot's mention is found through the ``mention`` entities whose ``mentioned.id`` is the
    bot; without entities a leading ``<at>`` tag is taken to be the bot (that is where Teams
    puts it).
    """
    if not text:
        return ""
    for entity in entities or ():
        if entity.get("type") != "mention":
            continue
        mentioned = entity.get("mentioned") or {}
        tagged = entity.get("text")
        if bot_id and mentioned.get("id") == bot_id and isinstance(tagged, str) and tagged:
            text = text.replace(tagged, " ")
    if not entities:
        text = re.sub(r"^\s*<at(?:\s[^>]*)?>.*?</at>", " ", text, count=1, flags=re.I | re.S)
    text = _AT_TAG.sub(lambda match: match.group(1), text)
    text = html.unescape(_HTML_TAG.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def payload_from_card_value(value: Any) -> str | None:
    """Turn the ``value`` of a card submission into the text Rasa should see.

    A Teams ``Action.Submit`` arrives with ``value`` and no ``text``, and Rasa 3.6 only reads
    ``text``, so the click became an empty message (RasaHQ/rasa#8164, #9240). Accepted shapes:

    - ``{"payload": "/inform{...}"}`` (what :func:`adaptive_card` sends);
    - ``{"intent": "inform", "slots": {...}}`` (or ``"entities"``, or the other keys as slots),
      for hand-written cards with inputs;
    - a JSON string of either.
    """
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("/"):
            return stripped
        try:
            value = json.loads(stripped)
        except ValueError:
            return None
    if not isinstance(value, Mapping):
        return None
    payload = value.get("payload")
    if isinstance(payload, str) and payload.strip():
        return payload.strip()
    msteams = value.get("msteams")
    nested = msteams.get("value") if isinstance(msteams, Mapping) else None
    if nested is not None:
        from_nested = payload_from_card_value(nested)
        if from_nested:
            return from_nested
    intent = value.get("intent")
    if isinstance(intent, str) and _INTENT_NAME.match(intent):
        slots = value.get("slots", value.get("entities"))
        if not isinstance(slots, Mapping):
            slots = {k: v for k, v in value.items() if k not in {"intent", "msteams"}}
        return f"/{intent}{json.dumps(dict(slots), separators=(',', ':'))}" if slots else f"/{intent}"
    return None


def has_user_files(attachments: Sequence[Mapping[str, Any]] | None) -> bool:
    """True if the user tried to send an image or file.

    Teams attaches a ``text/html`` copy of every formatted message, so that alone is not a
    file and must not trigger the warning. A pasted image arrives as an ``image/*``
    attachment and/or an ``<img>`` inside the ``text/html`` copy; files as
    ``application/vnd.microsoft.teams.file.download.info``.
    """
    for attachment in attachments or ():
        content_type = str(attachment.get("contentType", "")).lower()
        if content_type != "text/html":
            return True
        if _IMG_TAG.search(str(attachment.get("content", ""))):
            return True
    return False


def hashed_sender_id(conversation_id: str, user_id: str, key: str) -> str:
    """A stable pseudonymous tracker key for one user in one Teams conversation.

    Rasa 3.6 keyed on ``from.id`` alone, so the same person's 1:1 chat and a team channel
    shared one tracker. Keying on (conversation, user) separates them; the keyed hash keeps
    the raw Teams/AAD ids out of the tracker store.
    """
    message = f"{conversation_id}\x1f{user_id}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return f"teams-{digest[:40]}"


def is_install_event(activity: Mapping[str, Any]) -> bool:
    """True when the app was installed or the bot added to a conversation.

    Rasa 3.6 only logs these ("Not received message type"), so a new starter installing the
    app heard nothing.
    """
    kind = activity.get("type")
    if kind == "installationUpdate":
        return str(activity.get("action", "")).lower() in {"add", "add-upgrade"}
    if kind == "conversationUpdate":
        bot_id = (activity.get("recipient") or {}).get("id")
        added = activity.get("membersAdded") or []
        return bool(bot_id) and any(member.get("id") == bot_id for member in added)
    return False


def pick_numbered_option(text: str, payloads: Sequence[str] | None) -> str | None:
    """Map a reply of "2" to the second button of the last card (the plain-text fallback)."""
    if not payloads or not text.strip().isdigit():
        return None
    index = int(text.strip()) - 1
    return payloads[index] if 0 <= index < len(payloads) else None


# --- building replies ----------------------------------------------------------------------


def numbered_options(text: str, buttons: Sequence[Mapping[str, Any]]) -> str:
    """The plain-text version of a card: the question and "1. Option" lines."""
    lines = [text.strip()] if text and text.strip() else []
    lines += [f"{i}. {button.get('title', '')}" for i, button in enumerate(buttons, start=1)]
    if buttons:
        lines.append("Reply with a number to choose.")
    return "\n\n".join(lines)


def submit_action(button: Mapping[str, Any]) -> dict[str, Any]:
    """One Rasa button as an Adaptive Card action whose click reaches the bot.

    Rasa 3.6 passed ``{title, payload}`` through as hero-card buttons that Teams shows but
    cannot click (RasaHQ/rasa#8164, #11411). Here ``data`` is an object (a string ``data`` is
    not echoed back, AdaptiveCards#8064) and carries the payload three ways, because Teams
    clients differ in which of them they return: ``data.payload``, ``msteams.value`` and
    ``msteams.text``. ``displayText`` puts the button title in the chat, not the payload.
    """
    title = str(button.get("title", ""))
    url = button.get("url")
    if url:
        return {"type": "Action.OpenUrl", "title": title, "url": str(url)}
    payload = str(button.get("payload", title))
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {
            "payload": payload,
            "msteams": {
                "type": "messageBack",
                "displayText": title,
                "text": payload,
                "value": {"payload": payload},
            },
        },
    }


#: Teams shows at most a handful of actions per action list and silently drops the rest, so
#: longer menus (the topic list has 16) are split into several ActionSets of this size.
MAX_CARD_ACTIONS = 5


def adaptive_card(text: str, buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An Adaptive Card attachment: the text, one Submit action per button, text fallback."""
    text = display_text(text, keep_markdown=True)  # never the policy sources' HTML
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": text, "wrap": True}] if text else []
    actions = [submit_action(button) for button in buttons]
    if len(actions) > MAX_CARD_ACTIONS:
        body += [
            {"type": "ActionSet", "actions": actions[i : i + MAX_CARD_ACTIONS]}
            for i in range(0, len(actions), MAX_CARD_ACTIONS)
        ]
        actions = []
    return {
        "contentType": ADAPTIVE_CARD,
        "content": {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": ADAPTIVE_CARD_VERSION,
            "fallbackText": numbered_options(text, buttons),
            "body": body,
            "actions": actions,
        },
    }


def image_card(url: str) -> dict[str, Any]:
    return {"contentType": HERO_CARD, "content": {"images": [{"url": url}]}}
