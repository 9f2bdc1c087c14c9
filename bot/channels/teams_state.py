"""What the Teams webhook remembers between requests, in this process or in Redis.

Teams resends an activity it thinks is slow (after about 15 s), and with several Rasa replicas
behind one ingress the resend can land on another replica. So the few things that must hold
across requests live here, in Redis when ``BOT_REDIS_URL`` is set, else in this process:

- activity ids already handled (a resent activity is dropped, not answered twice);
- the welcome-once guard (Teams sends both a conversationUpdate and an installationUpdate for
  one install);
- the buttons the assistant last offered each sender: a typed ``/intent{...}`` is honoured only
  when it is one of them (review S3), and "2" picks the second button of the last card.

Keys are the pseudonymous sender ids and activity ids, never names or text. What a user typed
is never put here; a message held while the user is asked their Trust stays in this process.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import OrderedDict
from typing import Any

logger = logging.getLogger(__name__)

PREFIX = "nhs_sm:teams:"


class RecentItems:
    """A small bounded, expiring map kept in this process."""

    def __init__(self, max_items: int, ttl_seconds: float) -> None:
        self.max_items = max_items
        self.ttl_seconds = ttl_seconds
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def put(self, key: str, value: Any = True, ttl_seconds: float | None = None) -> None:
        self._items[key] = (time.monotonic() + (ttl_seconds or self.ttl_seconds), value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def get(self, key: str) -> Any:
        expires, value = self._items.get(key, (0.0, None))
        return value if expires > time.monotonic() else None

    def pop(self, key: str) -> Any:
        expires, value = self._items.pop(key, (0.0, None))
        return value if expires > time.monotonic() else None

    def seen_before(self, key: str, ttl_seconds: float | None = None) -> bool:
        """True if ``key`` was recorded and has not expired; records it otherwise."""
        if self.get(key) is not None:
            return True
        self.put(key, True, ttl_seconds)
        return False


class TeamsState:
    """In-process state: right for one replica (``make run``, the tests)."""

    ACTIVITY_TTL = 15 * 60
    WELCOME_TTL = 120
    BUTTONS_TTL = 3600
    MAX_OFFERED = 200

    def __init__(self) -> None:
        self._seen = RecentItems(max_items=20_000, ttl_seconds=self.ACTIVITY_TTL)
        self._last_card = RecentItems(max_items=10_000, ttl_seconds=self.BUTTONS_TTL)
        self._offered = RecentItems(max_items=10_000, ttl_seconds=self.BUTTONS_TTL)

    async def first_time(self, key: str, ttl_seconds: float) -> bool:
        """True the first time ``key`` is seen within ``ttl_seconds`` (then False)."""
        return not self._seen.seen_before(key, ttl_seconds)

    async def remember_buttons(self, sender_id: str, payloads: list[str]) -> None:
        self._last_card.put(sender_id, list(payloads))
        offered = [p for p in (self._offered.get(sender_id) or []) if p not in payloads] + list(payloads)
        self._offered.put(sender_id, offered[-self.MAX_OFFERED :])

    async def last_card(self, sender_id: str) -> list[str]:
        """The last card's payloads, once (a later "2" must not pick from an old card)."""
        return self._last_card.pop(sender_id) or []

    async def offered(self, sender_id: str) -> list[str]:
        return list(self._offered.get(sender_id) or [])

    async def close(self) -> None:
        return None


class RedisTeamsState(TeamsState):
    """The same, shared by replicas through Redis (``BOT_REDIS_URL``)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self._redis = redis.from_url(url)

    async def first_time(self, key: str, ttl_seconds: float) -> bool:
        added = await self._redis.set(PREFIX + "seen:" + key, b"1", nx=True, ex=max(1, int(ttl_seconds)))
        return bool(added)

    async def remember_buttons(self, sender_id: str, payloads: list[str]) -> None:
        offered = await self.offered(sender_id)
        offered = [p for p in offered if p not in payloads] + list(payloads)
        pipe = self._redis.pipeline()
        pipe.set(PREFIX + "card:" + sender_id, json.dumps(payloads), ex=self.BUTTONS_TTL)
        pipe.set(
            PREFIX + "offered:" + sender_id, json.dumps(offered[-self.MAX_OFFERED :]), ex=self.BUTTONS_TTL
        )
        await pipe.execute()

    async def last_card(self, sender_id: str) -> list[str]:
        raw = await self._redis.getdel(PREFIX + "card:" + sender_id)
        return _payloads(raw)

    async def offered(self, sender_id: str) -> list[str]:
        return _payloads(await self._redis.get(PREFIX + "offered:" + sender_id))

    async def close(self) -> None:
        await self._redis.close()


def _payloads(raw: Any) -> list[str]:
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def state_from_environment() -> TeamsState:
    """Redis when ``BOT_REDIS_URL`` is set (replicas), else this process."""
    url = os.environ.get("BOT_REDIS_URL")
    return RedisTeamsState(url) if url else TeamsState()
