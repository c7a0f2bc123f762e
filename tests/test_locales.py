"""Every locale against en-US: the same structure (the safety rules depend on it), its own
emergency number and services, Spanish that is Spanish, and the right content for any request."""
import re

import pytest
import yaml

from skill.content.loader import CONTENT_DIR, available_locales, load_content
from skill.alexa.handlers import content_resolver
from skill.language.interaction_model import ModelError, validate_model_source
from skill.alexa.speech import render_ssml, render_text

LOCALES = available_locales()
OTHER_LOCALES = [locale for locale in LOCALES if locale != "en-US"]
EXPECTED = {"en-US", "en-GB", "en-AU", "en-CA", "en-IN", "es-US"}

# The facts each locale must say (reference notes, section 4).
EMERGENCY = {
    "en-US": ("911", "emergency room"),
    "en-GB": ("999", "A&E"),
    "en-AU": ("000", "emergency department"),
    "en-CA": ("911", "emergency department"),
    "en-IN": ("112", "casualty"),
    "es-US": ("911", "sala de emergencias"),
}
ADVICE_LINES = {"en-GB": "NHS 111", "en-AU": "eighteen hundred Medicare on 1800 633 422",
                "en-CA": "811 in most provinces"}


def raw(locale):
    return yaml.safe_load((CONTENT_DIR / f"{locale}.yaml").read_text(encoding="utf-8"))


