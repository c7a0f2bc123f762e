"""The red-flag screen as a pure state machine: step(content, state, event) -> (state, Prompt).

No ask-sdk here: handlers translate Alexa requests into events and prompts into responses, so
the safety rules below can be tested exhaustively on their own.

Why over 300 lines: the safety rules below are applied in one dispatcher, step(); the phases it
hands to (asides, teach_back, daily_check, wrapup, questions) are already their own modules.

Safety rules, in the order they are applied:
1. Once the outcome is an emergency, every event gets the emergency action again, first and
   last (teach_back.py: one teach-back question, then the handover). Nothing said later can
   soften it, not even "start over".
2. Any positive answer to a cauda equina question (yes, a second "not sure", or the symptom
   volunteered at any time) is an emergency at once, with no confirmation turn.
3. "Not sure" never lowers urgency: on a cauda equina question it earns one clarification and
   then counts as yes; on any other red-flag question it counts as yes straight away. An answer
   that cannot be placed (a fallback, a symptom report nobody could resolve, a report of an
   ordinary symptom where a yes or no was due) is re-asked once in other words, then treated
   like "not sure".
3a. Nothing unplaceable is ignored (hazard log H23). Words that name a red flag, in the content's
   keywords, ask that red flag's own question at once, and the answer decides. Words that can't
   be placed when no question is in hand (the advice, the offers after it, the check-in's trend
   question) bring the cauda equina signs back as a question: yes, or "not sure" twice, is the
   emergency; no carries on where the person was.
4. The outcome only ever rises: self-care < urgent < emergency. "Start over" clears a screen
   that has not reached an emergency (a misheard "yes" must be correctable).

A remembered user's return visit (mode "check_in") asks how the pain is, then the cauda equina
questions again; the same rules apply. What follows the advice (consent, reminder, goodbye) is
in wrapup.py.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional, Tuple

from skill.content import backstop
from skill.conversation import asides, daily_check, teach_back, timeline, wrapup
from skill.content.loader import Content, Question, fill
from skill.conversation.state import (ANSWERS, CONSENTS, MODES, NO, NOT_SURE, POSITIVE, OUTCOME_RANK,
                                      REPORTED, TRENDS, WRAP_UPS, YES, Card, EffectResult, AnyEvent,
                                      InvalidState, Prompt, Event, ScreenState, SymptomReport,
                                      TrendReport, STATE_VERSION)
from skill.conversation.questions import (REFERRALS, advice_chunks, card_advice, first_unanswered,
                                          next_question, outcome_for, outcome_speech,
                                          question_in_hand, questions_for, urgent_route)
from skill.conversation.stored_state import state_from_dict  # noqa: F401 - this module's interface
from skill.conversation.teach_back import only_unsure  # noqa: F401 - this module's interface

__all__ = ["step", "begin", "initial_state", "current_prompt", "next_question", "outcome_for",
           "questions_for", "state_from_dict", "Event", "SymptomReport",
           "TrendReport", "EffectResult", "Prompt", "Card", "ScreenState", "InvalidState",
           "POSITIVE", "ANSWERS", "CONSENTS", "MODES", "TRENDS", "WRAP_UPS", "STATE_VERSION"]


def step(content: Content, state: ScreenState, event: AnyEvent) -> Tuple[ScreenState, Prompt]:
    """Advance the conversation by one user turn (or by the result of an effect)."""
    if state.outcome == "emergency":   # "what number?", "repeat", "stop", anything
        return teach_back.after_emergency(content, state, event)
    if isinstance(event, EffectResult):
        return wrapup.on_effect_result(content, state, event, current_prompt)
    if isinstance(event, daily_check.DailyCheck):
        if daily_check.can_start(state):
            return _daily_check(content, state, event)
        event = Event.UNCLEAR   # mid-screen: not an answer to the question in hand
    if event == Event.LAUNCH:
        return begin(content, state)
    if event == Event.START_OVER:
        return begin(content, state, lead=content.speech["start_over"])
    if event == Event.STOP:
        return wrapup.on_stop(content, state)
    if event == Event.FORGET:
        return state, Prompt((), effect="forget_user")
    if isinstance(event, SymptomReport):
        return _on_symptom(content, state, event)
    if event in asides.ASIDES:
        event = _aside_meant(state, event)
        if event in asides.ASIDES:
            if not state.started and event != Event.SET_REMINDER:
                return begin(content, state)   # the welcome says the number, and what to say
            return asides.on_aside(content, state, event, _ask, current_prompt)
    if not state.started:
        return begin(content, state)
    if state.detour is not None:
        if isinstance(event, TrendReport):   # not an answer to the question in hand
            event = Event.UNCLEAR
        return _on_answer(content, state, content.question(state.detour), event)
    if isinstance(event, TrendReport):
        return _on_trend(content, state, event.trend)
    if state.outcome is not None and event == Event.UNCLEAR:
        return _check_again(content, state)   # the advice, the offers, the goodbye
    if state.wrap_up is not None:
        return wrapup.on_event(content, state, event, current_prompt)
    if state.outcome is None:
        return _on_screen_event(content, state, event)
    return _on_advice_event(content, state, event)


def _aside_meant(state: ScreenState, event: Event) -> Event:
    """An aside that plainly means an answer where it is said: "set a reminder" at the
    reminder offer is a yes; "okay, thanks" after a tip is "next"."""
    if event == Event.SET_REMINDER and state.wrap_up == "reminder":
        return Event.YES
    in_tips = state.outcome is not None and state.wrap_up is None and state.detour is None
    if event == Event.THANKS and in_tips and state.advice_index is not None:
        return Event.NEXT
    return event


def initial_state(today: Optional[str] = None, consent: str = "off",
                  episode_start: Optional[str] = None) -> ScreenState:
    """A session before its first turn; `episode_start` makes it a remembered user's check-in."""
    return ScreenState(today=today, consent=consent, episode_start=episode_start)


