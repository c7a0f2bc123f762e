"""sciatica-skill review-pack and sign-off: the clinical safety case as one HTML file a clinic
can read, print and sign off, and the command that records the sign-off.

The pack is generated, never edited: a header with every version, the changes since the last
review, the screen as a diagram drawn from the engine, every text with its references and
notes, the words each locale hears as a symptom or an answer, and the hazard log. No scripts,
no external URLs, images or fonts (it must open offline, print, and be archived as the
record), and no timestamp unless one is given, so the same content always gives the same
bytes and two packs can be diffed."""
from __future__ import annotations

import argparse
import html
import sys
from datetime import date
from pathlib import Path
from typing import Optional

from skill import _paths
import skill.conversation.triage
from skill.content.loader import ContentError, load_content_file
from skill.review.content_changes import (SNAPSHOT_PATH, compare, load_snapshot, sign_off,
                                          unreviewed_changes_without_new_version)
from skill.review.hazards import load_hazard_log
from skill.language.interaction_model import ModelError
from skill.review.changes import render_changes, render_notes_index
from skill.review.content import read_content_files, render_content_file, render_locale_index
from skill.review.diagram import render_flow_svg
from skill.review.flow import check_in_flow, screen_flow
from skill.review.language import not_measured_note, render_paraphrase_figures
from skill.review.model import read_model_files, render_models
from skill.review.style import STYLE

DEFAULT_OUT = Path("review-pack.html")


def render_review_pack(content_dir: Path = _paths.CONTENT_DIR,
                       snapshot_path: Path = SNAPSHOT_PATH, hazard_log_path: Optional[Path] = None,
                       prepared_on: Optional[str] = None) -> str:
    """The whole pack as HTML text. Raises ContentError if a content file or the hazard log
    does not pass its checks, ModelError if an interaction model does not: a pack of broken
    content must not be signed."""
    files = read_content_files(content_dir)
    models = read_model_files(content_dir)
    snapshot = load_snapshot(snapshot_path)
    changes = compare(snapshot, content_dir)
    problems = unreviewed_changes_without_new_version(snapshot, content_dir)
    hazard_log = load_hazard_log(hazard_log_path)
    sections = [
        _header(files, models, changes, snapshot, problems, hazard_log, snapshot_path,
                prepared_on),
        render_changes(changes, problems),
        _diagrams(files, content_dir),
        render_notes_index(files),
        '<section id="content"><h2>4. Everything the skill says, per locale and mode</h2>'
        + render_locale_index(files, models) + "".join(render_content_file(f) for f in files)
        + "</section>",
        render_models(models, _paraphrase_figures(models, content_dir)),
        _hazards(hazard_log),
        _sign_off_block(),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Sciatica Check: clinical safety review pack</title>"
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(sections)
            + "\n</body></html>\n")


