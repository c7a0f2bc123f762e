"""The content files as a clinical reviewer reads them in the review pack: every text leaf
(content_changes.content_leaves, the same leaves the sign-off records), grouped by the item it
belongs to, beside its references' full citations, with any `note` shown first and prominently
(notes record where sources disagree and which won).

Placeholders are shown filled with the locale's facts and named, so the reviewer checks the
real emergency number; a file several locales share shows each locale's value."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from skill.content.loader import DEFAULT_LOCALE, companion_file
from skill.review.content_changes import ORDER_FIELD, content_leaves, read_raw, relative_name

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
COMPANION_KINDS = {"clinician": "Clinician mode", "screen": "Screen labels"}
COUNTRIES_FILE = "countries.values.yaml"
MODE_OF_SECTION = {"check_in": "Returning-user check-in"}   # every other section: the screen
PATIENT_MODE = "Patient screen"


@dataclass(frozen=True)
class ContentFile:
    path: Path
    raw: Mapping
    kind: str            # "patient", "clinician", "screen" or "countries"
    locales: tuple       # the locales whose users hear or see it
    references: Mapping  # reference key -> citation
    values: tuple        # ((locale, {name: value}), ...) for the locales it serves

    @property
    def name(self) -> str:
        return relative_name(self.path)

    @property
    def anchor(self) -> str:
        return "file-" + re.sub(r"[^A-Za-z0-9-]", "-", self.path.name)


def read_content_files(content_dir: Path) -> list:
    """Every reviewed content file with what it needs to be shown: patient files by locale,
    then the shared and own clinician and screen files, each with the locales it serves (as
    the skill resolves them: content.companion_file)."""
    patients = sorted((p for p in Path(content_dir).glob("*.yaml") if p.stem.count(".") == 0),
                      key=lambda p: (p.stem != DEFAULT_LOCALE, p.stem))   # en-US first
    raw_by_locale = {p.stem: read_raw(p) for p in patients}
    served: dict = {}
    for locale in raw_by_locale:
        for kind in COMPANION_KINDS:
            chosen = companion_file(locale, kind)
            if chosen is not None and (Path(content_dir) / chosen.name).is_file():
                served.setdefault(chosen.name, []).append(locale)
    files = [ContentFile(p, raw_by_locale[p.stem], "patient", (p.stem,),
                         raw_by_locale[p.stem].get("references", {}),
                         ((p.stem, raw_by_locale[p.stem].get("values", {})),)) for p in patients]
    for kind in COMPANION_KINDS:
        for path in sorted(Path(content_dir).glob(f"*.{kind}.yaml")):
            locales = tuple(served.get(path.name, ()))
            own = raw_by_locale.get(path.name.split(".")[0], {})   # references use its keys
            files.append(ContentFile(path, read_raw(path), kind, locales,
                                     own.get("references", {}),
                                     tuple((loc, raw_by_locale[loc].get("values", {}))
                                           for loc in locales)))
    countries = Path(content_dir) / COUNTRIES_FILE
    if countries.is_file():   # the values that follow where a device stands (issue 15)
        raw = read_raw(countries)
        files.append(ContentFile(countries, raw, "countries", (), raw.get("references", {}), ()))
    return files


def render_locale_index(files: list, models: list = ()) -> str:
    """Per locale, where each of its four modes is in the pack, and what it hears (section 5;
    `models` are review_model.ModelFile)."""
    model_of = {model.locale: model for model in models}
    rows = []
    for patient in (f for f in files if f.kind == "patient"):
        locale = patient.locales[0]
        cells = [f'<a href="#{patient.anchor}--screen">{PATIENT_MODE}</a>',
                 f'<a href="#{patient.anchor}--check_in">{MODE_OF_SECTION["check_in"]}</a>']
        for kind, title in COMPANION_KINDS.items():
            shared = [f for f in files if f.kind == kind and locale in f.locales]
            cells.append(f'<a href="#{shared[0].anchor}">{title}: {_e(shared[0].path.name)}</a>'
                         if shared else f"{title}: none for {_e(locale)} yet")
        model = model_of.get(locale)
        cells.append(f'<a href="#{model.anchor}">What it hears: {_e(model.path.name)}</a>'
                     if model else f"What it hears: no model for {_e(locale)}")
        rows.append(f"<tr><th>{_e(locale)}</th>" + "".join(f"<td>{c}</td>" for c in cells)
                    + "</tr>")
    return ('<table class="index"><tr><th>locale</th><th colspan="5">modes</th></tr>'
            + "".join(rows) + "</table>")


def render_content_file(file: ContentFile) -> str:
    serves = ", ".join(file.locales) or "no locale"
    what = {"patient": f"the patient screen and check-in for {serves}",
            "clinician": f"clinician mode, shared by {serves}",
            "screen": f"screen labels, shared by {serves}",
            "countries": "each country's emergency number with its source, and the locale "
                         "whose values are right there, for a device whose country is known "
                         "(every locale's words, hazard H05)"}[file.kind]
    head = (f'<section class="file" id="{file.anchor}" data-file="{_a(file.name)}">'
            f"<h3>{_e(file.name)}</h3><p class=\"meta\">{_e(what)}; version "
            f"<b>{_e(str(file.raw.get('version')))}</b>.</p>")
    modes: dict = {}
    for block, leaves in _blocks(content_leaves(file.raw)).items():
        mode = MODE_OF_SECTION.get(block[0], PATIENT_MODE) if block and file.kind == "patient" \
            else ""
        modes.setdefault(mode, []).append(_render_block(file, block, leaves))
    body = []
    for mode, blocks in modes.items():
        if mode:
            slug = "check_in" if mode != PATIENT_MODE else "screen"
            body.append(f'<h4 class="mode" id="{file.anchor}--{slug}">{_e(mode)}: '
                        f"{_e(file.locales[0])}</h4>" + _mode_intro(file, slug))
        body += blocks
    return head + "\n".join(body) + "</section>"


def _mode_intro(file: ContentFile, slug: str) -> str:
    if slug != "check_in":
        return ""
    again = [q["id"] for q in file.raw.get("questions", []) if q.get("outcome_if_yes") == "emergency"]
    own = [q["id"] for q in file.raw.get("questions", []) if q.get("check_in_only")]
    tips = [a["id"] for a in file.raw.get("advice", []) if "check_in" in a.get("for", [])]
    return (f'<p class="meta">A remembered user hears the welcome back and the trend question, '
            f"then the cauda equina questions again, in full: {_e(', '.join(again))}; then "
            f"the questions asked only at a check-in: {_e(', '.join(own) or 'none')}; with no "
            f"red flag and the "
            f"pain not "
            f"worse, the advice for the day (stages below) and the tips marked check_in: "
            f"{_e(', '.join(tips))}.</p>")


def _blocks(leaves: list) -> dict:
    blocks: dict = {}
    for leaf in leaves:
        blocks.setdefault(leaf.block, []).append(leaf)
    return blocks


def _render_block(file: ContentFile, block: tuple, leaves: list) -> str:
    title = " › ".join(block) or "file"
    notes = [leaf for leaf in leaves if leaf.field == "note"]
    parts = [f'<div class="block"><h5>{_e(title)}</h5>']
    for leaf in notes:
        parts.append(f'<div class="note" {key_attrs(file, leaf)}><b>Note:</b> '
                     f"{_display(leaf.text, file)}</div>")
    parts.append('<table class="texts">')
    for leaf in leaves:
        if leaf.field == "note":
            continue
        css = f' class="outcome-{_a(leaf.text)}"' if leaf.field == "outcome_if_yes" else ""
        parts.append(f"<tr {key_attrs(file, leaf)}{css}><th>{_e(leaf.field)}</th>"
                     f"<td>{_cell(file, leaf)}</td></tr>")
    parts.append("</table></div>")
    return "".join(parts)


def _cell(file: ContentFile, leaf) -> str:
    if leaf.field == "references":
        keys = [key.strip() for key in leaf.text.split(",") if key.strip()]
        cites = "".join(f"<li><b>{_e(key)}</b>: "
                        + (_e(file.references[key]) if key in file.references
                           else '<span class="missing">not in the references list</span>')
                        + "</li>" for key in keys)
        return f'<span class="refkeys">{_e(leaf.text)}</span><ul class="cites">{cites}</ul>'
    if leaf.field == ORDER_FIELD:
        return f'<span class="order">{_e(leaf.text)}</span>'
    return _display(leaf.text, file)


def _display(text: str, file: ContentFile) -> str:
    """The text escaped, each {placeholder} shown filled with the fact for every locale the
    file serves, and named; placeholders that are not facts (dates, counters) are marked as
    filled in when spoken."""
    parts, position = [], 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(_e(text[position:match.start()]))
        parts.append(_placeholder(match.group(1), file))
        position = match.end()
    parts.append(_e(text[position:]))
    return "".join(parts)


def _placeholder(name: str, file: ContentFile) -> str:
    filled = [(locale, values[name]) for locale, values in file.values if name in values]
    label = f'<span class="fact-name">{{{_e(name)}}}</span>'
    if not filled:
        return f'<span class="slot" title="filled in when spoken">{{{_e(name)}}}</span>'
    if len({str(value) for _, value in filled}) == 1:
        return f'<span class="fact">{_e(str(filled[0][1]))}{label}</span>'
    each = " · ".join(f"{_e(str(value))} ({_e(locale)})" for locale, value in filled)
    return f'<span class="fact">{each}{label}</span>'


def key_attrs(file, leaf) -> str:
    """The attributes that tie a shown text to the file and key the sign-off records it under
    (`file` is a ContentFile or a review_model.ModelFile), so a test can find every text."""
    return f'data-file="{_a(file.name)}" data-key="{_a(leaf.key)}"'


def _e(text: str) -> str:
    return html.escape(text)


def _a(text: str) -> str:
    return html.escape(text, quote=True)
