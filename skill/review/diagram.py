"""The screen's question order as an inline SVG diagram, laid out from a review_flow.Flow.

Layout, top to bottom: the opening, one row per question with its clarification beside it,
the outcomes that answers jump to in a column on the right (each box spans the questions that
lead to it), the outcomes reached by the last "no" under the questions, and the wrap-up steps
in the last row. Plain SVG 1.1 with presentation attributes: no scripts, fonts or links, so it
prints and works offline."""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

from skill.review.flow import Flow

ROW, BOX_H, GAP = 58, 40, 18
QUESTION_X, QUESTION_W = 20, 200
CLARIFY_X, CLARIFY_W = 290, 150
SIDE_X, SIDE_W = 570, 250
BOTTOM_W, BOTTOM_GAP = 210, 80
WIDTH = SIDE_X + SIDE_W + 20
LINE_H, CHAR_W = 13, 5.6     # 10.5px sans-serif text: line height, average character width
COLOURS = {  # kind or outcome -> (fill, stroke)
    "start": ("#eef1f5", "#44546a"), "question": ("#eef4fb", "#1f5fa8"),
    "clarify": ("#f6f0fb", "#6b3fa0"), "wrap": ("#f3f3f3", "#555555"),
    "outcome:emergency": ("#fde7ea", "#b00020"), "outcome:urgent": ("#fff3df", "#a85f00"),
    "outcome:soon": ("#fdf8d8", "#7a6a00"), "outcome:self_care": ("#e8f5ea", "#2e7d32"),
}
EDGE_COLOURS = {"outcome:emergency": "#b00020", "outcome:urgent": "#a85f00",
                "outcome:soon": "#7a6a00"}


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


def render_flow_svg(flow: Flow, caption: str) -> str:
    """The flow as one <svg> element (well-formed XML, so it can be checked as such)."""
    boxes = _layout(flow)
    height = max(box.bottom for box in boxes.values()) + 30   # room for a detour below
    prefix = f"arrow-{flow.name}"
    parts = [f'<svg class="flow" data-flow="{_attr(flow.name)}" viewBox="0 0 {WIDTH} {height:g}" '
             f'width="{WIDTH}" height="{height:g}" role="img" aria-label="{_attr(caption)}">',
             f"<title>{html.escape(caption)}</title>", _markers(prefix)]
    parts += [_edge_svg(edge, flow.edges, boxes, prefix) for edge in flow.edges]
    parts += [_node_svg(node, boxes[node.id]) for node in flow.nodes]
    parts.append("</svg>")
    return "\n".join(parts)


def _layout(flow: Flow) -> dict:
    boxes: dict = {}
    row_of: dict = {}
    row = 0
    for node in flow.nodes:
        top = row * ROW
        if node.kind in ("start", "question"):
            boxes[node.id] = Box(QUESTION_X, top + 8, QUESTION_W, BOX_H)
            row_of[node.id] = row
            row += 1
        elif node.kind == "clarify":
            question_top = (row - 1) * ROW
            boxes[node.id] = Box(CLARIFY_X, question_top + 26, CLARIFY_W, 28)
            row_of[node.id] = row - 1
    side, bottom = _split_outcomes(flow, row_of)
    last = row * ROW
    for node in side:
        rows = [row_of[e.source] for e in flow.edges if e.target == node.id and e.source in row_of]
        top = max(min(rows) * ROW + 8, last if node is not side[0] else 0)
        height = max((max(rows) - min(rows)) * ROW + BOX_H, _text_height(node, SIDE_W))
        boxes[node.id] = Box(SIDE_X, top, SIDE_W, height)
        last = boxes[node.id].bottom + GAP
    below = max([row * ROW] + [boxes[n.id].bottom + GAP for n in side
                               if boxes[n.id].y >= row * ROW])
    x = QUESTION_X
    for node in bottom:
        boxes[node.id] = Box(x, below + 30, BOTTOM_W, _text_height(node, BOTTOM_W))
        x += BOTTOM_W + BOTTOM_GAP
    wrap_top = max(box.bottom for box in boxes.values()) + 40
    x = QUESTION_X
    for node in (n for n in flow.nodes if n.kind == "wrap"):
        boxes[node.id] = Box(x, wrap_top, BOTTOM_W, _text_height(node, BOTTOM_W))
        x += BOTTOM_W + BOTTOM_GAP
    return boxes


def _split_outcomes(flow: Flow, row_of: dict) -> tuple:
    """Outcomes an answer jumps to go beside the questions; those only the last "no" reaches
    go below them."""
    side, bottom = [], []
    for node in (n for n in flow.nodes if n.kind == "outcome"):
        jumps = [e for e in flow.edges if e.target == node.id and e.source in row_of
                 and not e.label.startswith("no")]
        (side if jumps else bottom).append(node)
    return side, bottom


def _wrapped(node, width: float) -> list:
    chars = max(int((width - 12) / CHAR_W), 10)
    lines = []
    for line in node.lines:
        lines += textwrap.wrap(line, chars) or [""]
    return lines


def _text_height(node, width: float) -> float:
    return max(BOX_H, 22 + LINE_H * len(_wrapped(node, width)))


