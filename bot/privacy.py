"""What the assistant keeps about a conversation, decided by an allow-list per event type.

Staff type patient names, NHS numbers and phone numbers into the chat. The assistant never
needs them: advice depends on the scenario and a few yes/no facts, never on who the patient is.
So what is stored is decided field by field (:data:`STORED_FIELDS`), never "everything but the
text": an entity or slot value is kept only when it is one of the assistant's own words (an
intent, a scenario, a Trust id, a platform or person id from ``bot/nlu/vocabulary.yml``, a
question's option value), metadata only under a few named keys, and nothing else survives.
The review that motivated this (S3) found a typed ``/inform{"who": "John Smith 9434765919"}``
stored verbatim as a slot by the older "remove the text field" approach.

``docs/privacy.md`` is generated from :data:`STORED_FIELDS` (``python -m bot privacy-doc``) so
it cannot drift from the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

NOT_STORED = "[message not stored]"

#: Numbers are kept only when small (counts, quiz scores, tour steps, confidences): a typed
#: NHS number or phone number arrives as a large integer and is dropped.
MAX_STORED_NUMBER = 1000

#: Keys that may appear inside a structured slot value (the quiz's progress).
STRUCTURED_SLOT_KEYS = frozenset({"number", "score"})

#: Metadata keys kept on user and bot events; everything else (REST metadata, names, emails,
#: attachment URLs) is dropped.
USER_METADATA_KEYS = ("tenant_id", "trust", "model_id", "assistant_id")
BOT_METADATA_KEYS = ("utter_action", "model_id", "assistant_id")

#: Channels whose name may be stored in ``input_channel``; a REST caller's own string is not.
KNOWN_CHANNELS = frozenset({"teams", "rest", "cmdline", "inspector", "socketio", "callback"})

_MESSAGE_ID = re.compile(r"^[0-9a-f]{32}$")

#: What is kept, per event type: the field, and the rule that decides it. This is the single
#: source of ``docs/privacy.md``. Fields not listed are never stored.
STORED_FIELDS: dict[str, list[tuple[str, str]]] = {
    "user": [
        ("text", f"always replaced by `{NOT_STORED}`"),
        ("parse_data.intent", "name (only if it is one of the assistant's intents) and confidence"),
        ("parse_data.intent_ranking", "the same, for each ranked intent"),
        (
            "parse_data.entities",
            "entity type and value, only when the value is one of the assistant's own words",
        ),
        ("input_channel", "the channel name, only if it is one of the known channels"),
        ("message_id", "Rasa's random id (32 hex characters), else dropped"),
        ("metadata", "only " + ", ".join(f"`{k}`" for k in USER_METADATA_KEYS)),
        ("timestamp", "kept"),
    ],
    "slot": [
        ("name", "kept"),
        (
            "value",
            "kept only if it is true/false, a number under 1000, one of the assistant's own words, "
            "or a list/map of those; otherwise stored as null",
        ),
    ],
    "bot": [
        ("text", "the assistant's reply, composed only from the policy packs"),
        (
            "data",
            "the buttons, cards and attachments of the reply (`buttons`, `elements`, `quick_replies`, "
            "`attachment`, `image`, `custom`), all composed by the assistant",
        ),
        ("metadata", "only " + ", ".join(f"`{k}`" for k in BOT_METADATA_KEYS)),
        ("timestamp", "kept"),
    ],
    "action": [
        ("name", "kept"),
        ("policy", "kept"),
        ("confidence", "kept"),
        ("hide_rule_turn", "kept"),
        ("timestamp", "kept"),
    ],
    "active_loop": [("name", "kept"), ("timestamp", "kept")],
    "session_started": [("timestamp", "kept")],
    "other events": [
        ("event, timestamp", "kept for restart, rewind, loop interruption, rejected actions, follow-ups"),
        ("anything else", "dropped (reminder entities, free text, unknown event types' fields)"),
    ],
}

_KEPT_PER_TYPE: dict[str, tuple[str, ...]] = {
    "action": ("name", "policy", "confidence", "hide_rule_turn"),
    "active_loop": ("name",),
    "loop_interrupted": ("is_interrupted",),
    "action_execution_rejected": ("name", "policy", "confidence"),
    "followup": ("name",),
    "user_featurization": ("use_text_for_featurization",),
    "session_started": (),
    "restart": (),
    "rewind": (),
    "undo": (),
    "action_reverted": (),
    "pause": (),
    "resume": (),
    "reset_slots": (),
}


@dataclass(frozen=True)
class Vocabulary:
    """The assistant's own words: the only strings an entity or slot value may be stored as."""

    words: frozenset[str]
    intents: frozenset[str] = frozenset()

    def allows(self, value: Any, depth: int = 0) -> bool:
        """True if ``value`` can be stored as it is (no typed text can pass)."""
        if value is None or isinstance(value, bool):
            return True
        if isinstance(value, (int, float)):
            return abs(value) < MAX_STORED_NUMBER
        if isinstance(value, str):
            return value in self.words
        if depth >= 2:
            return False
        if isinstance(value, (list, tuple)):
            return len(value) <= 50 and all(self.allows(v, depth + 1) for v in value)
        if isinstance(value, Mapping):
            return len(value) <= 20 and all(
                isinstance(k, str)
                and (k in self.words or k in STRUCTURED_SLOT_KEYS)
                and self.allows(v, depth + 1)
                for k, v in value.items()
            )
        return False

    def with_names(self, names: Iterable[str], intents: Iterable[str] = ()) -> Vocabulary:
        intents = frozenset(str(i) for i in intents)
        return Vocabulary(self.words | frozenset(str(n) for n in names) | intents, self.intents | intents)


