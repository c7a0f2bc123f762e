"""The words: every patient- and clinician-facing sentence, as YAML per locale (reviewed; keys in
safety/reviewed-content.json), with the loader and schema that check it all at load.
May import: the standard library, pyyaml and skill._paths; nothing else in skill/.
"""
