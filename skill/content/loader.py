"""load_content(): a locale's YAML -> schema check -> frozen dataclasses.

Everything the skill says, and the clinical reference behind it, lives in skill/content/*.yaml.
A broken file fails here, at load time, naming the file, the key and the problem: in the tests,
never in a patient's conversation.

Why over 300 lines: the schema of every content file (questions, outcomes, values, speech keys,
references) is one declaration, checked as a whole; split, a reader would lose which key is
checked where.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Optional, Union

import yaml

from skill._paths import CONTENT_DIR
from skill.content import backstop
from skill.content.schema import (Check, ContentError, ListOf, MapOf, OneOf, Problem, Record, Text,
                                  Version, count_words, placeholders_in)

# libyaml's C parser where PyYAML has it (its wheels do): ten times faster than the
# pure-Python one, which made reading the content files most of a cold start.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_LOCALE = "en-US"

# A question's outcome if answered yes: emergency now, a doctor today, a doctor within days.
OUTCOMES_OF_A_YES = ("emergency", "urgent", "soon")
OUTCOMES = ("emergency", "urgent", "soon", "self_care")
VALUE_NAMES = frozenset({"emergency_number", "emergency_place", "same_day_care"})
SPEECH_KEYS = (
    "welcome", "restart_notice", "start_over", "counted_as_yes",
    "not_understood", "answer_needed", "symptom_noted", "symptom_not_recognised",
    "help_screening", "help_advice", "help_offer", "advice_prompt", "advice_reprompt",
    "advice_not_understood", "advice_end", "goodbye", "stop_after_red_flag", "stop_while_unsure",
    "error",
    "region_not_supported", "warning_signs_title", "unplaced_check", "resume",
    "unsure_of_sign", "emergency_card", "reprompt_warning", "result_warning",
    "answer_choices", "where_to_go", "went_back", "first_question", "answer_kept",
    "cannot_go_back", "thanks_reply", "referral_end", "reminder_after_questions",
)
# Speech keys that point to the Alexa app's card; a room speaker says its own words instead.
ROOM_SPEAKER_KEYS = ("advice_end", "referral_end")
# Ways of saying the same prompt (issue 17, sameness): chosen in turn, deterministically.
VARIANT_KEYS = ("advice_prompt_known",)
MEMORY_KEYS = (
    "consent_question", "consent_reprompt", "consent_help", "remembered", "not_remembered",
    "save_failed", "reminder_offer", "reminder_reprompt", "reminder_created",
    "reminder_needs_permission", "reminder_failed", "reminder_text", "forgotten",
    "nothing_to_forget", "forget_failed", "recall_failed",
    # An unrecognised speaker on an account whose people have records (hazard log H17).
    "not_recognised",
)
CHECK_IN_KEYS = ("welcome_back", "trend_question", "trend_reprompt", "trend_clarify",
                 "trend_help", "safety_intro", "worse_lead")
STAGES = ("better", "early", "review_due", "specialist")
# The daily watch (daily_check.py, hazard log H31): its offer after the review reminder, the
# outcomes of setting it up, and the daily check itself.
DAILY_WATCH_KEYS = (
    "offer", "offer_reprompt", "created", "needs_permission", "reminder_failed", "between_checks",
    "save_failed",
    "intro", "all_clear", "again_tomorrow", "last_day", "ended", "not_set_up",
)
# Alexa reads the reminder's own text at the set time, as given: no placeholders, and short.
MAX_REMINDER_WORDS = 25
DATE_NAMES = frozenset({"review_date", "first_date"})
MAX_QUESTION_WORDS = 30
# A tip is heard once, through a speaker, by someone in pain (hazard log H18).
MAX_TIP_WORDS = 50
MAX_WELCOME_WORDS = 60
MAX_MENTIONED_WORDS = 8
# The handover sentence after an emergency (hazard log H32): read aloud to a dispatcher or a
# triage nurse, so short enough to hold in mind, with the longest sign's words in it.
HANDOVER_KEYS = ("question", "call_now", "sure", "unsure", "and")
MAX_HANDOVER_WORDS = 40


@dataclass(frozen=True)
class Question:
    id: str
    outcome_if_yes: str
    ask: str
    reprompt: str
    clarify: str
    help: str
    references: tuple
    # The read-back of the cauda equina signs (hazard log H01, H02): a question like the
    # others, but not a symptom a user can report by name.
    read_back: bool = False
    # Asked only at a remembered user's check-in (hazard log H13): the other red flags again,
    # in one question. Not a symptom a user can report by name either.
    check_in_only: bool = False
    # The backstop over what the platform heard (hazard log H23): words that name this red
    # flag, and what the skill says before asking its question because of them.
    keywords: tuple = ()
    mentioned: Optional[str] = None
    # An urgent question's route: where a yes sends the person today (outcomes.urgent.routes).
    route: Optional[str] = None
    # Said instead of the question to someone it seems not to fit ("I'm a woman" at the
    # question about erections): the same sign, asked so it fits anyone.
    not_applicable: Optional[str] = None

    @property
    def names_one_symptom(self) -> bool:
        """Whether a user can report this question's sign in their own words (a slot value)."""
        return not (self.read_back or self.check_in_only)


