"""Tracker and lock stores chosen by environment variables, storing only what the allow-list keeps.

Why our own classes: Rasa's SQL tracker store stores every event verbatim (patient names, NHS
numbers, whatever a REST caller puts in metadata), and its endpoint file cannot switch
databases from one URL. Here:

- ``BOT_DB_URL`` (default ``sqlite:///var/tracker.db``) picks the database; a PostgreSQL URL such
  as ``postgresql://rasa@127.0.0.1:5432/rasa`` lets several Rasa replicas share conversations;
- ``BOT_REDIS_URL`` (unset by default) switches the lock store to Redis for those replicas;
- each event is reduced to what ``bot.privacy.stored_event`` allows before it is written, and
  the event broker (which Rasa feeds the *unreduced* events) is refused;
- a SQLite file and its folder are created owner-only (0600 / 0700), whatever the umask;
- :func:`purge` deletes events older than the retention period (``python -m bot purge``);
- a user's Trust is remembered by a pseudonymous per-user key (:func:`remember_trust`), so the
  NHSmail shared tenant, where the tenant cannot tell the Trust, asks only once;
- a long conversation is loaded as its last ``RECENT_TURNS`` turns and the slots as they stood
  before them, so its 200th turn costs what its 10th does (below).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

from bot.privacy import Vocabulary, assistant_vocabulary, stored_event

logger = logging.getLogger(__name__)

DEFAULT_DB_URL = "sqlite:///var/tracker.db"
#: A tracker is rebuilt from this many of its latest user turns (and the slots before them).
#: Everything the conversation knows is in slots (bot.interview.State) and every rule looks at one
#: turn, so older events change no reply; replaying them made each turn cost more than the last.
RECENT_TURNS = 8
#: Set on a tracker built from recent turns: how many of its events are already in the database.
_STORED = "_bot_events_already_stored"
DEFAULT_RETENTION_DAYS = 30
USER_KEY = "user_key"  # metadata key the channel uses for the pseudonymous per-user key


def database_url() -> str:
    """The conversation database URL for this deployment."""
    return os.environ.get("BOT_DB_URL") or DEFAULT_DB_URL


def retention_days() -> float:
    """``BOT_RETENTION_DAYS`` (default 30): how long conversations are kept."""
    raw = os.environ.get("BOT_RETENTION_DAYS")
    try:
        return float(raw) if raw else DEFAULT_RETENTION_DAYS
    except ValueError:
        return DEFAULT_RETENTION_DAYS


class UnsafeDatabase(ValueError):
    """A production database URL that would send conversations over the network in clear."""


def check_database_url(url: str, environ: dict[str, str] | None = None) -> None:
    """With ``BOT_PRODUCTION=1``, a PostgreSQL server that is not on this host needs TLS with
    certificate checks (``sslmode=verify-full`` or ``verify-ca``), review S5."""
    env = os.environ if environ is None else environ
    parsed = make_url(url)
    if env.get("BOT_PRODUCTION") != "1" or not parsed.get_backend_name().startswith("postgres"):
        return
    if (parsed.host or "127.0.0.1") in ("127.0.0.1", "localhost", "::1"):
        return
    if parsed.query.get("sslmode") not in ("verify-full", "verify-ca"):
        raise UnsafeDatabase(
            "BOT_DB_URL must use sslmode=verify-full for a PostgreSQL server on another host"
        )


def secure_sqlite_path(db: str) -> None:
    """Create the SQLite folder 0700 and the file 0600 before SQLAlchemy opens it (S5)."""
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.parent.resolve() != Path.cwd().resolve():
        os.chmod(path.parent, 0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def _engine_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        secure_sqlite_path(parsed.database)
    return url


class _StoredEvent:
    """An event as it will be written: Rasa's save loop only needs these two members."""

    def __init__(self, event: Any, vocab: Vocabulary) -> None:
        self.type_name = event.type_name
        self._data = stored_event(event.as_dict(), vocab)

    def as_dict(self) -> dict[str, Any]:
        return self._data


class PrivateSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, configured by ``BOT_DB_URL``, storing by allow-list."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        raw_url = kwargs.pop("url", None) or database_url()
        check_database_url(raw_url)
        url = make_url(_engine_url(raw_url))
        dialect = url.get_backend_name()
        db = url.database or (":memory:" if dialect == "sqlite" else "rasa")
        if event_broker is not None:
            # SQLTrackerStore.save streams every event, unreduced, to the broker (S15).
            logger.error("An event broker is configured: refused, it would receive user text.")
        super().__init__(
            domain=domain,
            dialect=dialect,
            host=url.host,
            port=url.port,
            db=db,
            username=url.username,
            password=url.password,
            event_broker=None,
            query=dict(url.query) or None,
        )
        self._vocab_for: tuple[int, Vocabulary] | None = None
        try:  # the retention purge deletes by timestamp, which Rasa does not index
            with self.engine.begin() as connection:
                connection.execute(
                    sa.text("CREATE INDEX IF NOT EXISTS events_timestamp ON events (timestamp)")
                )
        except sa.exc.SQLAlchemyError:
            logger.warning("Could not create the events timestamp index")

    def _vocabulary(self) -> Vocabulary:
        domain = self.domain
        if self._vocab_for is None or self._vocab_for[0] != id(domain):
            vocab = assistant_vocabulary()
            if domain is not None:
                names = [*domain.entities, *(slot.name for slot in domain.slots), *domain.form_names]
                vocab = vocab.with_names(names, intents=domain.intents)
            self._vocab_for = (id(domain), vocab)
        return self._vocab_for[1]

    async def stream_events(self, tracker: Any) -> None:
        """Never: a broker would receive the unreduced events."""
        return None

    async def retrieve(self, sender_id: str) -> Any:
        """The latest session, from its last ``RECENT_TURNS`` turns and the slots before them.

        ``retrieve_full_tracker`` (all sessions, every event) is Rasa's, unchanged: the events
        stay in the database, only what is replayed per turn is bounded.
        """
        from rasa.shared.core.trackers import DialogueStateTracker

        event = self.SQLEvent
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            users = (
                query.filter(event.type_name == "user")
                .order_by(None)
                .order_by(event.id.desc())
                .limit(RECENT_TURNS)
                .all()
            )
            if len(users) < RECENT_TURNS or self.domain is None:
                return await super().retrieve(sender_id)
            start = users[-1].id
            slots: dict[str, dict[str, Any]] = {}
            for row in query.filter(event.type_name == "slot", event.id < start).all():
                data = json.loads(row.data)
                slots[data.get("name")] = data
            recent = [json.loads(row.data) for row in query.filter(event.id >= start).all()]
        events = [*slots.values(), *recent]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, _STORED, len(tracker.events))
        return tracker

    def _additional_events(self, session: Any, tracker: Any) -> Any:
        vocab = self._vocabulary()
        stored = getattr(tracker, _STORED, None)
        if stored is None:  # built from the whole session: Rasa counts what is stored
            new = super()._additional_events(session, tracker)
        else:
            new = itertools.islice(tracker.events, stored, None)
        return (_StoredEvent(e, vocab) for e in new)

    async def save(self, tracker: Any) -> None:
        """Save by allow-list; on a database error, log and keep nothing (review S15).

        Rasa wraps the store in ``FailSafeTrackerStore``, which on any error from ``save`` keeps
        the whole tracker, typed text included, in memory and serves it from the HTTP API. So
        a failed save is handled here: that turn is lost from the database, and nothing raw is
        kept anywhere.
        """
        try:
            await super().save(tracker)
        except sa.exc.SQLAlchemyError as error:
            logger.error("A conversation turn was not saved (database unavailable): %s", type(error).__name__)
            return
        if hasattr(tracker, _STORED):  # saved again later in the turn: only what is newer
            setattr(tracker, _STORED, len(tracker.events))
        remember_trust_from_tracker(tracker, self._vocabulary(), self.engine)


# --- remembering a user's Trust ------------------------------------------------------------

_metadata = sa.MetaData()
USER_TRUSTS = sa.Table(
    "user_trusts",
    _metadata,
    sa.Column("user_key", sa.String(64), primary_key=True),
    sa.Column("trust", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False, index=True),
)


@cache
def _engine(url: str) -> sa.engine.Engine:
    return sa.create_engine(_engine_url(url))


def _ensure_tables(engine: sa.engine.Engine) -> None:
    _metadata.create_all(engine, checkfirst=True)


