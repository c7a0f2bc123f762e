"""The pure core: screen state, questions and outcomes, asides, teach-back, check-in, wrap-up,
the stored record and clinician mode, as step(content, state, event) -> (state, prompt).
May import: skill.content and the standard library; never ask_sdk (tests/test_architecture.py).
"""