@dataclass(frozen=True)
class Outcome:
    name: str
    speech: tuple
    card_title: str
    references: tuple
    offer: Optional[str] = None
    offer_reprompt: Optional[str] = None
    # The urgent outcome's first sentence per route, most demanding first (questions.urgent_route).
    routes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class AdviceChunk:
    id: str
    outcomes: tuple
    text: str
    references: tuple


@dataclass(frozen=True)
class Content:
    locale: str
    version: str
    source: str
    values: Mapping[str, str]    # fill placeholders, as a Prompt's values do
    references: Mapping[str, str]
    speech: Mapping[str, str]
    questions: tuple
    common_symptoms: Mapping[str, str]   # symptom id -> acknowledgement
    outcomes: Mapping[str, Outcome]
    advice: tuple
    memory: Mapping[str, str]
    check_in: Mapping[str, str]
    stages: Mapping[str, str]
    variants: Mapping[str, tuple] = field(default_factory=lambda: MappingProxyType({}))
    also_serves: tuple = ()        # other locales whose region these facts are right for
    serves_region: bool = True     # False: a region without content (handlers.content_resolver)
    # symptom id -> words that name a common symptom, for the NLU's keyword guess (nlu.py)
    common_symptom_keywords: Mapping[str, tuple] = field(default_factory=lambda: MappingProxyType({}))
    # After an emergency (teach_back.py, hazard log H32): the teach-back question, the call, the
    # handover templates (HANDOVER_KEYS), and per cauda equina question id its sign in words.
    handover: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    handover_signs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    # The daily watch's words (DAILY_WATCH_KEYS, plus "reminder_text") and its questions' ids.
    daily_watch: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    daily_check_ids: tuple = ()
    # ROOM_SPEAKER_KEYS -> the words a speaker without a card says instead ({} when not given).
    room_speaker: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def question(self, question_id: str) -> Question:
        return self._questions_by_id()[question_id]

    # Worked out once per content (content never changes), not on every turn. cached_property
    # writes to the instance's __dict__, which a frozen dataclass allows.
    @functools.cached_property
    def emergency_questions(self) -> tuple:
        """The cauda equina questions, in order: the ones a check-in asks again."""
        return tuple(q for q in self.questions if q.outcome_if_yes == "emergency")

    @functools.cached_property
    def screen_questions(self) -> tuple:
        """A first visit's questions, in order."""
        return tuple(q for q in self.questions if not q.check_in_only)

    @functools.cached_property
    def check_in_questions(self) -> tuple:
        """A check-in's: the cauda equina questions again, then the other red flags in one."""
        return self.emergency_questions + tuple(q for q in self.questions if q.check_in_only)

    @functools.cached_property
    def daily_check_questions(self) -> tuple:
        """The daily watch's questions, in the order the content lists them."""
        return tuple(self.question(question_id) for question_id in self.daily_check_ids)

    @functools.cached_property
    def read_back_question(self) -> Question:
        """The read-back of the cauda equina signs: also what words that could not be placed
        after the screen bring back (triage._check_again)."""
        return next(q for q in self.questions if q.read_back)

    @functools.cached_property
    def question_ids(self) -> frozenset:
        return frozenset(q.id for q in self.questions)

    @functools.cached_property
    def common_symptom_words(self) -> tuple:
        """(symptom id, compiled keyword pattern) for each common symptom with keywords: what
        the NLU guesses when the words name no red flag (backstop.common_symptom_named)."""
        return tuple((name, backstop.compile_keywords(words))
                     for name, words in self.common_symptom_keywords.items() if words)

    @functools.cached_property
    def red_flag_words(self) -> tuple:
        """(question, compiled keyword pattern) for each question with keywords, cauda equina
        first: the order in which the backstop looks (backstop.red_flag_named)."""
        return tuple((q, backstop.compile_keywords(q.keywords))
                     for q in self.questions if q.keywords)

    @functools.cached_property
    def advice_by_id(self) -> Mapping[str, AdviceChunk]:
        return MappingProxyType({chunk.id: chunk for chunk in self.advice})

    def advice_for(self, outcome: str) -> tuple:
        return tuple(chunk for chunk in self.advice if outcome in chunk.outcomes)

    def _questions_by_id(self) -> Mapping[str, Question]:
        return {question.id: question for question in self.questions}


