"""The review pack's stylesheet, inline in the page: system fonts only, nothing fetched, and
print rules so a printed copy can be read and signed (each file and diagram starts a page)."""

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       font-size: 14px; line-height: 1.45; color: #1a1a1a; max-width: 1100px;
       margin: 0 auto; padding: 1em 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #1f5fa8; padding-bottom: 0.2em; margin-top: 2em; }
h3 { margin: 1.4em 0 0.3em; }
h4.mode { background: #1f5fa8; color: #ffffff; padding: 0.3em 0.6em; margin: 1.2em 0 0.5em; }
h5 { margin: 0.8em 0 0.2em; font-size: 1em; color: #44546a; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0 0.8em; }
th, td { border: 1px solid #c9cfd8; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #f2f4f7; font-weight: 600; }
table.texts th { width: 11em; font-family: ui-monospace, Menlo, Consolas, monospace;
                 font-size: 0.85em; }
code, .order, .refkeys, .tests { font-family: ui-monospace, Menlo, Consolas, monospace;
                                 font-size: 0.9em; }
.meta { color: #44546a; margin: 0.2em 0; }
.note { background: #fff4cc; border-left: 5px solid #d9a400; padding: 0.4em 0.7em;
        margin: 0.3em 0; }
.warning { background: #fde7ea; border-left: 5px solid #b00020; padding: 0.4em 0.7em; }
.fact { background: #e3f1e5; border: 1px solid #2e7d32; border-radius: 3px; padding: 0 0.2em;
        font-weight: 600; }
.fact-name { font-weight: normal; font-size: 0.75em; color: #2e7d32; margin-left: 0.3em;
             font-family: ui-monospace, Menlo, Consolas, monospace; }
.slot { background: #eef1f5; border: 1px dashed #44546a; border-radius: 3px; padding: 0 0.2em;
        font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
.missing { color: #b00020; font-weight: 600; }
ul.cites { margin: 0.2em 0 0; padding-left: 1.2em; font-size: 0.9em; }
tr.outcome-emergency td { color: #b00020; font-weight: 700; }
tr.outcome-urgent td { color: #a85f00; font-weight: 700; }
table.diff td:nth-child(3), table.diff td:nth-child(4) { width: 38%; }
table.phrases th:first-child { width: 11em; }
table.phrases td:nth-child(2) { width: 14em; }
table.phrases td:last-child { color: inherit; font-weight: normal; font-size: 0.9em; }
td.short { background: #fde2e1; font-weight: bold; }
.count { color: #44546a; font-weight: 600; }
del { background: #fbd3d8; text-decoration: line-through; }
ins { background: #cdeccf; text-decoration: none; }
.rating { display: inline-block; min-width: 1.4em; text-align: center; font-weight: 700;
          border-radius: 3px; color: #ffffff; }
.r1, .r2 { background: #2e7d32; } .r3 { background: #a85f00; } .r4, .r5 { background: #b00020; }
pre.rules { white-space: pre-wrap; background: #f6f7f9; padding: 0.6em; border: 1px solid #c9cfd8; }
svg.flow { max-width: 100%; height: auto; font-family: system-ui, Arial, sans-serif; }
table.signature td { height: 2.4em; }
nav a { white-space: nowrap; }
@media print {
  body { font-size: 10.5pt; max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  section.file, section.model, div.diagram, #hazards, #sign { break-before: page; }
  .block, tr, .note, svg.flow { break-inside: avoid; }
  h2, h3, h4, h5 { break-after: avoid; }
  h4.mode { background: none; color: #000000; border-bottom: 2px solid #000000; }
}
"""
