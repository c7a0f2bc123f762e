"""A small, offline stand-in for Alexa's NLU, for the text chat and tests.

``resolve(model, utterance, in_session)`` turns typed text into the body of the
``request`` Alexa would send, in Alexa's JSON shape, using the interaction model
dict from ``skill.language.interaction_model.build_interaction_model``.  It is deliberately
literal, like the virtual-alexa simulator: a slot value resolves only when its
words equal a value name or synonym (after normalising case, punctuation,
contractions such as "I'm" / "im" / "i am", and fillers such as "um").

Choosing an intent, best first:
  1. the whole utterance equals a sample without slots, or a built-in phrasing of
     a declared AMAZON.* intent;
  2. a sample with slots whose every slot value resolves (more literal words win);
  3. the keyword backstop: where no sample matches the whole utterance, its words
     may still name a red flag (the content's keywords, backstop.py): a
     ReportSymptomIntent whose slot holds every word heard, resolved to that red
     flag under an authority of our own (backstop.KEYWORD_AUTHORITY). The skill
     treats such a guess as unresolved words and asks that red flag's question, so
     a guess never decides an answer. It reads utterances that start with yes or
     no too ("yeah, and my bum's gone numb", "no puedo orinar"), but not a plain
     denial that names a body part ("no, my bladder's fine");
  4. an utterance starting "yes/yeah/yep/yup" -> AMAZON.YesIntent;
  5. the keyword guess again, for the common symptoms' keywords ("the back of my
     left thigh is killing me"): to the skill still unresolved words, so it changes
     no answer; after 4 and never after a leading no, so "yeah, my leg too" stays
     a yes and "no, just my right leg" a no;
  6. a sample with slots and at least one literal word whose slot does not
     resolve -> that intent, slot status ER_SUCCESS_NO_MATCH ("i have purple elbows");
  7. an utterance starting "no/nope/nah" -> AMAZON.NoIntent.  After 6 on purpose:
     "no, i can't feel a thing when i wipe" must not become a plain "no";
  8. nothing: AMAZON.FallbackIntent in session, LaunchRequest out of session
     (a one-shot Alexa cannot map opens the skill).

Languages: English and Spanish. The built-in phrasings, the leading yes/no words and the launch
phrases ("open ...", "abre ...") follow the model's language: the ``locale`` passed in, or,
without one, Spanish for a model whose AMAZON.YesIntent says "sí". Spanish accents are kept in
the words heard (the slot value) and ignored when comparing, so "no se" typed without an accent
still matches "no sé"; the ñ is kept ("año" is not "ano").

Why over 300 lines: the eight steps above share one normaliser and one matcher; splitting them
would split the order, which is the point.
"""
from __future__ import annotations

import re
from typing import Any

from skill import DEFAULT_SKILL_ID
from skill.content import backstop
from skill.content.loader import LANGUAGE_BASE, load_content
from skill.content.schema import ContentError

