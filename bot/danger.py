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

#: Where only the NLU model (not these rules) reads danger in a message that continues a
#: conversation, it must be this sure for the conversation to become a 999 call.
MODEL_ALONE_SURE = 0.97

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
    r"on fire (today|lol|this week)|bleeding (nightmare|annoying|hell|ridiculous|joke))\b|"
    r"\b(everyone|everybody|all of us|we) (is |are |'s |'re )?(all )?(out and )?safe\b|"
    r"\b(had|was) a fire (on|in|at) the \w+ (this morning|earlier|yesterday|last \w+)\b|"
    r"\b999 or 101\b|\b101 or 999\b|\b(ring|call|dial) 999 (normally|instead|next time|for)\b|"
    r"\b(i'?m|i am|im|we'?re|we are) (sat|sitting|waiting) in (my|the|our) (car|van)\b|"
    r"\b(video|clip|footage|photo|picture|pic)s?\b(\W+\w+){0,4}\W+of (\w+ ){0,4}being (beaten|hit|assaulted|"
    r"attacked|punched|kicked)( up)?\b",
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
    r"(?! (our|my|the|your) (wages|pay|account|bank|target|inbox|deadline))(?!.{0,20}\b(if|when)\b)",
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
    r"setting fire|set light|petrol(?! station| prices?| money| card| allowance)|arson|"
    r"smoke (coming|pouring|everywhere)|bomb|explosive)\b",
    # Told as a situation, without an alarm word (the families staff actually describe).
    # Someone physically at a member of staff now: held, grabbed, pinned, dragged, bitten.
    r"\b(grabbed|got hold of|has hold of|have hold of|still has hold of|pinned|shoved|dragg\w*|"
    r"pushed|sitting on top of|bitten) (me|her|him|them|us|the (\w+ )?(nurse|hca|reg|odp|tech|"
    r"receptionist|domestic|driver|doctor|paramedic|manager|student|porter|crew\w*)|my \w+|one of|"
    r"a (nurse|colleague|member of staff|staff member))\b"
    r"(?!.{0,25}\b(online|comments?|post|story|to (do|help|cover|sign)|for a)\b)",
    r"\bby the (throat|neck|hair)\b|\bhands? (round|around) the \w+'?s? (throat|neck)\b",
    # Something used as a weapon, held or swung now.
    r"\b(holding|swinging|waving|brandishing|wielding|picked up|has got|has|with|carrying|reaching for)"
    r" (a |an |the |his |her |their |some )?(broken (end|bottle|glass|bit)|shard|bit of (mirror|glass)|"
    r"(claw )?hammer|metal bar|iron bar|crowbar|poker|brick|razor|fire extinguisher|pole|drip stand|"
    r"something sharp|a blade)\b",
    r"\bsomething (sharp |metal )?in (his|her|their) (hand|pocket|belt|bag|jacket)\b",
    r"\b(hand|hands) (inside|in) (his|her|their) (jacket|coat|bag|pocket)\b.{0,40}\b(staring|watching|"
    r"threat\w*|waiting)\b|\b(staring|watching) (at )?me\b.{0,40}\bhand (inside|in) (his|her) (jacket|bag)\b",
    r"\b(poured|pouring) (something|petrol|liquid|fuel)\b.{0,60}\blighter\b|\blighter\b.{0,40}\bpoured\b",
    # Kept in, shut in, or the way out blocked.
    r"\b(locked (the (front |back )?door|himself and|herself and|us in|me in)|put the key in his pocket|"
    r"between me and the (door|exit)|blocking (the|my) (fire )?(exit|door|way out)|"
    r"(stuck|trapped) in (the |a )?(back of the|staff|toilet|room|office|car|ambulance|cab)|"
    r"can'?t get out|cannot get out|pushed the (desk|table|chair) against|force (the|my) door|"
    r"forcing the door|trying the (back |front )?door|trying to get in(to)?)\b",
    # Someone at my car, door, home, workplace, or following me, now.
    r"\b((is|'s|are|'re) (outside|at|by|next to)|leaning on|sitting on|stood at|standing at|"
    r"standing in front of|parked (behind|outside|by)) (my|our) (car|front door|door|house|drive|flat|home|"
    r"daughter'?s \w+|son'?s \w+)\b(?!.{0,30}\b(last (week|month|year)|ago|yesterday)\b)",
    r"\bat (the end of )?my (front door|door|drive|house)\b|\bbanging on (my|the) (front )?door\b",
    r"\b(following|followed|walking behind|been behind|tailing) (me|her|him|us|our \w+( \w+)?|my \w+)\b"
    r"(?!\s+(on|back on|online|on (insta\w*|twitter|x|tiktok|facebook|fb|snap\w*)))"
    r"(?!.{0,30}\bwith (his|her|their|a) (phone|camera))"
    r".{0,80}\b(now|round|around|home|between|from|since|all (morning|day|evening)|every turn|shop|"
    r"car ?park|bus stop|supermarket|ward|left)\b",
    r"\b(has|have|'s|is) (come|turned up|walked|got) (in|onto|on to|into) (the )?(ward|unit|clinic|"
    r"department|house|home|practice|foyer|reception)\b.{0,80}\b(refus\w*|won'?t|looking for|"
    r"asking for|shout\w*|drunk|threat\w*|shoved|pushed)\b",
    r"\b(is|'s) in the (hospital |unit |main )?(foyer|lobby|reception|waiting room|corridor|car ?park)\b"
    r".{0,80}\b(won'?t (go|leave)|refus\w*|staring|threat\w*|waiting for|asking for|carrying|"
    r"with a|reaching)\b",
    r"\bwhich car is (yours|mine|hers|his)\b",
    r"\b(be|is|'s) waiting (for|at|outside|by|in)\b.{0,60}\b(tonight|when (i|they|she|he|you) "
    r"(finish|come out|leave)|after (my|her|his|the) shift|at \d|now|still)\b",
    r"\b(on (his|her|their) way (up|in|over|round)|coming (in|up|back|round) (tonight|now|later)|"
    r"in the lift now)\b",
    r"\b(going to|gonna|will|'ll) (do me in|sort (me|her|him|you) out|finish (her|him|me) off|"
    r"smash (her|his|my|your) face|throw (me|her|him) (down|out|off)|drag (her|him|me) out)\b",
    r"\b(making )?throat[- ]cutting (gesture|sign)s?\b",
    r"\b(rocking|surrounded|(has|have|just) smashed|smashing|ripped|thrown something through|"
    r"throwing) (the )?"
    r"(vehicle|ambulance|car|van|glass|window|door|tv|radiator)\b",
    r"\b(pressing|pressed|sent|set off) (her|his|my|our|the) (alarm|code word|panic button)\b|"
    r"\blone worker (app|alarm|device) has gone off\b|\bcode word\b",
    # Self-harm, suicide or poisoning, told in the message itself.
    r"\b(saying|says|said|message\w*|text\w*|note|video|voice note) (saying |that )?(goodbye|bye|"
    r"sorry for everything|"
    r"thanks for trying|too late now|(the )?\w+ (will|would) be better off without)\b",
    r"\bbetter off without (me|her|him|them)\b|\bsay goodbye\b|\bgoodbye (video|message|text|note|post)\b",
    r"\b(taken|took|swallowed|necked) (all|the lot|them all|all of them|(her|his|my) mum'?s pills)\b",
    r"\b(empty|empties) (box|boxes|blister packs?|packets?|bottles?)\b",
    r"\b(cut|cutting) (deep|herself|himself)\b|\bcan'?t stop the bleeding\b|\bblood in the (water|bath)\b|"
    r"\bfresh cuts\b",
    r"\b(hose (through|in) the window|engine running|turned the gas on|gas on and|smell gas|"
    r"(lead|rope|belt|cord|flex|scarf) (round|around) (his|her|their|my) neck)\b",
    r"\b(at|on|by|near|to) the (bridge|reservoir|pier|tracks|railway|river|cliff|quarry|canal)\b"
    r".{0,60}\b(now|goodbye|sorry|not answering|won'?t answer|last|photo|picture|throw)\b|"
    r"\b(not answering|won'?t answer)\b.{0,60}\b(bridge|reservoir|pier|tracks|river|location)\b",
    r"\b(holding|held) (it|a \w+|the \w+|something) to (his|her|their) (wrist|neck|throat)\b|"
    r"\bto (his|her|their) (wrist|neck|throat)\b",
    r"\bthrow (herself|himself|themselves)\b",
    r"\bhurt(ing)? (themselves|himself|herself) live\b|\blive (video|stream)\b.{0,40}\b(blood|cutting|"
    r"hurt|rope|pills)\b",
    # Fire, smoke or gas now.
    r"\b(alight|filling with smoke|full of smoke|thick smoke|lit something|catching (the|fire))\b",
    # A child at risk right now.
    r"\b(grabbed|taken|snatched|take|carried|carrying) (the|her|his|a) (baby|child|toddler|kid)\b"
    r".{0,60}\b(out|walking|leaving|not (meant|allowed)|protection|on his way|now)\b",
    r"\b(baby|child) (is )?being shaken\b|\bshaking the baby\b|\bon a protection plan\b.{0,60}\b(leav\w*|"
    r"out|carried|taken)\b",
    r"\b(toddler|child|kid|baby)\b.{0,40}\b(balcony|railings|window ?sill|on (his|her) own.{0,20}"
    r"(car ?park|road)|main road)\b",
    r"\bwandered (off|out)\b.{0,60}\b(road|traffic|river|main road)\b",
    # Someone who has threatened, harassed or followed a member of staff is here now.
    r"\b(my ex|(my |a )?stalker|the (\w+ )?(man|woman|guy|bloke|lad|relative|patient|person|fella|pt)"
    r"( \w+){0,3} who('s| has| is)? (been )?(threaten\w*|messag\w*|trolling|following|stalking|harass\w*|"
    r"posting|filmed|sent (me )?(threats|messages)))\b.{0,80}"
    r"\b(is|'s|has) (here|now|just|outside|in|at|sat|sitting|stood|standing|parked|"
    r"walked|booked|turned|come)\b",
    r"\b(shouting|screaming|yelling|saying|says|said)( that)? (he|she|they)('ll| will|'s going to|"
    r" is going to|"
    r"'re going to) (kill|hurt|stab|sort|do (me|us|her|him)|get (me|her|him|us)(?! (sacked|fired|"
    r"struck|in trouble))|"
    r"batter|smash)\b"
    r"(?!.{0,30}\b(last (week|month|year)|ago|complain\w*|report)\b)",
    r"\bget out or (he|she|they)('ll| will)\b",
    r"\b(screaming|shouting|kicking off|crying)\b.{0,60}\bwon'?t (leave|go)\b",
    r"\bnot letting (me|her|him|us|them) (out|leave|go)\b|\bforc\w* (his|her|their) way\b|"
    r"\bblocked (the|my) (front |back )?door\b|\b(has|got) (the|a|my) \w+ (cornered|pinned)\b",
    r"\b(live ?stream\w*|(tiktok|facebook|fb|insta\w*) live|on (a )?live)\b.{0,80}\b(coming|on (his|her|"
    r"their) way|going to (hurt|sort|get|kill)|with a|cut|cutting)\b",
    r"\bcoming (up |down |over |back )?(to )?(the |our )?(ward|a&e|ed|station|unit|hospital|house|base|"
    r"surgery|clinic) (now|to (find|get|sort))\b",
    r"\b(after|chasing) (a|the|my) \w+ with (a|the|his|her) \w+",
    r"\b(punch\w*|kicking|smashing|hitting) the (nurses'? station|desk|doors?|walls?|windows?|glass|"
    r"screen)\b",
    r"\b(bat|baseball bat|golf club|wrench|spanner)\b.{0,20}\b(in (his|her) hand|waving|swinging|"
    r"naming|now)\b|"
    r"\bwith a (bat|baseball bat|golf club|crowbar|wrench)\b",
    r"\b(bleeding (a lot|alot|badly|heavily|everywhere)|blood coming|wrists? bleeding|cut (themselves|"
    r"themself|"
    r"herself|himself)( really)? (badly|deep)|(video|photo|picture|pic) of (herself|himself|"
    r"themselves) cutting)\b",
    r"\b(photo|picture|pic) of (a (pile|load|handful|heap) of |some |all (her|his|the) )(pills|"
    r"tablets|meds)\b",
    r"\b(took|taken|swallowed) (a )?(hole|whole|full) (packet|box|bottle)\b",
    r"\b(tie|tying|tied|wrapping|wrapped) (something|a \w+|\w+) (round|around) (there|his|her|their) neck\b",
    r"\b(gas smell|smell of gas)\b",
    r"\b(into|onto|in) the (main )?road\b.{0,40}\b(cars|traffic|swerving|lorries)\b",
    r"\b(with|taking|took|taken|has) (a|the|his|her) baby\b.{0,30}\b(isn'?t|not) (his|hers|theirs)\b|"
    r"\b(taking|take|snatch\w*) (his|her|their|the) (baby|kids?|child(ren)?)\b.{0,40}\b(now|saying|trying)\b|"
    r"\btrying to get (onto|on to|into) the ward\b",
    r"^\W*danger\b|\bdanger (now|to (staff|me|us|the))\b|\bgetting hurt\b",
    r"\b(waiting|sat|sitting|stood|standing|hanging around|parked( up)?|pacing) (by|at|outside|round|near) "
    r"(the |my |our |her |his )?(back |front |staff |side )?(door|car|entrance|exit|window|vehicle|"
    r"truck|van)\b",
    # Told by crews, call handlers, counters and lone workers (the 2026-12-05 writers' families).
    # Someone collapsed, unresponsive or out of contact on a lone visit.
    r"\b(not responding|unresponsive|on the floor and (not|isn'?t)|gone quiet and (i|we) can hear)\b|"
    r"\b(hasn'?t|has not|not) (answered|responded to|replied to) (her|his|their|the) (radio|phone)\b.{0,80}"
    r"\b(lone|visit|alone|angry|turned up|mins|minutes|hours?)\b|"
    r"\blone (visit|worker|working)\b.{0,80}\b(not answer\w*|hasn'?t (answered|replied)|no answer|"
    r"can'?t (reach|get hold))\b",
    r"\b(toilet|bathroom|room|office|shower)\b.{0,30}\bnot answering\b"
    r"(?!.{0,20}\b(messages|texts|emails|calls)\b)",
    r"\b(telling|told) (her|him|them) to put the phone down\b|"
    r"\boutside the (bathroom|bedroom|toilet) door\b",
    # At a height, or calling from one.
    r"\b(window )?ledge\b(?!.{0,20}\b(last (week|month|year)|ago)\b)|"
    r"\blegs over (the )?(edge|side|railings?)\b|"
    r"\bgoing off the (roof|bridge|top)\b|\b(ringing|rung|rang|calling|called|phoning|phoned|texted|"
    r"texting) (me |us )?from (the|a) (bridge|roof|cliff|railway|tracks|top of)\b",
    # Something swallowed, or about to be.
    r"\b(drank|drunk|drinking|swallowed|necked|eaten|ate) (\w+ ){0,3}"
    r"(hand ?gel|alcohol gel|sanitiser|sanitizer|alcogel|cleaning fluid|bleach)\b",
    r"\b(taken|took|swallowed|necked) (the )?(whole|full|entire) (box|packet|bottle|strip|lot)\b",
    r"\b(pills|tablets|meds)\b.{0,50}\b(taking|take|swallow) (them|it|the lot) (as soon as|when|tonight|"
    r"now|after)\b",
    r"\b(he'?s|she'?s|they'?re|hes|shes|theyre) (ending it|going to end it|gonna end it)\b",
    r"\b(video|photo|pic|picture|selfie|live|story)\b.{0,30}\b(himself|herself|themselves)\b.{0,30}"
    r"\b(pills|tablets|blade|knife|rope|noose|cutting|cuts|blood|ledge|bridge)\b",
    # A threat made in person, here.
    r"\b(he|she|they)('ll| will|'s gonna|'s going to| is going to) (smash|wreck|trash|burn) "
    r"(the|this) (place|ward|department|unit|clinic|station)( up| down)?\b",
    r"\b(turned up|showed up|here|on the ward|at reception|outside|in the building)\b.{0,60}"
    r"\b(restraining|non-?molestation) order\b|\b(restraining|non-?molestation) order\b.{0,60}"
    r"\b(turned up|showed up|here now|outside|on the ward|in reception)\b",
    r"\btrying (car )?doors\b",
    # A child alone with something dangerous.
    r"\b(child|kid|baby|toddler)s?\b.{0,60}\b(on (their|his|her) own|alone|no (parents|adults?))\b.{0,60}"
    r"\b(hob|gas|cooker|fire|window|balcony|road)\b",
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


