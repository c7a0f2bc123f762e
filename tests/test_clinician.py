"""Clinician mode and screens: whole dialogs as envelopes, with and without APL support."""
import json
import re

import pytest

from dialog import Dialog
from hypothesis import given, settings, strategies as st

from skill.conversation.clinician import (TOPIC_NAMES, ClinicalTopic, ClinicianState, Finding,
                                          clinician_state_from_dict, step)
from skill.content.clinician import cauda_equina_symptoms, load_clinician_content, load_clinician_file
from skill.content.loader import CONTENT_DIR, companion_file, load_content, load_content_file
from skill.alexa.envelopes import request_envelope, intent_request, resolved_slot
from skill.alexa.app import handle_event
from skill.content.schema import ContentError
from skill.alexa.apl import DOCUMENT_PATH, apl_document
from skill.conversation.state import InvalidState, Event, SymptomReport

APL_DEVICE = {"device": {"deviceId": "amzn1.ask.device.SHOW",
                         "supportedInterfaces": {"Alexa.Presentation.APL": {
                             "runtime": {"maxVersion": "1.6"}}}}}
CES_ACTION = ("Findings suggest cauda equina syndrome. Arrange an emergency MRI, within 4 hours of "
              "the request")


def topic(dialog, name):
    return dialog.intent("ClinicalQuestionIntent", resolved_slot("topic", "TopicType", name, name))


def finding(dialog, value):
    return dialog.intent("ExamFindingIntent",
                         resolved_slot("finding", "FindingType", value, value))


def test_one_shot_clinician_checklist_says_the_mode_without_the_patient_disclaimer(dialog):
    turn = dialog.intent("ClinicianModeIntent")
    assert turn.text.startswith("Clinician mode.") and "clinical judgement" in turn.text
    assert "not a doctor" not in turn.text and not turn.ends_session and turn.reprompt


def test_switching_mid_screen_says_the_mode_back(dialog):
    dialog.launch()
    dialog.no()
    turn = dialog.intent("ClinicianModeIntent")
    assert turn.text.startswith("Switched to clinician mode.")
    assert "screen" not in turn.response["sessionAttributes"]


def test_a_patient_emergency_is_not_softened_by_switching_mode(skill):
    dialog = Dialog(skill)
    dialog.launch()
    dialog.yes()
    envelope = request_envelope(intent_request("ClinicianModeIntent"), new=False,
                                attributes=dialog.turns[-1].response["sessionAttributes"])
    response = handle_event(skill, envelope)
    assert response["sessionAttributes"]["outcome"] == "emergency"
    # Not an answer to the teach-back question: the call first and last, the handover between
    # (hazard log H32).
    ssml = response["response"]["outputSpeech"]["ssml"]
    call = 'Call <say-as interpret-as="digits">911</say-as> now'
    assert ssml.startswith("<speak>" + call) and ssml.count(call) == 2


CLINICIAN = load_clinician_content("en-US")
clinician_events = st.one_of(
    st.sampled_from(list(Event)),
    st.builds(Finding, st.sampled_from(["positive", "negative", "not_done", "positive_left",
                                        "positive_right", "positive_both", "left", "right",
                                        "absent", "reduced_left", "reduced_right", "present",
                                        "brisk", "raised", "summary", "go_back", None])),
    st.builds(ClinicalTopic, st.sampled_from(list(TOPIC_NAMES) + [None])),
    st.builds(SymptomReport, st.sampled_from(["bladder", "fever", "one_leg_pain", "both_legs",
                                              None])))
RESTARTS = (Event.LAUNCH, Event.START_OVER, ClinicalTopic("exam"))


@settings(max_examples=300)
@given(st.lists(clinician_events, max_size=40))
def test_a_suspected_cauda_equina_stays_an_emergency_in_clinician_mode(events):
    state = ClinicianState()
    suspected = False
    for event in events:
        before = state
        state, prompt = step(CLINICIAN, state, event)
        if suspected:
            assert state.outcome == "emergency"
        newly = state.cauda_equina and not before.cauda_equina
        if newly:
            assert prompt.speech[0] == CLINICIAN.cauda_equina_action
        suspected = suspected or state.cauda_equina
        saddle = dict(state.findings).get("saddle_sensation")
        placed = set(dict(state.sides).values())
        if saddle == "positive" or "both" in placed or {"left", "right"} <= placed:
            assert state.outcome == "emergency"   # bilateral signs are cauda equina
        # Every positive finding at a sided step keeps a side, and a side question never
        # drops the finding it asks about.
        sided = {s.id for s in CLINICIAN.exam if s.sided}
        assert set(dict(state.sides)) == {key for key, value in state.findings
                                          if value == "positive" and key in sided}
        if before.side_asks and event not in RESTARTS:
            kept = dict(state.findings)
            assert all(kept.get(key) == value for key, value in before.findings)
        assert prompt.end_session or prompt.reprompt
        assert clinician_state_from_dict(CLINICIAN, state.to_dict()) == state


