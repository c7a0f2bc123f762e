"""The review pack a clinic signs off: complete (every text, version and hazard), readable
offline, deterministic, and its diagram drawn from the engine's real rules."""
import html
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser

import pytest
import yaml

from skill.tools.cli import main
from skill.content.loader import CONTENT_DIR, load_content
from skill.review.content_changes import (ANSWER_INTENTS, PHRASE_SEPARATOR, SNAPSHOT_PATH,
                                          content_files, content_leaves, current_files, phrase_list,
                                          read_raw, relative_name, reviewed_leaves, write_snapshot)
from skill.review.hazards import load_hazard_log
from skill.language.interaction_model import ModelError, model_locales
from skill.review.diagram import render_flow_svg
from skill.review.flow import check_in_flow, screen_flow
from skill.review.pack import render_review_pack

VOID = {"br", "meta", "hr", "img", "input", "wbr", "col", "area", "base", "link", "source"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class StrictPage(HTMLParser):
    """Fails on any tag closed out of order; collects each data-key element's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.problems, self.texts, self._keyed = [], [], {}, []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        self.open.append(tag)
        if "data-key" in attrs:
            key = (attrs["data-file"], attrs["data-key"])
            if key in self.texts:
                self.problems.append(f"{key} shown twice")
            self.texts[key] = ""
            self._keyed.append((key, len(self.open)))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
            return
        if self._keyed and self._keyed[-1][1] == len(self.open):
            self._keyed.pop()
        self.open.pop()

    def handle_data(self, data):
        for key, _ in self._keyed:
            self.texts[key] += data


@pytest.fixture(scope="module")
def pack():
    return render_review_pack()


@pytest.fixture(scope="module")
def page(pack):
    parser = StrictPage()
    parser.feed(pack)
    parser.close()
    return parser


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_pack_is_well_formed_html(page):
    assert page.problems == [] and page.open == []


def test_diagrams_are_well_formed_svg(pack):
    svgs = re.findall(r"<svg\b.*?</svg>", pack, re.S)
    assert len(svgs) >= 2
    for svg in svgs:
        assert ET.fromstring(svg).tag == "svg"


def test_pack_shows_every_text_of_every_content_file_with_its_key(pack, page):
    missing = []
    for path in content_files():
        name = relative_name(path)
        for leaf in reviewed_leaves(path, read_raw(path)):
            shown = page.texts.get((name, leaf.key))
            if shown is None:
                missing.append(f"{name}: {leaf.key} not shown")
                continue
            for fragment in PLACEHOLDER.split(leaf.text):   # placeholders are shown filled
                if squeeze(fragment) not in squeeze(shown):
                    missing.append(f"{name}: {leaf.key} lacks {fragment!r}")
    assert missing == []


def test_placeholders_show_the_locales_fact_and_name_it(pack):
    facts = load_content("en-GB").values
    assert f'{facts["emergency_number"]}<span class="fact-name">{{emergency_number}}</span>' in pack
    assert "999 (en-GB)" in pack   # the shared screen labels show every English locale's number


def test_every_reference_is_shown_with_its_full_citation(pack):
    for reference, citation in load_content("en-US").references.items():
        assert f"<li><b>{html.escape(reference)}</b>: {html.escape(citation)}</li>" in pack
    assert "not in the references list" not in pack


def test_notes_are_shown_first_in_their_block_and_again_in_the_index(pack):
    notes = [leaf for leaf in content_leaves(read_raw(CONTENT_DIR / "en-US.yaml"))
             if leaf.field == "note"]
    assert notes
    for leaf in notes:
        shown = f'<div class="note" data-file="skill/content/en-US.yaml" data-key="{leaf.key}">'
        assert shown in pack
        assert f"<code>{leaf.key}</code></td><td>{html.escape(leaf.text)}</td>" in pack


def test_pack_names_every_version_and_every_hazard(pack):
    for path in content_files():
        version = str(read_raw(path)["version"])
        row = rf"<td>{re.escape(relative_name(path))}</td>.*?<b>{re.escape(version)}</b>"
        assert re.search(row, pack)
    log = load_hazard_log()
    assert f"version <b>{log.version}</b>" in pack
    for hazard in log.hazards:
        assert f'data-hazard="{hazard.id}"' in pack


def test_pack_is_self_contained(pack):
    for forbidden in ("http://", "https://", "src=", "<script", "<link", "@import", "<img"):
        assert forbidden not in pack
    assert re.findall(r"url\((?!#)", pack) == []
    assert re.findall(r'href="(?!#)', pack) == []


def test_pack_is_deterministic(pack):
    assert render_review_pack() == pack


def test_pack_is_the_same_bytes_in_another_process(pack, tmp_path):
    # String hashing differs between processes: nothing may depend on a set's order.
    out = tmp_path / "pack.html"
    subprocess.run([sys.executable, "-m", "skill.tools.cli", "review-pack", "--out", str(out)],
                   check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert out.read_text(encoding="utf-8") == pack


def flow_svg(pack: str, name: str) -> str:
    return re.search(rf'<svg\b[^>]*data-flow="{name}".*?</svg>', pack, re.S)[0]


def diagram_parts(svg: str) -> tuple:
    root = ET.fromstring(svg)
    nodes = {g.get("data-node") for g in root.iter("g") if g.get("data-node")}
    edges = {(g.get("data-from"), g.get("data-to")) for g in root.iter("g") if g.get("data-from")}
    return nodes, edges


def test_screen_diagram_has_every_question_and_where_each_answer_leads(pack):
    content = load_content("en-US")
    nodes, edges = diagram_parts(flow_svg(pack, "screen"))
    assert not any(f"question:{q.id}" in nodes for q in content.questions if q.check_in_only)
    for question in content.screen_questions:
        assert f"question:{question.id}" in nodes
        assert (f"question:{question.id}", f"outcome:{question.outcome_if_yes}") in edges
        if question.outcome_if_yes == "emergency":   # not sure: clarified once, then counts as yes
            assert (f"question:{question.id}", f"clarify:{question.id}") in edges
            assert (f"clarify:{question.id}", "outcome:emergency") in edges
    assert (f"question:{content.screen_questions[-1].id}", "outcome:self_care") in edges
    assert {"outcome:emergency", "outcome:urgent", "outcome:self_care", "wrap:consent",
            "start:welcome"} <= nodes


def test_check_in_diagram_asks_the_cauda_equina_questions_again(pack):
    content = load_content("en-US")
    nodes, edges = diagram_parts(flow_svg(pack, "check_in"))
    asked = {node for node in nodes if node.startswith("question:")}
    assert asked == {f"question:{q.id}" for q in content.check_in_questions}
    assert content.check_in_questions[:len(content.emergency_questions)] == \
        content.emergency_questions
    assert ("start:trend", f"question:{content.emergency_questions[0].id}") in edges
    assert {"outcome:emergency", "outcome:urgent", "outcome:self_care"} <= nodes


def test_check_in_diagram_ends_a_worse_trend_after_the_signs_for_the_emergency_department():
    # "Worse" is a doctor today: the check-in still asks the signs that would send the person
    # to the emergency department instead, never the ones for within days, so the last
    # question's "no" must not be drawn as leading anywhere for "worse".
    content = load_content("en-US")
    flow = check_in_flow(content)
    labelled = {(e.source, e.target, e.label) for e in flow.edges}
    today, within_days = (f"question:{q.id}" for q in content.check_in_questions
                          if q.check_in_only)
    assert (today, "outcome:urgent", "yes / not sure / no (worse)") in labelled
    assert (today, within_days, "no (better / same)") in labelled
    assert not any(source == within_days and "worse" in label for source, _, label in labelled)


def test_diagram_follows_the_content_a_new_cauda_equina_question_appears():
    content = load_content("en-US")
    extra = replace(content.questions[0], id="new_sign")
    changed = replace(content, questions=content.questions[:1] + (extra,) + content.questions[1:])
    nodes, edges = diagram_parts(render_flow_svg(screen_flow(changed), "test"))
    assert {"question:new_sign", "clarify:new_sign"} <= nodes
    assert ("question:new_sign", "outcome:emergency") in edges
    assert ("question:new_sign", f"question:{content.questions[1].id}") in edges
    assert "question:new_sign" in diagram_parts(render_flow_svg(check_in_flow(changed), "t"))[0]


def pack_reviewed_as(tmp_path, files: dict) -> str:
    """The pack against a snapshot that records `files` as reviewed by Dr Test."""
    snapshot = tmp_path / "reviewed.json"
    write_snapshot({"reviewed_by": "Dr Test, GP", "reviewed_on": "2026-12-01", "note": "test",
                    "files": files}, snapshot)
    return render_review_pack(snapshot_path=snapshot)


def row_from(html_text: str, start: str) -> str:
    return html_text[html_text.index(start):].split("</tr>")[0]


def changed_row(pack: str, name: str, key: str) -> str:
    section = pack[pack.index(f'data-changes-file="skill/content/{name}"'):]
    return row_from(section, f'data-changed-key="{key}"')


def test_changes_section_shows_a_changed_text_old_beside_new(tmp_path):
    files = current_files()
    texts = files["skill/content/en-US.yaml"]["texts"]
    texts["questions.bladder.ask"] = "An older bladder question?"
    pack = pack_reviewed_as(tmp_path, files)
    row = changed_row(pack, "en-US.yaml", "questions.bladder.ask")
    assert "<del>older</del>" in row and "An" in row and "changed" in row
    assert "Dr Test, GP" in pack


def test_changes_section_says_so_when_nothing_changed(tmp_path):
    pack = pack_reviewed_as(tmp_path, current_files())
    assert "<b>Nothing changed</b>" in pack and "data-changed-key" not in pack


def model_section(pack: str, locale: str) -> str:
    start = pack.index(f'data-model="skill/content/{locale}.model.yaml"')
    return pack[start:pack.index("</section>", start)]


@pytest.mark.parametrize("locale", model_locales())
def test_pack_shows_every_symptom_id_with_its_phrases_and_the_answer_words(pack, locale):
    raw = read_raw(CONTENT_DIR / f"{locale}.model.yaml")
    section = model_section(pack, locale)
    assert f"version <b>{raw['version']}</b>" in section
    for symptom_id, value in raw["slot_types"]["SymptomType"].items():
        row = row_from(section, f"<th><code>{symptom_id}</code></th>")
        assert html.escape(value["name"]) in row
        assert all(html.escape(phrase) in row for phrase in value["synonyms"][-1:])
    for intent in ANSWER_INTENTS:
        row = row_from(section, f"<th><code>{intent}</code></th>")
        assert html.escape(raw["intents"][intent]["samples"][0]) in row


def test_pack_says_what_each_symptom_does_in_the_locales_screen(pack):
    section = model_section(pack, "en-GB")
    bladder = row_from(section, "<th><code>bladder</code></th>")
    back_pain = row_from(section, "<th><code>back_pain</code></th>")
    assert "emergency" in bladder and "not a red flag" in back_pain


ASKS_FIRST = ("asks this sign's question first (the phrase can describe something "
              "long-standing)")


@pytest.mark.parametrize("locale", model_locales())
def test_pack_shows_the_ask_first_phrases_in_their_own_row_with_what_they_do(pack, locale):
    raw = read_raw(CONTENT_DIR / f"{locale}.model.yaml")
    section = model_section(pack, locale)
    asking = {symptom_id: value["ask_first"]
              for symptom_id, value in raw["slot_types"]["SymptomType"].items()
              if value.get("ask_first")}
    assert {"bladder", "saddle", "bowel", "both_legs", "sexual_function"} <= set(asking)
    for symptom_id, phrases in asking.items():
        row = row_from(section, f"<th><code>{symptom_id}_ask_first</code></th>")
        assert html.escape(ASKS_FIRST) in row and f"question {symptom_id}" in row
        assert f'data-key="symptoms.{symptom_id}.ask_first"' in row
        for phrase in phrases:
            assert html.escape(phrase) in row, phrase
        counted = row_from(section, f"<th><code>{symptom_id}</code></th>")
        assert html.escape(ASKS_FIRST) not in counted
        assert not any(f"; {html.escape(p)};" in f"; {counted.split(':</span> ')[-1]};"
                       for p in phrases)


def test_pack_says_an_ask_first_phrase_of_a_sign_the_screen_lacks_is_not_recognised(tmp_path):
    for path in content_files():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    model = tmp_path / "en-GB.model.yaml"
    raw = yaml.safe_load(model.read_text(encoding="utf-8"))
    raw["slot_types"]["SymptomType"]["back_pain"]["ask_first"] = ["a grumbling back"]
    model.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    row = row_from(model_section(render_review_pack(content_dir=tmp_path), "en-GB"),
                   "<th><code>back_pain_ask_first</code></th>")
    assert "a grumbling back" in row and html.escape(ASKS_FIRST) not in row
    assert "does not recognise" in row


def test_pack_versions_table_lists_every_model_file(pack):
    versions = pack[pack.index('<table class="versions">'):].split("</table>")[0]
    for locale in model_locales():
        assert re.search(rf"<td>skill/content/{locale}\.model\.yaml</td><td>interaction model"
                         rf"</td><td>{locale}</td>", versions)


def test_changes_section_shows_an_added_phrase_as_added_not_the_whole_list(tmp_path):
    files = current_files()
    texts = files["skill/content/en-GB.model.yaml"]["texts"]
    bladder = phrase_list(texts["symptoms.bladder"])
    texts["symptoms.bladder"] = PHRASE_SEPARATOR.join(p for p in bladder if p != "wet myself")
    row = changed_row(pack_reviewed_as(tmp_path, files), "en-GB.model.yaml", "symptoms.bladder")
    assert re.findall(r"<ins[^>]*>(.*?)</ins>", row) == ["wet myself"]
    assert "<del" not in row and "none removed" in row
    assert f"({len(bladder) - 1} other phrases unchanged)" in row
    assert html.escape(bladder[0]) not in row   # the unchanged phrases are not repeated


def test_a_broken_model_makes_no_pack(tmp_path):
    for path in content_files():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    model = tmp_path / "en-GB.model.yaml"
    raw = yaml.safe_load(model.read_text(encoding="utf-8"))
    del raw["version"]
    model.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelError, match="version: is missing"):
        render_review_pack(content_dir=tmp_path)


def test_cli_review_pack_writes_the_file(tmp_path, capsys):
    out = tmp_path / "tmp" / "x.html"
    assert main(["review-pack", "--out", str(out), "--date", "2026-12-01"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Prepared on 2026-12-01." in text
    assert str(out) in capsys.readouterr().out


def test_cli_sign_off_writes_the_snapshot(tmp_path):
    snapshot = tmp_path / "reviewed.json"
    assert main(["sign-off", "--reviewer", "Dr A Smith, GP", "--date", "2026-12-01",
                 "--snapshot", str(snapshot)]) == 0
    saved = json.loads(snapshot.read_text(encoding="utf-8"))
    assert (saved["reviewed_by"], saved["reviewed_on"]) == ("Dr A Smith, GP", "2026-12-01")
    assert set(saved["files"]) == {relative_name(p) for p in content_files()}


def test_cli_sign_off_refuses_an_empty_reviewer(tmp_path, capsys):
    snapshot = tmp_path / "reviewed.json"
    assert main(["sign-off", "--reviewer", " ", "--snapshot", str(snapshot)]) == 2
    assert "reviewer" in capsys.readouterr().err and not snapshot.exists()


def test_default_snapshot_is_the_one_in_safety():
    assert SNAPSHOT_PATH.parts[-2:] == ("safety", "reviewed-content.json")


def test_the_pack_shows_how_far_the_paraphrase_corpus_reaches_per_locale_and_red_flag(pack):
    from skill.language.paraphrases import score

    figures = pack[pack.index('id="paraphrases"'):]
    figures = figures[:figures.index("</section>")]
    for model in content_files():
        if model.name.endswith(".model.yaml"):
            locale = model.name.split(".")[0]
            overall = score(locale)[("all",)]
            assert f"<th>{locale}</th><td>{overall.right} / {overall.total} " in figures
    for flag in ("bladder", "saddle", "cancer", "night_pain"):
        assert f"<code>{flag}</code>" in figures


def test_a_pack_of_other_files_does_not_show_the_skills_figures_as_theirs(tmp_path):
    for path in content_files():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    pack = render_review_pack(content_dir=tmp_path)
    assert "Not measured" in pack and "right / total" not in pack


def test_every_row_class_the_pack_uses_for_an_outcome_has_its_colour(pack):
    """The reviewer sees cauda equina rows in red and same-day rows in amber: each outcome
    class on a row has a rule in the pack's style (a rename once left them uncoloured)."""
    used = set(re.findall(r'<tr class="(outcome-[a-z_]+)"', pack))
    assert {"outcome-emergency", "outcome-urgent"} <= used
    for css_class in used & {"outcome-emergency", "outcome-urgent"}:
        assert f"tr.{css_class} td" in pack, css_class
