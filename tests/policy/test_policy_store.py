"""Clause search matches inflections, so staff find the clause in their own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.policy import store
from bot.policy.store import ClauseStore, lemmatise


@pytest.fixture(scope="module")
def fts_store() -> ClauseStore:
    clause_store = ClauseStore(url="sqlite://")
    clause_store.build()
    return clause_store


@pytest.fixture(scope="module")
def python_store() -> ClauseStore:
    clause_store = ClauseStore(url="sqlite://", use_fts=False)
    clause_store.build()
    return clause_store


def numbers(hits) -> list[str]:
    return [clause.number for clause, _score in hits]


def test_lemmas_match_inflections() -> None:
    assert lemmatise("Filmed on the wards") == ["film", "on", "the", "ward"]
    assert lemmatise("Journalists") == ["journalist"]


def test_the_bundled_sqlite_has_fts5(fts_store: ClauseStore) -> None:
    assert fts_store.uses_fts


@pytest.mark.parametrize("store_name", ["fts_store", "python_store"])
def test_filmed_on_the_ward_finds_lpt_recording_in_a_hospital_setting(
    store_name: str, request: pytest.FixtureRequest
) -> None:
    hits = request.getfixturevalue(store_name).search("lpt", "filmed on the ward")
    assert numbers(hits)[0] == "8.4"
    assert hits[0][0].heading == "Recording in a Hospital Setting"
    assert hits[0][1] > 0


@pytest.mark.parametrize("store_name", ["fts_store", "python_store"])
def test_journalists_finds_tewv_contact_from_the_media(
    store_name: str, request: pytest.FixtureRequest
) -> None:
    hits = request.getfixturevalue(store_name).search("tewv", "journalists")
    assert numbers(hits)[0] == "4.5.1"


def test_search_stays_within_the_trusts_own_policy(fts_store: ClauseStore) -> None:
    for trust_id in ("lpt", "tewv", "lchs", "cumbria", "secamb"):
        for clause, _score in fts_store.search(trust_id, "journalist media recording", limit=5):
            assert clause.text  # a Clause of that Trust's pack
    assert numbers(fts_store.search("cumbria", "patient recording a consultation"))[0] == "3.9"


def test_a_query_of_stop_words_finds_nothing(fts_store: ClauseStore) -> None:
    assert fts_store.search("lpt", "the and of") == []


def test_limit_is_respected(fts_store: ClauseStore) -> None:
    assert len(fts_store.search("lpt", "social media recording patient", limit=2)) == 2


def test_database_url_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'policy.db'}"
    monkeypatch.setenv(store.ENV_DB_URL, url)
    file_store = ClauseStore()
    assert file_store.url == url
    assert numbers(file_store.search("tewv", "journalists"))[0] == "4.5.1"
    assert (tmp_path / "policy.db").exists()


def test_search_clauses_uses_one_store_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "_store", None)
    monkeypatch.delenv(store.ENV_DB_URL, raising=False)
    hits = store.search_clauses("lpt", "filmed on the ward", limit=3)
    assert numbers(hits)[0] == "8.4"
    assert store.get_store() is store.get_store()