#: A threat that arrived as a message or post ("messaged me saying they'll hurt me") is online
#: abuse to report, not a 999 call, unless it also says the person is here or coming now, or it
#: is about someone harming themselves (a message is how that danger usually arrives).
_SENT = re.compile(
    r"\b(messag\w*|text\w*|dm'?d|dms?|sent|sending|posted|posting|comments?|commented|voice ?notes?|"
    r"emails?|emailed|on (insta\w*|facebook|fb|twitter|x|tiktok|snap\w*|whatsapp|messenger))\b",
    _FLAGS,
)
_HERE_NOW = re.compile(
    r"\b(now|right now|rn|as we speak|outside|here|is at|'s at|turned up|on (his|her|their) way|coming|"
    r"tonight|in the (car ?park|building|waiting room|corridor|foyer|lobby)|live)\b",
    _FLAGS,
)
_THREAT_SAID = re.compile(
    r"\b(saying|says|said|that)( that)? (they|he|she|someone)('ll| will|'re going to|'s going to|"
    r"'re gonna|'s gonna| is going to| are going to)\b|\bsaying they know\b|"
    r"\b(saying|says|said)( that)? (hes|shes|theyre|theyll|hell|shell) (going to|gonna|\w+ (me|you|"
    r"her|him))\b",
    _FLAGS,
)
_SELF_HARM = re.compile(
    r"\b(pills|tablets|overdose|od|cut|cuts|cutting|bleed\w*|goodbye|bye|jump\w*|bridge|rope|noose|"
    r"ligature|(kill|hurt|harm)(ing)? (himself|herself|themselves|myself)|end (it|my life|his life|her life)|"
    r"suicid\w*|better off without|say sorry|sorry for everything)\b",
    _FLAGS,
)


