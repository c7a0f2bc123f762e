"""A yes-or-no offer (a reminder, the daily watch): only a clear yes accepts; no or not sure
declines; anything else hears the offer again, in full for "repeat", else its reprompt."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Tuple

from skill.conversation.state import Prompt, Event, ScreenState

Outcome = Tuple[ScreenState, Prompt]


def answer_to_offer(state: ScreenState, event: Event, offer: Prompt,
                    accept: Callable[[], Outcome], decline: Callable[[], Outcome]) -> Outcome:
    if event == Event.YES:
        return accept()
    if event in (Event.NO, Event.NOT_SURE):
        return decline()
    return state, offer if event == Event.REPEAT else replace(offer, speech=offer.reprompt)