def test_red_flags_in_clinical_terms_with_their_actions(dialog):
    dialog.intent("ClinicianModeIntent")
    turn = topic(dialog, "red_flags")
    for term in ("urinary retention", "faecal incontinence", "saddle anaesthesia",
                 "bilateral neurological signs", "urinary hesitancy", "altered urinary sensation",
                 "bilateral radicular pain", "emergency MRI, within 4 hours of request",
                 "on-call spinal", "does not override", "Fever", "Past cancer with radicular pain",
                 "MSCC service immediately", "MRI within 24 hours",
                 "severe or progressing motor deficit: the on-call spinal team the same day"):
        assert term in turn.text, term


@pytest.mark.parametrize("name, source", [("imaging", "NICE"), ("referral", "NICE NG59"),
                                          ("opioids", "NICE NG59"), ("pitfalls", "source summary"),
                                          ("straight_leg_raise_evidence", "91 percent")])
def test_direct_questions_are_answered_briefly_with_the_source(dialog, name, source):
    dialog.intent("ClinicianModeIntent")
    turn = topic(dialog, name)
    answer = load_clinician_content("en-US").answers[name]
    assert turn.text.startswith(answer) and source in answer
    assert len(answer.split()) <= 60 and not turn.ends_session


def test_exam_walks_step_by_step_and_ends_with_a_summary_card(dialog):
    dialog.intent("ClinicianModeIntent")
    first = topic(dialog, "exam")
    assert first.text.startswith("Straight leg raise.") and "91 percent" in first.text
    assert "26 percent" in first.text and "surgical series" in first.text
    assert finding(dialog, "positive_left").text.startswith("Crossed straight leg raise.")
    repeat = dialog.intent("AMAZON.RepeatIntent")
    assert repeat.text.startswith("Crossed straight leg raise.")
    skipped = dialog.intent("AMAZON.NextIntent")   # next: not done, and said
    assert skipped.text.startswith("Crossed straight leg raise: not done. L4.")
    help_ = dialog.intent("AMAZON.HelpIntent")
    assert "exam step 3 of 7" in help_.text
    dialog.no()            # L4: negative
    assert dialog.yes().text == "Which side: left, right, or both sides?"   # L5: positive
    assert finding(dialog, "left").text.startswith("S1.")
    finding(dialog, "negative")   # S1
    finding(dialog, "negative")   # reflexes
    summary = finding(dialog, "negative")   # saddle sensation
    assert summary.text.startswith("Recorded: Straight leg raise positive on the left, Crossed "
                                   "straight leg raise not done, L4 root normal, L5 root "
                                   "deficit on the left")
    assert "This points to an L5 radiculopathy." in summary.text
    assert summary.card["title"] == "Sciatica exam summary"
    assert "L5 radiculopathy" in summary.card["content"] and summary.outcome is None


def test_reduced_saddle_sensation_gives_the_emergency_action_first_then_ces_steps(dialog):
    dialog.intent("ClinicianModeIntent")
    topic(dialog, "exam")
    for _ in range(6):
        dialog.no()
    turn = finding(dialog, "positive")
    assert turn.text.startswith(CES_ACTION) and turn.outcome == "emergency"
    assert "Anal tone." in turn.text and "must not delay the MRI" in turn.text
    turn = dialog.no()
    assert turn.text.startswith("Post-void residual.") and turn.outcome == "emergency"
    summary = dialog.no()
    assert "Saddle sensation reduced, Anal tone normal" in summary.text
    assert CES_ACTION in summary.text and summary.outcome == "emergency"