def begin(content: Content, state: Optional[ScreenState] = None,
          lead: Optional[str] = None) -> Tuple[ScreenState, Prompt]:
    """A fresh screen (or check-in), keeping what the session knows about the user and day."""
    state = state or ScreenState()
    mode = "check_in" if state.episode_start else "screen"
    fresh = ScreenState(started=True, mode=mode, today=state.today, consent=state.consent,
                        episode_start=state.episode_start, can_remind=state.can_remind)
    if mode == "check_in":
        welcome = lead or content.check_in["welcome_back"]
        return fresh, Prompt((welcome, content.check_in["trend_question"]),
                             reprompt=(content.check_in["trend_reprompt"],),
                             values=(("first_date", state.episode_start),))
    return fresh, _ask(content, content.screen_questions[0],
                       lead=lead or content.speech["welcome"])


def current_prompt(content: Content, state: ScreenState) -> Prompt:
    """What the user last heard, rebuilt from the state (used for Repeat)."""
    if state.outcome == "emergency":
        return teach_back.current(content, state)
    if not state.started:
        return begin(content, state)[1]
    if state.detour is not None:
        return _ask(content, content.question(state.detour), state=state)
    if state.wrap_up is not None:
        return wrapup.current(content, state)
    if state.outcome is None:
        if state.mode == "check_in" and state.trend is None:
            return Prompt((content.check_in["trend_question"],),
                          reprompt=(content.check_in["trend_reprompt"],))
        question = next_question(content, state)
        if question is None and state.mode == daily_check.DAILY_CHECK:
            return daily_check.all_clear(content, state)[1]
        return _ask(content, question, state=state)
    if state.outcome in REFERRALS and state.advice_index is None:
        return _referral(content, state)
    return _advice(content, state)[1]


# --- screening ---------------------------------------------------------------------------

def _ask(content: Content, question: Question, lead: Optional[str] = None,
         text: Optional[str] = None, state: Optional[ScreenState] = None) -> Prompt:
    # Always the full question, at a check-in too: cauda equina can develop between visits, and
    # the short reprompt form has no examples and no sensory items (clinical review, 2.0).
    return Prompt(((lead,) if lead else ()) + (text or question.ask,),
                  reprompt=_reprompt(content, question, state))


# Answers after which the person has shown they know how to answer (issue 17: an instruction
# is dropped once it is known): the reprompt stops listing the choices.
ANSWERS_TO_KNOW_THE_CHOICES = 2