# Common phrasings Alexa's built-in intents understand without any samples.
BUILTIN_PHRASES = {
    "AMAZON.YesIntent": "yes|yeah|yep|yup|yes please|sure|correct|that's correct|right|that's right|"
    "i do|i have|i am|i did|yes i do|yes i have|yes i am|yeah i do|i think so|definitely|absolutely|"
    "of course|ok|uh huh|affirmative|true|that's true",
    "AMAZON.NoIntent": "no|nope|nah|no thanks|no thank you|no i don't|i don't|no i haven't|i haven't|"
    "i'm not|no i'm not|i didn't|no i didn't|not really|never|no never|not at all|negative|"
    "i don't think so|i think not|definitely not|absolutely not|of course not|none",
    "AMAZON.HelpIntent": "help|help me|help please|what can i say|what do i say|what can i do|"
    "what are my options|i need help|how does this work",
    "AMAZON.RepeatIntent": "repeat|repeat that|repeat please|say that again|say it again|pardon|pardon me|"
    "what did you say|come again|can you repeat that|could you repeat that|what was that",
    "AMAZON.StartOverIntent": "start over|restart|start again|begin again|start from the beginning",
    "AMAZON.NextIntent": "next|continue|go on|carry on|ok next|next one|next question|skip|keep going|move on",
    "AMAZON.StopIntent": "stop|quit|goodbye|bye|that's all|i'm done|stop please|shut up|enough",
    "AMAZON.CancelIntent": "cancel|never mind|nevermind|forget it|cancel that",
    "AMAZON.NavigateHomeIntent": "home|go home|go to home|main menu",
}
# The same for Spanish (es-US), compared without accents.
BUILTIN_PHRASES_ES = {
    "AMAZON.YesIntent": "sí|sí por favor|claro|claro que sí|por supuesto|correcto|así es|exacto|"
    "afirmativo|de acuerdo|ok|vale|sí tengo|sí claro|creo que sí",
    "AMAZON.NoIntent": "no|no gracias|no tengo|para nada|nunca|jamás|negativo|creo que no|"
    "no creo|de ninguna manera|claro que no|ninguno|ninguna",
    "AMAZON.HelpIntent": "ayuda|ayúdame|ayuda por favor|qué puedo decir|qué digo|qué puedo hacer|"
    "cuáles son mis opciones|necesito ayuda|cómo funciona esto",
    "AMAZON.RepeatIntent": "repite|repítelo|repita|repítalo|repetir|otra vez|dilo otra vez|"
    "qué dijiste|cómo|perdón|puedes repetir|puede repetir",
    "AMAZON.StartOverIntent": "empieza de nuevo|empezar de nuevo|reinicia|reiniciar|volver a empezar|"
    "desde el principio|comienza de nuevo",
    "AMAZON.NextIntent": "siguiente|continúa|continuar|sigue|seguir|adelante|el siguiente|"
    "la siguiente|otro|próximo",
    "AMAZON.StopIntent": "para|detente|basta|adiós|terminar|termina|ya basta|cállate|ya está",
    "AMAZON.CancelIntent": "cancela|cancelar|olvídalo|olvídalo ya|déjalo",
    "AMAZON.NavigateHomeIntent": "inicio|ir a inicio|ve a inicio|menú principal",
}
# After a leading "no", what tells a denial ("no, I've never had cancer", "no, my bladder's
# fine", "no, no tengo fiebre") from a report that opens with "no" ("no, I can't feel it when I
# pee", "no puedo orinar"). Compared in normalised form ("can't" is "can not").
REPORT_MARKERS = {
    "en": re.compile(r" (?:but|except|though|although|unable|able|can not|could not|will not"
                     r"|no (?:feeling|sensation|control|strength|power))(?= )"),
    "es": re.compile(r" (?:pero|aunque|puedo|siento|aguanto|controlo|logro|me|se)(?= )"),
}
DENIAL_MARKERS = {
    "en": re.compile(r" (?:never|have not|has not|had no|am not|is not|are not|was not|were not"
                     r"|did not|do not think|do not believe|only|just|checked"
                     r"|do not have|did not have|no|fine|normal|normally|regular|steady|ok|good"
                     r"|alright|great|perfect|works|working|full control|can|nothing|problems"
                     r"|problem|trouble|issues|wrong)(?= )"),
    "es": re.compile(r" (?:no tengo|no he|nunca|tampoco|bien|normal|perfecto|perfecta"
                     r"|problema|problemas|solo|nomas|nada mas|puro)(?= )"),
}
LEADING_YES = {"yes", "yeah", "yep", "yup"}
LEADING_NO = {"no", "nope", "nah"}
LEADING_YES_ES = {"si", "claro"}
LEADING_NO_ES = {"no"}

FILLERS = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "hm", "mm", "eh", "ehh", "mmm"}
LEADING_FILLERS = FILLERS | {"well", "so", "oh", "alexa", "pues", "oye", "mira", "ay", "lord",
                             "gosh", "goodness", "bueno", "este", "ah"}
# Accents ignored when comparing (the ñ is a letter of its own, not an accented n).
_UNACCENT = str.maketrans("áéíóúüàèìòù", "aeiouuaeiou")
_IRREGULAR = {"can't": "can not", "won't": "will not", "ain't": "is not", "let's": "let us"}
_SUFFIXES = (("n't", " not"), ("'m", " am"), ("'ve", " have"), ("'re", " are"),
             ("'ll", " will"), ("'d", " would"), ("'s", " is"))
_BARE = {"cant": "can not", "cannot": "can not", "dont": "do not", "doesnt": "does not",
         "didnt": "did not", "isnt": "is not", "arent": "are not", "wasnt": "was not",
         "havent": "have not", "hasnt": "has not", "couldnt": "could not", "wont": "will not",
         "wouldnt": "would not", "im": "i am", "ive": "i have", "thats": "that is",
         "theres": "there is", "whats": "what is", "its": "it is", "okay": "ok"}

