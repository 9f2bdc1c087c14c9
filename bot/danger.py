"""Present danger, recognised by rules that no classifier can overrule.

Someone in danger now must get 999 / security first, whatever the NLU model thought the message
was about. Danger is often told as a situation, with no alarm word: "my ex has turned up at
reception and won't leave", "he's waiting for me by my car", "she's sent a photo of the pills
she's taken". This module is the one place that decides it; the NLU pipeline
(``bot/rasa_ext/danger_override.py``), the actions and the channels all ask
``is_immediate_danger``.

What is *not* danger matters as much: "this shift is killing me", "my manager will kill me",
"people are attacking me in the comments", "he threatened me on Facebook last year" are not
calls for 999. So the rules look for a present threat (a weapon, violence happening, a person
waiting or refusing to leave, self-harm taken or about to happen, fire), and figurative or
past-and-over phrasings are checked first.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE

#: Situations whose own steps matter once 999 / security has been said: "she's posted that she
#: has taken an overdose" is danger first, then the crisis steps.
DANGER_RELATED = (
    "crisis_online",
    "online_abuse",
    "recorded_by_patient",
    "filming_on_premises",
    "abuse_image",
)

#: Clearly not a call for 999, checked first.
_NOT_DANGER = re.compile(
    r"\b(no ?one|nobody|no-one) (is |was |'s )?(in (any )?danger|hurt|at risk)|"
    r"\bnot in (any )?(immediate )?danger\b|\bno immediate danger\b|\bsafe now\b|"
    r"\b(killing me|kill me if|will kill me|gonna kill me|going to kill me if|dying of|"
    r"to die for|fire (away|drill|safety|training|alarm test)|fired (me|from)|get fired|be fired|"
    r"on fire (today|lol|this week)|bleeding (nightmare|annoying|hell|ridiculous|joke))\b",
    _FLAGS,
)

_DANGER = [
    # A weapon present.
    r"\b(has|had|got|holding|waving|pulled|brandish\w*|with|carrying|producing|produced) "
    r"(a |an |his |her |their )?(knife|knives|blade|machete|gun|firearm|weapon|axe|hammer|"
    r"broken bottle|glass bottle|syringe|needle) ?(out|on (him|her|them)|at|and|now|in)?",
    r"\b(knife|blade|weapon|gun)\b.{0,40}\b(at me|at staff|at (a |the )?(nurse|patient|colleague)|"
    r"on the ward|in (the )?(bay|department|reception|a&e)|now)\b",
    # Violence happening now, or about to.
    r"\b(knife|knives|machete|blade|gun|firearm)\b(?!.{0,30}\b(crime|awareness|campaign|post|video|"
    r"photo|picture|emoji|last (week|year|month)|years? ago)\b)",
    r"\b(about to|trying to|going to|gonna) (hit|punch|attack|stab|hurt|strangle|hang|kill|jump)\b"
    r"(?!.{0,20}\b(if|when)\b)",
    r"\b(is |are |'s |'re )?threatening to (stab|kill|hurt|shoot|attack|batter|beat|punch|hit)\b",
    r"\b(being|getting) (violent|hit|punched|beaten|kicked)\b",
    r"\b(attacking|assaulting|hitting|punching) (staff|a nurse|the nurse|nurses|a colleague|"
    r"another patient|a patient|people|someone|me|us)\b(?! (online|in the comments|on (facebook|"
    r"twitter|x|social media|tiktok)))",
    r"\bblocking the (door|exit)\b",
    r"^\W*fire\W*$",
    r"\b(is|are|'s|'re|keeps?|started) (punching|hitting|attacking|assaulting|kicking|strangling|"
    r"choking|beating|hurting|smashing|throwing (chairs|things|furniture))\b"
    r"(?!.{0,25}\b(online|comments?|on (facebook|twitter|x|social media|tiktok|insta\w*)))",
    r"\b(has|have|'s) (just )?(hit|punched|attacked|assaulted|stabbed|strangled|bitten)\b"
    r"(?!.{0,25}\b(online|comments?|out at|back at))",
    r"\bbeing (stabbed|shot|beaten|strangled|hit)\b",
    r"\b(just|has just|have just) (punched|hit|attacked|assaulted|kicked|strangled|stabbed|"
    r"head-?butted|bitten|bit)\b",
    r"\b(being (attacked|assaulted|strangled|held hostage|chased))\b(?! (online|on|in the comments))",
    r"\b(hostage|barricaded|locked (himself|herself|themselves) in)\b",
    # Someone threatening who is here, or waiting, or coming.
    r"\b(waiting|hanging around|lurking|parked|sat|sitting|standing) (for me )?(outside|by|at|in) "
    r"(my|the) (car|house|home|flat|door|entrance|staff entrance|car ?park|reception|ward|"
    r"bus stop|station)\b",
    r"\b(he'?s|she'?s|they'?re|is|are) waiting for me\b",
    r"\b(followed|following) me (home|to my car|to the car ?park|out of|from work|right now)\b",
    r"\b(turned up|showed up|is here|is at|came to|arrived at|outside) (at )?(reception|the ward|"
    r"my (house|home|door|flat|work)|the (house|door|entrance|department))\b.{0,80}"
    r"\b(won'?t (leave|go)|refusing to (leave|go)|screaming|shouting|threaten\w*|kicking off|"
    r"banging|aggressive|violent|drunk|angry|raging)\b",
    r"\b(won'?t (leave|go)|refusing to leave)\b.{0,60}\b(screaming|shouting|threaten\w*|kicking off|"
    r"aggressive|violent|scared|frightened)\b",
    r"\b(on (his|her|their) way (here|to the ward|to my house|to get me)|coming (here|to the ward|"
    r"to my house|round|to get me|for me) (now|tonight|right now|today))\b",
    r"\b(kicking off|going mental|lost it)\b.{0,60}\b(ward|bay|reception|a&e|department|waiting room|"
    r"staff|nurse|us)\b",
    r"\b(threaten\w*|says? (he'?s|she'?s|they'?re)) (going )?to (kill|stab|hurt|shoot|attack|batter) "
    r"(me|us|staff|someone|everyone|a nurse|the nurse|her|him)\b.{0,40}\b(now|tonight|today|here|outside)\b",
    # Self-harm or suicide, happening or about to.
    r"\b(just |has |have |'s |'ve )?(taken|took|swallowed|necked) (an |a )?(overdose|od|"
    r"(a |the )?(load|lot|handful|bottle|box|packet|all) of (her |his |their |my )?(pills|tablets|meds|"
    r"paracetamol|medication))\b",
    r"\b(photo|picture|pic|video) of (the )?(pills|tablets)\b",
    r"\boverdos\w*\b.{0,30}\b(now|just|tonight|right now|taken)\b",
    r"\b(ligature|noose|hanging (himself|herself|themselves))\b",
    r"\b(on|standing on|at the edge of) (the |a )?(roof|bridge|ledge|cliff|edge)\b",
    r"\b(going|about|threaten\w*) to (jump|end (it|his life|her life|their life)|kill (himself|herself|"
    r"themselves|myself))\b.{0,40}\b(now|tonight|today|right now)?",
    r"\b(cutting|self[- ]?harming|harming) (himself|herself|themselves)\b.{0,40}\b(now|live|on (a )?live|"
    r"right now|as we speak)\b",
    r"\blive ?stream\w*\b.{0,60}\b(self[- ]?harm|cutting|overdose|suicide|kill (himself|herself))\b",
    r"\b(suicide|goodbye) (note|message|post|letter)\b",
    # Held, cornered or trapped now.
    r"\b(cornered|pinned|trapped|grabbed|grabbing|holding) (me|her|him|us|a nurse|the nurse|staff|"
    r"a colleague|my colleague)( by| against| in| to)?\b(?!.{0,25}\b(online|comments?|in a (chat|thread)))",
    r"\bwon'?t let (me|us|her|him|them) (leave|out|go)\b",
    r"\bhands? (round|around) (my|her|his|their) (neck|throat)\b",
    r"\bthreatening (me|us|staff|the nurses?|a nurse|a colleague|my colleague|everyone) with (a|an|his|her|"
    r"their)\b",
    r"\bsa(ys|id|ying) (he|she|they)('?ll| will| is going to| are going to) (kill|stab|hurt|shoot|batter) "
    r"(me|us|staff|someone|himself|herself|themselves)\b(?!.{0,30}\b(last (week|month|year)|ago)\b)",
    r"\b(need|get|call|send) (security|the police) (now|here|urgently|asap|right now|immediately)\b",
    r"\b(pressed|pushed|hit|set off) (the|my) (panic|attack|personal) alarm\b",
    r"\bnife\b",
    r"\babout to (take|swallow|neck) (the|all|her|his|their|them|some|a load of)? ?(pills|tablets|meds)?\b",
    r"\b(going to|gonna|is going to|wants to) (end it|die) (tonight|now|today|right now)\b",
    r"\blive\b.{0,40}\b(bridge|roof|ledge|jump|pills|tablets|rope|blade|knife)\b",
    r"\b(standing|stood|sat|sitting|climbed) (on|onto|over) (the )?(edge|railings?|ledge|window ?sill|"
    r"wrong side)\b",
    r"\bwrong side of the (railings?|barrier|fence|bridge)\b",
    r"\b(top|edge|roof) of (the |a )?(multi-? ?stor(e)?y|car ?park|building|bridge|tower|cliff|flats|"
    r"block|hospital)\b(?!.{0,30}\b(last (week|month|year)|ago|view|sunset)\b)",
    r"\bjump(ing)? (off|from) (the |a )?\w+",
    # Violence or a threat on site now, in plain words.
    r"\bviolent (visitor|patient|man|woman|relative|person|pt|su|service user|caller|partner|ex)\b"
    r"(?!.{0,30}\b(last (week|month|year)|ago|history|policy|training)\b)",
    r"\b(threw|throwing|throwin|thrown|chucked|chucking|hurling) (a |the |his |her )?(chair|chairs|things|"
    r"stuff|furniture|objects?|punches|a punch|bottles?|glass)\b",
    r"\bsquar\w* up\b",
    r"\b(gone|went|going|goin|came|coming) (for|at) (me|her|him|us|staff|a nurse|the nurse|my colleague|"
    r"a colleague|the doctor|a doctor)\b(?! (online|on))",
    r"\blocked (us|me|her|him|them|staff|the (nurse|crew|staff|doctor|paramedics?)) in\b",
    r"\b(i'?m|we'?re|i am|we are|staff are|she'?s|he'?s) (hiding|barricaded|locked) "
    r"(in|from|away|ourselves|myself)\b",
    r"\b(i'?m|we'?re|i am|we are) not safe\b",
    r"\b(fighting|a fight|brawl\w*)\b.{0,30}\b(in|on|at) (the )?(a&e|ed|ward|bay|corridor|reception|"
    r"waiting room|car ?park|department|entrance)\b",
    r"\b(trying to|tried to|tryin to) break (in|into)\b",
    r"\bbanging on the (doors?|windows?|glass)\b",
    r"\b(kicking|kickin) off\b.{0,30}\b(now|right now|pls|please help|help)\b",
    r"\bwaving (them|it|a \w+|the \w+|his \w+|her \w+) (at|around)\b",
    r"\b(scissors|screwdriver|bottle|chair)\b.{0,30}\b(at (me|staff|us|the|a)|waving|threaten\w*)\b",
    r"\b(he|she|they)('ll| will) (kill|hurt|stab|batter) (me|her|him|us|them)\b"
    r"(?!.{0,30}\b(last (week|month|year)|ago)\b)",
    r"\b(in|at) (the )?(waiting room|reception|car ?park|corridor|entrance|front door)\b.{0,40}"
    r"\b(screaming|shouting|threaten\w*|banging)\b",
    r"\bwaiting (outside|downstairs|in the car ?park|by the (door|exit|entrance))\b.{0,30}"
    r"\b(for me|after my shift|for (her|him|the nurse|staff))\b",
    # Someone at risk of dying now.
    r"\b(not|isn'?t|stopped|no longer) breathing\b",
    r"\bcollapsed\b",
    r"\b(climb\w*|standing|stood|sitting|sat) (over|onto|on|out( of)?|up) (the |a )?(\w+ )?(balcony|roof|"
    r"window|railings?|ledge|fence|bridge|parapet)\b",
    r"\b(on|onto) the (railway|train) (line|track)s?\b|\bmiddle of the (road|motorway|dual carriageway)\b",
    r"\b(swallow\w*|drunk|drank|drinking|ingest\w*|necked) (\w+ ){0,3}(batteries|bleach|cleaning|fluid|"
    r"chemicals?|poison|antifreeze|razor|glass)\b",
    r"\b(taken|took|swallowed|necked) (all|a (whole|full) (packet|box|bottle)|loads|lots|a handful) "
    r"(of )?(her |his |their |my |the )?(tablets|pills|meds|paracetamol|medication)\b",
    r"\b(empty|empties) (packet|box|bottle|blister)s? of (paracetamol|tablets|pills|meds)\b",
    r"\b(tie|tying|tied|wrapping|wrapped) (something|a \w+|\w+) (round|around) (his|her|their|my) neck\b",
    r"\b(rope|noose|belt|cord)\b.{0,40}\b(do it|tonight|right now|neck)\b",
    r"\bgoing to do it (tonight|now|today)\b",
    r"\bhelp (me|us) (now|quick)\b",
    # Fire and smoke now.
    r"\b(smell (of )?burning|smells? (of )?burning|flames|smoke is|on fire|blow (up|the place up))\b",
    r"\bsetting (\w+ ){0,2}(on fire|alight)\b",
    r"\blighter\b.{0,30}\b(bed|sheets|curtains|setting|holding|to the)\b",
    r"\bexplosion\b",
    # Fire, explosives.
    r"\b((is|'s) on fire|smoke (on|in) the|fire on|fire in|there'?s a fire|set (a )?fire|"
    r"setting fire|set light|petrol|arson|"
    r"smoke (coming|pouring|everywhere)|bomb|explosive)\b",
    # Said outright.
    r"\b(immediate danger|in danger (now|right now)|danger right now|in danger|emergency right now|"
    r"need (the )?police now|call(ing)? 999|ring(ing)? 999|dial(ling)? 999|"
    r"pressing the (panic|attack) alarm)\b",
    r"\b(child|kid|baby|toddler|girl|boy) (is )?(in danger|being (abused|hurt|harmed)|at risk) "
    r"(now|right now|tonight)\b",
]
_DANGER_COMPILED = [re.compile(p, _FLAGS) for p in _DANGER]
#: A reporter at the staff entrance is a media enquiry, not a threat.
_PRESS = re.compile(r"\b(journalist|reporter|press|news ?paper|tv crew|camera crew|film crew)\b", _FLAGS)


def is_immediate_danger(text: str) -> bool:
    """True when the message says someone is in danger right now."""
    text = " ".join((text or "").split())
    if not text:
        return False
    cleaned = _NOT_DANGER.sub(" ", text)
    hits = [p for p in _DANGER_COMPILED if p.search(cleaned)]
    if not hits:
        return False
    if _PRESS.search(cleaned) and all(p.pattern.startswith(r"\b(waiting") for p in hits):
        return False
    return True