def _reprompt(content: Content, question: Question, state: Optional[ScreenState] = None) -> tuple:
    """A question's reprompt, with the choices until the person has shown they know them; a
    cauda equina one carries the warning with the number first, since silence after it ends
    the session without another word (Alexa's, not ours), and the turn still ends on its
    question."""
    said = (question.reprompt,)
    if state is None or len(state.answers) < ANSWERS_TO_KNOW_THE_CHOICES:
        said += (content.speech["answer_choices"],)
    if question.outcome_if_yes == "emergency":
        return (content.speech["reprompt_warning"],) + said
    return said


def _on_screen_event(content: Content, state: ScreenState, event: Event):
    if state.mode == "check_in" and state.trend is None:
        return _on_trend_event(content, state, event)
    return _on_answer(content, state, next_question(content, state), event)


def _on_answer(content: Content, state: ScreenState, question: Question, event: Event):
    """A reply to the question in hand: the next one of the screen, or a detour."""
    if event == Event.YES:
        return _record(content, state, question.id, YES)
    if event == Event.NO:
        return _record(content, state, question.id, NO)
    if event in (Event.NOT_SURE, Event.UNCLEAR):
        return _on_doubt(content, state, question, event)
    if event == Event.HELP:
        questions = questions_for(content, state.mode)
        position = questions.index(question) + 1 if question in questions else len(questions)
        help_text = fill(content.speech["help_screening"],
                         {"position": position, "total": len(questions)})
        return state, Prompt((question.help, help_text, question.reprompt,
                              content.speech["answer_choices"]),
                             reprompt=_reprompt(content, question, state))
    if event == Event.NEXT:   # never skip a question
        return state, _ask(content, question, lead=content.speech["answer_needed"], state=state)
    return state, _ask(content, question, state=state)   # Repeat


def _on_doubt(content: Content, state: ScreenState, question: Question, event: Event,
              lead: Optional[str] = None):
    if state.doubts == 0 and (question.outcome_if_yes == "emergency" or event == Event.UNCLEAR):
        if lead is None and event == Event.UNCLEAR:
            lead = content.speech["not_understood"]
        prompt = _ask(content, question, lead=lead, text=question.clarify, state=state)
        if question.outcome_if_yes == "emergency":
            # Someone unsure may walk away before answering: the signs stay in the Alexa app
            # (hazard log H03).
            prompt = replace(prompt, card=Card(content.speech["warning_signs_title"],
                                               (content.advice_by_id["safety_net"].text,)))
        return replace(state, doubts=1), prompt
    return _record(content, state, question.id, NOT_SURE, lead=content.speech["counted_as_yes"])


def _on_trend_event(content: Content, state: ScreenState, event: Event, lead: tuple = ()):
    texts = content.check_in
    if event == Event.NOT_SURE:
        # Unsure whether it is better counts as not better: the advice that follows is the
        # more careful one.
        return _on_trend(content, state, "same")
    if event == Event.HELP:
        return state, Prompt((texts["trend_help"], texts["trend_question"]),
                             reprompt=(texts["trend_reprompt"],))
    if event == Event.REPEAT:
        return state, current_prompt(content, state)
    if event == Event.UNCLEAR:
        return _check_again(content, state)
    if state.doubts:   # not one of the three answers, twice: the careful one
        return _on_trend(content, state, "same")
    return replace(state, doubts=1), Prompt(lead + (texts["trend_clarify"],),
                                            reprompt=(texts["trend_reprompt"],))


def _on_trend(content: Content, state: ScreenState, trend: Optional[str]):
    if state.mode != "check_in" or state.outcome is not None:
        return step(content, state, Event.UNCLEAR)   # a trend where none was asked
    if state.trend is None and trend not in TRENDS:
        return _on_trend_event(content, state, Event.NO)   # not one of the three answers
    if state.trend is not None:
        if trend not in TRENDS or RANK_OF_TREND[trend] <= RANK_OF_TREND[state.trend]:
            return step(content, state, Event.UNCLEAR)   # not an answer to the question in hand
        # A trend only ever gets worse; the question in hand is asked again.
        state = replace(state, trend=trend)
        decided = outcome_for(content, state)
        if decided is not None:
            return _reach(content, state, decided, None, urgent_route(content, state))
        return state, current_prompt(content, state)
    state = replace(state, trend=trend, doubts=0)
    decided = outcome_for(content, state)
    lead = content.check_in["worse_lead"] if trend == "worse" else None
    if decided is not None:
        return _reach(content, state, decided, lead, urgent_route(content, state))
    prompt = _ask(content, question_in_hand(content, state),
                  lead=content.check_in["safety_intro"], state=state)
    return state, replace(prompt, speech=((lead,) if lead else ()) + prompt.speech)