def test_a_cauda_equina_symptom_said_in_clinician_mode_gets_the_action(dialog):
    dialog.intent("ClinicianModeIntent")
    turn = dialog.symptom("urinary retention", "bladder")
    assert turn.text.startswith(CES_ACTION) and turn.outcome == "emergency"
    assert dialog.intent("AMAZON.StartOverIntent").outcome == "emergency"


def test_stop_leaves_clinician_mode(dialog):
    dialog.intent("ClinicianModeIntent")
    turn = dialog.intent("AMAZON.StopIntent")
    assert turn.ends_session and "Leaving clinician mode" in turn.text


@pytest.mark.parametrize("stored", [None, {}, {"version": 1, "section": "exam", "step": 99,
                                                "findings": {}, "cauda_equina": False},
                                    {"version": 1, "section": "menu", "step": 0,
                                     "findings": {"l5": "maybe"}, "cauda_equina": False}])
def test_tampered_clinician_state_is_refused(stored):
    with pytest.raises(InvalidState):
        clinician_state_from_dict(load_clinician_content("en-US"), stored)


def test_clinician_state_round_trips():
    content = load_clinician_content("en-US")
    state, _ = step(content, ClinicianState(), Event.HELP)
    assert clinician_state_from_dict(content, state.to_dict()) == state


def test_broken_clinician_content_names_file_key_and_problem(tmp_path):
    text = (CONTENT_DIR / "en-US.clinician.yaml").read_text(encoding="utf-8")
    path = tmp_path / "en-US.clinician.yaml"
    path.write_text(text.replace("references: [GIRFT, CES-card]", "references: [GIRFT, NOPE]"),
                    encoding="utf-8")
    with pytest.raises(ContentError, match=r"cauda_equina_action.references.\[1\]: unknown"):
        load_clinician_file(path, load_content("en-US").references, ())


# --- screens -------------------------------------------------------------------------------

def directives(turn):
    return turn.body.get("directives") or []


def test_no_apl_is_sent_to_a_device_without_a_screen(dialog):
    dialog.launch()
    assert directives(dialog.no()) == [] and directives(dialog.yes()) == []


def test_patient_screen_shows_the_question_and_fills_the_checklist(skill):
    dialog = Dialog(skill, system=APL_DEVICE)
    dialog.launch()
    turn = dialog.no()
    (directive,) = directives(turn)
    assert directive["type"] == "Alexa.Presentation.APL.RenderDocument"
    screen = directive["datasources"]["payload"]["screen"]
    assert screen["body"] == load_content("en-US").questions[1].ask.strip()
    # An intimate question's row says it was answered, never what (hazard log H29).
    assert screen["checklist"][0] == {"label": "Bladder", "status": "Answered", "flagged": False}
    assert screen["checklist"][1]["status"] == "-" and screen["outcome"] == ""
    emergency = dialog.yes()
    screen = directives(emergency)[0]["datasources"]["payload"]["screen"]
    assert screen["outcome"] == "Call 911 now" and screen["number"] == "911"
    assert screen["emergency"] is True and screen["checklist"][1]["status"] == "Answered"
    assert emergency.card["title"] == "Emergency: go to the nearest emergency room or call 911 now"   # the card still goes too


def test_clinician_screen_shows_the_exam_step_and_findings(skill):
    dialog = Dialog(skill, system=APL_DEVICE)
    dialog.intent("ClinicianModeIntent")
    topic(dialog, "exam")
    turn = finding(dialog, "positive_right")
    screen = directives(turn)[0]["datasources"]["payload"]["screen"]
    assert screen["title"] == "Sciatica Check for clinicians"
    assert screen["body"].startswith("Crossed straight leg raise.")
    assert screen["checklist"][0] == {"label": "Straight leg raise",
                                      "status": "positive on the right", "flagged": True}


KNOWN_COMPONENTS = {"Container", "Text", "Sequence", "Image", "Frame", "TouchWrapper",
                    "ScrollView", "Pager", "VectorGraphic", "AlexaHeader"}


def components(item):
    yield item
    for child in item.get("items", []) if isinstance(item.get("items"), list) else [item["items"]] \
            if "items" in item else []:
        yield from components(child)


