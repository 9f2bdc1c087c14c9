"""Present danger, recognised by rules that no classifier can overrule.

Someone in danger now must get 999 / security first, whatever the NLU thought the message was
about. This module is the one place that decides it; the Rasa side, the failed-turn fallback and
the channels all ask `is_immediate_danger`.
"""

from __future__ import annotations

from bot.facts import mentions_immediate_danger


def is_immediate_danger(text: str) -> bool:
    """True when the message says someone is in danger right now."""
    return mentions_immediate_danger(text or "")
