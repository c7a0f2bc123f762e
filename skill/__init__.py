"""Sciatica Check: a spoken red-flag screen for sciatica. ARCHITECTURE.md maps the rooms below;
imports run one way: tools -> {alexa, review} -> {memory, language} -> conversation -> content.
"""

# The skill id in the requests the text chat, the offline NLU (language/nlu.py) and the tests
# make up (alexa/envelopes.py): defined here, where both alexa/ and language/ may import it.
DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
