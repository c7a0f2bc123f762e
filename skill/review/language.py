"""The review pack's measure of what the skill hears: the share of the paraphrase corpus
(tests/paraphrases/, paraphrases.py) the project's NLU places right, per locale and per red
flag. A reviewer signing off the words each locale hears sees how far people's own wordings
reach them, and that every red-flag wording in the corpus reaches its question (issue 12's
target: every red flag, 95% overall).

Measured on the content and models the skill runs (skill/content/); a pack drawn from other
files says so instead of showing figures for files it did not read."""
from __future__ import annotations

import html

from skill.language.paraphrases import Tally, score

COLUMNS = (("all", "overall"), ("red_flags", "red flags"), ("answers", "answers"),
           ("denials_naming_a_sign", "plain denials naming a sign"),
           ("navigation", "navigation"), ("trends", "pain trend"))
TARGETS = {"all": 0.95, "red_flags": 1.0}


def render_paraphrase_figures(locales) -> str:
    tallies = {locale: score(locale) for locale in locales}
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in COLUMNS)
    rows = "".join(
        f"<tr><th>{html.escape(locale)}</th>"
        + "".join(_cell(found.get((key,), Tally()), TARGETS.get(key)) for key, _ in COLUMNS)
        + "</tr>" for locale, found in tallies.items())
    red_flags = sorted({key[1] for found in tallies.values() for key in found
                        if key[0] == "red_flag"})
    flag_head = "".join(f"<th>{html.escape(locale)}</th>" for locale in tallies)
    flag_rows = "".join(
        f"<tr><th><code>{html.escape(flag)}</code></th>"
        + "".join(_cell(found.get(("red_flag", flag), Tally()), 1.0) for found in tallies.values())
        + "</tr>" for flag in red_flags)
    return ('<h3 id="paraphrases">How far people\'s own words reach</h3><p>Each utterance of the '
            "paraphrase corpus (<code>tests/paraphrases/</code>, written from how patients "
            "describe these signs) run through the skill's own language understanding, as "
            "right / total. A red flag counts as reached when its words resolve to it, directly "
            "or through its keywords (which then ask that red flag's question). Targets: every "
            "red flag, and 95% overall.</p>"
            f'<table class="phrases"><tr><th>locale</th>{head}</tr>{rows}</table>'
            f'<table class="phrases"><tr><th>red flag</th>{flag_head}</tr>{flag_rows}</table>')


def not_measured_note() -> str:
    return ('<h3 id="paraphrases">How far people\'s own words reach</h3><p>Not measured: this '
            "pack was drawn from content outside <code>skill/content/</code>, and the corpus "
            "figures are for the files the skill runs.</p>")


def _cell(tally: Tally, target) -> str:
    short = target is not None and tally.share < target
    css = ' class="short"' if short else ""
    return f"<td{css}>{tally.right} / {tally.total} ({tally.share:.1%})</td>"