def _schema() -> Record:
    fact_text = Text(placeholders=VALUE_NAMES)
    references = ListOf(Text())
    speech_keys = {key: fact_text for key in SPEECH_KEYS}
    speech_keys["help_screening"] = Text(placeholders=VALUE_NAMES | {"position", "total"})
    # Said where this content's facts may be wrong (another region): so it names no number.
    speech_keys["region_not_supported"] = Text()
    question = Record(
        required={
            "id": Text(), "outcome_if_yes": OneOf(OUTCOMES_OF_A_YES),
            "ask": Text(placeholders=VALUE_NAMES, max_words=MAX_QUESTION_WORDS),
            "reprompt": Text(placeholders=VALUE_NAMES, max_words=MAX_QUESTION_WORDS),
            "clarify": Text(placeholders=VALUE_NAMES, max_words=MAX_QUESTION_WORDS),
            "help": fact_text, "references": references,
        },
        optional={"note": Text(), "read_back": OneOf((True, False)),
                  "check_in_only": OneOf((True, False)),
                  "keywords": ListOf(Check(Text(), _keyword_rules)),
                  "mentioned": Text(placeholders=VALUE_NAMES, max_words=MAX_MENTIONED_WORDS),
                  "route": Text(),
                  "not_applicable": Text(placeholders=VALUE_NAMES, max_words=MAX_QUESTION_WORDS)},
    )
    outcome = Record(required={"speech": ListOf(fact_text), "card_title": fact_text,
                               "references": references},
                     optional={"offer": fact_text, "offer_reprompt": fact_text, "note": Text()})
    # A room speaker (the Wyoming service) has no app to put a card in: these replace the
    # speech keys that point to one (ROOM_SPEAKER_KEYS). Optional: without them those sentences
    # are left out.
    # No clinical fact in them, so no references.
    room_speaker = Record(required={key: fact_text for key in ROOM_SPEAKER_KEYS},
                          optional={"note": Text()})
    return Record(optional={"also_serves": ListOf(Text()), "room_speaker": room_speaker},
                  required={
        "locale": Text(),
        "version": Version(),
        "references": MapOf(Text()),
        "values": Record(required={**{name: Text() for name in VALUE_NAMES}, "references": references},
                        optional={"note": Text()}),
        "speech": Record(required=speech_keys),
        "variants": Record(required={key: ListOf(fact_text, min_items=2) for key in VARIANT_KEYS}),
        "questions": Check(ListOf(question), _question_rules),
        "common_symptoms": MapOf(Record(required={"acknowledge": fact_text, "references": references},
                                        optional={"keywords": ListOf(Check(Text(), _keyword_rules))}),
                                 min_items=0),
        "outcomes": Record(required={
            "emergency": outcome,
            "urgent": Check(Record(required=outcome.required,
                                   optional={**outcome.optional, "routes": MapOf(fact_text)}),
                            _needs_offer),
            "soon": Check(outcome, _needs_offer),
            "self_care": outcome,
        }),
        "advice": Check(ListOf(Record(
            required={"id": Text(), "for": ListOf(OneOf(("self_care", "urgent", "soon", "check_in"))),
                      "text": Text(placeholders=VALUE_NAMES, max_words=MAX_TIP_WORDS),
                      "references": references},
            optional={"note": Text()})), _advice_rules),
        "memory": Record(required={**{key: Text(placeholders=VALUE_NAMES | DATE_NAMES)
                                      for key in MEMORY_KEYS}, "references": references}),
        "check_in": Record(required={
            **{key: Text(placeholders=VALUE_NAMES | DATE_NAMES) for key in CHECK_IN_KEYS},
            "stages": Record(required={stage: Record(
                required={"text": Text(placeholders=VALUE_NAMES | DATE_NAMES),
                          "references": references},
                optional={"note": Text()}) for stage in STAGES}),
            "references": references}),
        "handover": Record(required={
            "question": fact_text, "call_now": fact_text,
            "sure": Text(placeholders=VALUE_NAMES | {"signs"}),
            "unsure": Text(placeholders=VALUE_NAMES | {"signs"}),
            "and": Text(), "signs": MapOf(Text(placeholders=VALUE_NAMES)),
            "references": references}, optional={"note": Text()}),

        "daily_watch": Record(
            required={**{key: Text(placeholders=VALUE_NAMES | DATE_NAMES) for key in DAILY_WATCH_KEYS},
                      "reminder_text": Text(max_words=MAX_REMINDER_WORDS),
                      "questions": ListOf(Text()), "references": references},
            optional={"note": Text()}),
    })