def _header(files, models, changes, snapshot, problems, hazard_log, snapshot_path,
            prepared_on) -> str:
    by_name = {change.path: change for change in changes}
    rows = [_version_row(by_name[file.name], file.kind, file.locales) for file in files]
    rows += [_version_row(by_name[model.name], "interaction model", (model.locale,))
             for model in models]
    reviewer = snapshot.get("reviewed_by")
    last = (f"Last signed off by <b>{_e(reviewer)}</b> on {_e(str(snapshot.get('reviewed_on')))}."
            if reviewer else "<b>Never signed off by a clinical reviewer.</b>")
    return (
        "<header><h1>Sciatica Check: clinical safety review pack</h1>"
        "<p>Sciatica Check is an Alexa skill that screens adults with sciatica for red flags: "
        "any cauda equina sign is an emergency; any other red flag, a same-day review; "
        "otherwise self-care advice. This pack is generated from the content files and the "
        "screen's engine (<code>sciatica-skill review-pack</code>) so that a clinical reviewer "
        "reads it instead of the YAML: every spoken and displayed text with its references, "
        "the notes where sources disagree, the question order as a diagram, the words each "
        "locale hears as a symptom or as yes, no and not sure, the changes since the last "
        "review, and the hazard log.</p>"
        + (f"<p>Prepared on {_e(prepared_on)}.</p>" if prepared_on else "")
        + f"<p>{last} Snapshot note: {_e(str(snapshot.get('note')))}</p>"
        + (f'<div class="warning"><b>{len(problems)} file(s) changed without a new '
           f'version</b>: see <a href="#changes">section 1</a>; raise the <code>version</code> '
           f"before signing off.</div>" if problems else "")
        + '<h2 id="versions">Versions</h2><table class="versions"><tr><th>content file</th>'
        "<th>kind</th><th>serves</th><th>version</th><th>reviewed version</th><th>since the "
        "review</th></tr>" + "".join(rows) + "</table>"
        + f"<p>Hazard log <code>safety/hazard-log.yaml</code>, version "
        f"<b>{_e(hazard_log.version)}</b> ({len(hazard_log.hazards)} hazards).</p>"
        "<h2>How to sign off</h2><ol><li>Read sections 1 to 6; check each changed text "
        "(section 1) against its references, and every note.</li><li>Record concerns as "
        "issues; content changes come back as a new version and a new pack.</li><li>When "
        "satisfied, sign the block at the end of a printed copy, and record the review in the "
        'repository: <code>sciatica-skill sign-off --reviewer "Name, role" --date '
        "YYYY-MM-DD</code>. That writes <code>"
        + _e(_shown_path(snapshot_path)) + "</code> with the reviewed version and texts of every "
        "content file, which the next pack compares against.</li></ol>"
        '<nav><a href="#changes">1. Changes</a> · <a href="#diagram">2. Question order</a> · '
        '<a href="#notes">3. Notes</a> · <a href="#content">4. Texts</a> · '
        '<a href="#heard">5. What the skill hears</a> · <a href="#hazards">6. Hazard log</a> · '
        '<a href="#sign">Sign-off</a></nav></header>')


def _version_row(change, kind: str, locales) -> str:
    status = ("new since the review" if change.reviewed_version is None
              else f"{len(change.keys)} text(s) changed" if change.any else "unchanged")
    return (f"<tr><td>{_e(change.path)}</td><td>{_e(kind)}</td><td>{_e(', '.join(locales))}"
            f"</td><td><b>{_e(str(change.version))}</b></td>"
            f"<td>{_e(str(change.reviewed_version or '-'))}</td><td>{_e(status)}</td></tr>")


def _diagrams(files, content_dir: Path) -> str:
    """One pair of diagrams (first screen, check-in) per distinct question structure."""
    groups: dict = {}
    for locale in (file.locales[0] for file in files if file.kind == "patient"):
        content = load_content_file(Path(content_dir) / f"{locale}.yaml")
        flows = (screen_flow(content), check_in_flow(content))
        groups.setdefault(tuple(flow.structure() for flow in flows), (flows, []))[1].append(locale)
    parts = ['<section id="diagram"><h2>2. The question order</h2><p>Drawn from the content '
             "and by running the screen's own engine (<code>skill/conversation/triage.py</code>) on every "
             "answer, not by hand. Boxes are labelled with question ids, which are the same in "
             "every locale; outcome titles are in the first locale's words. Red arrows lead to "
             "the emergency outcome, amber to urgent.</p><p>The engine's safety rules, as "
             "written at the top of <code>skill/conversation/triage.py</code>:</p>"
             f'<pre class="rules">{_e(_safety_rules())}</pre>']
    for (flows, locales) in groups.values():
        shared = ", ".join(locales)
        parts.append(f'<div class="diagram"><h3>First screen: {_e(shared)}</h3>'
                     + render_flow_svg(flows[0], f"First screen for {shared}") + "</div>")
        parts.append(f'<div class="diagram"><h3>Returning-user check-in: {_e(shared)}</h3>'
                     + render_flow_svg(flows[1], f"Check-in for {shared}") + "</div>")
    return "\n".join(parts) + "</section>"


def _paraphrase_figures(models, content_dir: Path) -> str:
    if Path(content_dir).resolve() != _paths.CONTENT_DIR.resolve():
        return not_measured_note()
    return render_paraphrase_figures([model.locale for model in models])


def _safety_rules() -> str:
    doc = skill.conversation.triage.__doc__ or ""
    start = doc.find("Safety rules")
    return doc[start:].strip() if start >= 0 else doc.strip()