def test_apl_document_has_the_structure_the_spec_requires():
    document = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert document == apl_document()
    assert document["type"] == "APL" and re.fullmatch(r"1\.\d+", document["version"])
    template = document["mainTemplate"]
    assert template["parameters"] == ["payload"] and isinstance(template["items"], list)
    for item in template["items"]:
        for component in components(item):
            assert component["type"] in KNOWN_COMPONENTS, component["type"]
    for expression in re.findall(r"\$\{([^}]*)\}", DOCUMENT_PATH.read_text(encoding="utf-8")):
        assert expression.count("(") == expression.count(")")
        assert re.match(r"\s*(payload|data)\.", expression), expression


@pytest.mark.parametrize("locale", ["en-GB", "en-AU", "en-CA", "en-IN"])
def test_every_english_locale_has_clinician_mode_with_the_same_safety(skill, locale):
    dialog = Dialog(skill, locale=locale)
    assert dialog.intent("ClinicianModeIntent").text.startswith("Clinician mode.")
    assert dialog.symptom("saddle anaesthesia", "saddle").text.startswith(CES_ACTION)
    assert dialog.turns[-1].outcome == "emergency"


def test_spanish_never_gets_the_english_clinician_mode(skill):
    """es-US has clinician mode of its own (es-US.clinician.yaml), never en-US's shared file."""
    dialog = Dialog(skill, locale="es-US")
    dialog.launch()
    turn = dialog.intent("ClinicianModeIntent")
    assert turn.text.startswith("Cambio al modo clínico.") and "Clinician" not in turn.text
    spanish = load_clinician_content("es-US")
    assert spanish.locale == "es-US" and spanish != load_clinician_content("en-US")
    assert companion_file("es-US", "clinician").name == "es-US.clinician.yaml"
    assert companion_file("es-MX", "clinician") is None   # served es-US's content by the resolver


@pytest.mark.parametrize("locale, outcome, number", [("en-GB", "Call 999 now", "999"),
                                                     ("en-AU", "Call 000 now", "000"),
                                                     ("es-US", "Llame al 911 ahora", "911")])
def test_emergency_screen_shows_the_locales_own_number(skill, locale, outcome, number):
    dialog = Dialog(skill, locale=locale, system=APL_DEVICE)
    dialog.launch()
    screen = directives(dialog.yes())[0]["datasources"]["payload"]["screen"]
    assert screen["outcome"] == outcome and screen["number"] == number


NEW_CAUDA_EQUINA_QUESTION = """\
  - id: leg_numbness_spreading
    outcome_if_yes: emergency
    ask: Since this pain started, has numbness spread up both of your legs?
    reprompt: Since the pain started, has numbness spread up both legs?
    clarify: Put another way, is the numbness climbing both legs? Yes, no, or not sure?
    help: Numbness spreading up both legs needs checking straight away.
    references: [CES-card]
    mentioned: You mentioned numbness spreading.
    keywords: [spreading numbness]

  # Read-back"""


def test_a_cauda_equina_question_added_to_the_content_gets_the_action_in_clinician_mode(tmp_path):
    # Clinician mode's cauda equina symptoms are the content's emergency-tier questions, not a
    # list of its own: one added to the YAML escalates there too.
    text = (CONTENT_DIR / "en-US.yaml").read_text(encoding="utf-8")
    assert text.count("\n  # Read-back") == 1
    text = text.replace("\n  # Read-back", "\n" + NEW_CAUDA_EQUINA_QUESTION, 1)
    text = text.replace("    cauda_equina_check: a new",
                        "    leg_numbness_spreading: numbness spreading up both legs\n"
                        "    cauda_equina_check: a new", 1)
    path = tmp_path / "en-US.yaml"
    path.write_text(text, encoding="utf-8")
    patient = load_content_file(path)
    assert patient.question("leg_numbness_spreading").outcome_if_yes == "emergency"
    clinical = load_clinician_file(CONTENT_DIR / "en-US.clinician.yaml", patient.references,
                                   cauda_equina_symptoms(patient))
    state, prompt = step(clinical, ClinicianState(), SymptomReport("leg_numbness_spreading"))
    assert state.cauda_equina and state.outcome == "emergency"
    assert prompt.speech[0] == clinical.cauda_equina_action
    # The other way round too: a symptom that is no cauda equina question gets no action.
    state, prompt = step(clinical, ClinicianState(), SymptomReport("fever"))
    assert not state.cauda_equina and clinical.cauda_equina_action not in prompt.speech
