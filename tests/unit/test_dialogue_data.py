"""The Rasa files agree with the packs and the scenario catalogue, so no scenario is unreachable."""

from pathlib import Path

import yaml

from bot.policy.packs import SCENARIO_IDS, load_all_packs, load_questions

REPO = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((REPO / "domain.yml").read_text())
RULES = yaml.safe_load((REPO / "data/rules/scenarios.yml").read_text())["rules"]


def test_every_scenario_is_an_intent_with_training_examples():
    nlu = yaml.safe_load((REPO / "data/nlu/scenarios.yml").read_text())["nlu"]
    trained = {block["intent"] for block in nlu if "intent" in block}
    for scenario in SCENARIO_IDS:
        assert scenario in DOMAIN["intents"] and scenario in trained


def test_each_form_lists_every_question_any_trust_asks_for_its_scenario():
    packs = load_all_packs().values()
    for scenario in SCENARIO_IDS:
        if scenario == "urgent_danger":
            continue
        asked = {q for pack in packs for q in pack.playbook(scenario).questions}
        assert set(DOMAIN["forms"][f"{scenario}_form"]["required_slots"]) == asked, scenario


def test_each_scenario_form_has_a_start_rule_and_an_answer_rule():
    for scenario in SCENARIO_IDS:
        if scenario == "urgent_danger":
            continue
        steps = [rule["steps"] for rule in RULES]
        assert any({"intent": scenario} in s and {"action": f"{scenario}_form"} in s for s in steps)
        assert any(
            {"action": f"{scenario}_form"} in s and {"action": "action_give_guidance"} in s for s in steps
        )


def test_every_question_has_a_slot_an_entity_and_an_ask_action():
    for fact in load_questions():
        assert fact in DOMAIN["slots"] and fact in DOMAIN["entities"]
        assert f"action_ask_{fact}" in DOMAIN["actions"]