LAUNCH_VERBS = (r"(?:open|launch|start|begin|load|run|play|use|enable|ask|tell|talk to|speak to|go to"
                r"|abre|abrir|inicia|iniciar|empieza|comienza|lanza|usa|activa|habla con)")
# "ask sciatica check to ...", "pídele a revisión de ciática que ..." (compared without accents).
ONE_SHOT_LEAD = r"(?:(?:ask|tell) |(?:pide|pidele|pregunta|preguntale|dile) a )"
ONE_SHOT = ONE_SHOT_LEAD + r"{inv} (?:(?:to|if|about|whether|for|that|que|si|por|sobre) )?(?P<rest>.+)"
LAUNCH = LAUNCH_VERBS + r"? ?{inv}(?: (?:skill|app|please|por favor))*"


def _light_tokens(text: str) -> list[str]:
    """Lower-case words as heard, apostrophes kept, fillers dropped."""
    text = text.casefold().replace("\u2019", "'").replace("\u2018", "'")
    words = []
    for word in re.findall(r"[^\W_]+(?:'[^\W_]+)*", text):
        # Drop "um" and stutters, but not a doubled "no": "no, no tengo fiebre" denies twice.
        if word not in FILLERS and not (words and words[-1] == word and word != "no"):
            words.append(word)
    while words and words[0] in LEADING_FILLERS:
        words.pop(0)
    return words


def _expand(word: str) -> list[str]:
    word = word.translate(_UNACCENT)
    if word in _IRREGULAR:
        return _IRREGULAR[word].split()
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return (word[: -len(suffix)] + replacement).split()
    word = word.replace("'", "")
    return _BARE.get(word, word).split()


def _tokenize(text: str) -> tuple[list[str], list[str], list[int]]:
    """(words heard, normalised tokens, index of the heard word each token came from)."""
    light = _light_tokens(text)
    canon: list[str] = []
    owner: list[int] = []
    for i, word in enumerate(light):
        for token in _expand(word):
            canon.append(token)
            owner.append(i)
    return light, canon, owner


def normalize(text: str) -> str:
    """The form utterances, samples and synonyms are compared in."""
    return " ".join(_tokenize(text)[1])


def _language(lm: dict[str, Any], locale: str | None) -> str:
    if locale:
        return "es" if locale.lower().startswith("es") else "en"
    for intent in lm.get("intents", []):
        if intent["name"] == "AMAZON.YesIntent":
            return "es" if any(normalize(s) == "si" for s in intent.get("samples", [])) else "en"
    return "en"


class _Index:
    def __init__(self, model: dict[str, Any], locale: str | None = None):
        lm = model.get("interactionModel", model)
        lm = lm.get("languageModel", lm)
        self.language = _language(lm, locale)
        builtins = BUILTIN_PHRASES_ES if self.language == "es" else BUILTIN_PHRASES
        self.leading_yes = LEADING_YES_ES if self.language == "es" else LEADING_YES
        self.leading_no = LEADING_NO_ES if self.language == "es" else LEADING_NO
        self.invocation = normalize(lm["invocationName"])
        content = _keyword_content(locale, self.language)
        self.red_flag_words = content.red_flag_words if content else ()
        self.common_symptom_words = content.common_symptom_words if content else ()
        self.values: dict[str, dict[str, tuple[str, str]]] = {}
        for slot_type in lm.get("types", []):
            table = self.values.setdefault(slot_type["name"], {})
            for value in slot_type.get("values", []):
                name = value["name"]["value"]
                for phrase in [name, *value["name"].get("synonyms", [])]:
                    table.setdefault(normalize(phrase), (value.get("id", name), name))
        self.intents = []  # (name, {slot: type}, [(regex, literal word count, has slots)])
        for intent in lm["intents"]:
            samples = list(intent.get("samples", []))
            if intent["name"] in builtins:
                samples += builtins[intent["name"]].split("|")
            compiled = [self._compile(s) for s in samples]
            slots = {s["name"]: s["type"] for s in intent.get("slots", [])}
            self.intents.append((intent["name"], slots, compiled))

    def value_name(self, slot_type: str, value_id: str) -> str:
        for found_id, name in self.values.get(slot_type, {}).values():
            if found_id == value_id:
                return name
        return value_id

    @staticmethod
    def _compile(sample: str) -> tuple[re.Pattern, int, bool]:
        parts, literal = [], 0
        for piece in re.split(r"(\{\w+\})", sample):
            if piece.startswith("{"):
                parts.append(rf"(?P<{piece[1:-1]}>\S+(?: \S+)*)")
            elif normalize(piece):
                parts.append(re.escape(normalize(piece)))
                literal += len(normalize(piece).split())
        return re.compile(" ".join(parts)), literal, "{" in sample


