"""The screen as a graph, found by asking the engine: for each question, answer yes, no and
not sure through triage.step() and note where each answer leads.

The review diagram is drawn from this, not by hand, so it cannot drift from the rules a patient
meets: a question added to the content, or a rule changed in triage.py, shows up in the next
review pack by itself."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from skill.content.loader import Content, fill
from skill.conversation.questions import advice_chunks
from skill.conversation.state import EffectResult, OK, Event, ScreenState, TrendReport, TRENDS
from skill.conversation.triage import begin, initial_state, next_question, step

# Any dates will do: the graph does not depend on them, only the wording of the reminder does.
FIRST_VISIT, CHECK_IN_DAY = "2026-01-05", "2026-01-12"
ANSWERS = ((Event.YES, "yes"), (Event.NOT_SURE, "not sure"), (Event.NO, "no"))
WRAP_UP_STEPS = ("consent", "reminder")
MAX_TURNS = 60   # a wrap-up longer than this is a bug in the probe, not a path to draw


@dataclass(frozen=True)
class Node:
    id: str          # "question:bladder", "clarify:bladder", "outcome:urgent", "wrap:consent"
    kind: str        # start, question, clarify, outcome, wrap
    title: str
    lines: tuple     # what the box says under its title


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Flow:
    name: str        # "screen" or "check_in"
    nodes: tuple
    edges: tuple

    def structure(self) -> tuple:
        """What two locales must share to share one diagram: ids and where answers lead."""
        return (tuple(node.id for node in self.nodes),
                tuple((edge.source, edge.target, edge.label) for edge in self.edges))


def screen_flow(content: Content) -> Flow:
    """The first screen: welcome, every question in order, the outcomes, the wrap-up."""
    state, _ = begin(content, initial_state(today=FIRST_VISIT, consent="ask"))
    first = next_question(content, state)
    start = Node("start:welcome", "start", "welcome", ("disclaimer and emergency number",))
    return _flow("screen", content, start, [Edge(start.id, _question_id(first), "then")], state)


def check_in_flow(content: Content) -> Flow:
    """A remembered user's return: how is the pain, then the cauda equina questions again and
    the check-in's own questions (Content.check_in_questions)."""
    opened, _ = begin(content, initial_state(today=CHECK_IN_DAY, consent="remembered",
                                             episode_start=FIRST_VISIT))
    start = Node("start:trend", "start", "welcome back", ("how is the pain? (trend)",))
    by_target: dict = {}
    for trend in TRENDS:
        after, _ = step(content, opened, TrendReport(trend))
        by_target.setdefault(_where(content, after), []).append(trend)
    unsure, _ = step(content, opened, Event.NOT_SURE)   # the engine counts it as a trend
    by_target.setdefault(_where(content, unsure), []).append(f"not sure ({unsure.trend})")
    edges = [Edge(start.id, target, " / ".join(labels)) for target, labels in by_target.items()]
    # Walk the questions after the mildest trend; the last "no" is drawn for every trend.
    after_trend, _ = step(content, opened, TrendReport(TRENDS[0]))
    return _flow("check_in", content, start, edges, after_trend, opened=opened)


def _flow(name: str, content: Content, start: Node, edges: list, state: ScreenState,
          opened: Optional[ScreenState] = None) -> Flow:
    nodes = [start]
    at_outcome: dict = {}   # outcome node id -> a state the engine reached it in
    while state.outcome is None:
        question = next_question(content, state)
        nodes.append(Node(_question_id(question), "question", question.id,
                          (f"if yes: {question.outcome_if_yes}",)))
        clarify_node, answer_edges = _answers(content, state, question, at_outcome)
        if clarify_node:
            nodes.append(clarify_node)
        edges += answer_edges
        state, _ = step(content, state, Event.NO)
        at_outcome.setdefault(_where(content, state), state)
    if opened is not None:   # at a check-in, which "no" ends it, and where, depends on the trend
        edges = _check_in_endings(content, opened, nodes, edges, at_outcome)
    reached = [target for target in OUTCOME_NODES if any(e.target == target for e in edges)]
    nodes += [_outcome_node(content, target, at_outcome[target]) for target in reached]
    nodes, edges = _add_wrap_up(content, nodes, edges, [at_outcome[t] for t in reached])
    return Flow(name, tuple(nodes), tuple(_merge(edges)))


OUTCOME_NODES = ("outcome:emergency", "outcome:urgent", "outcome:soon", "outcome:self_care")


def _answers(content: Content, state: ScreenState, question, at_outcome: dict) -> tuple:
    """Where yes, not sure and no lead from this question; a clarification node if the engine
    asks one."""
    edges, clarify = [], None

    def lead_to(source: str, after: ScreenState, label: str) -> None:
        at_outcome.setdefault(_where(content, after), after)
        edges.append(Edge(source, _where(content, after), label))

    for reply, label in ANSWERS:
        after, _ = step(content, state, reply)
        if after.outcome is None and after.doubts and next_question(content, after) == question:
            clarify = Node(f"clarify:{question.id}", "clarify", "clarify, once", ())
            edges.append(Edge(_question_id(question), clarify.id, label))
            for again, again_label in ANSWERS:
                lead_to(clarify.id, step(content, after, again)[0],
                        f"{again_label} again" if again == reply else again_label)
        else:
            lead_to(_question_id(question), after, label)
    return clarify, edges


