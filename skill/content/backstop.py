"""The keyword backstop: which red flag a person's own words name, when nothing else placed them.

Alexa resolves a symptom only when its words match the interaction model; a sign said in other
words ("my waterworks have gone strange") reaches the skill as an unresolved slot value. The
content lists, beside each red-flag question, words that name it (reviewable, per locale). A hit
never decides anything: the skill asks that red flag's own question and the answer decides
(hazard log H23). So a keyword can only ever add a question, never lower an outcome.

Keywords are lower-case words; a `*` at the end of a word stands for any ending ("urinat*").
Text and keywords are compared without case, accents or apostrophes, on word boundaries.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional, Pattern

# The entity-resolution authority under which the project's own NLU (nlu.py) reports a keyword
# guess: a reader of the request sees which red flag the words name, while the skill, which
# trusts only the interaction model's authority, asks that red flag's question instead.
KEYWORD_AUTHORITY = "sciatica-check.keyword-backstop"

# A symptom slot value id ending in this names a sign in words that can also describe something
# long-standing ("i have incontinence", "erectile dysfunction"): the skill asks that sign's own
# question, anchored on "new since this pain started", instead of counting it (hazard log H24).
ASK_FIRST_SUFFIX = "_ask_first"

_KEYWORD = re.compile(r"[a-zñ]+\*?(?: [a-zñ]+\*?)*")


def plain_words(text: str) -> str:
    """Lower case, no accents (the ñ kept: "año" is not "ano"), apostrophes dropped, every
    other non-letter a single space."""
    # "my leg's weak" is one leg, not "legs": a possessive or "is" goes, then the apostrophes.
    text = re.sub(r"'s\b", "", text.casefold().replace("\u2019", "'"))
    text = text.replace("'", "").replace("ñ", "\0")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).replace("\0", "ñ")
    return " ".join(re.findall(r"[a-zñ]+", text))


def is_valid_keyword(keyword: str) -> bool:
    return isinstance(keyword, str) and _KEYWORD.fullmatch(plain_words_keyword(keyword)) is not None


def plain_words_keyword(keyword: str) -> str:
    """A keyword in the form text is compared in, its `*` kept."""
    return " ".join(plain_words(word) + ("*" if word.endswith("*") else "")
                    for word in keyword.split())


def compile_keywords(keywords: Iterable[str]) -> Pattern:
    alternatives = []
    # Longest first: the regex takes the first alternative that matches, and "bowel
    # incontinence" must be found whole, not as "bowel".
    for keyword in sorted(keywords, key=len, reverse=True):
        words = plain_words_keyword(keyword).split()
        alternatives.append(" ".join(re.escape(w[:-1]) + "[a-zñ]*" if w.endswith("*")
                                     else re.escape(w) for w in words))
    return re.compile(r"(?<![a-zñ])(?:" + "|".join(alternatives) + r")(?![a-zñ])")


def red_flag_named(red_flag_words: tuple, heard: Optional[str]):
    """The question whose keywords `heard` names, or None. `red_flag_words` is
    Content.red_flag_words. A cauda equina sign wins over any other; among signs of the same outcome, the
    longest phrase found ("bowel incontinence" over "incontinence"), then the content's order."""
    if not isinstance(heard, str) or not heard.strip():
        return None
    text = plain_words(heard)
    best, best_key = None, None
    for order, (question, pattern) in enumerate(red_flag_words):
        longest = max((len(m.group()) for m in pattern.finditer(text)), default=0)
        key = (question.outcome_if_yes == "emergency", longest, -order)
        if longest and (best_key is None or key > best_key):
            best, best_key = question, key
    return best


def common_symptom_named(common_symptom_words: tuple, heard: Optional[str]) -> Optional[str]:
    """The id of the common symptom (Content.common_symptom_words) `heard` names, longest
    phrase first, or None. Only asked when no red flag is named: a guess of an ordinary symptom
    is still unresolved words to the skill, so it changes no answer."""
    if not isinstance(heard, str) or not heard.strip():
        return None
    text = plain_words(heard)
    best, best_length = None, 0
    for name, pattern in common_symptom_words:
        longest = max((len(m.group()) for m in pattern.finditer(text)), default=0)
        if longest > best_length:
            best, best_length = name, longest
    return best


def asked_first(symptom_id: Optional[str]) -> Optional[str]:
    """The sign a slot value id asks about first ("bladder_ask_first" -> "bladder"), or None."""
    if isinstance(symptom_id, str) and symptom_id.endswith(ASK_FIRST_SUFFIX):
        return symptom_id[:-len(ASK_FIRST_SUFFIX)]
    return None