@cache
def assistant_vocabulary() -> Vocabulary:
    """Trust ids, scenario ids, fact names and option values, and the entity vocabulary ids."""
    from bot.nlu.spacy_pipeline import vocabulary
    from bot.policy.packs import TRUST_IDS, load_questions

    words: set[str] = set(TRUST_IDS)
    for kind, ids in vocabulary().items():
        words.add(kind)
        words.update(str(i) for i in ids)
    for fact, question in load_questions().items():
        words.add(fact)
        for option in question.get("options") or []:
            if isinstance(option.get("value"), str):
                words.add(option["value"])
    try:
        import yaml

        from bot.policy.packs import resolve_policies_dir

        scenarios = yaml.safe_load((resolve_policies_dir() / "scenarios.yml").read_text(encoding="utf-8"))
        words.update(scenarios.get("scenarios") or {})
    except (OSError, ValueError, AttributeError):
        pass
    words.add("nlu_fallback")
    return Vocabulary(frozenset(words), frozenset({"nlu_fallback"}))


def _intent(intent: Any, vocab: Vocabulary) -> dict[str, Any] | None:
    if not isinstance(intent, Mapping):
        return None
    name = intent.get("name")
    confidence = intent.get("confidence")
    return {
        "name": name if isinstance(name, str) and name in vocab.words else None,
        "confidence": float(confidence) if isinstance(confidence, (int, float)) else None,
    }


def _metadata(metadata: Any, keys: Iterable[str], vocab: Vocabulary) -> dict[str, Any]:
    if not isinstance(metadata, Mapping):
        return {}
    kept = {}
    for key in keys:
        value = metadata.get(key)
        if value is None:
            continue
        if key == "tenant_id" and isinstance(value, str) and re.fullmatch(r"[0-9a-f-]{36}", value):
            kept[key] = value
        elif key == "trust" and vocab.allows(value):
            kept[key] = value
        elif key in ("utter_action",) and isinstance(value, str) and re.fullmatch(r"[a-z0-9_]{1,80}", value):
            kept[key] = value
        elif key in ("model_id", "assistant_id") and isinstance(value, str) and len(value) <= 64:
            kept[key] = value
    return kept


