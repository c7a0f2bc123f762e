"""Clinician mode in Spanish (es-US, issue 15 part 3): whole dialogs as JSON envelopes, typed
Spanish through the offline NLU and the es-US model, the content against its schema and against
en-US's facts, the model check, the screen, the review pack, and virtual-alexa through
interaction_model/es-US.json."""
import json
import re
import subprocess

import pytest
import yaml

from dialog import Dialog, Turn
from skill.alexa.envelopes import resolved_slot
from skill.content.clinician import (SPEECH_KEYS, TOPICS, _spoken, load_clinician_content,
                                     load_clinician_file)
from skill.content.loader import CONTENT_DIR, load_content
from skill.conversation.clinician import ClinicianState, Finding, step
from skill.conversation.state import Event
from skill.language.interaction_model import build_interaction_model
from skill.language.model_check import check_file
from skill.language.nlu import resolve
from test_locales import ENGLISH_WORDS
from test_virtual_alexa import DRIVER, NODE, ROOT, skill_url  # noqa: F401 (a fixture)

SPANISH = load_clinician_content("es-US")
ENGLISH = load_clinician_content("en-US")
ACTION = SPANISH.cauda_equina_action
SIDE_QUESTION = "¿De qué lado: izquierdo, derecho o los dos lados?"
SIDE_AGAIN = "Perdón, ¿de qué lado?"
MODEL = build_interaction_model("es-US")
APL_DEVICE = {"device": {"deviceId": "amzn1.ask.device.SHOW",
                         "supportedInterfaces": {"Alexa.Presentation.APL": {
                             "runtime": {"maxVersion": "1.6"}}}}}