def _question_rules(questions):
    seen = set()
    reached_other = False
    for index, question in enumerate(questions):
        if question["id"] in seen:
            yield (index, "id"), f"duplicate question id {question['id']!r}"
        seen.add(question["id"])
        if question["outcome_if_yes"] != "emergency":
            reached_other = True
        elif reached_other:
            # Cauda equina signs are asked first, so an emergency is never delayed.
            yield (index, "outcome_if_yes"), "an emergency question must come before every other one"
        if "route" in question and question["outcome_if_yes"] != "urgent":
            yield (index, "route"), "only an urgent question names a route (where to go today)"
    if not any(question["outcome_if_yes"] == "emergency" for question in questions):
        yield (), "needs at least one emergency (cauda equina) question"
    if sum(bool(question.get("read_back")) for question in questions) != 1:
        yield (), "needs exactly one read-back of the cauda equina signs (`read_back: true`)"
    emergency = [index for index, question in enumerate(questions)
                 if question["outcome_if_yes"] == "emergency"]
    for index, question in enumerate(questions):
        if question.get("read_back") and emergency[-1:] != [index]:
            # It reads back the signs asked before it, so it comes after all of them.
            yield (index, "read_back"), "only the last emergency question can be the read-back"
        if question.get("check_in_only") and question["outcome_if_yes"] == "emergency":
            # Cauda equina questions are asked at every visit.
            yield (index, "check_in_only"), "a cauda equina question cannot be for check-ins only"
        names_one_symptom = not (question.get("read_back") or question.get("check_in_only"))
        if names_one_symptom and "mentioned" not in question:
            yield (index,), "needs `mentioned`: said before its question when a keyword names it"
        if not names_one_symptom and ("keywords" in question or "mentioned" in question):
            yield (index,), "a read-back or check-in question names no one sign: no keywords"


