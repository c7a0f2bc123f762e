"""The Alexa response for a prompt of the core: speech and reprompt as SSML, the card or the
reminders permission card, and the APL screen where the device has one. Shared by the patient
turn and clinician mode (turns.py)."""
from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.alexa import apl, reminders
from skill.alexa.speech import render_ssml, render_text
from skill.content.loader import Content
from skill.conversation.state import REMINDERS_PERMISSION, Prompt


def placeholder_values(content: Content, prompt: Prompt):
    """The content's values and the prompt's values, for filling placeholders (read only)."""
    return {**content.values, **dict(prompt.values)} if prompt.values else content.values


def build_response(handler_input: HandlerInput, content: Content, prompt: Prompt,
                   display=None) -> Response:
    """Speech, reprompt, card and (for screen devices) the APL document, from a prompt."""
    values = placeholder_values(content, prompt)
    builder = handler_input.response_builder
    builder.speak(render_ssml(prompt.speech, values))
    if prompt.end_session:
        builder.set_should_end_session(True)
    else:
        builder.ask(render_ssml(prompt.reprompt, values))
    if prompt.permission_needed == REMINDERS_PERMISSION:
        builder.set_card(reminders.permissions_card())
    elif prompt.card is not None:
        builder.set_card(SimpleCard(title=render_text((prompt.card.title,), values),
                                    content="\n\n".join(render_text((line,), values)
                                                        for line in prompt.card.body)))
    if display is not None:
        builder.add_directive(apl.directive(display))
    return builder.response
