"""Volunteered words that can be long-standing ask the sign's question first (hazard log H24).

Alexa sends a phrase such as "i have incontinence" as the slot value "bladder_ask_first"
(skill/content/<locale>.model.yaml, `ask_first`). The skill does not count it as a yes: it asks
that sign's own question, anchored on "since this pain started", and the answer decides. These
tests send Alexa's own requests (no NLU in between) in every locale and read the expected words
from that locale's content, so they hold in any language."""
import pytest

from dialog import Dialog
# Every test here runs in every locale, with test_dialogs' per-locale fixtures.
from test_dialogs import content, dialog, locale, said  # noqa: F401 - fixtures
from skill.content.backstop import ASK_FIRST_SUFFIX
from skill.conversation.questions import question_in_hand
from skill.conversation.stored_state import state_from_dict

# The words Alexa heard: ones no keyword names, so only the slot's id can lead to a question
# (the keyword backstop would ask it for "i have incontinence" even without ask_first).
HEARD = "what i said before"


def asked_first(sign: str) -> str:
    return sign + ASK_FIRST_SUFFIX


def in_hand(content, turn):
    """The question the skill is waiting on after `turn`, or None."""
    state = state_from_dict(content, turn.response["sessionAttributes"]["screen"])
    return question_in_hand(content, state)


def emergency_action(content):
    return said(content, content.outcomes["emergency"].speech[0])


def asks(content, turn, lead: str, text: str) -> bool:
    """The turn says `lead`, then `text` last, and waits for the answer."""
    heard, lead, text = turn.text, said(content, lead), said(content, text)
    return (lead in heard and heard.endswith(text) and heard.index(lead) < heard.index(text)
            and not turn.ends_session and turn.outcome is None)


def no_until(dialog, content, question_id):
    """Launch, then "no" to each question until `question_id` is the one in hand."""
    turn = dialog.launch()
    while in_hand(content, turn).id != question_id:
        turn = dialog.no()
    return turn


def bladder_asked_first(dialog, content):
    """The one-shot below, checked: the bladder question, not the emergency."""
    bladder = content.question("bladder")
    turn = dialog.symptom(HEARD, asked_first("bladder"))
    assert asks(content, turn, bladder.mentioned, bladder.ask)
    return turn


def test_ask_first_words_at_the_start_ask_that_signs_question(dialog, content):
    """A one-shot ("ask sciatica check, i have incontinence"): the welcome, then the bladder
    question led by its `mentioned` line, not the emergency."""
    bladder = content.question("bladder")
    turn = dialog.symptom(HEARD, asked_first("bladder"))
    assert asks(content, turn, bladder.mentioned, bladder.ask)
    assert emergency_action(content) not in turn.text
    assert in_hand(content, turn).id == "bladder"


def test_yes_to_the_question_asked_first_is_the_emergency(dialog, content):
    bladder_asked_first(dialog, content)
    turn = dialog.yes()
    assert turn.outcome == "emergency" and turn.text.startswith(emergency_action(content))


def test_no_to_the_question_asked_first_goes_on_without_an_emergency(dialog, content):
    bladder_asked_first(dialog, content)
    turn = dialog.no()
    assert turn.outcome is None and emergency_action(content) not in turn.text
    assert in_hand(content, turn).id == content.questions[1].id
    assert turn.text.endswith(said(content, content.questions[1].ask))


def test_a_no_after_ask_first_words_can_still_end_in_self_care(dialog, content):
    """The words themselves are never counted: with every answer no, the screen ends in
    self-care (the read-back included)."""
    turn = bladder_asked_first(dialog, content)
    for _ in range(60):
        if turn.outcome is not None or in_hand(content, turn) is None:
            break
        turn = dialog.no()
    assert turn.outcome == "self_care"


def test_not_sure_to_the_question_asked_first_follows_the_usual_rules(dialog, content):
    """"Not sure" on a cauda equina question: asked once more in other words, then a yes."""
    bladder_asked_first(dialog, content)
    first = dialog.not_sure()
    assert first.outcome is None
    assert said(content, content.question("bladder").clarify) in first.text
    assert dialog.not_sure().outcome == "emergency"


def test_ask_first_words_at_the_signs_own_question_ask_it_again_in_other_words(dialog, content):
    """Said where the bladder question is in hand (right after the welcome): it is asked again,
    in other words, led by its `mentioned` line; the answer decides."""
    bladder = content.question("bladder")
    no_until(dialog, content, "bladder")
    turn = dialog.symptom(HEARD, asked_first("bladder"))
    assert asks(content, turn, bladder.mentioned, bladder.clarify)
    assert dialog.yes().outcome == "emergency"


def test_ask_first_words_at_the_signs_own_question_then_no_go_on(dialog, content):
    bladder = content.question("bladder")
    no_until(dialog, content, "bladder")
    turn = dialog.symptom(HEARD, asked_first("bladder"))
    assert asks(content, turn, bladder.mentioned, bladder.clarify)
    turn = dialog.no()
    assert turn.outcome is None and in_hand(content, turn).id == content.questions[1].id


def test_ask_first_words_mid_screen_after_a_no_read_back_the_signs(dialog, content):
    """At the fever question, the bladder long since answered no: the words are about a sign
    already denied, so every cauda equina sign is read back, led by the bladder's `mentioned`
    line (the engine's rule for a denied sign named again); a yes is the emergency."""
    no_until(dialog, content, "fever")
    turn = dialog.symptom(HEARD, asked_first("bladder"))
    assert asks(content, turn, content.question("bladder").mentioned,
                content.read_back_question.ask)
    assert in_hand(content, turn).id == content.read_back_question.id
    turn = dialog.yes()
    assert turn.outcome == "emergency" and turn.text.startswith(emergency_action(content))


def test_ask_first_words_mid_screen_then_no_go_back_to_the_question_in_hand(dialog, content):
    no_until(dialog, content, "fever")
    turn = dialog.symptom(HEARD, asked_first("bladder"))
    assert in_hand(content, turn).id == content.read_back_question.id
    turn = dialog.no()
    assert turn.outcome is None and emergency_action(content) not in turn.text
    assert in_hand(content, turn).id == "fever"
    assert said(content, content.speech["resume"]) in turn.text


def test_saddle_ask_first_words_after_a_no_to_saddle_ask_the_read_back(dialog, content):
    saddle = content.question("saddle")
    no_until(dialog, content, content.questions[2].id)   # saddle answered no
    turn = dialog.symptom(HEARD, asked_first("saddle"))
    assert asks(content, turn, saddle.mentioned, content.read_back_question.ask)
    assert in_hand(content, turn).id == content.read_back_question.id
    assert dialog.yes().outcome == "emergency"


@pytest.mark.parametrize("sign", ["bladder", "saddle", "bowel", "both_legs", "sexual_function"])
def test_every_cauda_equina_sign_asked_first_is_asked_not_counted(skill, locale, content, sign):
    """Each sign's ask_first value, as a one-shot, reaches its own question; the same sign's
    own value (unmistakable words) is the emergency at once."""
    question = content.question(sign)
    turn = Dialog(skill, locale).symptom(HEARD, asked_first(sign))
    assert asks(content, turn, question.mentioned, question.ask)
    at_once = Dialog(skill, locale).symptom(HEARD, sign)
    assert at_once.outcome == "emergency" and at_once.text.startswith(emergency_action(content))