def _keyword_content(locale: str | None, language: str):
    """The content whose keywords this locale uses (its own, or its language's base file)."""
    for name in (locale, LANGUAGE_BASE.get(language)):
        if name:
            try:
                return load_content(name)
            except ContentError:
                continue
    return None


def _keyword_guess(index: _Index, light: list[str], skill_id: str,
                   red_flags: bool = True) -> dict[str, Any] | None:
    """Steps 3 and 5 of the module docstring: a ReportSymptomIntent for the red flag (or, with
    `red_flags` false, the common symptom) the words name."""
    heard = " ".join(light)
    if red_flags:
        question = backstop.red_flag_named(index.red_flag_words, heard)
        named = question.id if question else None
    else:
        named = backstop.common_symptom_named(index.common_symptom_words, heard)
    if named is None:
        return None
    slot_type = "SymptomType"
    guess = {"authority": f"{backstop.KEYWORD_AUTHORITY}.{slot_type}",
             "status": {"code": "ER_SUCCESS_MATCH"},
             "values": [{"value": {"name": index.value_name(slot_type, named), "id": named}}]}
    model = {"authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{slot_type}",
             "status": {"code": "ER_SUCCESS_NO_MATCH"}}
    slot = {"name": "symptom", "value": heard, "confirmationStatus": "NONE", "source": "USER",
            "resolutions": {"resolutionsPerAuthority": [guess, model]}}
    return _intent_request("ReportSymptomIntent", {"symptom": slot})


# The questions ask what is new since this pain started: an answer that says the thing is old,
# unchanged or intended ("the same as always", "on purpose", "for years") is a no, unless it
# also says it has changed.
NOT_NEW = {"en": re.compile(r" (?:on purpose|deliberately|for years|many years|since years|always been"
                            r"|same as always|same only|no different|nothing new|not new"
                            r"|nothing is changed|nothing has changed|has not changed|same as ever"
                            r"|gained weight|put on weight|the opposite)(?= )"),
           "es": re.compile(r" (?:a proposito|desde hace anos|de siempre|no ha cambiado|nada nuevo"
                            r"|lo mismo de siempre|igual que siempre|subido de peso|al contrario)(?= )")}
CHANGED = {"en": re.compile(r" (?:worse|worsening|but now|getting|recently|since the pain|since this pain"
                            r"|lately|started)(?= )"),
           "es": re.compile(r" (?:peor|pero ahora|ultimamente|desde que empezo|empeor\w*)(?= )")}


def _is_not_new(index: _Index, canon: list[str]) -> bool:
    text = " " + " ".join(canon) + " "
    return NOT_NEW[index.language].search(text) is not None and \
        CHANGED[index.language].search(text) is None


def _denied_after_but(index: _Index, canon: list[str]) -> bool:
    """"it aches turning over, but I sleep all right", "I lifted a box, but I didn't fall":
    the only red flag named, not a cauda equina one, is named in the last clause to deny it."""
    clauses = re.split(r" (?:but|pero) ", " " + " ".join(canon) + " ")
    if len(clauses) < 2:
        return False
    last = " " + clauses[-1] + " "
    named = backstop.red_flag_named(index.red_flag_words, last)
    # Never a cauda equina sign: "but sex doesn't feel the same" reports one.
    return named is not None and named.outcome_if_yes != "emergency" and \
        backstop.red_flag_named(index.red_flag_words, " ".join(clauses[:-1])) is None and \
        (WELL[index.language].search(last) is not None
         or re.search(r" (?:did not|have not|never|nunca)(?= )", last) is not None)


# A "no" the same breath takes back ("no wait, yes", "no, hang on"): not a no. Heard as "not
# sure", so a cauda equina question is asked again in other words (issue 17).
# ("sorry" alone is a polite no; Spanish "si" is also "if", so only the clear corrections count.)
TAKEN_BACK = {"en": re.compile(r"^(?:no|nope|nah) (?:.* )?(?:wait|hang on|hold on|i mean|actually"
                               r" yes|yes|yeah|yep)(?: |$)"),
              "es": re.compile(r"^no (?:.* )?(?:espere|espera|digo que si|mejor dicho)(?: |$)")}


