"""What the assistant keeps about a conversation, and what it never does.

Staff type patient names, NHS numbers and phone numbers into the chat. The assistant never
needs them: advice depends on the scenario and a few yes/no facts, never on who the patient is.
So the stored conversation keeps the intent, the facts (slots) and the assistant's own replies,
and never the words the user typed. Replies are composed only from policy packs and slots, so
they cannot echo an identifier back.
"""

from __future__ import annotations

import re
from typing import Any

NOT_STORED = "[message not stored]"

# For tests and for any log line that must mention user text: the identifiers staff type most.
_IDENTIFIER_PATTERNS = [
    re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),  # NHS number (10 digits, 3-3-4)
    re.compile(r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),  # UK phone numbers
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email addresses
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),  # dates of birth
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"),  # postcodes
    re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?"),
]


def redact(text: str) -> str:
    """Replace NHS numbers, phone numbers, emails, dates, postcodes and titled names."""
    for pattern in _IDENTIFIER_PATTERNS:
        text = pattern.sub("[removed]", text)
    return text


def strip_user_text(event: dict[str, Any]) -> dict[str, Any]:
    """A stored copy of a serialised Rasa event without anything the user typed.

    Intent, entities from our fixed vocabularies (platform, who, Trust) and the confidence stay,
    so the conversation can continue after a restart and be audited; the text does not.
    """
    if event.get("event") != "user":
        return event
    stored = dict(event)
    stored["text"] = NOT_STORED
    parse_data = dict(stored.get("parse_data") or {})
    if parse_data:
        parse_data["text"] = NOT_STORED
        parse_data.pop("response_selector", None)
        parse_data["entities"] = [
            {k: v for k, v in entity.items() if k in ("entity", "value", "extractor")}
            for entity in parse_data.get("entities", [])
        ]
        stored["parse_data"] = parse_data
    return stored
