"""Turn typed text into the terms the FAQ matcher compares.

People type questions with typos, contractions, other word forms and their own
words for the same thing. This module folds those differences away in plain
Python (no model, no download): contractions are expanded, common phrases and
synonyms become one concept, and the remaining words are cut to a crude stem.
Typos are handled by the matcher, which knows the vocabulary.
"""

from __future__ import annotations

import re

#: Words that say nothing about which question was asked. Question words,
#: "not", "again" and "long" are kept on purpose: "how long", "trust again".
STOPWORDS: frozenset[str] = frozenset(
    ["a", "an", "the", "and", "or", "but", "if", "so", "as", "of", "at", "by", "for", "with", "about", "into", "onto", "from", "to", "in", "on", "up", "down", "out", "over", "under", "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "u", "ur", "himself", "herself", "they", "them", "their", "theirs", "themselves", "it", "its", "itself", "this", "that", "these", "those", "there", "here", "then", "than", "too", "very", "just", "really", "even", "also", "now", "after", "before", "without", "between", "during", "through", "against", "within", "instead", "know", "think", "right", "day", "days", "today", "tonight", "exactly", "actually", "roughly", "maybe", "probably", "people", "person", "someone", "somebody", "anyone", "anybody", "everyone", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "done", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "let", "lets", "get", "gets", "got", "getting", "go", "goes", "going", "gone", "some", "any", "all", "each", "every", "both", "such", "much", "many", "more", "most", "other", "own", "same", "one", "ones", "thing", "things", "something", "anything", "everything", "stuff", "way", "lot", "lots", "please", "thanks", "thank", "hi", "hello", "hey", "ok", "okay", "yeah", "yes", "well", "like", "kind", "sort", "tho", "though", "although", "because", "since", "while", "until", "yet", "already", "ever", "s", "t", "d", "ll", "m", "re", "ve"]
)

#: Spellings of contractions, with and without the apostrophe.
_CONTRACTIONS: dict[str, str] = {
    "can't": "can not", "cant": "can not", "cannot": "can not",
    "won't": "will not", "wont": "will not",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "arent": "are not", "wasn't": "was not", "wasnt": "was not",
    "weren't": "were not", "haven't": "have not", "havent": "have not",
    "hasn't": "has not", "hasnt": "has not", "hadn't": "had not",
    "shouldn't": "should not", "shouldnt": "should not", "wouldn't": "would not",
    "wouldnt": "would not", "couldn't": "could not", "couldnt": "could not",
    "ain't": "is not", "im": "i am", "ive": "i have", "youre": "you are",
    "whats": "what is", "hows": "how is", "thats": "that is",
}

#: Who did what to whom: "I lied" and "she lied to me" ask different questions
#: (owning it, or healing from it), so the side a person is on becomes a term
#: of its own, added next to the words that showed it.
_SIDES: tuple[tuple[str, str], ...] = (
    (r"\bi (?:\w+ )?(?:cheated|lied|betrayed|deceived|was unfaithful|had an? (?:affair|fling)|messed up|"
     r"screwed up|broke (?:\w+ )?trust|hurt (?:him|her|them|my)|was the one who)\b", "side_offender"),
    (r"\b(?:cheated|lied|betrayed|deceived|went behind my back)(?: on| to)? me\b|\bi was (?:cheated|lied|betrayed)\b|"
     r"\bbeing (?:cheated|lied|betrayed)\b|\bf(?:ind|ound|inding) out\b|\bdiscover(?:ed|ing)?\b", "side_hurt"),
)
_SIDE_RX = tuple((re.compile(p), side) for p, side in _SIDES)

#: Several-word phrases that mean one thing, matched before splitting into words.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bcheck[\s-]?ins?\b", "reminder"),
    (r"\btime[\s-]?zones?\b", "timezone"),
    (r"\bwalk(?:ing|ed)? away\b", "leave"),
    (r"\bbreak(?:ing)? up\b|\bbroke up\b|\bbreak[\s-]?ups?\b|\bsplit(?:ting)? up\b", "leave"),
    (r"\bend (?:it|things|this|the relationship|our relationship|the marriage|my marriage)\b", "leave"),
    (r"\bgive up on\b|\bgiving up on\b|\bcall it quits\b", "leave"),
    (r"\bstay or (?:should i )?go\b", "leave"),
    (r"\bhow much (?:more |longer )?time\b|\btime ?frame\b", "how duration"),
    (r"\bcome back from\b|\bget through\b|\bwork through\b", "survive"),
    (r"\bmov(?:e|ing) (?:on|forward)\b|\bstart(?:ing)? over\b|\bfresh start\b|\bnew beginning\b|\bnext chapter\b",
     "moveon"),
    (r"\bget(?:ting)? back at\b|\bpay(?:ing)? (?:him|her|them) back\b", "revenge"),
    (r"\bget(?:ting)? over\b|\bdeal(?:ing)? with\b|\btak(?:e|ing) care of (?:myself|me)\b|\bself[\s-]?care\b",
     "heal"),
    (r"\bown(?:ing)? up\b|\bown(?:ing)? (?:it|my mistake|what i did)\b", "responsibility"),
    (r"\bmake (?:it|this|things) right\b|\bmake amends\b", "fix"),
    (r"\bsay(?:ing)? sorry\b", "apology"),
    (r"\bwin (?:\w+ )?back\b|\bearn (?:\w+ )?back\b|\bgain (?:\w+ )?back\b|\bregain\b", "earn"),
    (r"\bquality time\b", "together"),
    (r"\bturn(?:ed)? off\b|\bswitch(?:ed)? off\b|\bshut off\b", "pause"),
    (r"\b(?:turn|switch|put)(?:ed)? (?:\w+ )*?back on\b|\bback on\b|\bturn on\b|\bswitch on\b", "resume"),
    (r"\bget(?:ting)? out\b", "exit"),
    (r"\blooks? like\b", "look"),
    (r"\btrust issues\b", "doubt"),
    (r"\bbe with\b", "together"),
    (r"\bmake it\b", "survive"),
    (r"\bthe other (?:woman|man|person)\b", "affair"),
)
_PHRASE_RX = tuple((re.compile(p), repl) for p, repl in _PHRASES)

