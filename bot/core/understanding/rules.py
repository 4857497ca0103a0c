"""Cheap, precise rules that need no model: small talk, lone emoji, feeling
words, questions, the user's own acts, and danger in six other languages.

The model finds paraphrases; these rules keep the obvious cases certain, and
they are all a reader has when no vector is given (tests about routing).
"""

from __future__ import annotations

import re

from bot.core.understanding.reading import Feeling, SafetyCategory, SmallTalk

_SQUASH = re.compile(r"[^\w\s']+")


def squash(text: str) -> str:
    """Lower case, curly quotes straightened, punctuation and emoji dropped."""
    text = text.lower().replace("’", "'")
    return " ".join(_SQUASH.sub(" ", text).split())


_SMALL_TALK: dict[SmallTalk, frozenset[str]] = {
    SmallTalk.ACK: frozenset({"ok", "okay", "k", "kk", "okk", "sure", "alright", "got it", "cool", "fine", "yes",
                              "yeah", "yep", "no", "nope", "hmm", "mm", "right", "ok cool", "okay then", "noted"}),
    SmallTalk.THANKS: frozenset({"thanks", "thank you", "thx", "ty", "thanks a lot", "thank you so much", "ok thanks",
                                 "okay thanks", "ok thank you", "thanks so much", "cheers", "appreciate it"}),
    SmallTalk.GREETING: frozenset({"hi", "hello", "hey", "hiya", "hello there", "hey there", "good morning",
                                   "good evening", "yo"}),
    SmallTalk.BYE: frozenset({"bye", "goodbye", "good night", "goodnight", "night", "see you", "later",
                              "talk later", "gotta go", "bye bye"}),
    SmallTalk.UNSURE: frozenset({"idk", "i dont know", "i don't know", "dunno", "not sure", "no idea", "maybe",
                                 "idc", "whatever"}),
}

#: A lone emoji that is a feeling, not a nod.
_FEELING_EMOJI: dict[str, Feeling] = {
    "😭": Feeling.HEARTBREAK, "💔": Feeling.HEARTBREAK, "😢": Feeling.HEARTBREAK, "😞": Feeling.HEARTBREAK,
    "😔": Feeling.HEARTBREAK, "🥺": Feeling.HEARTBREAK, "😿": Feeling.HEARTBREAK,
    "😡": Feeling.ANGER, "🤬": Feeling.ANGER, "😠": Feeling.ANGER,
    "😰": Feeling.PANIC, "😱": Feeling.PANIC, "😨": Feeling.PANIC,
    "😶": Feeling.NUMBNESS, "😐": Feeling.NUMBNESS,
}
_EMOJI_ONLY = re.compile(r"^[\W_]+$")


def small_talk(text: str) -> SmallTalk | None:
    stripped = text.strip()
    if stripped and _EMOJI_ONLY.match(stripped) and not lone_feeling(text):
        return SmallTalk.EMOJI
    words = squash(text)
    for kind, phrases in _SMALL_TALK.items():
        if words in phrases:
            return kind
    return None


def lone_feeling(text: str) -> Feeling | None:
    """A message of only emoji, the first feeling one among them decides."""
    stripped = text.strip()
    if not stripped or not _EMOJI_ONLY.match(stripped):
        return None
    return next((_FEELING_EMOJI[ch] for ch in stripped if ch in _FEELING_EMOJI), None)


_FEELING_WORDS: tuple[tuple[Feeling, re.Pattern[str]], ...] = tuple(
    (feeling, re.compile(pattern))
    for feeling, pattern in (
        (Feeling.INTRUSIVE_IMAGES, r"\b(?:picturing|imagining|images? of|pictures? (?:of|in my)|see them|seeing them|"
                                   r"mental (?:movies?|images?)|replaying|flashbacks?)\b"),
        (Feeling.PANIC, r"\b(?:panic\w*|can't breathe|cannot breathe|heart (?:is )?(?:racing|pounding)|freaking out|"
                        r"anxiety attack|hyperventilat\w*)\b"),
        (Feeling.NUMBNESS, r"\b(?:numb|empty|emptiness|hollow|feel nothing|don't feel anything|can't feel anything)\b"),
        (Feeling.SHAME, r"\b(?:ashamed|shame|disgusted with myself|hate myself|embarrassed|humiliated|so stupid|"
                        r"such an idiot|guilty)\b"),
        (Feeling.LONELINESS, r"\b(?:lonely|alone|isolated|no one to talk to|nobody to talk to|no one understands|"
                             r"nobody understands|nobody to lean on)\b"),
        (Feeling.ANGER, r"\b(?:angry|furious|livid|rage|seething|pissed|mad at|so mad|hate (?:him|her|them))\b"),
        (Feeling.HEARTBREAK, r"\b(?:heartbroken|heart\w* (?:is |are )?(?:\w+ )?"
                             r"(?:broken|breaking|aches?|shattered|in pieces)|"
                             r"broken heart|devastated|crushed|shattered|cry(?:ing)? (?:all|every)|"
                             r"hurts so much|so much pain|grieving)\b"),
    )
)