def raw(name):
    return yaml.safe_load((CONTENT_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture
def spanish(skill):
    return Dialog(skill, locale="es-US")


def topic(dialog, name):
    return dialog.intent("ClinicalQuestionIntent", resolved_slot("topic", "TopicType", name, name))


def finding(dialog, value):
    return dialog.intent("ExamFindingIntent", resolved_slot("finding", "FindingType", value, value))


def say(dialog, words):
    """Typed Spanish, resolved by the offline NLU against the es-US model, as `chat` does."""
    in_session = dialog.conversation.session_id is not None
    return dialog.request(resolve(MODEL, words, in_session, locale="es-US"))


def exam(dialog):
    dialog.intent("ClinicianModeIntent")
    return topic(dialog, "exam")


# --- the content ------------------------------------------------------------------------------

def test_spanish_clinician_content_passes_the_schema_against_es_us_references():
    path = CONTENT_DIR / "es-US.clinician.yaml"
    content = load_clinician_file(path, load_content("es-US").references, ())
    assert content.locale == "es-US" and content.version
    assert set(content.speech) == set(SPEECH_KEYS) and set(content.answers) == set(TOPICS)


def test_the_spanish_file_says_a_native_medical_translator_must_review_it():
    head = (CONTENT_DIR / "es-US.clinician.yaml").read_text(encoding="utf-8")[:400].lower()
    assert "native medical translator" in head and "before any use" in head


def test_spanish_exam_keeps_en_us_steps_rules_and_references():
    english, spanish = raw("en-US.clinician.yaml"), raw("es-US.clinician.yaml")
    rules = ("id", "when", "sided", "heard", "suggests_cauda_equina", "references")
    assert [{k: s.get(k) for k in rules} for s in spanish["exam"]] == \
        [{k: s.get(k) for k in rules} for s in english["exam"]]
    for topic_id in TOPICS:
        assert spanish["answers"][topic_id]["references"] == english["answers"][topic_id]["references"]
    for block in ("red_flags", "speech"):
        assert spanish[block]["references"] == english[block]["references"]
    # The action says where to send the patient and the number too (values, cited as ALEXA).
    assert set(english["cauda_equina_action"]["references"]) < \
        set(spanish["cauda_equina_action"]["references"])


def test_general_knowledge_and_verify_marks_are_carried_over():
    english, spanish = raw("en-US.clinician.yaml"), raw("es-US.clinician.yaml")
    for mark in ("(GK, verify)", "(verify"):
        for en_step, es_step in zip(english["exam"], spanish["exam"]):
            if mark in en_step.get("note", ""):
                assert mark in es_step.get("note", ""), (en_step["id"], mark)
    assert "(verify" in spanish["red_flags"]["note"]
    assert "(GK, verify)" in (CONTENT_DIR / "es-US.clinician.yaml").read_text(encoding="utf-8")


# Spoken the same in both languages: root levels ("L4"), "normal", and the step's own label.
SAME_IN_BOTH = {"normal", "{step}: {finding}."}


def test_no_english_left_in_what_spanish_clinician_mode_says():
    for where, text in _spoken(raw("es-US.clinician.yaml")):
        words = set(re.findall(r"[a-záéíóúüñ']+", text.lower()))
        assert not words & ENGLISH_WORDS, (where, sorted(words & ENGLISH_WORDS))
    english = dict(_spoken(raw("en-US.clinician.yaml")))
    same = [where for where, text in _spoken(raw("es-US.clinician.yaml"))
            if english.get(where, "").strip() == text.strip() and text not in SAME_IN_BOTH
            and not re.fullmatch(r"[A-Z]\d", text)]
    assert not same, same


def test_the_core_says_no_english_word_in_spanish():
    """Before the file's own small words, the core said "L4 and L5" and "I can't record present"
    in Spanish, and took "sí" to "which side?" as the right side."""
    at_l4 = ClinicianState(section="exam", exam_index=2)
    state, prompt = step(SPANISH, at_l4, Finding("present"))
    assert prompt.speech[0] == "No puedo registrar presente en este paso." and state == at_l4
    state = ClinicianState(section="exam", exam_index=2)
    for value in ("positive_left", "positive_left", "negative"):   # L4, L5, S1
        state, prompt = step(SPANISH, state, Finding(value))
    for value in ("negative", "negative"):                        # reflexes, saddle sensation
        state, prompt = step(SPANISH, state, Finding(value))
    assert "Esto apunta a una radiculopatía L4 y L5." in prompt.speech[0]
    state, prompt = step(ENGLISH, ClinicianState(section="exam"), Finding("positive"))
    assert step(ENGLISH, state, Event.YES)[0].sides == (("straight_leg_raise", "right"),)


# --- whole dialogs ----------------------------------------------------------------------------

def test_entering_spanish_clinician_mode_one_shot_and_mid_screen(skill, spanish):
    turn = spanish.intent("ClinicianModeIntent")
    assert turn.text.startswith("Modo clínico.") and "juicio clínico" in turn.text
    assert "médica" not in turn.text and not turn.ends_session and turn.reprompt
    dialog = Dialog(skill, locale="es-US")
    dialog.launch()
    dialog.no()
    turn = dialog.intent("ClinicianModeIntent")
    assert turn.text.startswith("Cambio al modo clínico.")
    assert "screen" not in turn.response["sessionAttributes"]


def test_spanish_red_flags_in_clinical_terms_with_their_actions(spanish):
    spanish.intent("ClinicianModeIntent")
    turn = topic(spanish, "red_flags")
    for term in ("retención o incontinencia urinaria", "incontinencia fecal",
                 "anestesia en silla de montar", "signos neurológicos bilaterales",
                 "dificultad para iniciar la micción", "dolor radicular bilateral",
                 "resonancia magnética urgente, dentro de las 4 horas de la solicitud",
                 "de guardia", "no descarta", "Fiebre", "Cáncer previo con dolor radicular",
                 "dentro de 24 horas", "déficit motor grave o progresivo"):
        assert term in turn.text, term
    assert turn.text.endswith("¿Algo más? Diga señales de alarma, exploración u otra pregunta.")


@pytest.mark.parametrize("name, source", [("imaging", "NICE NG59"), ("referral", "NHS Lothian"),
                                          ("opioids", "NICE NG59"), ("pitfalls", "NICE NG59"),
                                          ("straight_leg_raise_evidence", "91 por ciento")])
def test_spanish_direct_answers_name_their_source(spanish, name, source):
    spanish.intent("ClinicianModeIntent")
    turn = topic(spanish, name)
    assert turn.text.startswith(SPANISH.answers[name]) and source in SPANISH.answers[name]
    assert len(SPANISH.answers[name].split()) <= 75 and not turn.ends_session


def test_spanish_exam_walk_with_sides_go_back_and_summary_card(spanish):
    first = exam(spanish)
    assert first.text.startswith("Elevación de la pierna recta.") and "91 por ciento" in first.text
    assert finding(spanish, "positive_left").text.startswith("Elevación de la pierna recta cruzada.")
    assert spanish.intent("AMAZON.RepeatIntent").text.startswith("Elevación de la pierna recta cruzada.")
    skipped = spanish.intent("AMAZON.NextIntent")
    assert skipped.text.startswith("Elevación de la pierna recta cruzada: sin hacer. L4.")
    assert "paso 3 de 7" in spanish.intent("AMAZON.HelpIntent").text
    spanish.no()                                              # L4: normal
    assert spanish.yes().text == SIDE_QUESTION                # L5: positive, which side?
    again = spanish.yes()                                     # "sí" names no side in Spanish
    assert again.text.startswith(SIDE_AGAIN)   # kept, its side not yet placed (not "right")
    assert again.response["sessionAttributes"]["clinician"]["sides"]["l5"] == "unknown"
    assert finding(spanish, "left").text.startswith("S1.")
    back = finding(spanish, "go_back")
    assert back.text.startswith("De vuelta a Raíz L5. Lo registrado: con déficit a la izquierda.")
    finding(spanish, "reduced_left")                          # L5 again, in a clinician's word
    finding(spanish, "negative")                              # S1
    finding(spanish, "present")                               # reflexes: a present reflex is normal
    summary = finding(spanish, "negative")                    # saddle sensation
    assert summary.text.startswith(
        "Hallazgos: Elevación de la pierna recta positiva a la izquierda, Elevación de la pierna "
        "recta cruzada sin hacer, Raíz L4 normal, Raíz L5 con déficit a la izquierda, Raíz S1 "
        "normal, Reflejos normales, Sensibilidad en silla de montar normal.")
    assert "Esto apunta a una radiculopatía L5." in summary.text and summary.outcome is None
    assert summary.card["title"] == "Resumen de la exploración de ciática"
    assert "radiculopatía L5" in summary.card["content"]
    assert summary.text.endswith("Dejé el resumen en la app de Alexa. Diga exploración para "
                                 "empezar otra, o terminar.")


def test_reduced_saddle_sensation_gives_the_spanish_action_with_911_first(spanish):
    exam(spanish)
    for _ in range(6):
        spanish.no()
    turn = finding(spanish, "reduced")
    assert turn.text.startswith("Los hallazgos sugieren síndrome de cauda equina.")
    assert "o llame al 911" in turn.text and turn.outcome == "emergency"
    assert '<say-as interpret-as="digits">911</say-as>' in turn.ssml
    assert "Tono anal." in turn.text and "no debe retrasar la resonancia" in turn.text
    spanish.no()
    summary = spanish.no()
    assert "Sensibilidad en silla de montar disminuida, Tono anal normal" in summary.text
    assert "llame al 911" in summary.text and summary.outcome == "emergency"
    assert summary.card["title"] == "Resumen de la exploración de ciática"


def test_a_cauda_equina_symptom_said_in_spanish_gets_the_action(spanish):
    spanish.intent("ClinicianModeIntent")
    turn = say(spanish, "no puedo orinar")
    assert turn.text.startswith("Los hallazgos sugieren síndrome de cauda equina.")
    assert turn.outcome == "emergency" and "911" in turn.text
    assert spanish.intent("AMAZON.StartOverIntent").outcome == "emergency"


@pytest.mark.parametrize("words", ["ambos lados", "los dos lados", "bilateral", "ambos", "las dos"])
def test_both_sides_in_spanish_is_the_emergency_at_the_side_question(spanish, words):
    """"Ambos", "bilateral" and "las dos" are the keyword backstop's (a patient saying them
    is asked the both-legs question); at the side question they are the side "both"."""
    say(spanish, "modo clínico")
    say(spanish, "exploración")
    assert say(spanish, "positivo").text == SIDE_QUESTION
    turn = say(spanish, words)
    assert turn.text.startswith(ACTION.split(";")[0]) and turn.outcome == "emergency"
    assert turn.response["sessionAttributes"]["clinician"]["sides"] == {"straight_leg_raise": "both"}


def test_a_typed_spanish_exam_through_the_offline_nlu(spanish):
    assert say(spanish, "soy médica").text.startswith("Modo clínico.")
    assert say(spanish, "cuándo debo pedir imagen").text.startswith("No pida imagen de rutina.")
    assert say(spanish, "qué hay de los opioides").text.startswith("No son de primera línea.")
    assert say(spanish, "vamos con la exploración").text.startswith("Elevación de la pierna recta.")
    assert say(spanish, "positiva a la derecha").text.startswith("Elevación de la pierna recta cruzada.")
    assert say(spanish, "sin hacer").text.startswith("L4.")
    not_done = say(spanish, "no realizado")                   # not a plain no (normal)
    assert not_done.text.startswith("L5.")
    assert not_done.response["sessionAttributes"]["clinician"]["findings"]["l4"] == "not_done"
    assert say(spanish, "presente").text.startswith("No puedo registrar presente en este paso.")
    assert say(spanish, "volver atrás").text.startswith("De vuelta a Raíz L4. Lo registrado: sin hacer.")
    so_far = say(spanish, "resumen")
    assert so_far.text.startswith("Resumen hasta ahora, con la exploración sin terminar.")
    goodbye = say(spanish, "terminar")
    assert goodbye.ends_session and goodbye.text.endswith("Salgo del modo clínico. Adiós.")


def test_spanish_clinician_screen_has_spanish_labels(skill):
    dialog = Dialog(skill, locale="es-US", system=APL_DEVICE)
    exam(dialog)
    turn = finding(dialog, "positive_right")
    screen = turn.body["directives"][0]["datasources"]["payload"]["screen"]
    assert screen["title"] == "Revisión de Ciática para profesionales"
    assert screen["checklistTitle"] == "Exploración"
    assert screen["body"].startswith("Elevación de la pierna recta cruzada.")
    assert screen["checklist"][0] == {"label": "Elevación de la pierna recta",
                                      "status": "positiva a la derecha", "flagged": True}
    assert screen["checklist"][1]["status"] == "-"


# --- the model, the review pack ---------------------------------------------------------------

def test_the_spanish_model_has_clinician_intents_and_checks_clean():
    names = {intent["name"] for intent in MODEL["interactionModel"]["languageModel"]["intents"]}
    assert {"ClinicianModeIntent", "ClinicalQuestionIntent", "ExamFindingIntent"} <= names
    for locale in ("en-US", "en-GB", "en-AU", "en-CA", "en-IN", "es-US"):
        assert check_file(CONTENT_DIR.parent.parent / "interaction_model" / f"{locale}.json") == []


@pytest.mark.parametrize("words, intent, slot, value", [
    ("modo clínico", "ClinicianModeIntent", None, None),
    ("señales de alarma", "ClinicalQuestionIntent", "topic", "red_flags"),
    ("cuál es la evidencia de lasegue", "ClinicalQuestionIntent", "topic",
     "straight_leg_raise_evidence"),
    ("cuándo hay que referir", "ClinicalQuestionIntent", "topic", "referral"),
    ("disminuido a la izquierda", "ExamFindingIntent", "finding", "reduced_left"),
    ("los reflejos están ausentes", "ExamFindingIntent", "finding", "absent"),
    ("derecha", "ExamFindingIntent", "finding", "right"),
    ("no se hizo", "ExamFindingIntent", "finding", "not_done")])
def test_spanish_clinician_words_resolve_offline(words, intent, slot, value):
    body = resolve(MODEL, words, True, locale="es-US")
    assert body["intent"]["name"] == intent
    if slot:
        resolution = body["intent"]["slots"][slot]["resolutions"]["resolutionsPerAuthority"][0]
        assert resolution["values"][0]["value"]["id"] == value


def test_the_review_pack_shows_spanish_clinician_mode_as_unreviewed():
    from skill.review.content_changes import compare, load_snapshot, SNAPSHOT_PATH
    from skill.review.pack import render_review_pack
    changes = {change.path: change for change in compare(load_snapshot(SNAPSHOT_PATH), CONTENT_DIR)}
    new = changes["skill/content/es-US.clinician.yaml"]
    assert new.reviewed_version is None and new.added and not new.changed
    pack = render_review_pack(prepared_on="2026-12-10")
    assert 'data-changes-file="skill/content/es-US.clinician.yaml"' in pack
    assert "Clinician mode: es-US.clinician.yaml" in pack
    assert "Clinician mode: none for es-US yet" not in pack


# --- virtual-alexa through interaction_model/es-US.json ------------------------------------

@pytest.mark.skipif(NODE is None, reason="virtual-alexa needs Node.js")
def test_spanish_clinician_words_through_virtual_alexa(skill_url):
    scenario = {"skillURL": skill_url, "model": str(ROOT / "interaction_model" / "es-US.json"),
                "locale": "es-US",
                "conversations": [["open revisión de ciática", "modo clínico", "señales de alarma",
                                   "cuándo debo pedir imagen", "exploración",
                                   "positivo a la izquierda", "disminuido", "lado derecho"]]}
    result = subprocess.run([NODE, str(DRIVER)], input=json.dumps(scenario), cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    [turns] = json.loads(result.stdout)
    assert not [t for t in turns if "error" in t], turns
    launch, entered, flags, imaging, walk, slr, crossed, side = turns
    assert launch["sent"]["type"] == "LaunchRequest"
    assert entered["sent"]["intent"] == "ClinicianModeIntent"
    assert flags["sent"]["slots"]["topic"]["ids"] == ["red_flags"]
    assert imaging["sent"]["slots"]["topic"]["ids"] == ["imaging"]
    assert walk["sent"]["slots"]["topic"]["ids"] == ["exam"]
    assert slr["sent"]["slots"]["finding"]["ids"] == ["positive_left"]
    assert crossed["sent"]["slots"]["finding"]["ids"] == ["reduced"]
    # "Disminuido" means nothing certain for a straight leg raise: asked again, in Spanish.
    assert "No puedo registrar disminuido en este paso." in json.dumps(crossed["response"],
                                                                      ensure_ascii=False)
    assert side["sent"]["slots"]["finding"]["ids"] == ["right"]
    # A deficit on the right after a straight leg raise on the left: signs on both sides.
    assert Turn(side["response"]).text.startswith("Los hallazgos sugieren síndrome de cauda equina.")
    assert "llame al 911" in Turn(side["response"]).text
    assert Turn(side["response"]).outcome == "emergency"


def test_a_mexican_device_gets_spanish_clinician_mode_with_911(skill):
    """es-MX is served es-US's content (also_serves), clinician mode included."""
    dialog = Dialog(skill, locale="es-MX")
    assert dialog.intent("ClinicianModeIntent").text.startswith("Modo clínico.")
    turn = dialog.symptom("no puedo orinar", "bladder")
    assert turn.text.startswith("Los hallazgos sugieren síndrome de cauda equina.")
    assert "llame al 911" in turn.text and turn.outcome == "emergency"