def _node_svg(node, box: Box) -> str:
    fill, stroke = COLOURS.get(node.id) or COLOURS[node.kind]
    bold = ' font-weight="bold"' if node.kind == "outcome" else ""
    texts = [f'<text x="{box.x + 6:g}" y="{box.y + 15:g}" font-size="11.5"{bold}>'
             f"{html.escape(node.title.upper() if node.kind == 'outcome' else node.title)}</text>"]
    for index, line in enumerate(_wrapped(node, box.w)):
        texts.append(f'<text x="{box.x + 6:g}" y="{box.y + 28 + index * LINE_H:g}" '
                     f'font-size="10.5" fill="#333333">{html.escape(line)}</text>')
    return (f'<g class="node {node.kind}" data-node="{_attr(node.id)}">'
            f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.w:g}" height="{box.h:g}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>' + "".join(texts) + "</g>")


def _edge_svg(edge, edges: tuple, boxes: dict, prefix: str) -> str:
    points = _anchors(edge, edges, boxes)
    colour = EDGE_COLOURS.get(edge.target, "#555555")
    marker = f"{prefix}-{_marker_name(edge.target)}"
    # A detour's label goes on its long middle leg, a straight edge's near its start.
    (x1, y1), (x2, y2) = points[1:3] if len(points) > 2 else points
    label_x, label_y = _label_at(x1, y1, x2, y2)
    path = "M" + " L".join(f"{x:g},{y:g}" for x, y in points)
    return (f'<g class="edge" data-from="{_attr(edge.source)}" data-to="{_attr(edge.target)}">'
            f'<path d="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="1.3" marker-end="url(#{marker})"/>'
            f'<text x="{label_x:.1f}" y="{label_y:.1f}" font-size="10" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
            f"{html.escape(edge.label)}</text>"
            "</g>")


def _anchors(edge, edges: tuple, boxes: dict) -> tuple:
    source, target = boxes[edge.source], boxes[edge.target]
    if target.x >= source.right:   # to the right: spread a source's edges down its right side
        siblings = sorted((boxes[e.target].y, e.target) for e in edges
                          if e.source == edge.source and boxes[e.target].x >= source.right)
        index = [name for _, name in siblings].index(edge.target)
        y1 = source.y + source.h * (index + 1) / (len(siblings) + 1)
        if _blocked(source, target, y1, boxes):   # go under the boxes in between
            return _detour(source, target, boxes)
        return [(source.right, y1), (target.x, _clamp(y1, target.y + 6, target.bottom - 6))]
    if target.y >= source.bottom:   # below: from the bottom edge to the top edge, near-vertical
        x1 = _clamp(target.x + target.w / 2, source.x + 8, source.right - 8)
        x2 = _clamp(source.x + source.w / 2, target.x + 8, target.right - 8)
        return [(x1, source.bottom), (x2, target.y)]
    return [(source.x + source.w / 2, source.y + source.h / 2),
            (target.x + target.w / 2, target.y + target.h / 2)]


def _detour(source: Box, target: Box, boxes: dict) -> list:
    """Down from the source, across where nothing is in the way (just under the source if
    that is clear, else under both boxes), then into the target from the nearest side."""
    drop = next(y for y in (source.bottom + 8, max(source.bottom, target.bottom) + 14)
                if not _blocked(source, target, y, boxes))
    down = [(source.right - 24, source.bottom), (source.right - 24, drop)]
    if target.y + 6 <= drop <= target.bottom - 6:
        return down + [(target.x, drop)]
    return down + [(target.x + 24, drop),
                   (target.x + 24, target.y if drop < target.y else target.bottom)]


def _blocked(source: Box, target: Box, y: float, boxes: dict) -> bool:
    return any(box.x >= source.right and box.right <= target.x and box.y < y < box.bottom
               for box in boxes.values())


def _label_at(x1: float, y1: float, x2: float, y2: float) -> tuple:
    """Beside the line, where no box is: just after the start of an edge going right (the
    target box may be close), halfway down and to the right of one going down."""
    if abs(x2 - x1) < 4:
        return x1 + 5, (y1 + y2) / 2 + 4
    if abs(y2 - y1) < abs(x2 - x1) / 3:
        return x1 + 6, y1 - 3
    return x1 + (x2 - x1) * 0.3 + 4, y1 + (y2 - y1) * 0.3 - 3


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(value, high))


def _marker_name(target: str) -> str:
    return target.split(":")[1] if target in EDGE_COLOURS else "plain"


def _markers(prefix: str) -> str:
    markers = []
    for name, colour in (("emergency", EDGE_COLOURS["outcome:emergency"]),
                         ("urgent", EDGE_COLOURS["outcome:urgent"]),
                         ("soon", EDGE_COLOURS["outcome:soon"]), ("plain", "#555555")):
        markers.append(f'<marker id="{prefix}-{name}" viewBox="0 0 10 10" refX="9" refY="5" '
                       f'markerWidth="7" markerHeight="7" orient="auto">'
                       f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    return "<defs>" + "".join(markers) + "</defs>"


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