def is_immediate_danger(text: str) -> bool:
    """True when the message says someone is in danger right now."""
    text = " ".join((text or "").split())
    if not text:
        return False
    cleaned = _NOT_DANGER.sub(" ", text)
    hits = [p for p in _DANGER_COMPILED if p.search(cleaned)]
    if not hits:
        return False
    if _PRESS.search(cleaned) and all(p.pattern.startswith((r"\b(waiting", r"\b(outside")) for p in hits):
        return False
    if (
        _SENT.search(cleaned)
        and _THREAT_SAID.search(cleaned)
        and not _HERE_NOW.search(cleaned)
        and not _SELF_HARM.search(cleaned)
    ):
        return False
    return True


#: The person says it is calm or over: "he's calm, not threatening anyone", "no direct threat",
#: "she's gone home now". Said without any danger the rules recognise, it outweighs a model that
#: leaned to ``urgent_danger`` because the message mentioned threats at all.
_SOUNDS_CALM = re.compile(
    r"\b(not|isn'?t|wasn'?t|aren'?t|never|no ?one|nobody|noone|no-one)\b( \w+){0,3} "
    r"(threat\w*|violent|aggressive|hurt|harm\w*|in danger|dangerous|kicking off)\b|"
    r"\bno (direct |real |actual |immediate |physical )?(threats?|danger|violence)\b|"
    r"\b(he|she|they|hes|shes|theyre)('?s|'?re| is| are| was| were)? (calm|fine|ok|okay|safe|gone|"
    r"long gone|left|at home|not here|not on (the )?(ward|site))\b|"
    r"\b(everyone|everybody|all of us|we)('?s|'?re| is| are) (safe|fine|ok|okay|out)\b|"
    r"\b(gone home|left the (ward|building|site|unit|clinic|hospital)|haven'?t tried to come in|"
    r"at home as far as)\b",
    _FLAGS,
)


def sounds_calm(text: str) -> bool:
    """True when the message says it is calm, over, or nobody is threatened (see _SOUNDS_CALM)."""
    return bool(_SOUNDS_CALM.search(" ".join((text or "").split())))


#: "Someone sent me a video of a man getting stabbed": a picture or post of violence, told with
#: nothing happening here or now. It is an image to deal with, not a 999 call, unless the rules
#: see present danger in it or the model is sure.
_OF_AN_IMAGE = re.compile(
    r"\b(video|clip|footage|photo|picture|pic|image|post|tweet|story|reel|livestream)s?\b.{0,40}\bof\b",
    _FLAGS,
)


def tells_of_an_image(text: str) -> bool:
    """True when the message tells of a picture, video or post, with nothing said to be here or now."""
    text = " ".join((text or "").split())
    return bool(_OF_AN_IMAGE.search(text)) and not _HERE_NOW.search(text)