def _user_event(event: Mapping[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    parse_data = event.get("parse_data") if isinstance(event.get("parse_data"), Mapping) else {}
    entities = []
    for entity in parse_data.get("entities") or []:
        if not isinstance(entity, Mapping):
            continue
        kind, value = entity.get("entity"), entity.get("value")
        if isinstance(kind, str) and kind in vocab.words and isinstance(value, str) and value in vocab.words:
            entities.append({"entity": kind, "value": value})
    ranking = [_intent(i, vocab) for i in parse_data.get("intent_ranking") or []]
    stored: dict[str, Any] = {
        "event": "user",
        "timestamp": event.get("timestamp"),
        "text": NOT_STORED,
        "parse_data": {
            "intent": _intent(parse_data.get("intent"), vocab) or {"name": None, "confidence": None},
            "entities": entities,
            "intent_ranking": [r for r in ranking if r is not None],
            "text": NOT_STORED,
        },
        "input_channel": event.get("input_channel") if event.get("input_channel") in KNOWN_CHANNELS else None,
        "metadata": _metadata(event.get("metadata"), USER_METADATA_KEYS, vocab),
    }
    message_id = event.get("message_id")
    if isinstance(message_id, str) and _MESSAGE_ID.match(message_id):
        stored["message_id"] = message_id
    return stored


def _bot_event(event: Mapping[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
    kept_data = {
        k: data.get(k) for k in ("elements", "quick_replies", "buttons", "attachment", "image", "custom")
    }
    return {
        "event": "bot",
        "timestamp": event.get("timestamp"),
        "text": event.get("text"),
        "data": kept_data,
        "metadata": _metadata(event.get("metadata"), BOT_METADATA_KEYS, vocab),
    }


def stored_event(event: Mapping[str, Any], vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The copy of a serialised Rasa event that may be written to the tracker store."""
    vocab = vocab or assistant_vocabulary()
    kind = event.get("event")
    if kind == "user":
        return _user_event(event, vocab)
    if kind == "bot":
        return _bot_event(event, vocab)
    if kind == "slot":
        value = event.get("value")
        return {
            "event": "slot",
            "timestamp": event.get("timestamp"),
            "name": event.get("name"),
            "value": value if vocab.allows(value) else None,
        }
    stored: dict[str, Any] = {"event": kind, "timestamp": event.get("timestamp")}
    for key in _KEPT_PER_TYPE.get(str(kind), ()):
        if key in event:
            stored[key] = event[key]
    return stored


def strip_user_text(event: dict[str, Any]) -> dict[str, Any]:
    """Kept for callers of the old name: the allow-list with the assistant's vocabulary."""
    return stored_event(event)


# --- the last line of defence for logs ------------------------------------------------------
# Names cannot be found by pattern, so the primary control is that no user text is logged at
# all (bot.rasa_ext.logs); these patterns catch the identifiers staff type most if anything
# slips through.

_IDENTIFIER_PATTERNS = [
    re.compile(r"(?<!\d)\d{3}[\s\u00a0.-]*\d{3}[\s\u00a0.-]*\d{4}(?!\d)"),  # NHS number, any spacing
    re.compile(r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),  # UK phone numbers
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email addresses
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),  # dates 12/03/1950
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),  # ISO dates
    re.compile(
        r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{2,4}\b",
        re.IGNORECASE,
    ),  # 12 March 1950
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.IGNORECASE),  # postcodes
    re.compile(r"\b(?:MRN|hospital (?:no|number)|RX\w?)[\s:#.]*[A-Z]{0,3}\d{5,10}\b", re.IGNORECASE),
    re.compile(r"\b[A-Z]{1,3}\d{6,9}\b"),  # hospital numbers such as RX1234567, H1234567
    re.compile(r"\b\d{6,}\b"),  # any long number
    re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?"),  # titled names
]


def redact(text: str) -> str:
    """Replace NHS numbers, phone numbers, emails, dates, postcodes, hospital numbers, titled names."""
    for pattern in _IDENTIFIER_PATTERNS:
        text = pattern.sub("[removed]", text)
    return text
