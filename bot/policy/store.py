"""Full-text search over the packs' clauses, in a SQLAlchemy store.

Why: when a user asks something no playbook answers ("can I film the ward?"), the assistant
can still point to the clauses of *their* Trust's policy that speak to it. Staff write
"filmed", the policy prints "filming"; they write "journalists", it prints "journalist". So
both clause text and query are lemmatised with spaCy's lookup lemmatizer (a blank English
pipeline; the table comes from spacy-lookups-data, offline) after lower-casing, because the
lookup table is case-sensitive and "Filmed" at the start of a sentence would not be found.

Storage: ``BOT_POLICY_DB_URL`` (default ``sqlite://``, in memory: the packs are the source of
truth and the index is rebuilt from them once per process, so it can never be stale). On
SQLite with FTS5 the lemmas go into an FTS5 table ranked by bm25 (headings weighted double);
on any other database, or SQLite without FTS5, the same lemmas are scored by a small BM25
in Python over the rows of a plain table. Nothing is opened or loaded at import time.
"""

from __future__ import annotations

import math
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from bot.policy.packs import Clause, load_all_packs, load_pack, resolve_policies_dir

ENV_DB_URL = "BOT_POLICY_DB_URL"
DEFAULT_DB_URL = "sqlite://"
HEADING_WEIGHT = 2.0
MIN_SCORE = 0.01
_FTS_TABLE = "policy_clause_fts"

#: Words staff use for what the policies call something else, as lemmas. Kept deliberately
#: short: each entry bridges a gap seen in testing ("filmed on the ward" should reach LPT 8.4
#: "Recording in a Hospital Setting"), not a thesaurus.
STAFF_SYNONYMS: dict[str, tuple[str, ...]] = {
    "film": ("record", "recording", "video"),
    "video": ("film", "record", "recording"),
    "ward": ("hospital",),
    "reporter": ("journalist", "media"),
    "press": ("journalist", "media"),
    "journalist": ("media",),
    "troll": ("abuse", "harassment"),
    "whatsapp": ("messaging",),
    "pc": ("computer", "equipment", "device"),
    "computer": ("equipment", "device"),
    "laptop": ("computer", "equipment", "device"),
    "phone": ("mobile", "device"),
    "mobile": ("phone", "device"),
    "tweet": ("post",),
    "logo": ("brand", "branding"),
    "password": ("login", "log-in", "access"),
    "sack": ("disciplinary", "dismissal"),
    "trouble": ("disciplinary",),
}