def _route_order_problems(questions, routes: list) -> list:
    """Every route is known, and the screen asks them most demanding first (the routes' order;
    no route: the outcome's own same-day doctor, last), soon after urgent: the first positive
    answer ends the screen, so nothing asked later may need a more demanding place."""
    problems, furthest = [], (0, 0)
    rank = {"urgent": 0, "soon": 1}
    for index, question in enumerate(questions):
        if question["outcome_if_yes"] not in rank:
            continue
        route = question.get("route")
        if route is not None and route not in routes:
            problems.append(Problem(("questions", index, "route"),
                                    f"unknown route {route!r}: not in outcomes.urgent.routes"))
            continue
        key = (rank[question["outcome_if_yes"]], routes.index(route) if route else len(routes))
        if question.get("check_in_only"):
            key = (key[0] + 2, key[1])   # the check-in's own questions, in their own order
        if key < furthest:
            problems.append(Problem(("questions", index), "asked after a question that sends the "
                                    "person somewhere less urgent: order urgent questions by "
                                    "route (outcomes.urgent.routes), then the soon ones"))
        furthest = max(furthest, key)
    return problems


def _keyword_rules(keyword):
    if not backstop.is_valid_keyword(keyword):
        yield (), (f"keyword {keyword!r}: lower-case words, a `*` only at the end of a word "
                   "(any ending)")


def _needs_offer(outcome):
    for key in ("offer", "offer_reprompt"):
        if key not in outcome:
            yield (key,), "is missing (a referral outcome offers the self-care tips)"


def _advice_rules(chunks):
    ids = [chunk["id"] for chunk in chunks]
    for index, chunk_id in enumerate(ids):
        if ids.index(chunk_id) != index:
            yield (index, "id"), f"duplicate advice id {chunk_id!r}"
    for outcome in ("self_care", "urgent", "soon", "check_in"):
        if not any(outcome in chunk["for"] for chunk in chunks):
            yield (), f"no advice for outcome {outcome!r}"
    if "safety_net" not in ids:
        yield (), "the safety_net advice (the cauda equina warning signs) is required"


def _cross_checks(raw) -> list:
    """Rules that span sections: references exist, ids don't clash, the launch fits."""
    problems = []
    known = set(raw["references"])

    def check_refs(path, refs):
        for index, ref in enumerate(refs):
            if ref not in known:
                problems.append(Problem(path + (index,), f"unknown reference {ref!r}"))

    check_refs(("values", "references"), raw["values"]["references"])
    for index, question in enumerate(raw["questions"]):
        check_refs(("questions", index, "references"), question["references"])
    for index, chunk in enumerate(raw["advice"]):
        check_refs(("advice", index, "references"), chunk["references"])
    for name, outcome in raw["outcomes"].items():
        check_refs(("outcomes", name, "references"), outcome["references"])
    routes = raw["outcomes"]["urgent"].get("routes") or {}
    problems += _route_order_problems(raw["questions"], list(routes))
    check_refs(("memory", "references"), raw["memory"]["references"])
    check_refs(("check_in", "references"), raw["check_in"]["references"])
    for name, stage in raw["check_in"]["stages"].items():
        check_refs(("check_in", "stages", name, "references"), stage["references"])
    check_refs(("daily_watch", "references"), raw["daily_watch"]["references"])
    problems += _daily_check_problems(raw["daily_watch"]["questions"], raw["questions"])
    for name, symptom in raw["common_symptoms"].items():
        check_refs(("common_symptoms", name, "references"), symptom["references"])
        if name in {question["id"] for question in raw["questions"]}:
            problems.append(Problem(("common_symptoms", name), "clashes with a question id"))
    problems += _handover_problems(raw)
    welcome = fill(raw["speech"]["welcome"], raw["values"]) + " " + raw["questions"][0]["ask"]
    if count_words(welcome) > MAX_WELCOME_WORDS:
        problems.append(Problem(("speech", "welcome"), f"welcome plus first question has "
                                f"{count_words(welcome)} words, more than {MAX_WELCOME_WORDS}"))
    return problems