#: Concept -> words that mean it (before stemming). Kept small and domain-bound:
#: a synonym here makes two questions look alike to the matcher.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "partner": ("he", "him", "his", "she", "her", "hers", "partner", "husband", "wife", "boyfriend", "girlfriend", "bf", "gf", "spouse", "hubby",
                "fiance", "fiancee", "fiancé", "fiancée", "ex", "man", "woman"),
    "betray": ("cheat", "cheated", "cheating", "cheater", "cheats", "affair", "affairs", "infidelity",
               "unfaithful", "adultery", "betray", "betrayed", "betrayal", "betraying", "betrays", "betrayals"),
    "lie": ("lie", "lied", "lies", "lying", "liar", "liars", "dishonest", "dishonesty", "deceive",
            "deceived", "deception"),
    "trust": ("trust", "trusted", "trusting", "trusts", "trustworthy", "trustworthiness", "believe",
              "believing"),
    "doubt": ("doubt", "doubts", "doubting", "doubted", "distrust", "mistrust", "suspicion", "suspicious",
              "paranoid", "insecure", "insecurity"),
    "relationship": ("relationship", "relationships", "marriage", "marriages", "married", "couple",
                     "couples"),
    "duration": ("long", "longer", "month", "months", "year", "years", "week", "weeks", "timeline",
                 "timeframe", "frame"),
    "hope": ("hope", "hopeless", "chance", "chances", "doomed"),
    "survive": ("survive", "survives", "survived", "surviving", "survival", "save"),
    "forgive": ("forgive", "forgiving", "forgiveness", "forgave", "forgiven", "pardon"),
    "forget": ("forget", "forgetting", "forgot", "forgotten"),
    "heal": ("heal", "healing", "healed", "recover", "recovery", "recovering", "cope", "coping"),
    "pain": ("pain", "painful", "hurt", "hurts", "hurting", "ache", "aching", "suffering", "wound", "wounded"),
    "anger": ("anger", "angry", "furious", "rage", "mad", "resentment", "bitter", "bitterness"),
    "revenge": ("revenge", "payback", "punish", "punishing", "punishment", "vengeance"),
    "apology": ("apology", "apologies", "apologize", "apologise", "apologizing", "apologising",
                "apologized", "apologised", "sorry", "remorse"),
    "responsibility": ("responsibility", "responsible", "accountable", "accountability", "responsibilty"),
    "excuse": ("excuse", "excuses", "justify", "justifying"),
    "mistake": ("mistake", "mistakes", "messed", "screwed", "wrong"),
    "fix": ("fix", "repair", "mend", "amends"),
    "talk": ("talk", "talking", "talked", "communicate", "communicating", "communication", "conversation",
             "conversations", "discuss", "discussing", "discussion", "speak", "speaking"),
    "question": ("question", "questions", "ask", "asking", "asks", "asked"),
    "fight": ("fight", "fighting", "fights", "argue", "arguing", "argument", "arguments", "blow", "blowing"),
    "honest": ("honest", "honesty", "honestly", "truth", "truthful", "open", "openly", "openness"),
    "transparent": ("transparent", "transparency"),
    "prove": ("prove", "proof", "show", "showing", "demonstrate"),
    "action": ("action", "actions", "behaviour", "behavior", "behaviours", "behaviors", "deeds"),
    "consistent": ("consistent", "consistency", "consistently", "steady", "reliable"),
    "intimacy": ("intimacy", "intimate", "close", "closeness", "closer", "connected", "connection",
                 "reconnect", "romance", "romantic", "affection", "affectionate", "spark", "passion", "sex",
                 "sexual", "physical", "physically", "touch"),
    "leave": ("leave", "leaving", "divorce", "divorced", "separate", "separation", "quit"),
    "moveon": ("moveon",),
    "happy": ("happy", "happiness", "joy"),
    "learn": ("learn", "learned", "learnt", "lesson", "lessons"),
    "therapy": ("therapy", "therapist", "therapists", "counselling", "counseling", "counsellor", "counselor",
                "counsellors", "counselors", "psychologist", "psychotherapist", "professional", "shrink"),
    "friend": ("friend", "friends", "family", "relative", "relatives"),
    "reminder": ("reminder", "reminders", "notification", "notifications", "alert", "alerts", "checkin",
                 "checkins"),
    "daytime": ("morning", "mornings", "evening", "evenings", "daily", "hour", "clock", "later", "earlier"),
    "pause": ("pause", "off", "disable", "mute", "unsubscribe", "stop"),
    "resume": ("resume", "enable", "restart", "unpause"),
    "timezone": ("timezone", "timezones", "tz"),
    "privacy": ("private", "privacy", "confidential", "anonymous"),
    "data": ("data", "account", "information", "info", "history", "record", "records"),
    "delete": ("delete", "deleting", "erase", "erasing", "remove", "wipe", "clear"),
    "export": ("export", "download", "copy"),
    "store": ("store", "stored", "storing", "collect", "collected"),
    "ruminate": ("replay", "replaying", "thinking", "obsess", "obsessing", "obsessed", "ruminating",
                 "flashbacks", "overthinking"),
    "exit": ("exit", "hide", "hiding", "escape"),
    "quick": ("quick", "quickly", "fast", "fastest", "asap"),
    "chat": ("chat", "app", "bot", "message", "messages", "write", "writing", "wrote", "type", "typed", "typing"),
    "meaning": ("meaning", "mean", "means", "define", "definition"),
    "important": ("important", "importance", "matter", "matters"),
    "safe": ("safe", "safety", "secure", "security"),
    "cause": ("reason", "reasons", "cause", "causes", "caused"),
    "break": ("break", "breaks", "broke", "broken", "breaking", "destroy", "destroys", "destroyed", "ruin",
              "ruins", "ruined", "damage", "damaged", "erode", "lose", "lost", "losing"),
    "small": ("small", "little", "tiny", "white"),
    "try": ("try", "tries", "trying", "tried", "effort", "efforts"),
    "again": ("again", "anymore", "back"),
    "see": ("see", "read", "reads", "reading", "saw", "access"),
}