def _hazards(log) -> str:
    rows = []
    for hazard in log.hazards:
        mitigations = "".join(
            f"<li>{_e(m.text)}" + ("<br><span class=\"tests\">"
                                   + "<br>".join(_e(t) for t in m.tests) + "</span>"
                                   if m.tests else "") + "</li>" for m in hazard.mitigations)
        rows.append(
            f'<tr data-hazard="{_e(hazard.id)}"><th>{_e(hazard.id)}</th><td><b>{_e(hazard.title)}'
            f"</b><br><i>Cause:</i> {_e(hazard.cause)}<br><i>Effect:</i> {_e(hazard.effect)}</td>"
            f"<td>{_assessment(hazard.before)}</td><td><ul>{mitigations}</ul></td>"
            f"<td>{_assessment(hazard.after)}</td><td>{_e(hazard.residual)}</td></tr>")
    return ('<section id="hazards"><h2>6. Hazard log</h2>'
            f"<p>Version <b>{_e(log.version)}</b>, from <code>safety/hazard-log.yaml</code>. "
            "Ratings from 1 (lowest) to 5; each mitigation names the tests that show it "
            'works.</p><table class="hazards"><tr><th>id</th><th>hazard</th><th>before</th>'
            "<th>mitigations and their tests</th><th>after</th><th>residual risk</th></tr>"
            + "".join(rows) + "</table></section>")


def _assessment(assessment) -> str:
    return (f'<span class="rating r{assessment.rating}">{assessment.rating}</span> '
            f"{_e(assessment.severity)}, {_e(assessment.likelihood.replace('_', ' '))}")


def _sign_off_block() -> str:
    lines = "".join(f"<tr><th>{label}</th><td></td></tr>" for label in
                    ("Reviewer name", "Role and registration", "Date", "Signature",
                     "Versions reviewed (from the table at the top)"))
    return ('<section id="sign"><h2>Clinical reviewer sign-off</h2><p>I have reviewed the '
            "content and hazard log at the versions listed at the top of this pack.</p>"
            f'<table class="signature">{lines}</table></section>')


def _shown_path(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(_paths.REPO_ROOT))
    except ValueError:
        return str(path)


def _e(text: str) -> str:
    return html.escape(text)


def register(commands) -> None:
    """Add `review-pack` and `sign-off` to sciatica-skill's argparse subparsers."""
    pack = commands.add_parser("review-pack", help="write the clinical review pack (one HTML file)")
    pack.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    pack.add_argument("--snapshot", type=Path, default=SNAPSHOT_PATH,
                      help="the last reviewed snapshot (default: safety/reviewed-content.json)")
    pack.add_argument("--hazard-log", type=Path, default=None,
                      help="default: safety/hazard-log.yaml")
    pack.add_argument("--date", type=_iso_day, default=None,
                      help="print this as the date prepared (default: none, so the same "
                           "content always gives the same file)")
    pack.set_defaults(run=_write_pack)
    sign = commands.add_parser("sign-off", help="record the content as clinically reviewed")
    sign.add_argument("--reviewer", required=True, help='who reviewed it: "Name, role"')
    sign.add_argument("--date", type=_iso_day, default=None, help="YYYY-MM-DD (default: today)")
    sign.add_argument("--snapshot", type=Path, default=SNAPSHOT_PATH,
                      help="where to record it (default: safety/reviewed-content.json)")
    sign.set_defaults(run=_sign_off)


def _iso_day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def _write_pack(args) -> int:
    try:
        text = render_review_pack(snapshot_path=args.snapshot, hazard_log_path=args.hazard_log,
                                  prepared_on=args.date)
    except (ContentError, ModelError) as error:
        print(f"no review pack: the content, a model, the hazard log or the snapshot does not "
              f"pass its checks\n{error}",
              file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(text.encode("utf-8"))
    print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes)")
    return 0


def _sign_off(args) -> int:
    try:
        snapshot = sign_off(args.reviewer, args.date or date.today().isoformat(), args.snapshot)
    except ValueError as error:
        print(f"sign-off refused: {error}", file=sys.stderr)
        return 2
    print(f"recorded {len(snapshot['files'])} content files as reviewed by "
          f"{snapshot['reviewed_by']} on {snapshot['reviewed_on']} in {args.snapshot}")
    return 0