def _handover_problems(raw) -> list:
    """A sign for each cauda equina question and no other; the action's number in the question
    and the call (they are the last words of their turns); {signs} in each template, which with
    the longest sign stays within MAX_HANDOVER_WORDS."""
    handover, problems = raw["handover"], []
    path = ("handover",)
    known = set(raw["references"])
    problems += [Problem(path + ("references", index), f"unknown reference {ref!r}")
                 for index, ref in enumerate(handover["references"]) if ref not in known]
    emergency = [q["id"] for q in raw["questions"] if q["outcome_if_yes"] == "emergency"]
    signs = handover["signs"]
    problems += [Problem(path + ("signs", name), "is missing: a cauda equina question's sign")
                 for name in emergency if name not in signs]
    problems += [Problem(path + ("signs", name), "is not a cauda equina question id")
                 for name in signs if name not in emergency]
    for key in ("question", "call_now"):
        if "emergency_number" not in placeholders_in(handover[key]):
            problems.append(Problem(path + (key,),
                                    "must name {emergency_number}: it is the action"))
    longest = max(signs.values(), key=count_words, default="")
    for key in ("sure", "unsure"):
        if placeholders_in(handover[key]).count("signs") != 1:
            problems.append(Problem(path + (key,), "must hold {signs} once"))
            continue
        words = count_words(fill(handover[key], {**raw["values"], "signs": longest}))
        if words > MAX_HANDOVER_WORDS:
            problems.append(Problem(path + (key,), f"has {words} words with the longest sign, "
                                    f"more than {MAX_HANDOVER_WORDS}"))
    return problems


def _daily_check_problems(ids: list, questions: list) -> list:
    """The daily check asks cauda equina questions only, each once, the read-back (if any)
    last: a "no" to each comes before it, as on the screen."""
    problems, outcome_of = [], {q["id"]: q["outcome_if_yes"] for q in questions}
    read_back = next((q["id"] for q in questions if q.get("read_back")), None)
    for index, question_id in enumerate(ids):
        path = ("daily_watch", "questions", index)
        if outcome_of.get(question_id) != "emergency":
            problems.append(Problem(path, f"{question_id!r} is not a cauda equina question"))
        elif ids.index(question_id) != index:
            problems.append(Problem(path, f"{question_id!r} is asked twice"))
        elif question_id == read_back and index != len(ids) - 1:
            problems.append(Problem(path, "the read-back comes last"))
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace the {placeholders} that `values` names; leave the others for a later stage."""
    for name in placeholders_in(text):
        if name in values:
            text = text.replace("{" + name + "}", str(values[name]))
    return text


def _build(raw, source: str) -> Content:
    values = {name: str(raw["values"][name]) for name in VALUE_NAMES}
    return Content(
        locale=raw["locale"],
        version=raw["version"],
        source=source,
        values=MappingProxyType(values),
        references=MappingProxyType(dict(raw["references"])),
        speech=MappingProxyType({key: raw["speech"][key].strip() for key in SPEECH_KEYS}),
        questions=tuple(
            Question(id=q["id"], outcome_if_yes=q["outcome_if_yes"], ask=q["ask"], reprompt=q["reprompt"],
                     clarify=q["clarify"], help=q["help"], references=tuple(q["references"]),
                     read_back=bool(q.get("read_back", False)),
                     check_in_only=bool(q.get("check_in_only", False)),
                     keywords=tuple(q.get("keywords", ())), mentioned=q.get("mentioned"),
                     route=q.get("route"), not_applicable=q.get("not_applicable"))
            for q in raw["questions"]),
        common_symptoms=MappingProxyType(
            {name: entry["acknowledge"] for name, entry in raw["common_symptoms"].items()}),
        outcomes=MappingProxyType({
            name: Outcome(name=name, speech=tuple(entry["speech"]), card_title=entry["card_title"],
                          references=tuple(entry["references"]), offer=entry.get("offer"),
                          offer_reprompt=entry.get("offer_reprompt"),
                          routes=MappingProxyType(dict(entry.get("routes") or {})))
            for name, entry in raw["outcomes"].items()}),
        advice=tuple(AdviceChunk(id=c["id"], outcomes=tuple(c["for"]), text=c["text"],
                                 references=tuple(c["references"])) for c in raw["advice"]),
        memory=MappingProxyType({key: raw["memory"][key].strip() for key in MEMORY_KEYS}),
        check_in=MappingProxyType({key: raw["check_in"][key].strip() for key in CHECK_IN_KEYS}),
        stages=MappingProxyType({name: raw["check_in"]["stages"][name]["text"].strip()
                                 for name in STAGES}),
        variants=MappingProxyType({key: tuple(text.strip() for text in raw["variants"][key])
                                   for key in VARIANT_KEYS}),
        also_serves=tuple(raw.get("also_serves", ())),
        common_symptom_keywords=MappingProxyType(
            {name: tuple(entry.get("keywords", ())) for name, entry in raw["common_symptoms"].items()}),
        handover=MappingProxyType({key: raw["handover"][key].strip() for key in HANDOVER_KEYS}),
        handover_signs=MappingProxyType({name: text.strip()
                                         for name, text in raw["handover"]["signs"].items()}),

        daily_watch=MappingProxyType({key: raw["daily_watch"][key].strip()
                                      for key in DAILY_WATCH_KEYS + ("reminder_text",)}),
        daily_check_ids=tuple(raw["daily_watch"]["questions"]),
        room_speaker=MappingProxyType({key: raw["room_speaker"][key].strip()
                                       for key in ROOM_SPEAKER_KEYS}
                                      if "room_speaker" in raw else {}),
    )


def load_content_file(path: Union[str, Path]) -> Content:
    """Load and check one content file; raises ContentError listing every problem."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(str(path), [Problem((), f"cannot be read: {error}")]) from error
    except yaml.YAMLError as error:
        raise ContentError(str(path), [Problem((), f"is not valid YAML: {error}")]) from error
    problems = list(_schema().check(raw, ()))
    if not problems:
        problems = _cross_checks(raw)
    if problems:
        raise ContentError(str(path), problems)
    return _build(raw, str(path))