RANK_OF_TREND = {"better": 0, "same": 1, "worse": 2}


def _record(content: Content, state: ScreenState, question_id: str, answer: str,
            lead: Optional[str] = None):
    route_before = urgent_route(content, state)
    answers = dict(state.answers)
    if answer == NO and answers.get(question_id) in POSITIVE:
        answer = answers[question_id]   # a question asked again never lowers what it found
    answers[question_id] = answer
    ordered = tuple((q.id, answers[q.id]) for q in content.questions if q.id in answers)
    detour = None if question_id == state.detour else state.detour
    resumed = state.detour is not None and detour is None
    # dataclasses.replace(state, answers=..., doubts=0, detour=...), without its walk over the
    # fields (once per answer, so on most turns).
    state = ScreenState(**{**vars(state), "answers": ordered, "doubts": 0, "detour": detour})
    decided = outcome_for(content, state)
    moved_on = OUTCOME_RANK[decided] > OUTCOME_RANK[state.outcome] or \
        (decided == "urgent" and urgent_route(content, state) != route_before)
    if resumed and lead is None and not moved_on:
        lead = content.speech["resume"]   # the detour is answered: back to where they were
    if decided is not None:
        return _reach(content, state, decided, lead, route_before)
    if state.mode == "check_in" and state.trend is None and detour is None:
        prompt = current_prompt(content, state)   # a symptom said before the trend
        return state, replace(prompt, speech=((lead,) if lead else ()) + prompt.speech)
    # next_question(), less the outcome it would work out again: undecided, just above.
    question = content.question(detour) if detour else first_unanswered(content, state)
    if question is None and state.mode == daily_check.DAILY_CHECK:   # every answer no
        return daily_check.all_clear(content, state)
    return state, _ask(content, question, lead=lead, state=state)


def _daily_check(content: Content, state: ScreenState, event):
    """"My daily check" (daily_check.py): its questions while the watch runs, else (with why)
    the full check: the screen, or a remembered person's check-in."""
    notice = daily_check.not_running(content, state, event)
    if notice is not None:
        state, prompt = begin(content, state)
        return state, replace(prompt, speech=(notice,) + prompt.speech)
    state = daily_check.daily_state(state)
    return state, _ask(content, first_unanswered(content, state),
                       lead=content.daily_watch["intro"])


def _on_symptom(content: Content, state: ScreenState, report: SymptomReport):
    symptom_id = report.symptom_id
    asked = backstop.asked_first(symptom_id)
    if asked in content.question_ids:   # words that can be long-standing: the question decides
        return _ask_named(content, state, content.question(asked))
    if symptom_id in content.question_ids:
        if state.answer_to(symptom_id) in POSITIVE:   # nothing new: the question in hand stays
            return _not_an_answer(content, state, content.speech["symptom_noted"])
        was_started = state.started
        if not was_started:
            state = begin(content, state)[0]
        new_state, prompt = _record(content, state, symptom_id, REPORTED,
                                    lead=content.speech["symptom_noted"])
        if new_state.outcome is None and not was_started:   # one-shot: still owe the welcome
            # Hello first, then the thanks for what was said (issue 17), then the question.
            welcome = begin(content, state)[1]
            prompt = replace(prompt, speech=welcome.speech[:-1] + prompt.speech,
                             values=welcome.values)
        return new_state, prompt
    if symptom_id in content.common_symptoms:
        return _not_an_answer(content, state, content.common_symptoms[symptom_id])
    named = backstop.red_flag_named(content.red_flag_words, report.heard)
    if named is not None:
        return _ask_named(content, state, named)
    if not state.started:
        return _noted(content, state, content.speech["symptom_not_recognised"])
    in_hand = question_in_hand(content, state)
    if in_hand is not None:
        return _on_answer(content, state, in_hand, Event.UNCLEAR)
    return _check_again(content, state)   # the trend question, the advice, the offers