def feeling_words(text: str) -> Feeling | None:
    """A feeling named outright ("i feel empty"); the first kind listed wins."""
    words = squash(text)
    for feeling, rx in _FEELING_WORDS:
        if rx.search(words):
            return feeling
    return None


_QUESTION_START = re.compile(
    r"^(?:how|what|why|when|where|who|which|is|are|am|do|does|did|can|could|should|would|will|shall|may|"
    r"any tips|tips|help me|tell me)\b"
)


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.match(squash(text)))


# --- the user's own acts -------------------------------------------------------

_BY_ME = re.compile(
    r"^(?:and |so |yes |yeah |well |honestly |ok |okay )?i (?:\w+ )?(?:also |secretly |even |once |used to |"
    r"have |had |was |did )?(?:hid|hide|hiding|lied|lie|lying|tracked|track|tracking|checked|check|checking|read|"
    r"went through|go through|going through|looked through|look through|deleted|kept|snooped|snoop|snooping|spied|"
    r"spy|followed|blocked|took|cheated|texted|messaged|sexted|slept|met|snuck|sneaked|turned off|changed|"
    r"got a second|used)\b"
)


def by_me(text: str) -> bool:
    """Whether the message confesses the user's own acts ("i hid my phone from
    her"): for the one who broke trust, that is a confession, not danger."""
    return bool(_BY_ME.match(squash(text)))


# --- a threat to end the relationship -----------------------------------------

#: "he threatened to leave me", "she says she'll divorce me if i lie again":
#: ending a relationship is the partner's right, not danger.
_ENDING = re.compile(
    r"\b(?:threaten\w*|warn\w*|says?|said|told me)\b[\w' ]{0,25}?\b(?:to |he'll |she'll |they'll |he will |"
    r"she will |he'd |she'd |he would |she would )(?:leave|leaving|divorce|divorcing|break up|split up|move out|"
    r"moving out|walk out|end (?:it|things|us|the relationship|the marriage))\b"
)
#: ...unless harm, the children or a "you'll regret it" comes with it.
_ENDING_WITH_HARM = re.compile(
    r"\b(?:kill\w*|hurt\w*|regret|sorry|pay|kids?|children|son|daughter|baby|take|find|never see|hit\w*|"
    r"die|dead|gun|knife|burn\w*|post\w*|photos?|pics?|nudes|video\w*|tell|ruin\w*)\b"
)


def ending_threat(text: str) -> bool:
    """Whether a "threat" only says the partner will leave the relationship
    (met as sadness, not danger)."""
    words = squash(text)
    return bool(_ENDING.search(words)) and not _ENDING_WITH_HARM.search(words)


# --- danger in other languages ------------------------------------------------