@functools.lru_cache(maxsize=None)
def load_content(locale: str = DEFAULT_LOCALE) -> Content:
    """The checked content for a locale, loaded once per process (content is immutable).
    A locale's keywords add to its language's base file's (en-US for English), so the
    English locales list only their own local words, not copies that drift."""
    path = CONTENT_DIR / f"{locale}.yaml"
    if not path.is_file():
        raise ContentError(str(path), [Problem((), f"no content file for locale {locale!r}")])
    content = load_content_file(path)
    base = LANGUAGE_BASE.get(locale.split("-")[0].lower())
    if base and base != locale:
        content = with_keywords_of(content, load_content(base))
    missing = [q.id for q in content.questions if q.names_one_symptom and not q.keywords]
    if missing:
        raise ContentError(str(path), [Problem(("questions",), f"no keywords for {', '.join(missing)} "
                                               "(here or in the language's base file)")])
    return content


# The file whose keywords every locale of a language shares (load_content).
LANGUAGE_BASE = {"en": DEFAULT_LOCALE, "es": "es-US"}


def with_keywords_of(content: Content, base: Content) -> Content:
    """`content` with `base`'s keywords added to each question and common symptom they share
    an id with."""
    questions = tuple(
        replace(q, keywords=tuple(dict.fromkeys(base.question(q.id).keywords + q.keywords)))
        if q.id in base.question_ids and q.names_one_symptom else q
        for q in content.questions)
    common = {name: tuple(dict.fromkeys(base.common_symptom_keywords.get(name, ()) + words))
              for name, words in content.common_symptom_keywords.items()}
    return replace(content, questions=questions, common_symptom_keywords=MappingProxyType(common))


def companion_file(locale: str, kind: str) -> Optional[Path]:
    """A locale's `<locale>.<kind>.yaml` (clinician, screen), or the default locale's when the
    language is the same: English locales share the en-US clinician text rather than copies
    that drift. Never another language's."""
    own = CONTENT_DIR / f"{locale}.{kind}.yaml"
    if own.is_file():
        return own
    shared = CONTENT_DIR / f"{DEFAULT_LOCALE}.{kind}.yaml"
    same_language = locale.split("-")[0].lower() == DEFAULT_LOCALE.split("-")[0].lower()
    return shared if same_language and shared.is_file() else None


def available_locales() -> tuple:
    return tuple(sorted(p.stem for p in CONTENT_DIR.glob("*.yaml") if p.stem.count(".") == 0))
