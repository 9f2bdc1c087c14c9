"""The Rasa files agree with the catalog and the packs, so no scenario or question is unreachable."""

from pathlib import Path

import yaml

from bot import rasa_files
from bot.guidance import safety_lines
from bot.policy.packs import SCENARIO_IDS, load_all_packs, load_questions

REPO = Path(__file__).resolve().parents[2]
GENERATED = yaml.safe_load((REPO / "domain" / "scenarios.yml").read_text())
CONVERSATION = yaml.safe_load((REPO / "domain" / "conversation.yml").read_text())
RULES = yaml.safe_load((REPO / "data" / "rules" / "respond.yml").read_text())["rules"]


def test_the_generated_rasa_files_are_what_the_catalog_generates():
    assert rasa_files.stale() == [], "run `python -m bot gen-rasa`"


def test_every_scenario_is_an_intent_with_training_examples():
    nlu = yaml.safe_load((REPO / "data/nlu/scenarios.yml").read_text())["nlu"]
    trained = {block["intent"] for block in nlu if "intent" in block}
    for scenario in SCENARIO_IDS:
        assert scenario in GENERATED["intents"] and scenario in trained


def test_every_question_any_trust_asks_has_a_slot_an_entity_a_question_and_a_second_try():
    asked = {
        q for pack in load_all_packs().values() for s in SCENARIO_IDS for q in pack.playbook(s).questions
    }
    assert asked <= set(load_questions())
    for fact in load_questions():
        assert fact in GENERATED["slots"] and fact in GENERATED["entities"]
        assert GENERATED["responses"][f"utter_ask_{fact}"][0]["buttons"]
        assert (
            GENERATED["responses"][f"utter_rephrase_{fact}"][0]["text"]
            != (GENERATED["responses"][f"utter_ask_{fact}"][0]["text"])
        )


def test_danger_gets_999_from_a_response_before_the_action_runs():
    danger = next(r for r in RULES if {"intent": "urgent_danger"} in r["steps"])
    assert danger["steps"][1:] == [{"action": "utter_immediate_danger"}, {"action": "action_respond"}]
    assert "999" in GENERATED["responses"]["utter_immediate_danger"][0]["text"]
    assert safety_lines()["immediate_danger"] in GENERATED["responses"]["utter_immediate_danger"][0]["text"]


def test_every_other_intent_goes_to_the_one_action():
    every = [i if isinstance(i, str) else next(iter(i)) for i in CONVERSATION["intents"]]
    every += [s for s in SCENARIO_IDS if s != "urgent_danger"] + ["nlu_fallback"]
    other = next(r for r in RULES if r["steps"][-1] == {"action": "action_respond"} and "or" in r["steps"][0])
    assert {step["intent"] for step in other["steps"][0]["or"]} == set(every)
    assert CONVERSATION["actions"] == ["action_respond"]


def test_slots_are_set_only_by_the_action_and_not_carried_into_a_new_session():
    slots = {**CONVERSATION["slots"], **GENERATED["slots"]}
    assert all(slot["mappings"] == [{"type": "custom"}] for slot in slots.values())
    assert CONVERSATION["session_config"]["carry_over_slots_to_new_session"] is False
