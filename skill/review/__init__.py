"""Clinical safety review: the hazard log, change control of the reviewed words (sign-off), and
the review pack (one HTML file) with its flow diagrams, content, models and language figures.
May import: skill.memory, skill.language, skill.conversation, skill.content; not skill.alexa.
"""
