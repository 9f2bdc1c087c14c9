"""Conversation actions: greeting, help, choosing a Trust, clauses, free questions, "did you mean"."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import entity_values, latest_text, send, trust_of
from bot import induction
from bot.answers import answer_question, clause_reply, did_you_mean, help_message, trust_choice
from bot.policy.packs import load_pack
from bot.render import policy_source_line, review_note, trust_label


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pack = load_pack(trust_of(tracker))
        dispatcher.utter_message(
            text=f"I'm answering from {trust_label(pack)}'s policy. If you work for another "
            'Trust, say so, for example "I work for TEWV".'
        )
        return []


class ActionHelp(Action):
    def name(self) -> str:
        return "action_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        send(dispatcher, [help_message(load_pack(trust_of(tracker)))])
        return []


class ActionSetTrust(Action):
    """ "I work for TEWV": answer from that Trust's pack from now on."""

    def name(self) -> str:
        return "action_set_trust"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        named = entity_values(tracker, "trust")
        if not named:
            send(dispatcher, [trust_choice()])
            return []
        pack = load_pack(trust_of(tracker))
        lines = [f"OK, I'll answer from {policy_source_line(pack)}."]
        note = review_note(pack, pack.review_status())
        if note:
            lines.append(note)
        dispatcher.utter_message(text=" ".join(lines))
        return [SlotSet("trust", pack.id)]


class ActionShowClause(Action):
    def name(self) -> str:
        return "action_show_clause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        send(dispatcher, [clause_reply(load_pack(trust_of(tracker)), latest_text(tracker))])
        return []


class ActionAnswerQuestion(Action):
    """A free question about the policy: the best one or two clauses, quoted, or an honest no."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        send(dispatcher, [answer_question(load_pack(trust_of(tracker)), latest_text(tracker))])
        return []


class ActionDidYouMean(Action):
    """Low confidence: offer the two likeliest situations as buttons, plus "something else"."""

    def name(self) -> str:
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        send(dispatcher, [did_you_mean([r.get("name") for r in ranking])])
        return []


class ActionStartInduction(Action):
    """New starters: a five-stop tour of their Trust's policy, one stop per "Next"."""

    def name(self) -> str:
        return "action_start_induction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        steps = entity_values(tracker, "tour_step")
        stop = int(steps[0]) if steps and str(steps[0]).isdigit() else 1
        send(dispatcher, [induction.tour_stop(load_pack(trust_of(tracker)), stop)])
        return []


class ActionStartQuiz(Action):
    """A five-question quiz from the Trust's pack, each answer explained and cited, then a score."""

    def name(self) -> str:
        return "action_start_quiz"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pack = load_pack(trust_of(tracker))
        state = tracker.get_slot("quiz") or {}
        answers = entity_values(tracker, "quiz_answer")
        if not answers or "number" not in state:
            send(dispatcher, [induction.ask(pack, 0)])
            return [SlotSet("quiz", {"number": 0, "score": 0})]
        number, score = int(state["number"]), int(state["score"])
        right, explanation = induction.mark(pack, number, str(answers[0]))
        score += int(right)
        dispatcher.utter_message(text=explanation)
        if number + 1 < len(induction.quiz_questions(pack)):
            send(dispatcher, [induction.ask(pack, number + 1)])
            return [SlotSet("quiz", {"number": number + 1, "score": score})]
        send(dispatcher, [induction.final_score(pack, score)])
        return [SlotSet("quiz", None)]
