"""What people say: the ASK interaction models (built from the *.model.yaml, linted), the offline
stand-in for Alexa's NLU used by the chat and tests, and the paraphrase scoring.
May import: skill.conversation, skill.content; no ask_sdk (models are plain JSON).
"""
