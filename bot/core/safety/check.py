"""Does a typed message say someone may be in danger?

Checked before anything else on every free-text message. Missing a disclosure
is far worse than an unneeded caring reply, so the patterns lean towards recall;
what keeps false alarms down is that they need the *shape* of danger, not a
scary word: "my partner hit me" (someone hits *me*), never just "hit" ("it
really hit me that he lied"), and "afraid he will hurt me", never just "hurt".

Documented judgment calls (each has a test):

* "I feel like dying inside" does not hit. "Dying inside" is a common way to
  say heartbreak hurts; flagging it would answer ordinary grief with crisis
  lines. "I want to die", "I wish I was dead" and "I feel like dying" (without
  "inside") do hit.
* "She'll kill me if she finds out" hits (fear). It is often a figure of
  speech, but a partner who might kill someone is worth one caring message.
* A partner checking a phone is common and often agreed after an affair, so
  on its own it is a weak sign; it hits together with another sign of control
  ("checks my phone and won't let me see my friends"). Taking the phone,
  tracking, isolating, controlling money or movement hit alone.
* Threats to leave or divorce are not danger ("she threatened to leave me if I
  lie again" is a boundary); any other threat is.
* A partner threatening to kill *themselves* if the user leaves counts as a
  threat: it is coercion, and the user needs resources for both people.
* Negation is handled cheaply: "never", "not" or "no" within three words before
  a match, in the same clause, cancels it ("he has never hit me", "I'm not
  suicidal"). A clause starts after . ! ? ; or "but".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: In the order a reply should address them (the most urgent first).
CATEGORIES: tuple[str, ...] = (
    "self_harm", "risk_to_others", "sexual_violence", "violence", "threats", "fear", "control",
)


@dataclass(frozen=True)
class SafetyResult:
    hit: bool
    categories: tuple[str, ...] = ()


NO_HIT = SafetyResult(False, ())

# --- building blocks -------------------------------------------------------

_PARTNER_NOUN = (
    r"(?:partner|husband|wife|boyfriend|girlfriend|bf|gf|fianc[eé]e?|spouse|hubby|ex|ex[- ]?(?:husband|wife|"
    r"boyfriend|girlfriend|partner)|man|girl|guy|other half|so)"
)
#: Who does it: a pronoun or "my/the partner".
_WHO = rf"(?:he|she|they|(?:my|the|our) {_PARTNER_NOUN})"
#: Up to three words between the doer and the deed ("has always", "just"),
#: but never a negation: "he has never hit me" must not read as "he hit me".
_GAP = r"(?:\s+(?!(?:not|never|no)\b)[a-z]+){0,3}?"
_ME = r"(?:me|my\s+(?:face|head|body|neck|arm|arms|kids|children|son|daughter|baby|dog|cat)|us|the kids)"
_MODAL = r"(?:will|would|might|could|is going to|are going to|was going to|gonna|is gonna|wants to)"

_HIT_VERB = (
    r"(?:hit|hits|hitting|punch(?:es|ed|ing)?|slap(?:s|ped|ping)?|kick(?:s|ed|ing)?|beat(?:s|en|ing)?|"
    r"chok(?:e|es|ed|ing)|strangl(?:e|es|ed|ing)|shov(?:e|es|ed|ing)|push(?:es|ed|ing)?|smack(?:s|ed|ing)?|"
    r"bit|bites|bitten|burn(?:s|ed|t)?|attack(?:s|ed|ing)?|assault(?:s|ed|ing)?|abus(?:e|es|ed|ing)|"
    r"pinn?(?:ed|s)? down|hurt(?:s|ing)? physically|physically hurt(?:s|ing)?|grab(?:s|bed|bing)?|"
    r"spit(?:s)? on|threw|throws|threw things at|drag(?:s|ged|ging)?)"
)
_HARM_VERB = (
    r"(?:hurt|kill|hit|harm|beat|attack|strangle|choke|shoot|stab|murder|do something to|find|come after|"
    r"hunt down|track down)"
)

_PATTERNS: dict[str, tuple[str, ...]] = {
    "violence": (
        # "he hit me", "my husband has been pushing me" (not "pushed me away/to forgive").
        # "pushed me into the wall" is violence, "pushed me into forgiving him" and "pushed me away" are not.
        rf"\b{_WHO}{_GAP}\s+{_HIT_VERB}\s+{_ME}\b(?!\s+(?:away|to\b(?! the (?:ground|floor|wall))|"
        r"into\b(?! (?:the|a|walls?)\b)|too|back|off|out|through|over|around emotionally))",
        rf"\b{_WHO}{_GAP}\s+(?:threw|throws|hurled|hurls)\s+(?:\w+\s+){{1,3}}at\s+(?:me|my \w+)\b",
        rf"\b{_WHO}{_GAP}\s+(?:knock(?:s|ed)?|held|holds|pinned|pins|slamm?(?:ed|s)?|dragg?(?:ed|s)?|threw|throws)"
        r" me (?:down|over|out|to the|against|into|onto|across)\b",
        r"\b(?:pull(?:s|ed)?|yank(?:s|ed)?) my hair\b|\btwist(?:s|ed)? my arm\b|\bby the (?:throat|neck|hair)\b",
        r"\bi (?:was|got|am|have been|get|keep getting)(?: \w+)? (?:hit|beaten|beaten up|punched|slapped|choked|"
        r"strangled|kicked|attacked|assaulted|abused|shoved|pushed around|burned) by\b",
        r"\b(?:domestic (?:violence|abuse)|physically abusive|abusive (?:partner|relationship|husband|wife|"
        r"boyfriend|girlfriend|ex)|black eye|bruises)\b",
        rf"\b{_WHO}{_GAP}\s+(?:is|gets|got|becomes|became) (?:violent|physical with me|abusive)\b",
        r"\bbeats? me up\b",
        rf"\b{_WHO}{_GAP}\s+(?:is |was |keeps |started )?(?:smash|throw|break|punch|kick)(?:es|s|ing)? "
        r"(?:things|stuff|everything|the (?:walls?|doors?|furniture|plates|dishes))\b",
    ),
    "threats": (
        # Any threat except one to leave, divorce or break up.
        r"\bthreat(?:s|en|ens|ened|ening|end|ned|ning|tened)\b(?!\s+(?:me\s+)?(?:with\s+)?(?:to\s+)?(?:leave|leaving|divorce|break\s+up|"
        r"end\s+(?:it|things|the relationship)|move\s+out|go\b|walk\s+out|dump|kick me out))",
        rf"\b(?:said|says|saying|told me|tells me|telling me|swore|promised|texted|wrote)(?: that)? {_WHO} "
        rf"{_MODAL} {_HARM_VERB} {_ME}\b",
        rf"\b{_WHO} {_MODAL} (?:ruin|destroy) (?:my life|me)\b|\bmake (?:me pay|my life (?:a )?(?:hell|misery))\b",
        rf"\b{_WHO}{_GAP}\s+{_MODAL}\s+(?:kill|hurt|harm)\s+(?:himself|herself|themselves)\b",
        r"\b(?:kill|hurt|harm)s? (?:himself|herself) if i\b",
        # A weapon anywhere in a message about a partner.
        rf"^(?=.*\b{_WHO}\b).*\b(?:gun|guns|knife|knives|weapon|weapons|rifle|pistol)\b"
        r"|\bwith a (?:gun|knife|weapon)\b",
        r"\b(?:never|not) (?:see|get to see) (?:my|the|our) (?:kids|children|son|daughter|baby|babies) again\b|"
        r"\btake (?:the|my|our) (?:kids|children|son|daughter|baby) (?:away|from me)\b",
        r"\bif i (?:ever )?(?:leave|go|tell|call|report)\b[^.!?]{0,40}\b(?:regret it|be sorry|pay for (?:it|this)|"
        r"never see)\b",
        r"\b(?:post|share|send|leak|spread)s? (?:my|our) (?:nudes|naked|intimate|private) ?(?:photos|pictures|pics|"
        r"videos)?\b|\brevenge porn\b|\bblackmail\w*\b",
    ),
    "control": (
        r"\b(?:not|never) let(?:s|ting)? me (?:see|meet|visit|talk to|call|text|spend time with|go out with|"
        r"contact) (?:my |any |our )?(?:friends?|family|parents|mom|mum|dad|mother|father|sisters?|brothers?|"
        r"siblings|kids|children|anyone|anybody|people|co-?workers|colleagues)\b",
        r"\b(?:not|never) let(?:s|ting)? me (?:leave|go out|go anywhere|go outside|out of (?:the house|his sight|"
        r"her sight)|work|have (?:any )?(?:money|a job|my own|a phone|a bank|a car|access|friends)|drive|"
        r"use (?:the car|my phone|the phone)|eat|sleep|get a job|wear)\b",
        r"\bnot allowed to (?:see|meet|visit|talk to|call|leave|go out|go anywhere|work|have|drive|use|eat|"
        r"wear|spend)\b(?!\s+(?:the other|her again|him again))",
        r"\bcontrol(?:s|led|ling)? (?:all |everything about )?(?:me|my (?:money|finances|life|phone|friends|time|"
        r"car|accounts?|cards?|movements?|every\w*)|(?:the|our|all the) (?:money|finances)|everything|where i|"
        r"who i|what i)\b",
        rf"\b{_WHO}{_GAP}\s+(?:is|gets|has become) (?:so |very |really |extremely )?controlling\b",
        r"\b(?:takes?|took|taking|keeps?|kept|hides?|hid) (?:all )?(?:of )?my (?:money|paycheck|salary|wages|phone|"
        r"keys|car keys|passport|cards?|documents|id)\b",
        r"\bisolat(?:e|es|ed|ing) me\b|\bcut(?:s|ting)? me off from\b",
        r"\block(?:s|ed|ing)? me (?:in|out|up)\b",
        r"\b(?:track|tracks|tracked|tracking|spy|spies|spied|spying|stalk|stalks|stalked|stalking) (?:on )?"
        r"(?:me|my)\b|\b(?:tracker|spyware|stalkerware)\b",
        r"\b(?:need|needs|have to|has to) (?:ask )?(?:his|her|their) permission\b|\bask(?:ing)? permission to\b",
        r"\b(?:forbids?|forbade|forbidden) me\b|\bcoercive control\b",
        # Reading *everything* is monitoring, not an agreed check after an affair.
        r"\b(?:reads?|reading|checks?|checking|goes through|going through|went through|monitors?|monitoring) "
        r"(?:all|every(?:thing)?|each)(?: of| one of)? my (?:messages|texts|emails|chats|dms|calls|phone)\b",
        r"\bwithout my consent\b|\b(?:not|never) (?:take|takes|accept|accepts) no for an answer\b",
        r"\b(?:not|never) (?:give|gives|giving) me (?:any )?money\b",
        r"\b(?:makes?|made|forces?|forced) me (?:send|share|report|check in|account for|ask|tell (?:him|her|them) "
        r"where)\b",
    ),
    "sexual_violence": (
        r"\brap(?:e|ed|es|ing|ist)\b|\bsexual(?:ly)? (?:assault\w*|abus\w*|coerc\w*|violen\w*)\b",
        r"\b(?:forc|pressur|coerc|guilt[- ]?trip)(?:e|es|ed|ing)? me (?:in)?to (?:have )?(?:sex|sleep with|"
        r"sexual|do sexual|do things)\b",
        r"\b(?:makes?|made|making|pushe?s?d?) me (?:have sex|sleep with|do sexual|into sex|into sexual|"
        r"to have sex)\b",
        r"\bforc(?:e|es|ed|ing) (?:himself|herself|themselves) on me\b",
        r"\b(?:sex|touch\w*|sleep with me)\b[^.!?]{0,40}\b(?:when|after|though|even though|even if) i (?:said|say|"
        r"told (?:him|her|them)|was saying) no\b",
        r"\b(?:not|never) stops? when i (?:say|said|tell (?:him|her|them)) no\b",
        r"\b(?:sex|sexual\w*|touch\w*|undress\w*|naked)\b[^.!?]{0,40}\b(?:without my consent|(?:when|while) i "
        r"(?:was|am) (?:asleep|sleeping|passed out|unconscious|drunk))\b",
    ),
    "self_harm": (
        # Not the idiom "killing myself trying to make this work".
        r"\b(?:kill(?:ing)?|k[i!]l|unalive|hang(?:ing)?|shoot(?:ing)?) myself\b(?!\s+(?:trying|to make|working|"
        r"over|for))|\bkms\b",
        r"\bs[ui]{1,2}c[ie]{0,2}d(?:e|es|al|ality)?\b",
        r"\bend(?:ing)? (?:my (?:own )?life|it all)\b|\btak(?:e|ing) my (?:own )?life\b",
        r"\b(?:want|wanna|wanted|going|ready) (?:to )?die\b|\bwish i (?:was|were|had been) (?:dead|never born)\b",
        r"\bbetter off (?:dead|without me|if i (?:was|were|had) (?:not|never) (?:here|around|alive|born)|"
        r"if i (?:was|were) (?:gone|dead))\b|\bnothing (?:left )?to live for\b",
        r"\bnot want to (?:live|be alive|be here any ?more|exist|wake up)\b|\bno (?:reason|point) (?:to|in) "
        r"(?:live|living|go on|going on)\b",
        r"\b(?:cut|cutting|burn|burning|hurt|hurting|harm|harming|starve|starving) myself\b|\bself[- ]?harm\w*\b",
        r"\boverdos\w*\b|\b(?:took|taken|take|taking|swallowed|swallow) (?:a (?:bunch|lot|handful|load) of|"
        r"too many|all (?:of )?(?:my|the)|an? (?:whole )?(?:bottle|packet|box) of) (?:pills|tablets|meds|"
        r"medication|painkillers|sleeping pills)\b",
        r"\bjump(?:ing)? (?:off|from) (?:a|the) (?:bridge|building|roof|balcony)\b",
        r"\bcan not go on (?:any ?more|living)\b|\bfeel(?:ing)? like dying\b(?!\s+inside)",
        r"\b(?:don't|do not) want to be here any ?more\b",
        r"\b(?:no|see no|not see (?:the|any)|what is the) point (?:in|of) (?:living|life|going on|being alive)\b|"
        r"\b(?:life is )?not worth living\b",
        r"\bnever wake up\b|\bdisappear forever\b|\b(?:go to )?sleep and (?:not|never) wake up\b",
        r"\b(?:cutting|burning|hurting|harming) (?:again|myself again)\b|\bstarted (?:cutting|self harming) again\b",
        r"\b(?:saving|stockpiling|hoarding|collecting|stashing|saved|stockpiled) (?:up )?(?:all )?(?:of )?(?:my |the )?"
        r"(?:pills|tablets|meds|medication|sleeping pills|painkillers)\b",
    ),
    # The user fears their own behaviour: calm help, never shame. Not the
    # hyperbole "i could kill him for lying" (an ask step would catch that).
    "risk_to_others": (
        r"\b(?:afraid|scared|worried|terrified|frightened|fear|think|feel like)(?: that)? i "
        r"(?:will|would|might|could|may|am going to|am about to) (?:really |actually |seriously )?"
        r"(?:hurt|hit|harm|kill|strangle|choke|beat|attack|punch|slap|lose it (?:and|with)|snap (?:and|at)|"
        r"do something (?:bad |terrible )?to) (?:her|him|them|my|someone|somebody|the kids|our)\b",
        r"\b(?:afraid|scared|worried|terrified|frightened) of (?:my own (?:anger|temper|rage)|what i (?:might|could|"
        r"will|would) do)\b|\bwhat i (?:might|could|would) do to (?:her|him|them|my)\b",
        r"\bi (?:hit|punched|slapped|shoved|choked|strangled|kicked|grabbed|beat|pushed) (?:her|him|my (?:wife|"
        r"husband|partner|girlfriend|boyfriend|gf|bf))\b(?!\s+(?:away|with (?:the|my) (?:truth|news)|emotionally))",
        r"\bi (?:want|wanted|feel like i want) to (?:hurt|hit|harm|strangle|choke|punch) (?:her|him|them|my)\b",
        r"\b(?:my|i have an?) (?:anger|temper|rage) (?:is|gets|got|has been)? ?(?:out of control|scary|violent)\b|"
        r"\bi (?:lose|lost) control (?:of myself )?(?:and|when)\b[^.!?]{0,40}\b(?:hit|hurt|break|broke|throw|threw|"
        r"punch|scare)",
    ),
    "fear": (
        r"\b(?:fear|afraid|scared|terrified|frightened|worried) (?:for|about) my (?:life|safety)\b",
        rf"\b(?:afraid|scared|terrified|frightened|fear|fearful) (?:of )?(?:him|her|them|my {_PARTNER_NOUN})\b"
        r"(?!\s+(?:leaving|cheating|lying|going|finding|will leave|might leave|would leave))",
        rf"\b(?:afraid|scared|terrified|frightened|fear|worried|think|thinks|sure)(?: that)? {_WHO}{_GAP} "
        rf"{_MODAL} {_HARM_VERB} {_ME}\b",
        rf"\b{_WHO} {_MODAL} (?:kill|strangle|shoot|stab|murder) {_ME}\b",
        rf"\bwhat {_WHO} (?:might|will|would|could|is going to) do to (?:me|us|the kids|my kids)\b",
        r"\b(?:afraid|scared|terrified|frightened) to (?:go home|go back home|be home|be at home|be alone with)\b",
        r"\b(?:not|never) feel safe\b(?!\s+(?:trusting|to trust|opening|sharing|telling|being vulnerable|with my "
        r"feelings|talking))",
        r"\bi am not safe\b(?!\s+(?:to|with my feelings))|\bhiding (?:in the \w+|from (?:him|her|them))\b|"
        r"\bfeel (?:unsafe|in danger)(?: at home| with (?:him|her)| around (?:him|her)| in my (?:own )?(?:home|house))"
        r"|\b(?:my life|i am) (?:is )?in danger\b",
    ),
}
_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    category: tuple(re.compile(p) for p in patterns) for category, patterns in _PATTERNS.items()
}
#: All of a category's patterns as one: most messages match none of them, and
#: one search tells so at a fraction of the cost of trying each pattern in turn
#: (a typed message's check went from ~250 to ~120 µs). Only a match found
#: here sends the message through the patterns one by one (negation, doer).
_ANY: dict[str, re.Pattern[str]] = {
    category: re.compile("|".join(f"(?:{p})" for p in patterns)) for category, patterns in _PATTERNS.items()
}

#: Signs of control that are common and often agreed after an affair; two of
#: them together (or one with a stronger sign) count as control.
_WEAK_CONTROL = tuple(
    re.compile(p)
    for p in (
        r"\b(?:checks?|checking|checked|goes through|went through|reads?|reading|looks? through) (?:all )?(?:of )?"
        r"my (?:phone|messages|texts|emails|email|chats|dms)\b",
        r"\b(?:demands?|wants?|takes?|took) (?:all )?my passwords?\b",
        r"\b(?:calls?|texts?|messages?) me (?:constantly|all the time|nonstop|every (?:hour|few minutes))\b",
        r"\b(?:extremely|insanely|crazy|obsessively|so|very) jealous\b",
        r"\b(?:goes|went|gets) (?:crazy|mad|furious|ballistic) (?:if|when) i\b",
        r"\btells? me what (?:to wear|i can wear)\b",
    )
)

#: Categories where "i ..." as the doer is about the user's own acts, not danger to them.
_WRITER_SIDE = frozenset({"control"})

_NEGATIONS = frozenset({"not", "never", "no"})
_CLAUSE_RX = re.compile(r"[.!?;\n]+|\bbut\b")

_CONTRACTIONS = (
    (r"\bwon'?t\b", "will not"), (r"\bcan'?t\b", "can not"), (r"\bcannot\b", "can not"),
    (r"\b(\w+)n't\b", r"\1 not"),
    (r"\b(dont|doesnt|didnt|isnt|wasnt|arent|havent|hasnt|shouldnt|wouldnt|couldnt)\b", None),
    (r"\bi'?m\b", "i am"), (r"\bi'?ve\b", "i have"), (r"\b(he|she|it|that|there)'s\b", r"\1 is"),
    (r"\b(hes|shes)\b", None), (r"\b(\w+)'ll\b", r"\1 will"), (r"\b(\w+)'d\b", r"\1 would"),
    (r"\b(\w+)'re\b", r"\1 are"),
)
_NOT_SPELLED = {
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not", "wasnt": "was not",
    "arent": "are not", "havent": "have not", "hasnt": "has not", "shouldnt": "should not",
    "wouldnt": "would not", "couldnt": "could not", "hes": "he is", "shes": "she is",
}


_CONTRACTION_RX = tuple((re.compile(pattern), repl) for pattern, repl in _CONTRACTIONS)
#: "hell hurt me" is "he'll hurt me" typed without the apostrophe.
_HELL_RX = re.compile(r"\b(he|she|they)ll (?=(?:hurt|kill|hit|harm|beat|find|come|do|take|make|ruin|never|not)\b)")
_GONNA_RX = re.compile(r"\bgonna\b")
_WANNA_RX = re.compile(r"\bwanna\b")
#: Keep clause marks, drop other punctuation; then squeeze spaces.
_PUNCT_RX = re.compile(r"[^a-z0-9.!?;\n'é -]+")
_SPACES_RX = re.compile(r"[ \t]+")


def _spelled(match: re.Match[str]) -> str:
    return _NOT_SPELLED[match.group(1)]


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    for rx, repl in _CONTRACTION_RX:
        text = rx.sub(_spelled if repl is None else repl, text)
    text = _HELL_RX.sub(r"\1 will ", text)
    text = _GONNA_RX.sub("going to", text)
    text = _WANNA_RX.sub("want to", text)
    text = _PUNCT_RX.sub(" ", text)
    return _SPACES_RX.sub(" ", text)


def _negated(text: str, start: int) -> bool:
    """Whether a negation sits within three words before ``start``, in the same clause."""
    clause_start = 0
    for mark in _CLAUSE_RX.finditer(text, 0, start):
        clause_start = mark.end()
    before = text[clause_start:start].split()[-3:]
    return any(word in _NEGATIONS for word in before)


_BY_ME = re.compile(r"\bi (?:\w+ )?(?:also |just |even |secretly |always )?$")


def _by_me(text: str, start: int) -> bool:
    """Whether the user is the doer ("i hid my phone from her"): a confession
    of their own behaviour, not a sign that someone controls them."""
    clause_start = 0
    for mark in _CLAUSE_RX.finditer(text, 0, start):
        clause_start = mark.end()
    return bool(_BY_ME.search(text[clause_start:start]))


def _found(text: str, patterns: tuple[re.Pattern[str], ...], *, writer_side: bool = False) -> int:
    """How many patterns match somewhere not negated (nor, for ``writer_side``
    categories, done by the user themself)."""
    count = 0
    for rx in patterns:
        if any(not _negated(text, m.start()) and not (writer_side and _by_me(text, m.start()))
               for m in rx.finditer(text)):
            count += 1
    return count


def check(text: str) -> SafetyResult:
    """Danger categories in a message; pure, fast, never records the text."""
    if not text or not text.strip():
        return NO_HIT
    normal = _normalise(text)
    found = {category for category, patterns in _COMPILED.items()
             if _ANY[category].search(normal) and _found(normal, patterns, writer_side=category in _WRITER_SIDE)}
    weak = _found(normal, _WEAK_CONTROL, writer_side=True)
    if weak >= 2 or (weak and found):
        found.add("control")
    categories = tuple(c for c in CATEGORIES if c in found)
    return SafetyResult(bool(categories), categories)