def _no_taken_back(index: _Index, canon: list[str]) -> bool:
    return len(canon) > 1 and TAKEN_BACK[index.language].match(" ".join(canon)) is not None


def _is_denial(index: _Index, canon: list[str]) -> bool:
    """"no, my bladder's fine": a leading no that names a body part only to deny. In doubt,
    not a denial: the keyword backstop then asks the question, which costs one turn."""
    rest = " " + " ".join(canon[1:]) + " "
    last_clause = " " + re.split(r" (?:but|pero) ", rest)[-1] + " "
    if WELL[index.language].search(last_clause) and not \
            CONTRARY[index.language].search(last_clause):
        return True    # "no, it aches when I roll over, but I sleep all right"
    if len(canon) > 1 and canon[1] in NO_AS_REPORT:
        return False   # "no feeling down there" reports what is missing
    if len(canon) <= 3:
        return True    # "no fever", "no pain there"
    if index.language == "es" and canon[1] == "no" and canon[2] not in NO_AS_REPORT | {"me", "se"}:
        return True    # "no, no tuve ninguna caída"
    if index.language == "es" and canon[1:3] == ["no", "me"] and len(canon) > 3 and \
            canon[3] not in SPANISH_REPORT_VERBS:
        return True    # "no, no me caí": "me" before a verb that reports nothing missing
    if WELL[index.language].search(rest) and not CONTRARY[index.language].search(rest):
        return True
    return not REPORT_MARKERS[index.language].search(rest) and \
        DENIAL_MARKERS[index.language].search(rest) is not None


SPANISH_REPORT_VERBS = {"aguanto", "controlo", "puedo", "siento", "sale", "salio", "para",
                        "levanta", "pone", "baja", "da", "doy"}
NO_AS_REPORT = {"feeling", "sensation", "control", "strength", "power", "puedo", "siento",
                "aguanto", "controlo", "logro", "me", "se"}
# "no, las piernas las siento bien": feeling fine outweighs the verb that reports elsewhere.
WELL = {"en": re.compile(r" (?:fine|normal|normally|ok|alright|all right|regular)(?= )"),
        "es": re.compile(r" (?:bien|normal|normalmente)(?= )")}
CONTRARY = {"en": re.compile(r" (?:but|not|except|though|although)(?= )"),
            "es": re.compile(r" (?:pero|aunque|no)(?= )")}


# Words around an answer that carry no meaning of their own: "oh, and ...", "..., honestly".
# Tried off when nothing matches the whole utterance (compared in normalised form).
LEADING_HEDGES = {
    "en": ["and", "but", "oh", "also", "well", "so", "actually", "honestly", "ok", "right",
           "look", "listen", "sorry", "erm", "yeah well", "i should mention", "i should say",
           "to be honest", "i mean", "now you mention it", "the thing is", "i would say",
           "i guess", "i suppose", "i think", "in that case"],
    "es": ["y", "pero", "pues", "este", "bueno", "ay", "tambien", "fijese que", "fijate que",
           "la verdad", "oiga", "mire", "es que", "o sea", "ah", "eh", "mmm", "creo que",
           "yo creo que", "pues la verdad"],
}
TRAILING_HEDGES = {
    "en": ["really", "honestly", "to be honest", "thanks", "thank you", "i think", "i guess",
           "i suppose", "actually", "though", "mate", "love", "please", "to be fair",
           "as far as i know", "i am afraid", "sorry", "now"],
    "es": ["la verdad", "gracias", "creo", "pues", "fijese", "oiga", "eh", "por favor",
           "mire", "ahorita", "ya"],
}
TAG_YES = {"en": {"yes", "yeah", "yep", "yup", "aye"}, "es": {"si"}}
TAG_NO = {"en": {"no", "nope", "nah"}, "es": {"no"}}
NEGATIONS = {"en": {"not", "no", "never", "nothing", "none", "nope", "nah"},
             "es": {"no", "nunca", "nada", "ninguno", "ninguna", "jamas"}}


