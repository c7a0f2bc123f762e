"""Sciatica Check: a spoken red-flag screen for sciatica. ARCHITECTURE.md maps the rooms below;
imports run one way: tools -> {alexa, review} -> {memory, language} -> conversation -> content.
"""
