"""The review pack's account of what changed since the last sign-off, and its index of notes.

Each changed text is shown old beside new, the changed words marked, so the reviewer reads the
change rather than hunting for it; unchanged texts are not repeated here (they are all in the
content section)."""
from __future__ import annotations

import difflib
import html
import re

from skill.review.content_changes import FileChanges, content_leaves, is_model_file, phrase_list

_WORDS = re.compile(r"(\s+)")


def render_changes(changes: list, problems: list) -> str:
    parts = ['<section id="changes"><h2>1. Changes since the last review</h2>']
    if not any(change.any for change in changes):
        parts.append("<p><b>Nothing changed</b>: every content file has the text that was "
                     "last reviewed.</p>")
    if problems:
        parts.append('<div class="warning"><b>Changed without a new version:</b><ul>'
                     + "".join(f"<li>{_e(p)}</li>" for p in problems) + "</ul></div>")
    for change in changes:
        parts.append(_file_changes(change))
    return "\n".join(parts) + "</section>"


def _file_changes(change: FileChanges) -> str:
    reviewed = (f"reviewed at version {_e(change.reviewed_version)}"
                if change.reviewed_version else "not in the last review: every text is new")
    now = f"version {_e(change.version)}" if change.version else "deleted since the review"
    head = (f'<div class="file-changes" data-changes-file="{_e(change.path)}">'
            f"<h3>{_e(change.path)}</h3><p class=\"meta\">Now {now}; {reviewed}.</p>")
    if not change.any:
        return head + "<p>No change to the text since the review.</p></div>"
    counts = (f"<p>{len(change.changed)} changed, {len(change.added)} added, "
              f"{len(change.removed)} removed.</p>")
    diff = _phrase_diff if is_model_file(change.path) else _word_diff
    rows = [_row(key, "changed", *diff(old, new)) for key, (old, new) in change.changed.items()]
    rows += [_row(key, "added", "", f"<ins>{_e(text)}</ins>")
             for key, text in change.added.items()]
    rows += [_row(key, "removed", f"<del>{_e(text)}</del>", "")
             for key, text in change.removed.items()]
    return (head + counts + '<table class="diff"><tr><th>key</th><th>change</th>'
            "<th>as reviewed</th><th>now</th></tr>" + "".join(rows) + "</table></div>")


def _row(key: str, kind: str, old: str, new: str) -> str:
    return (f'<tr class="{kind}" data-changed-key="{_e(key)}"><td><code>{_e(key)}</code></td>'
            f"<td>{kind}</td><td>{old}</td><td>{new}</td></tr>")


def _word_diff(old: str, new: str) -> tuple:
    """Both texts escaped, the words that differ wrapped in <del> (old) and <ins> (new)."""
    before, after = _WORDS.split(old), _WORDS.split(new)
    old_parts, new_parts = [], []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = _e("".join(before[i1:i2])), _e("".join(after[j1:j2]))
        if tag == "equal":
            old_parts.append(removed)
            new_parts.append(added)
            continue
        if removed:
            old_parts.append(f"<del>{removed}</del>")
        if added:
            new_parts.append(f"<ins>{added}</ins>")
    return "".join(old_parts), "".join(new_parts)


def _phrase_diff(old: str, new: str) -> tuple:
    """For a phrase list (an interaction model's symptom or answer): the phrases removed and
    the phrases added, not two walls of mostly the same phrases."""
    before, after = phrase_list(old), phrase_list(new)
    was, now = set(before), set(after)
    removed = [phrase for phrase in before if phrase not in now]
    added = [phrase for phrase in after if phrase not in was]
    unchanged = len(before) - len(removed)
    return (_phrases("removed", "del", removed),
            _phrases("added", "ins", added)
            + f' <span class="meta">({unchanged} other phrases unchanged)</span>')


def _phrases(label: str, tag: str, phrases: list) -> str:
    if not phrases:
        return f'<span class="meta">none {label}</span>'
    return (f'<span class="meta">{label}:</span> '
            + "; ".join(f'<{tag} class="phrase">{_e(p)}</{tag}>' for p in phrases))


def render_notes_index(files: list) -> str:
    """Every note in one place: where the file records that sources disagree and which won."""
    rows = []
    for file in files:
        for leaf in content_leaves(file.raw):
            if leaf.field == "note":
                rows.append(f"<tr><td>{_e(file.path.name)}</td><td><code>{_e(leaf.key)}</code>"
                            f"</td><td>{_e(leaf.text)}</td></tr>")
    return ('<section id="notes"><h2>3. Notes: where the sources disagree, and which won</h2>'
            "<p>Each note is shown again beside its text in section 4.</p>"
            '<table class="notes"><tr><th>file</th><th>key</th><th>note</th></tr>'
            + "".join(rows) + "</table></section>")


def _e(text: str) -> str:
    return html.escape(text)
