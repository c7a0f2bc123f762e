"""The Wyoming adapter (Home Assistant Assist, any Wyoming pipeline): a handle service that turns a
transcript into the core's event, keeps each conversation's state, and answers in plain text.
May import: skill.memory, skill.language, skill.conversation, skill.content, wyoming; never skill.alexa or ask_sdk.
"""