def _check_in_endings(content: Content, opened: ScreenState, nodes: list, edges: list,
                      at_outcome: dict) -> list:
    """Each trend's last "no", from the question (and its clarification) it answers to the
    outcome it reaches: "worse" is urgent as soon as the cauda equina questions are done."""
    asked = {}   # trend -> (the ids of the questions its all-"no" check-in asks, its outcome)
    for trend in TRENDS:
        ids, ended = _all_no(content, opened, trend)
        at_outcome.setdefault(_where(content, ended), ended)
        asked[trend] = (ids, _where(content, ended))
    # In trend order, not a set's: the pack must be the same bytes in every process.
    for question_id in dict.fromkeys(ids[-1] for ids, _ in asked.values()):
        sources = [node.id for node in nodes if node.id.endswith(":" + question_id)]
        ending = [(trend, target) for trend, (ids, target) in asked.items()
                  if ids[-1] == question_id]
        going_on = [trend for trend, (ids, _) in asked.items() if question_id in ids[:-1]]
        plain_no = [e for e in edges if e.source in sources and e.label == "no"]
        edges = [e for e in edges if e not in plain_no]
        if going_on:   # its plain "no" still leads on, for these trends
            edges += [Edge(e.source, e.target, f"no ({' / '.join(going_on)})") for e in plain_no]
        edges += [Edge(source, target, f"no ({trend})") for trend, target in ending
                  for source in sources]
    return edges


def _all_no(content: Content, opened: ScreenState, trend: str) -> tuple:
    """The ids of the questions a check-in with this trend asks when every answer is "no",
    and the state it ends in."""
    state, _ = step(content, opened, TrendReport(trend))
    asked = []
    while state.outcome is None:
        asked.append(next_question(content, state).id)
        state, _ = step(content, state, Event.NO)
    return asked, state


def _outcome_node(content: Content, node_id: str, state: ScreenState) -> Node:
    outcome = content.outcomes[state.outcome]
    lines = [fill(outcome.card_title, content.values)]
    _, prompt = step(content, state, Event.REPEAT)
    if prompt.end_session:
        lines.append("the session ends; every later turn repeats this")
    chunks = advice_chunks(content, replace(state, advice_index=0))
    if state.mode == "check_in" and state.outcome == "self_care":
        lines.append("first the advice for the day: " + ", ".join(content.stages))
    if chunks:
        lines.append("tips: " + ", ".join(chunk.id for chunk in chunks)
                     + "; the safety net on the card, the warning signs said with the result")
    return Node(node_id, "outcome", state.outcome.replace("_", " "), tuple(lines))


def _add_wrap_up(content: Content, nodes: list, edges: list, outcome_states: list) -> tuple:
    """Follow each outcome to the end of the session, answering yes and letting every effect
    succeed, and draw the wrap-up steps it passes (consent, reminder, goodbye)."""
    wrap_nodes: dict = {}
    for state in outcome_states:
        path = _wrap_up_path(content, state)
        if path is None:   # the session ended at the outcome itself (an emergency)
            continue
        previous = f"outcome:{state.outcome}"
        for stage in path + ["goodbye"]:
            node_id = f"wrap:{stage}"
            wrap_nodes.setdefault(node_id, Node(node_id, "wrap", stage, (_WRAP_LINES[stage],)))
            label = "then" if previous.startswith("outcome:") else \
                f"after {state.outcome.replace('_', ' ')}"
            edges.append(Edge(previous, node_id, label))
            previous = node_id
    ordered = sorted(wrap_nodes.values(), key=lambda node: list(_WRAP_LINES).index(node.title))
    return nodes + ordered, edges


_WRAP_LINES = {"consent": "remember today? only a clear yes",
               "reminder": "reminder on the review date?",
               "goodbye": "goodbye: after a referral its action again, else where the tips are"}


def _wrap_up_path(content: Content, state: ScreenState) -> Optional[list]:
    """The wrap-up steps after this outcome, or None if there are none: the emergency has no
    wrap-up (it says itself again to anything, until "stop" or silence)."""
    if state.outcome == "emergency":
        return None
    _, prompt = step(content, state, Event.REPEAT)
    path: list = []
    for _ in range(MAX_TURNS):
        if prompt.end_session:
            return path if state.wrap_up else None
        if state.wrap_up in WRAP_UP_STEPS and state.wrap_up not in path:
            path.append(state.wrap_up)
        event = EffectResult(prompt.effect, OK) if prompt.effect else Event.YES
        state, prompt = step(content, state, event)
    raise RuntimeError(f"the wrap-up after {state.outcome} did not end in {MAX_TURNS} turns")


def _merge(edges: list) -> list:
    """One edge per source and target, the answers that take it joined: "yes / not sure"."""
    merged: dict = {}
    for edge in edges:
        key = (edge.source, edge.target)
        if key in merged and edge.label not in merged[key].split(" / "):
            merged[key] = merged[key] + " / " + edge.label
        else:
            merged.setdefault(key, edge.label)
    return [Edge(source, target, label) for (source, target), label in merged.items()]


def _where(content: Content, state: ScreenState) -> str:
    if state.outcome is not None:
        return f"outcome:{state.outcome}"
    return _question_id(next_question(content, state))


def _question_id(question) -> str:
    return f"question:{question.id}"