#: Terms that place a question in this bot's world. A question with none of
#: them ("how long does it take to boil an egg") is never answered outright.
ANCHORS: frozenset[str] = frozenset(
    ["partner", "betray", "lie", "trust", "doubt", "relationship", "hope", "survive", "forgive", "heal", "pain", "anger", "revenge", "apology", "responsibility", "excuse", "intimacy", "leave", "moveon", "therapy", "friend", "reminder", "timezone", "privacy", "data", "delete", "export", "store", "exit", "chat", "transparent", "honest", "consistent", "fight", "talk", "safe", "ruminate", "rebuild", "love"]
)

_CONCEPT_OF: dict[str, str] = {word: concept for concept, words in _SYNONYMS.items() for word in words}

_WORD_RX = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def lexicon_words() -> frozenset[str]:
    """Every word the lexicon and the phrases know; the matcher corrects typos towards these."""
    in_phrases = {
        word
        for pattern, _ in (*_PHRASES, *_SIDES)
        for word in re.findall(r"(?<!\\)[a-z]{4,}", pattern)
    }
    return frozenset(_CONCEPT_OF) | in_phrases


def tokens(text: str) -> list[str]:
    """Lower-case words with contractions expanded: the layer typos are fixed on."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    out: list[str] = []
    for word in _WORD_RX.findall(text):
        if word in _CONTRACTIONS:
            out.extend(_CONTRACTIONS[word].split())
        elif word.endswith("n't"):
            out.extend((word[:-3], "not"))
        elif "'" in word:
            out.append(word.split("'")[0])  # he's, she'll, partner's
        else:
            out.append(word)
    return out


def fold(words: list[str]) -> str:
    """Phrases folded into concepts, plus the side a person speaks from."""
    text = " ".join(words)
    sides = [side for rx, side in _SIDE_RX if rx.search(text)]
    for rx, repl in _PHRASE_RX:
        text = rx.sub(repl, text)
    return " ".join([text, *sides])


def stem(word: str) -> str:
    """A crude suffix stripper: enough to make cheat/cheated/cheating meet.

    Wrong stems are harmless as long as the same word always gets the same
    stem, because examples and questions go through the same function. Not
    cached on purpose: a cache would keep words people typed in memory.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("edly", ""), ("ed", ""), ("ness", ""),
                         ("ment", ""), ("fully", ""), ("ful", ""), ("ly", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: len(word) - len(suffix)] + keep
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # stopp -> stop, gett -> get
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # hope/hoping, take/taking
    return word


def concept(word: str) -> str:
    """The term for one normalised word: its concept if the lexicon has one, else its stem.

    Stems of lexicon words count too, so "apologizes" finds "apology" although
    only "apologize" is listed.
    """
    found = _CONCEPT_OF.get(word)
    if found is not None or "_" in word:  # side_offender, side_hurt are terms already
        return found or word
    stemmed = stem(word)
    return _CONCEPT_OF_STEM.get(stemmed, stemmed)


def terms(text: str) -> list[str]:
    """The terms of a text, in order, duplicates kept (callers decide)."""
    return terms_of_tokens(tokens(text))


def terms_of_tokens(words: list[str]) -> list[str]:
    """The terms of already tokenised text (after the matcher fixed its typos)."""
    return [concept(w) for w in fold(words).split() if w not in STOPWORDS]


#: Stem of a lexicon word -> its concept (built here, once ``stem`` exists).
_CONCEPT_OF_STEM: dict[str, str] = {}
for _word, _concept in _CONCEPT_OF.items():
    _CONCEPT_OF_STEM.setdefault(stem(_word), _concept)
