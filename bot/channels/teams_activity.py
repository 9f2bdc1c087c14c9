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

# Every pattern here is linear: tags are bounded in length and never need a matching close tag
# found by backtracking. The old ``<at>(.*?)</at>`` took a second per 28 KB of ``<at>`` (S13).
_AT_TAGS = re.compile(r"</?at(?:\s[^<>]{0,200})?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^<>]{1,500}>")
_LEADING_MENTION = re.compile(r"^\s*<at(?:\s[^<>]{0,200})?>[^<]{0,200}</at>", re.IGNORECASE)
MAX_MENTIONS = 20
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
    mentions = [e for e in (entities or ()) if isinstance(e, Mapping) and e.get("type") == "mention"]
    for entity in mentions[:MAX_MENTIONS]:
        mentioned = entity.get("mentioned") or {}
        tagged = entity.get("text")
        if (
            bot_id
            and isinstance(mentioned, Mapping)
            and mentioned.get("id") == bot_id
            and isinstance(tagged, str)
            and tagged
        ):
            text = text.replace(tagged, " ")
    if not entities:
        text = _LEADING_MENTION.sub(" ", text, count=1)
    text = _AT_TAGS.sub("", text)
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


def hashed_user_key(tenant_id: str, user_id: str, key: str) -> str:
    """A pseudonymous key for one person across all their conversations (not one chat).

    Used only to remember which Trust someone works for in the NHSmail shared tenant, so they
    are asked once, not in every chat. Keyed with ``TEAMS_SENDER_ID_KEY`` like the sender id,
    but with a different prefix, so the two can't be matched to each other.
    """
    message = f"trust-of\x1f{tenant_id}\x1f{user_id}".encode()
    return "user-" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:40]


#: Teams text is at most about 28 KB; anything longer is not from a Teams client (S13).
MAX_TEXT_CHARS = 28_000

_OBJECT_FIELDS = ("from", "recipient", "conversation", "channelData")
_LIST_FIELDS = ("attachments", "entities", "membersAdded", "membersRemoved")


def activity_problem(activity: Any) -> str | None:
    """Why an activity is malformed (answer 400), or None if its shape is usable.

    Checked before anything runs in the background: a wrong type there (``from: "x"``,
    ``attachments: ["x"]``) used to raise inside the background turn, so the user got no reply
    and the webhook had already said 202 (S13).
    """
    if not isinstance(activity, Mapping):
        return "the body is not a JSON object"
    if not isinstance(activity.get("type"), str) or not activity["type"]:
        return "type must be a string"
    for name in ("id", "channelId", "serviceUrl", "text", "action", "name", "locale", "replyToId"):
        if activity.get(name) is not None and not isinstance(activity[name], str):
            return f"{name} must be a string"
    if not isinstance(activity.get("serviceUrl"), str):
        return "serviceUrl is required"
    if len(activity.get("text") or "") > MAX_TEXT_CHARS:
        return "text is too long"
    for name in _OBJECT_FIELDS:
        if activity.get(name) is not None and not isinstance(activity[name], Mapping):
            return f"{name} must be an object"
    conversation = activity.get("conversation")
    if not isinstance(conversation, Mapping) or not isinstance(conversation.get("id"), str):
        return "conversation.id is required"
    for name in ("from", "recipient"):
        value = activity.get(name) or {}
        for key in ("id", "aadObjectId", "name"):
            if value.get(key) is not None and not isinstance(value[key], str):
                return f"{name}.{key} must be a string"
    tenant = (activity.get("channelData") or {}).get("tenant")
    if tenant is not None and (not isinstance(tenant, Mapping) or not isinstance(tenant.get("id", ""), str)):
        return "channelData.tenant must be an object with a string id"
    if conversation.get("tenantId") is not None and not isinstance(conversation["tenantId"], str):
        return "conversation.tenantId must be a string"
    for name in _LIST_FIELDS:
        value = activity.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or len(value) > 100 or not all(isinstance(v, Mapping) for v in value):
            return f"{name} must be a list of objects"
    for entity in activity.get("entities") or ():
        if entity.get("mentioned") is not None and not isinstance(entity["mentioned"], Mapping):
            return "entities[].mentioned must be an object"
    return None


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
    # isdecimal, not isdigit: "²".isdigit() is True but int("²") raises, which killed the turn (S6).
    if not payloads or not text.strip().isdecimal() or len(text.strip()) > 3:
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
