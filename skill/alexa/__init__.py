"""The Alexa adapter: everything that knows the ASK SDK. build_skill(), the handlers, one turn
through the core, responses, SSML, APL screens, reminders, request verification and the server.
May import: skill.memory, skill.language, skill.conversation, skill.content, ask_sdk*, flask.
"""