_OTHER_LANGUAGES: tuple[tuple[SafetyCategory, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern))
    for category, pattern in (
        (SafetyCategory.SELF_HARM,
         r"\b(?:quiero morir(?:me)?|no quiero vivir|ya no quiero vivir|suicid\w*|matarme|quitarme la vida|"
         r"quero morrer|não quero (?:mais )?viver|me matar|"
         r"хочу умереть|не хочу жить|покончить с собой|убить себя|суицид\w*|"
         r"will (?:nicht mehr leben|sterben)|mich umbringen|selbstmord|suizid\w*|nicht mehr aufwachen|"
         r"veux mourir|envie de mourir|plus envie de vivre|me tuer|"
         r"voglio morire|non voglio (?:più )?vivere|uccidermi|farla finita)"),
        (SafetyCategory.VIOLENCE,
         r"(?:\bme (?:pega|golpea|golpeó|pegó|maltrata|bate|bateu|agride|agrediu|espanca|frappe|frappé\w*|bat)\b|"
         r"\bm'a frapp\w*|\bmi (?:picchia|ha picchiat\w*|picchiato|ha colpit\w*)\b|"
         r"\bбь[её]т меня\b|\bизби\w*|\bударил\w*|\b(?:schlägt|geschlagen|verprügelt)\b|"
         r"\bviolencia (?:doméstica|de género)\b|\bviolência doméstica\b|\bhäusliche gewalt\b|"
         r"\bviolences? conjugales?\b)"),
        (SafetyCategory.THREATS,
         r"\b(?:amenaz\w* con matarme|ameaçou me matar|amea\w* de morte|угрожа\w*|droht\w* mich|"
         r"menace de me tuer|minacciat\w* di uccidermi|mi minaccia)"),
        (SafetyCategory.FEAR,
         r"\b(?:tengo miedo de (?:él|mi (?:esposo|marido|novio|pareja)|volver a casa)|tenho medo de (?:voltar|ele|meu)|"
         r"(?:я )?боюсь (?:его|мужа|идти домой)|мне страшно|angst vor (?:ihm|meinem)|angst nach hause|"
         r"j'ai peur de (?:lui|rentrer|mon)|ho paura di (?:lui|tornare|mio))"),
    )
)

def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


_LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "es": _words(
        "el la los las que de mi me y en no ya con por una un es muy pero tengo quiero casa esposo",
        "novio marido",
    ),
    "pt": _words(
        "o a os as que de meu minha me e em não com por uma um é muito mas tenho quero casa ele",
        "marido namorado",
    ),
    "de": _words(
        "der die das und ich nicht mich mein meine mit ist zu ein eine er sie hat habe will angst",
    ),
    "fr": _words(
        "le la les et je ne pas me mon ma mes il elle est un une de avec j'ai peur veux plus",
    ),
    "it": _words(
        "il lo la gli le e io non mi mio mia con è un una di ha ho paura voglio più ragazzo marito",
    ),
}


def language(text: str) -> str:
    """"en" or the code of one of the six other languages the safety reply
    mentions: a cheap guess from script and common words."""
    if re.search(r"[а-яё]", text.lower()):
        return "ru"
    words = squash(text).split()
    if not words:
        return "en"
    best, hits = "en", 0
    for code, vocab in _LANGUAGE_WORDS.items():
        count = sum(1 for w in words if w in vocab)
        if count > hits:
            best, hits = code, count
    english = sum(1 for w in words if w in _ENGLISH)
    return best if hits >= 2 and hits > english else "en"


_ENGLISH = _words(
    "i me my he she it the a an and to of in is was not you we they him her his what how why do be so",
    "that this at on for with can",
)


def other_language_danger(text: str) -> tuple[SafetyCategory, ...]:
    low = text.lower()
    return tuple(category for category, rx in _OTHER_LANGUAGES if rx.search(low))


# --- own acts and promises, for the one who broke trust --------------------------

_OWN_ACT = re.compile(
    r"^(?:and |so |but |yes |yeah |well |honestly |ok |okay )?(?:i'?m sorry|sorry|i apologi[sz]e|i promise|i will|"
    r"i'll|i won't|i'm going to|i am going to|i'd|from now on|no more|today i|tonight i|this week i)\b"
    r"|\bi (?:was|am|i'm|felt|feel) (?:so |just |really |very )?(?:stressed|drunk|tired|lonely|angry|weak|selfish|"
    r"stupid|scared of losing|confused|bored|hurt|insecure|overwhelmed)\b"
    r"|\b(?:home by|be home|phone (?:face down|away|off|on the table)|share my (?:location|phone)|"
    r"show (?:her|him|them) my phone|no (?:more )?(?:texting|contact|secrets|lies))\b"
)
#: Signs the message is about harm to the writer, whatever else it says.
_TO_ME = re.compile(
    r"\b(?:(?:hit|hits|hurt|hurts|beat|beats|kill|kills|choke\w*|threaten\w*|push\w*|scare\w*|follow\w*) me|"
    r"i'?m (?:scared|afraid|terrified) (?:of|that)|kill myself|end it all|want to die|not safe)\b"
)


def own_act(text: str) -> bool:
    """Whether the message speaks of the writer's own acts, excuses or
    promises ("I'm sorry, but I was stressed", "home by six and phone face
    down at dinner") and not of harm done to them. Only consulted where the
    one who broke trust writes their own words, and never over a clear
    danger reading."""
    words = squash(text)
    return (bool(_OWN_ACT.search(words)) or by_me(text)) and not _TO_ME.search(words)