def _not_an_answer(content: Content, state: ScreenState, lead: str):
    """An ordinary symptom said where a yes or no was due (Alexa may have swallowed the yes
    or no with it): acknowledged, then the question counts as unplaced. Elsewhere it is
    acknowledged and the conversation goes on."""
    in_hand = question_in_hand(content, state) if state.started else None
    if in_hand is not None:
        return _on_doubt(content, state, in_hand, Event.UNCLEAR, lead=lead)
    if state.started and state.outcome is None and state.mode == "check_in" and state.trend is None:
        return _on_trend_event(content, state, Event.NO, lead=(lead,))
    return _noted(content, state, lead)


def _ask_named(content: Content, state: ScreenState, named: Question):
    """The person's words name a red flag: ask its own question now; the answer decides."""
    if state.answer_to(named.id) in POSITIVE:
        return _not_an_answer(content, state, content.speech["symptom_noted"])
    in_hand = question_in_hand(content, state) if state.started else None
    if in_hand is not None:
        if named.id == in_hand.id:
            return _on_doubt(content, state, in_hand, Event.UNCLEAR, lead=named.mentioned)
        if state.answer_to(named.id) == NO:
            if named.outcome_if_yes == "emergency" and in_hand.id != content.read_back_question.id:
                # Said no to before: the read-back of every cauda equina sign decides it now.
                read_back = content.read_back_question
                return replace(state, detour=read_back.id, doubts=0), _ask(
                    content, read_back, lead=named.mentioned, state=state)
            # Answered already: the words are not placed as an answer to the question in hand,
            # which is asked again, then "not sure" (never a loop between the two).
            return _on_doubt(content, state, in_hand, Event.UNCLEAR)
        if state.detour is not None and named.outcome_if_yes == "emergency" == in_hand.outcome_if_yes:
            # Two cauda equina signs in hand: the read-back asks about them all at once.
            read_back = content.read_back_question
            if in_hand.id == read_back.id:
                return _on_doubt(content, state, in_hand, Event.UNCLEAR, lead=named.mentioned)
            return replace(state, detour=read_back.id, doubts=0), _ask(
                content, read_back, lead=named.mentioned, state=state)
        if state.detour is not None and named.outcome_if_yes != "emergency":
            return _on_doubt(content, state, in_hand, Event.UNCLEAR)   # this detour first
    opening, values = (), ()
    if not state.started:
        state, welcome = begin(content, state)
        opening, values = welcome.speech[:-1], welcome.values   # the welcome, not its question
    state = replace(state, detour=named.id, doubts=0)
    prompt = _ask(content, named, lead=named.mentioned, state=state)
    return state, replace(prompt, speech=opening + prompt.speech, values=values)


def _check_again(content: Content, state: ScreenState):
    """Words that could not be placed with no question in hand: the cauda equina signs come
    back as a question, in case that is what they were about (hazard log H23)."""
    read_back = content.read_back_question
    state = replace(state, detour=read_back.id, doubts=0)
    return state, _ask(content, read_back, lead=content.speech["unplaced_check"], state=state)


def _noted(content: Content, state: ScreenState, lead: str):
    """Acknowledge, then say again what the user was last asked."""
    if not state.started:
        state, prompt = begin(content, state)
    else:
        prompt = current_prompt(content, state)
    return state, replace(prompt, speech=(lead,) + prompt.speech)


# --- outcomes and advice -----------------------------------------------------------------

def _reach(content: Content, state: ScreenState, decided: str, lead: Optional[str],
           route_before: Optional[str]):
    """The outcome the answers decide, said if it is new: a higher one, or the urgent one with a
    more demanding route than before (`route_before`, questions.urgent_route)."""
    before = state.outcome
    state, prompt = _reach_outcome(content, state, decided, lead, route_before)
    if state.detour is not None and state.outcome not in (before, "emergency"):
        # A question out of turn is still open: its outcome's words, then that question (the
        # offer or tip follows once it is answered).
        question = content.question(state.detour)
        spoken = prompt.speech[:-1] if state.outcome in REFERRALS and state.advice_index is None \
            else prompt.speech
        prompt = replace(prompt, speech=spoken + (question.ask,),
                         reprompt=_reprompt(content, question, state))
    if state.consent == "remembered":
        prompt = replace(prompt, keep_visit=True)
    return state, prompt