def _without_hedges(index: _Index, light: list[str], canon: list[str], owner: list[int],
                    skill_id: str) -> dict[str, Any] | None:
    """The utterance with its hedges off matches a sample exactly; or it ends on a yes or no
    tag ("once or twice, yes", "not really, no") with nothing against it before."""
    start, end = 0, len(canon)
    changed = True
    while changed and end - start > 1:
        changed = False
        for hedge in LEADING_HEDGES[index.language]:
            words = hedge.split()
            if canon[start:start + len(words)] == words and end - start > len(words):
                start, changed = start + len(words), True
        for hedge in TRAILING_HEDGES[index.language]:
            words = hedge.split()
            if canon[end - len(words):end] == words and end - start > len(words):
                end, changed = end - len(words), True
    tag = canon[end - 1] if end - start > 1 else None
    if tag in TAG_YES[index.language] | TAG_NO[index.language]:
        end -= 1
    else:
        tag = None
    if (start, end) != (0, len(canon)):
        first = owner[start]
        words, tokens = light[first: owner[end - 1] + 1], canon[start:end]
        placed, _ = _samples(index, words, tokens, [o - first for o in owner[start:end]], skill_id)
        if placed is not None and (tag is None or placed["intent"]["name"] in ANSWER_NAMES):
            return placed
    if tag is not None and not set(canon[start:end]) & (NEGATIONS[index.language] | {"sure"}):
        if tag in TAG_YES[index.language]:
            return _intent_request("AMAZON.YesIntent", {})
    if tag is not None and tag in TAG_NO[index.language] and \
            set(canon[start:end]) & NEGATIONS[index.language]:
        return _intent_request("AMAZON.NoIntent", {})
    return None


ANSWER_NAMES = ("AMAZON.YesIntent", "AMAZON.NoIntent", "NotSureIntent")


def _slot_json(name: str, slot_type: str, heard: str | None, match: tuple | None,
               index: _Index, skill_id: str) -> dict[str, Any]:
    if heard is None:
        return {"name": name, "confirmationStatus": "NONE"}
    slot: dict[str, Any] = {"name": name, "value": heard, "confirmationStatus": "NONE", "source": "USER"}
    if slot_type in index.values:
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{slot_type}",
            "status": {"code": "ER_SUCCESS_MATCH" if match else "ER_SUCCESS_NO_MATCH"}}
        if match:
            authority["values"] = [{"value": {"name": match[1], "id": match[0]}}]
        slot["resolutions"] = {"resolutionsPerAuthority": [authority]}
    return slot


def _intent_request(name: str, slots: dict[str, Any]) -> dict[str, Any]:
    return {"type": "IntentRequest",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots}}


def _samples(index: _Index, light: list[str], canon: list[str], owner: list[int],
             skill_id: str) -> tuple:
    """(a request every word of which a sample placed, or None; the best sample match whose
    slot did not resolve, as ((preference, -literal words, order), request), or None)."""
    text = " ".join(canon)
    best = None  # (preference, -literal words, order) -> request
    order = 0
    for name, slot_types, samples in index.intents:
        for regex, literal, has_slots in samples:
            order += 1
            m = regex.fullmatch(text)
            if not m:
                continue
            if not has_slots:
                return _intent_request(name, {s: _slot_json(s, t, None, None, index, skill_id)
                                              for s, t in slot_types.items()}), None
            slots, resolved_all = {}, True
            for slot, slot_type in slot_types.items():
                if slot not in m.groupdict() or m.group(slot) is None:
                    slots[slot] = _slot_json(slot, slot_type, None, None, index, skill_id)
                    continue
                a = m.string.count(" ", 0, m.start(slot))
                b = a + len(m.group(slot).split())
                if (a > 0 and owner[a] == owner[a - 1]) or (b < len(owner) and owner[b] == owner[b - 1]):
                    break  # the slot would split a contraction such as "i'm"
                found = index.values.get(slot_type, {}).get(m.group(slot))
                resolved_all = resolved_all and found is not None
                heard = " ".join(light[owner[a]: owner[b - 1] + 1])
                slots[slot] = _slot_json(slot, slot_type, heard, found, index, skill_id)
            else:
                preference = 2 if resolved_all else 4
                if preference == 4 and literal == 0:
                    continue
                key = (preference, -literal, order)
                if best is None or key < best[0]:
                    best = (key, _intent_request(name, slots))
    if best and best[0][0] == 2:
        return best[1], None
    return None, best


