"""Tracker and lock stores chosen by environment variables, with nothing typed by users stored.

Why our own classes: Rasa's SQL tracker store stores every user message verbatim (patient names,
NHS numbers), and its endpoint file cannot switch databases from one URL. Here:

- ``BOT_DB_URL`` (default ``sqlite:///var/tracker.db``) picks the database; a PostgreSQL URL such
  as ``postgresql://rasa@127.0.0.1:5432/rasa`` lets several Rasa replicas share conversations;
- ``BOT_REDIS_URL`` (unset by default) switches the lock store to Redis for those replicas;
- user text is replaced before it reaches the database (``bot.privacy.strip_user_text``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

from bot.privacy import strip_user_text

DEFAULT_DB_URL = "sqlite:///var/tracker.db"


def database_url() -> str:
    """The conversation database URL for this deployment."""
    return os.environ.get("BOT_DB_URL") or DEFAULT_DB_URL


class _StoredEvent:
    """An event as it will be written: Rasa's save loop only needs these two members."""

    def __init__(self, event: Any) -> None:
        self.type_name = event.type_name
        self._data = strip_user_text(event.as_dict())

    def as_dict(self) -> dict[str, Any]:
        return self._data


class PrivateSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, configured by ``BOT_DB_URL``, never storing user text."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        url = make_url(kwargs.pop("url", None) or database_url())
        dialect = url.get_backend_name()
        db = url.database or "rasa"
        if dialect == "sqlite" and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=dialect,
            host=url.host,
            port=url.port,
            db=db,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
        )

    def _additional_events(self, session: Any, tracker: Any) -> Any:
        return (_StoredEvent(e) for e in super()._additional_events(session, tracker))


class EnvLockStore(LockStore):
    """Picks Redis when ``BOT_REDIS_URL`` is set (replicas), else an in-process lock store."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        redis_url = os.environ.get("BOT_REDIS_URL")
        if not redis_url:
            return InMemoryLockStore()
        url = make_url(redis_url)
        return RedisLockStore(
            host=url.host or "127.0.0.1",
            port=url.port or 6379,
            db=int(url.database or 1),
            password=url.password,
            key_prefix="nhs_sm",
        )