def _reach_outcome(content: Content, state: ScreenState, decided: str, lead: Optional[str],
                   route_before: Optional[str]):
    outcome = max(decided, state.outcome, key=OUTCOME_RANK.__getitem__)
    same_place = outcome != "urgent" or urgent_route(content, state) == route_before
    if outcome == state.outcome and same_place:   # e.g. a second urgent sign, same route
        prompt = current_prompt(content, state)
        return state, replace(prompt, speech=((lead,) if lead else ()) + prompt.speech)
    # A new outcome restarts what follows it: its own advice, then the wrap-up.
    state = replace(state, outcome=outcome, advice_index=None, wrap_up=None)
    if outcome == "emergency":
        # The action comes first: no lead.
        return state, teach_back.emergency_answer(content, state)
    lead_speech = (lead,) if lead else ()
    if outcome in REFERRALS:   # a new place to go, or a new route today: said again, first
        prompt = _referral(content, state)
        return state, replace(prompt, speech=lead_speech + prompt.speech)
    state, prompt = _advice(content, replace(state, advice_index=0))
    return state, replace(prompt, speech=lead_speech + _self_care_intro(content, state)
                          + prompt.speech, values=timeline.review_values(state) + prompt.values)


def _self_care_intro(content: Content, state: ScreenState) -> tuple:
    """The result, then the warning signs in a sentence of their own: said with the result
    every time, so a "no" at the first tip still leaves them heard (issue 17)."""
    warning = (content.speech["result_warning"],)
    if state.mode == "check_in":
        days = timeline.days_between(state.episode_start, state.today)
        return (content.stages[timeline.stage(days, state.trend)],) + warning
    result = content.outcomes["self_care"].speech   # the result, then what leads to the tips
    return result[:1] + warning + result[1:]



def _referral(content: Content, state: ScreenState) -> Prompt:
    """A doctor today or within days: where to go and why, then the offer of the tips."""
    outcome = content.outcomes[state.outcome]
    speech = outcome_speech(content, state, state.outcome)
    return Prompt(speech + (outcome.offer,), reprompt=(outcome.offer_reprompt,),
                  card=Card(outcome.card_title, speech))


def _advice(content: Content, state: ScreenState) -> Tuple[ScreenState, Prompt]:
    chunks = advice_chunks(content, state)
    chunk = chunks[state.advice_index]
    if state.advice_index < len(chunks) - 1:
        return state, Prompt((chunk.text, _advice_prompt(content, state.advice_index)),
                             reprompt=(content.speech["advice_reprompt"],))
    outcome = content.outcomes[state.outcome]
    referral = outcome_speech(content, state, state.outcome) if state.outcome in REFERRALS else ()
    body = referral + tuple(c.text for c in card_advice(content, state))
    state, after = wrapup.start(content, state)
    return state, replace(after, speech=(chunk.text,) + after.speech,
                          card=Card(outcome.card_title, body))


def _advice_prompt(content: Content, step: int) -> str:
    """After the first tip, the instruction; after the next ones (the person has said "next"
    or "yes" by then), a short question, a different one in turn (issue 17: sameness)."""
    if step == 0:
        return content.speech["advice_prompt"]
    variants = content.variants["advice_prompt_known"]
    return variants[(step - 1) % len(variants)]


def _on_advice_event(content: Content, state: ScreenState, event: Event):
    offer_pending = state.advice_index is None
    if event in (Event.YES, Event.NEXT):
        following = 0 if offer_pending else state.advice_index + 1
        last = len(advice_chunks(content, state)) - 1
        return _advice(content, replace(state, advice_index=min(following, last)))
    if event == Event.NO:   # no (more) tips wanted: straight to what follows the advice
        return wrapup.start(content, state)
    if event == Event.REPEAT:
        return state, current_prompt(content, state)
    if event == Event.HELP:
        text = content.speech["help_offer" if offer_pending else "help_advice"]
        return state, replace(current_prompt(content, state), speech=(text,))
    text = content.outcomes[state.outcome].offer_reprompt if offer_pending \
        else content.speech["advice_not_understood"]
    return state, replace(current_prompt(content, state), speech=(text,))