metadata = MetaData()
policy_clause = Table(
    "policy_clause",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trust_id", String(32), nullable=False, index=True),
    Column("number", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("heading_lemmas", Text, nullable=False),
    Column("text_lemmas", Text, nullable=False),
)


# --------------------------------------------------------------------------- lemmas


class Lemmatiser:
    """Lower-case, tokenise and lemmatise with a blank English pipeline (built on first use)."""

    def __init__(self) -> None:
        self._nlp: Any = None
        self._lock = threading.Lock()

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            with self._lock:
                if self._nlp is None:
                    import spacy

                    nlp = spacy.blank("en")
                    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
                    nlp.initialize()
                    self._nlp = nlp
        return self._nlp

    def lemmas(self, text: str) -> list[str]:
        return _lemmas(self.nlp(text.lower()))

    def many(self, texts: list[str]) -> list[list[str]]:
        return [_lemmas(doc) for doc in self.nlp.pipe(t.lower() for t in texts)]

    def query_terms(self, query: str) -> list[str]:
        """Lemmas of the query without stop words ("on", "the"), each once, in order."""
        doc = self.nlp(query.lower())
        terms = [(t.lemma_ or t.text).lower() for t in doc if (t.is_alpha or t.like_num) and not t.is_stop]
        return list(dict.fromkeys(terms))


def _lemmas(doc: Any) -> list[str]:
    return [(t.lemma_ or t.text).lower() for t in doc if t.is_alpha or t.like_num]


_lemmatiser = Lemmatiser()


def lemmatise(text: str) -> list[str]:
    """The lemmas search compares: ``lemmatise("Filmed on wards") == ["film", "on", "ward"]``."""
    return _lemmatiser.lemmas(text)


# --------------------------------------------------------------------------- the store


class ClauseStore:
    """Clauses of every pack, searchable by lemma. ``build`` runs once, on first search."""

    def __init__(
        self,
        url: str | None = None,
        policies_dir: Path | str | None = None,
        use_fts: bool | None = None,
    ) -> None:
        self.url = url or os.environ.get(ENV_DB_URL) or DEFAULT_DB_URL
        self.policies_dir = resolve_policies_dir(policies_dir)
        self._requested_fts = use_fts
        self.uses_fts = False
        self._engine: Engine | None = None
        self._built = False
        self._lock = threading.Lock()
        # Python fallback: trust -> [(number, heading lemmas, text lemmas)] and statistics.
        self._docs: dict[str, list[tuple[str, list[str], list[str]]]] = {}
        self._vocabulary: set[str] = set()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            if self.url == "sqlite://" or (self.url.startswith("sqlite") and ":memory:" in self.url):
                self._engine = create_engine(
                    self.url,
                    connect_args={"check_same_thread": False},
                    poolclass=StaticPool,
                    future=True,
                )
            else:
                self._engine = create_engine(self.url, future=True)
        return self._engine

    def build(self) -> None:
        """(Re)load every pack's clauses into the store; safe to call from several threads."""
        with self._lock:
            if self._built:
                return
            packs = load_all_packs(self.policies_dir)
            rows: list[dict[str, Any]] = []
            for trust_id, pack in packs.items():
                for position, clause in enumerate(pack.clauses):
                    rows.append(
                        {
                            "trust_id": trust_id,
                            "number": clause.number,
                            "position": position,
                            "heading": clause.heading or "",
                            "text": clause.text,
                        }
                    )
            headings = _lemmatiser.many([r.pop("heading") for r in rows])
            bodies = _lemmatiser.many([r.pop("text") for r in rows])
            for row_id, (row, heading, body) in enumerate(zip(rows, headings, bodies, strict=True), start=1):
                row.update(id=row_id, heading_lemmas=" ".join(heading), text_lemmas=" ".join(body))
                self._vocabulary.update(heading, body)
            metadata.create_all(self.engine)
            self.uses_fts = (
                self._requested_fts
                if self._requested_fts is not None
                else self.engine.dialect.name == "sqlite" and sqlite_has_fts5(self.engine)
            )
            with self.engine.begin() as conn:
                conn.execute(policy_clause.delete())
                if rows:
                    conn.execute(policy_clause.insert(), rows)
                if self.uses_fts:
                    conn.execute(text(f"DROP TABLE IF EXISTS {_FTS_TABLE}"))
                    conn.execute(
                        text(
                            f"CREATE VIRTUAL TABLE {_FTS_TABLE} USING fts5(trust_id UNINDEXED, heading, body)"
                        )
                    )
                    conn.execute(
                        text(
                            f"INSERT INTO {_FTS_TABLE}(rowid, trust_id, heading, body) "
                            "SELECT id, trust_id, heading_lemmas, text_lemmas FROM policy_clause"
                        )
                    )
            if not self.uses_fts:
                self._load_python_index()
            self._built = True

    def search(self, trust_id: str, query: str, limit: int = 3) -> list[tuple[Clause, float]]:
        """The ``limit`` clauses of ``trust_id``'s policy that best match ``query``."""
        self.build()
        terms = self.expand(_lemmatiser.query_terms(query))
        if not terms or limit <= 0:
            return []
        if self.uses_fts:
            hits = self._search_fts(trust_id, terms, limit)
        else:
            hits = self._search_python(trust_id, terms, limit)
        pack = load_pack(trust_id, self.policies_dir)
        return [(pack.clause(number), score) for number, score in hits]

    def expand(self, terms: list[str]) -> list[str]:
        """Add ``STAFF_SYNONYMS`` and the "-ing" nouns the lookup table keeps as lemmas.

        The lookup table maps "recorded" to "record" but keeps the noun "recording" as
        itself, so a query lemma also matches its "-ing" form when the policies use one.
        """
        expanded = list(terms)
        for term in terms:
            expanded += STAFF_SYNONYMS.get(term, ())
            stem = term[:-1] if term.endswith("e") else term
            for form in (stem + "ing", term + term[-1:] + "ing"):
                if form in self._vocabulary:
                    expanded.append(form)
        return list(dict.fromkeys(expanded))

    # ----------------------------------------------------------------- FTS5

    def _search_fts(self, trust_id: str, terms: list[str], limit: int) -> list[tuple[str, float]]:
        match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
        sql = text(
            f"SELECT c.number, -bm25({_FTS_TABLE}, {HEADING_WEIGHT}, 1.0) AS score "
            f"FROM {_FTS_TABLE} JOIN policy_clause c ON c.id = {_FTS_TABLE}.rowid "
            f"WHERE {_FTS_TABLE} MATCH :match AND {_FTS_TABLE}.trust_id = :trust "
            "ORDER BY score DESC, c.position LIMIT :limit"
        )
        with self.engine.connect() as conn:
            result = conn.execute(sql, {"match": match, "trust": trust_id, "limit": limit})
            # bm25 gives terms found in most clauses ("social", "media") next to no weight;
            # a clause matching only those is no answer.
            return [(row.number, float(row.score)) for row in result if row.score > MIN_SCORE]

    # ----------------------------------------------------------------- Python fallback

    def _load_python_index(self) -> None:
        self._docs = {}
        with self.engine.connect() as conn:
            result = conn.execute(
                policy_clause.select().order_by(policy_clause.c.trust_id, policy_clause.c.position)
            )
            for row in result:
                self._docs.setdefault(row.trust_id, []).append(
                    (row.number, row.heading_lemmas.split(), row.text_lemmas.split())
                )

    def _search_python(self, trust_id: str, terms: list[str], limit: int) -> list[tuple[str, float]]:
        """BM25 (k1=1.2, b=0.75) over heading and text, the heading counted twice."""
        every = [doc for docs in self._docs.values() for doc in docs]
        if not every:
            return []
        lengths = [HEADING_WEIGHT * len(h) + len(t) for _, h, t in every]
        average = sum(lengths) / len(lengths) or 1.0
        frequency = Counter(term for _, h, t in every for term in set(h) | set(t))
        scored: list[tuple[float, int, str]] = []
        for position, (number, heading, body) in enumerate(self._docs.get(trust_id, [])):
            counts = Counter(body)
            for term in heading:
                counts[term] += HEADING_WEIGHT
            length = HEADING_WEIGHT * len(heading) + len(body)
            score = 0.0
            for term in terms:
                tf = counts.get(term, 0)
                if not tf:
                    continue
                n = frequency[term]
                idf = math.log(1 + (len(every) - n + 0.5) / (n + 0.5))
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
            if score > MIN_SCORE:
                scored.append((-score, position, number))
        scored.sort()
        return [(number, -neg) for neg, _, number in scored[:limit]]


def sqlite_has_fts5(engine: Engine) -> bool:
    """Whether this SQLite build has FTS5 (Python's bundled SQLite usually does)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x)"))
            conn.execute(text("DROP TABLE temp._fts5_probe"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "no FTS5 here"
        return False


# --------------------------------------------------------------------------- process-wide

_store: ClauseStore | None = None
_store_lock = threading.Lock()


def get_store() -> ClauseStore:
    """The process's store, created on first use (and built on first search)."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                _store = ClauseStore()
    return _store


def search_clauses(trust_id: str, query: str, limit: int = 3) -> list[tuple[Clause, float]]:
    """Clauses of ``trust_id``'s policy best matching ``query``, best first, with scores."""
    return get_store().search(trust_id, query, limit)
