"""Induction mode for new starters: a five-stop tour of their Trust's policy, and a quiz.

Both are drawn from the Trust's playbooks (already checked against the source by the pack
checker), so there is no second copy of the policy to keep in step: the tour shows what the
policy says about the situations new staff most often meet, each with its clause; the quiz asks
which clause covers a situation and explains the answer with the clause's own words.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from bot.guidance import scenario_titles
from bot.policy.packs import Pack
from bot.render import Message, quote_line, trust_label

#: The situations new starters meet first, in the order the tour visits them.
TOUR_ORDER = (
    "personal_opinions",
    "posting_work_content",
    "contact_from_patient",
    "recorded_by_patient",
    "online_abuse",
    "personal_use_at_work",
    "clinical_messaging",
    "media_contact",
    "colleague_post",
    "accidental_disclosure",
    "official_account",
    "abuse_image",
)
STOPS = 5
QUIZ_LENGTH = 5


def covered_with_quotes(pack: Pack) -> list[str]:
    """Scenarios this Trust's policy covers and quotes, in tour order."""
    return [
        s
        for s in TOUR_ORDER
        if (p := pack.playbook(s)) and p.covered and any(pack.has_clause(q.clause) for q in p.quotes)
    ]


def _payload(intent: str, entity: str, value: object) -> str:
    return f"/{intent}" + json.dumps({entity: value}, separators=(",", ":"))


def tour_stop(pack: Pack, stop: int) -> Message:
    """Stop ``stop`` (1-based) of the tour: the situation, the rule, the clause."""
    scenarios = covered_with_quotes(pack)[:STOPS]
    short = trust_label(pack)
    if stop < 1 or stop > len(scenarios):
        return {
            "text": f"That's the tour of {short}'s policy. Want to test yourself?",
            "buttons": [
                {"title": "Quiz me", "payload": "/start_quiz"},
                {"title": "See all topics", "payload": "/help"},
            ],
        }
    scenario = scenarios[stop - 1]
    playbook = pack.playbook(scenario)
    quote = next(q for q in playbook.quotes if pack.has_clause(q.clause))
    lines = []
    if stop == 1:
        lines.append(
            f"Welcome! Here are {len(scenarios)} things to know about {short}'s social media "
            "policy, each with the clause it comes from."
        )
    lines.append(f"**{stop}. {scenario_titles()[scenario]['title']}**")
    lines.append(playbook.summary.strip())
    lines.append(quote_line(pack.clause(quote.clause), quote.text))
    next_button = {
        "title": "Next" if stop < len(scenarios) else "Finish",
        "payload": _payload("start_induction", "tour_step", stop + 1),
    }
    return {"text": "\n\n".join(lines), "buttons": [next_button], "prompt": "Ready for the next one?"}


LETTERS = "ABC"


@dataclass(frozen=True)
class QuizQuestion:
    scenario: str
    options: tuple[str, ...]  # step texts, shuffled
    answer: str  # the letter of the right option


def _first_own_step(pack: Pack, scenario: str) -> str | None:
    """The first step this Trust's own policy gives (not borrowed, not general)."""
    playbook = pack.playbook(scenario)
    return next(
        (s.do for s in playbook.steps if s.cites and not s.borrowed_from and not s.general and not s.when),
        None,
    )


def quiz_questions(pack: Pack) -> list[QuizQuestion]:
    """What does the policy say to do first? The wrong options are first steps of other topics."""
    firsts = {s: step for s in covered_with_quotes(pack) if (step := _first_own_step(pack, s))}
    scenarios = list(firsts)
    questions = []
    for index, scenario in enumerate(scenarios[:QUIZ_LENGTH]):
        right = firsts[scenario]
        wrong: list[str] = []
        for other in scenarios[index + 1 :] + scenarios[:index]:
            if firsts[other] not in (right, *wrong):
                wrong.append(firsts[other])
            if len(wrong) == 2:
                break
        options = sorted(
            [right, *wrong],
            key=lambda text: hashlib.sha256(f"{pack.id}{scenario}{text}".encode()).hexdigest(),
        )
        questions.append(QuizQuestion(scenario, tuple(options), LETTERS[options.index(right)]))
    return questions


def ask(pack: Pack, number: int) -> Message:
    """Question ``number`` (0-based): the options in the text, their letters as buttons."""
    questions = quiz_questions(pack)
    question = questions[number]
    title = scenario_titles()[question.scenario]["title"]
    lines = [
        f"**Question {number + 1} of {len(questions)}.** {title}: what does "
        f"{trust_label(pack)}'s policy say to do?"
    ]
    lines += [f"{LETTERS[i]}. {option}" for i, option in enumerate(question.options)]
    buttons = [
        {"title": LETTERS[i], "payload": _payload("start_quiz", "quiz_answer", LETTERS[i])}
        for i in range(len(question.options))
    ]
    return {"text": "\n\n".join(lines), "buttons": buttons, "prompt": "Your answer:"}


def mark(pack: Pack, number: int, chosen: str) -> tuple[bool, str]:
    """Whether ``chosen`` (a letter) is right, and the explanation with the clause."""
    question = quiz_questions(pack)[number]
    playbook = pack.playbook(question.scenario)
    quote = next(q for q in playbook.quotes if pack.has_clause(q.clause))
    right = chosen.strip().upper()[:1] == question.answer
    verdict = "Right!" if right else f"Not quite: the answer is {question.answer}."
    return right, "\n\n".join(
        [verdict, playbook.summary.strip(), quote_line(pack.clause(quote.clause), quote.text)]
    )


def final_score(pack: Pack, score: int) -> Message:
    total = len(quiz_questions(pack))
    return {
        "text": f"You scored {score} out of {total} on {trust_label(pack)}'s social media policy."
        + (" Well done." if score == total else ' Say "tour" to go over it again.'),
        "buttons": [
            {"title": "Take the tour", "payload": "/start_induction"},
            {"title": "See all topics", "payload": "/help"},
        ],
    }