def _match(index: _Index, light: list[str], canon: list[str], owner: list[int],
           skill_id: str) -> dict[str, Any] | None:
    placed, best = _samples(index, light, canon, owner, skill_id)
    if placed is not None:
        return placed
    declared = {name for name, _, _ in index.intents}
    if _no_taken_back(index, canon) and "NotSureIntent" in declared:
        return _intent_request("NotSureIntent", {})
    # Steps 3-7 of the module docstring: "yes ..." beats an unresolved symptom, "no ..." does not.
    denial = canon[0] in index.leading_no and _is_denial(index, canon) or \
        canon[0] not in index.leading_yes and (_is_not_new(index, canon)
                                               or _denied_after_but(index, canon))
    if "ReportSymptomIntent" in declared and not denial:
        guess = _keyword_guess(index, light, skill_id)
        if guess is not None:
            return guess
    trimmed = _without_hedges(index, light, canon, owner, skill_id)
    if trimmed is not None:
        return trimmed
    if canon[0] in index.leading_yes and "AMAZON.YesIntent" in declared:
        return _intent_request("AMAZON.YesIntent", {})
    if "ReportSymptomIntent" in declared and not denial and canon[0] not in index.leading_no:
        guess = _keyword_guess(index, light, skill_id, red_flags=False)
        if guess is not None:
            return guess
    if best and not denial:
        return best[1]
    if (canon[0] in index.leading_no or denial) and "AMAZON.NoIntent" in declared:
        return _intent_request("AMAZON.NoIntent", {})
    return None


def _invocation(index: _Index, canon: list[str], owner: list[int]) -> tuple[str | None, list[int]]:
    """("launch", []), ("one-shot", [token index where the request may start, ...]) or (None, [])."""
    text = " ".join(canon)
    inv = re.escape(index.invocation)
    if re.fullmatch(LAUNCH.format(inv=inv), text):
        return "launch", []
    m = re.fullmatch(ONE_SHOT.format(inv=inv), text)
    if not m:
        return None, []
    after_connector = text.count(" ", 0, m.start("rest"))
    after_name = len(re.match(ONE_SHOT_LEAD + inv, text).group().split())
    starts = dict.fromkeys([after_connector, after_name])  # "ask ... to help", "tell ... that's all"
    return "one-shot", [i for i in starts if owner[i] != owner[i - 1]]


_CACHE: dict[tuple, tuple[dict, _Index]] = {}


def _index(model: dict[str, Any], locale: str | None = None) -> _Index:
    """Index a model once; the model dict is treated as read-only afterwards."""
    key = (id(model), locale)
    cached = _CACHE.get(key)
    if cached is None or cached[0] is not model:
        if len(_CACHE) > 8:
            _CACHE.clear()
        cached = _CACHE[key] = (model, _Index(model, locale))
    return cached[1]


def addresses_skill(model: dict[str, Any], utterance: str, *, locale: str | None = None) -> bool:
    """True when the user names the skill ("open sciatica check", "ask sciatica check ...").

    With Alexa such an utterance starts a new session.
    """
    _, canon, owner = _tokenize(utterance)
    return _invocation(_index(model, locale), canon, owner)[0] is not None


def resolve(model: dict[str, Any], utterance: str, in_session: bool, *,
            skill_id: str = DEFAULT_SKILL_ID, locale: str | None = None) -> dict[str, Any]:
    """The ``request`` body Alexa would send for ``utterance`` (no requestId/timestamp/locale).

    Out of session, text without the invocation name is treated like a one-shot
    ("ask sciatica check <text>").  One-shots start a new session, so an
    unmappable one-shot becomes a LaunchRequest rather than FallbackIntent.
    """
    index = _index(model, locale)
    light, canon, owner = _tokenize(utterance)
    if canon == ["exit"]:
        # Alexa handles "exit" itself: the skill only hears that the session ended.
        return {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}
    kind, starts = _invocation(index, canon, owner)
    if kind == "launch":
        return {"type": "LaunchRequest"}
    if kind == "one-shot":
        in_session = False
    for start in starts or [0]:
        first = owner[start] if start < len(owner) else 0
        words, tokens, owners = light[first:], canon[start:], [o - first for o in owner[start:]]
        request = _match(index, words, tokens, owners, skill_id) if tokens else None
        if request is not None:
            return request
    if not in_session:
        return {"type": "LaunchRequest"}
    return _intent_request("AMAZON.FallbackIntent", {})