def key_paths(node, path=()):
    """Every key path in a content file, with lists of records keyed by their id. Notes and the
    texts of references are left out: a locale may add a note or a reference of its own."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "note":
                continue
            yield path + (key,)
            if path == () and key == "references":
                continue
            yield from key_paths(value, path + (key,))
    elif isinstance(node, list) and node and all(isinstance(item, dict) and "id" in item for item in node):
        for item in node:
            yield from key_paths(item, path + (item["id"],))


def spoken_texts(content):
    """(where, text) for everything the skill says in a locale, facts included."""
    yield from ((("speech", key), text) for key, text in content.speech.items())
    for question in content.questions:
        for field in ("ask", "reprompt", "clarify", "help"):
            yield ("questions", question.id, field), getattr(question, field)
    for name, outcome in content.outcomes.items():
        for index, part in enumerate(outcome.speech):
            yield ("outcomes", name, index), part
        yield ("outcomes", name, "card_title"), outcome.card_title
        for field in ("offer", "offer_reprompt"):
            if getattr(outcome, field):
                yield ("outcomes", name, field), getattr(outcome, field)
    yield from ((("advice", chunk.id), chunk.text) for chunk in content.advice)
    yield from ((("common_symptoms", name), text) for name, text in content.common_symptoms.items())
    yield from ((("memory", key), text) for key, text in content.memory.items())
    yield from ((("check_in", key), text) for key, text in content.check_in.items())
    yield from ((("stages", key), text) for key, text in content.stages.items())
    yield from ((("handover", key), text) for key, text in content.handover.items())
    yield from ((("handover", "signs", name), text)
                for name, text in content.handover_signs.items())
    for name in ("emergency_place", "same_day_care"):
        yield ("facts", name), content.values[name]


def test_the_locales_are_all_there():
    assert EXPECTED <= set(LOCALES)


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_every_key_in_en_us_is_in_the_locale(locale):
    ours, theirs = set(key_paths(raw(locale))), set(key_paths(raw("en-US")))
    # Keywords are the exception: English locales add their own to en-US's (load_content).
    assert sorted(path for path in theirs - ours if "keywords" not in path) == []
    # and nothing the skill does not know: extra keys would be a typo or a text never said
    # (a locale's own references, and the other locales its facts also hold for, may differ)
    extra = {path for path in ours - theirs if path[:1] not in {("references",), ("also_serves",)}}
    assert sorted(extra) == []


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_questions_keep_en_us_ids_order_and_tiers(locale):
    """The safety rules (cauda equina first, tiers) depend on these, not on the words."""
    reference = load_content("en-US")
    content = load_content(locale)
    assert [(q.id, q.outcome_if_yes, q.read_back) for q in content.questions] == \
        [(q.id, q.outcome_if_yes, q.read_back) for q in reference.questions]


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_advice_keeps_en_us_ids_order_and_outcomes(locale):
    reference = load_content("en-US")
    content = load_content(locale)
    assert [(c.id, c.outcomes) for c in content.advice] == [(c.id, c.outcomes) for c in reference.advice]
    assert set(content.outcomes) == set(reference.outcomes)
    assert set(content.common_symptoms) == set(reference.common_symptoms)
    assert set(content.values) == set(reference.values)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_clinical_statement_keeps_its_references(locale):
    content = load_content(locale)
    reference = load_content("en-US")
    for ours, theirs in zip((*content.questions, *content.advice),
                            (*reference.questions, *reference.advice)):
        assert ours.references and set(ours.references) <= set(content.references)
        assert set(theirs.references) <= set(ours.references), ours.id


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_has_its_own_emergency_number_and_place(locale):
    content = load_content(locale)
    number, place = EMERGENCY[locale]
    assert content.values["emergency_number"] == number
    assert place in render_text((content.outcomes["emergency"].speech[0],), content.values)
    ssml = render_ssml((content.outcomes["emergency"].speech[0],), content.values)
    assert f'<say-as interpret-as="digits">{number}</say-as>' in ssml


@pytest.mark.parametrize("locale, line", ADVICE_LINES.items())
def test_the_same_day_advice_line_is_named_where_the_references_support_one(locale, line):
    content = load_content(locale)
    assert line in render_text((content.outcomes["urgent"].speech[0],), content.values)


def test_1800_medicare_is_read_as_a_phone_number_and_healthdirect_is_gone():
    # 1800MEDICARE replaced healthdirect's line nationally on 1 January 2026.
    content = load_content("en-AU")
    ssml = render_ssml((content.outcomes["urgent"].speech[0],), content.values)
    assert '<say-as interpret-as="telephone">1800 633 422</say-as>' in ssml
    assert all("022 222" not in text and "healthdirect" not in text.lower()
               for _, text in spoken_texts(content))


def test_india_says_112_or_108_for_an_ambulance_and_leaves_102_to_a_note():
    # Whether 112 reaches the 108 ambulance varies by state (REFERENCES section 4), so every
    # emergency instruction names both; 108 is written in words so it is read digit by digit.
    content = load_content("en-IN")
    emergency = render_text(content.outcomes["emergency"].speech, content.values)
    assert "112" in emergency and "one zero eight for an ambulance" in emergency
    for key in ("goodbye", "error"):
        assert "one zero eight" in render_text((content.speech[key],), content.values)
    for _, text in spoken_texts(content):
        assert "102" not in text
    assert "102" in raw("en-IN")["values"]["note"] and "verify" in raw("en-IN")["values"]["note"]


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_disagreements_between_sources_are_noted_in_every_locale(locale):
    pain_relief = next(chunk for chunk in raw(locale)["advice"] if chunk["id"] == "pain_relief")
    assert "NG59" in pain_relief["note"] and "SEED" in pain_relief["note"]


# ---- Spanish that is Spanish ----

ENGLISH_WORDS = {"the", "you", "your", "and", "with", "have", "please", "call", "now", "yes",
                 "sorry", "pain", "leg", "legs", "bladder", "what", "this", "that", "it's", "i'm"}


def test_spanish_file_says_it_needs_a_native_medical_translator():
    head = (CONTENT_DIR / "es-US.yaml").read_text(encoding="utf-8")[:600].lower()
    assert "native medical translator" in head
    head = (CONTENT_DIR / "es-US.model.yaml").read_text(encoding="utf-8")[:600].lower()
    assert "native medical translator" in head


def test_no_english_left_in_what_the_spanish_skill_says():
    for where, text in spoken_texts(load_content("es-US")):
        words = set(re.findall(r"[a-záéíóúüñ']+", text.lower()))
        assert not words & ENGLISH_WORDS, (where, sorted(words & ENGLISH_WORDS))


def test_every_spanish_text_differs_from_the_english_one():
    english = dict((where, text) for where, text in spoken_texts(load_content("en-US")))
    spanish = dict((where, text) for where, text in spoken_texts(load_content("es-US")))
    assert set(english) == set(spanish)
    for where, text in spanish.items():
        assert text.strip() != english[where].strip(), where


def test_no_english_in_what_the_spanish_model_listens_for():
    from skill.language.interaction_model import build_interaction_model
    model = build_interaction_model("es-US")["interactionModel"]["languageModel"]
    phrases = [s for intent in model["intents"] for s in intent["samples"]]
    phrases += [p for t in model["types"] for v in t["values"] for p in [v["name"]["value"], *v["name"]["synonyms"]]]
    for phrase in phrases:
        words = set(re.sub(r"\{\w+\}", "", phrase).split())
        assert not words & ENGLISH_WORDS, phrase


def test_spanish_welcome_and_questions_fit_the_spoken_limits():
    """Spanish runs longer: the texts are shortened, not the limits raised."""
    from skill.content.loader import MAX_QUESTION_WORDS, MAX_WELCOME_WORDS, fill
    from skill.content.schema import count_words
    content = load_content("es-US")
    assert count_words(fill(content.speech["welcome"], content.values) + " "
                       + content.questions[0].ask) <= MAX_WELCOME_WORDS == 60
    for question in content.questions:
        for text in (question.ask, question.reprompt, question.clarify):
            assert count_words(text) <= MAX_QUESTION_WORDS == 30


# ---- The model loader and Spanish ----

def minimal_model(locale, invocation, sample):
    builtins = ("AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.RepeatIntent",
                "AMAZON.StartOverIntent", "AMAZON.NextIntent", "AMAZON.StopIntent",
                "AMAZON.CancelIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent")
    return {
        "locale": locale, "invocation_name": invocation,
        "intents": {"NotSureIntent": {"samples": [sample]},
                    "ReportSymptomIntent": {"slots": {"symptom": "SymptomType"}, "samples": ["{symptom}"]},
                    "PainTrendIntent": {"slots": {"trend": "TrendType"}, "samples": ["{trend}"]},
                    "ForgetMeIntent": {"samples": ["olvídame" if locale.startswith("es") else "forget me"]},
                    **{name: {"samples": []} for name in builtins}},
        "slot_types": {"SymptomType": {"bladder": {"name": "vejiga", "synonyms": []}},
                       "TrendType": {"worse": {"name": "peor", "synonyms": []}}},
    }


def test_spanish_letters_are_allowed_in_spanish_and_only_there():
    assert validate_model_source(minimal_model("es-US", "revisión de ciática", "no sé")) == []
    problems = validate_model_source(minimal_model("en-US", "revisión de ciática", "no sé"))
    assert {key for key, _ in problems} == {"invocation_name", "intents.NotSureIntent.samples[0]"}


@pytest.mark.parametrize("invocation", ["abre ciática ahora", "pregunta de ciática", "dile ciática"])
def test_a_spanish_invocation_name_has_no_spanish_launch_word(invocation):
    problems = validate_model_source(minimal_model("es-US", invocation, "no sé"))
    assert any(key == "invocation_name" and "must not contain" in message for key, message in problems)


@pytest.mark.parametrize("sample", ["abre la aplicación", "dile que no", "pídele ayuda"])
def test_a_spanish_sample_has_no_spanish_launch_word(sample):
    problems = validate_model_source(minimal_model("es-US", "revisión de ciática", sample))
    assert any("opening a skill" in message for _, message in problems)


def test_hablar_is_fine_but_the_english_launch_substrings_still_apply_in_spanish():
    assert validate_model_source(minimal_model("es-US", "revisión de ciática", "no puedo hablar")) == []
    problems = validate_model_source(minimal_model("es-US", "revisión de ciática", "una botella"))
    assert any("'tell'" in message for _, message in problems)   # virtual-alexa's quirk
    assert issubclass(ModelError, ValueError)


# ---- Which content a request gets ----

@pytest.fixture(scope="module")
def resolver():
    return content_resolver({locale: load_content(locale) for locale in LOCALES}, "en-US")


@pytest.mark.parametrize("requested, served", [
    *[(locale, locale) for locale in sorted(EXPECTED)],
    ("es-MX", "es-US"),                          # es-US.yaml says its facts hold in Mexico
    (None, "en-US"), ("", "en-US"),              # no locale: the deployment's default
])
def test_content_for_a_locale_it_serves(resolver, requested, served):
    content = resolver(requested)
    assert content.locale == served and content.serves_region


@pytest.mark.parametrize("requested, language_of", [
    ("es-ES", "es-US"), ("es-419", "es-US"),     # Spanish stays Spanish...
    ("en-NZ", "en-US"), ("en-IE", "en-US"), ("en-ZA", "en-US"),
    ("fr-FR", "en-US"), ("de-DE", "en-US"), ("not a locale", "en-US"),
])
def test_a_region_without_content_is_marked_as_not_served(resolver, requested, language_of):
    # ...but is not told 911: NZ is 111, Ireland and Spain 112, South Africa 10111.
    content = resolver(requested)
    assert content.locale == language_of and not content.serves_region


def test_spanish_is_never_silently_english_even_when_the_default_is_english():
    only_spanish_and_english = {"en-US": load_content("en-US"), "es-US": load_content("es-US")}
    assert content_resolver(only_spanish_and_english, "en-US")("es-ES").locale == "es-US"
    assert content_resolver(only_spanish_and_english, "es-US")("en-GB").locale == "en-US"