def remember_trust(user_key: str, trust: str, engine: sa.engine.Engine | None = None) -> None:
    """Keep ``trust`` for the user behind ``user_key`` (a keyed hash, never a raw id)."""
    engine = engine or _engine(database_url())
    _ensure_tables(engine)
    now = time.time()
    with engine.begin() as connection:
        updated = connection.execute(
            USER_TRUSTS.update().where(USER_TRUSTS.c.user_key == user_key).values(trust=trust, updated_at=now)
        )
        if not updated.rowcount:
            connection.execute(USER_TRUSTS.insert().values(user_key=user_key, trust=trust, updated_at=now))


def remembered_trust(user_key: str, engine: sa.engine.Engine | None = None) -> str | None:
    """The Trust this user chose before, if any."""
    try:
        engine = engine or _engine(database_url())
        _ensure_tables(engine)
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(USER_TRUSTS.c.trust).where(USER_TRUSTS.c.user_key == user_key)
            ).first()
    except sa.exc.SQLAlchemyError:
        logger.error("Could not read a remembered Trust (database unavailable)")
        return None
    return row[0] if row else None


def remember_trust_from_tracker(tracker: Any, vocab: Vocabulary, engine: sa.engine.Engine) -> None:
    """After a turn: if the user's message carried a ``user_key`` and the turn set the Trust, keep it."""
    from bot.policy.packs import TRUST_IDS

    latest = getattr(tracker, "latest_message", None)
    user_key = ((getattr(latest, "metadata", None) or {}).get(USER_KEY)) if latest else None
    if not isinstance(user_key, str) or not user_key:
        return
    trust = tracker.get_slot("trust") if tracker.slots.get("trust") is not None else None
    if isinstance(trust, str) and trust in TRUST_IDS:
        try:
            remember_trust(user_key, trust, engine)
        except sa.exc.SQLAlchemyError:
            logger.error("Could not remember a Trust (database unavailable)")


# --- retention -------------------------------------------------------------------------------


@contextmanager
def _connection(url: str) -> Iterator[sa.engine.Connection]:
    engine = sa.create_engine(_engine_url(url))
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def purge(
    older_than_days: float | None = None, url: str | None = None, now: float | None = None
) -> dict[str, int]:
    """Delete conversation events (and remembered Trusts) older than the retention period.

    Works on SQLite and PostgreSQL. Returns how many rows went from each table.
    """
    days = retention_days() if older_than_days is None else older_than_days
    cutoff = (time.time() if now is None else now) - days * 86400
    deleted: dict[str, int] = {}
    with _connection(url or database_url()) as connection:
        tables = set(sa.inspect(connection).get_table_names())
        if "events" in tables:
            result = connection.execute(
                sa.text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
            )
            deleted["events"] = result.rowcount or 0
        if "user_trusts" in tables:
            result = connection.execute(
                sa.text("DELETE FROM user_trusts WHERE updated_at < :cutoff"), {"cutoff": cutoff}
            )
            deleted["user_trusts"] = result.rowcount or 0
    return deleted


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis ticket lock, made safe across replicas and quick to hand over.

    Rasa 3.6 reads a conversation's lock from Redis, changes it in Python and writes it back.
    Two replicas doing that at once for the same conversation issue the same ticket number, and
    one of two simultaneous turns is lost. Here every read-modify-write of a lock runs under a
    short Redis mutex (``SET NX`` with an expiry, redis-py's ``Lock``), so tickets are issued
    and returned one at a time. Rasa also polls a held lock once a second; a turn here takes tens
    of milliseconds, so waiting turns poll every ``WAIT`` seconds instead.
    """

    WAIT = 0.02
    MUTEX_SECONDS = 5

    @contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        with self.red.lock(
            self.key_prefix + conversation_id + ":mutex",
            timeout=self.MUTEX_SECONDS,
            blocking_timeout=self.MUTEX_SECONDS,
        ):
            yield

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)

    def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = WAIT
    ) -> Any:
        return super().lock(conversation_id, lock_lifetime, min(wait_time_in_seconds, self.WAIT))


class EnvLockStore(LockStore):
    """Picks Redis when ``BOT_REDIS_URL`` is set (replicas), else an in-process lock store."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        redis_url = os.environ.get("BOT_REDIS_URL")
        if not redis_url:
            return InMemoryLockStore()
        url = make_url(redis_url)
        return AtomicRedisLockStore(
            host=url.host or "127.0.0.1",
            port=url.port or 6379,
            db=int(url.database or 1),
            password=url.password,
            key_prefix="nhs_sm",
        )
