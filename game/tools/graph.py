"""`play.py graph`: the scene graph as Mermaid or Graphviz DOT text.

Areas become clusters (Mermaid subgraphs, DOT ``cluster_`` subgraphs), every
choice that moves the player becomes an edge labelled with its id, gated
edges (a choice ``if`` or a branch ``if``) are dashed and carry their
condition, endings are marked, and scenes no player can reach (per the
check's analysis) are highlighted in red.

We write the text ourselves rather than use ``transitions``' diagram
support: its Graphviz engines need the ``graphviz``/``pygraphviz`` packages
(pygraphviz needs the Graphviz C library to build), its Mermaid engine has
no clusters for a flat machine, and it labels edges with the names of the
Python callbacks (``available``, ``<lambda>``) rather than the writer's
conditions. The text formats are simple and stable; generating them is
a few dozen lines and needs no new dependency.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..story import EndGame, Story
from .abstract import possibilities

FORMATS = ("mermaid", "dot")


@dataclass(frozen=True)
class Node:
    id: str  # scene id, or "end:<ending>" for an ending reached by an effect
    label: str
    area: str  # "" for nodes outside any area
    ending: bool = False
    unreachable: bool = False


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    choice: str
    condition: str = ""  # the gate, as written ("" when the choice is always open)
    otherwise: bool = False  # the fallback branch of a choice whose other branches are gated

    @property
    def gated(self) -> bool:
        return bool(self.condition) or self.otherwise

    @property
    def label(self) -> str:
        if self.condition:
            return f"{self.choice}: {self.condition}"
        return f"{self.choice} (otherwise)" if self.otherwise else self.choice


@dataclass
class Graph:
    title: str
    start: str
    areas: dict[str, str]  # area id -> title
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def by_area(self) -> dict[str, list[Node]]:
        """Nodes grouped by area ("" for nodes outside any), in order of first appearance."""
        groups: dict[str, list[Node]] = {}
        for node in self.nodes:
            groups.setdefault(node.area, []).append(node)
        return groups


def build(story: Story) -> Graph:
    poss = possibilities(story)
    seen = poss.reached | poss.shown_at_end
    graph = Graph(story.title, story.start, {a.id: a.title for a in story.areas.values()})
    ended_by_effect: dict[str, None] = {}
    for scene in story.scenes.values():
        ends = scene.ending or next((e.ending for e in scene.on_enter if isinstance(e, EndGame)), None)
        title = scene.title or scene.id
        label = f"{title}\n{scene.id}" if title != scene.id else scene.id
        if ends:
            label += f"\nEnding: {story.endings[ends].title}"
        graph.nodes.append(Node(scene.id, label, scene.area, bool(ends), scene.id not in seen))
        for choice in scene.choices:
            gate = choice.condition.source if choice.condition is not None else ""
            fallback = len(choice.branches) > 1
            for branch in choice.branches:
                if branch.target is None:
                    continue
                parts = [p for p in (gate, branch.condition.source if branch.condition else "") if p]
                condition = " and ".join(f"({p})" if len(parts) > 1 and " or " in p else p for p in parts)
                graph.edges.append(Edge(scene.id, branch.target, choice.id, condition,
                                        otherwise=fallback and branch.condition is None and not gate))
            for effect in choice.effects:
                if isinstance(effect, EndGame):
                    ended_by_effect[effect.ending] = None
                    graph.edges.append(Edge(scene.id, f"end:{effect.ending}", choice.id, gate))
    for ending_id in ended_by_effect:
        ending = story.endings[ending_id]
        graph.nodes.append(Node(f"end:{ending_id}", f"Ending: {ending.title}", "", True,
                                ending_id not in poss.endings))
    return graph


# --- Mermaid -------------------------------------------------------------

_MERMAID_STYLES = """\
  classDef ending fill:#e8f5e9,stroke:#2e7d32,stroke-width:3px
  classDef unreachable fill:#ffebee,stroke:#c62828,stroke-width:2px,stroke-dasharray:5 5
  classDef start fill:#263238,stroke:#263238,color:#ffffff"""


def _mermaid_ids(graph: Graph) -> dict[str, str]:
    """Scene ids as Mermaid node ids: letters, digits and _ only, unique."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in graph.nodes:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node.id)
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base}_{suffix}", suffix + 1
        used.add(name)
        ids[node.id] = name
    return ids


def _mermaid_text(text: str) -> str:
    text = text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return text.replace("\n", "<br/>")


def to_mermaid(graph: Graph) -> str:
    ids = _mermaid_ids(graph)
    # The front matter is YAML: a JSON string is valid YAML whatever the title holds (e.g. a colon).
    lines = ["---", f"title: {json.dumps(graph.title)}", "---", "flowchart LR"]
    lines.append('  start_(["Start"]):::start')
    for area, nodes in graph.by_area().items():
        indent = "  "
        if area:
            title = graph.areas.get(area, area)
            lines.append(f'  subgraph area_{re.sub(r"[^A-Za-z0-9_]", "_", area)}["{_mermaid_text(title)}"]')
            indent = "    "
        for node in nodes:
            shape = ('(["', '"])') if node.ending else ('["', '"]')
            lines.append(f"{indent}{ids[node.id]}{shape[0]}{_mermaid_text(node.label)}{shape[1]}")
        if area:
            lines.append("  end")
    if graph.start in ids:
        lines.append(f"  start_ --> {ids[graph.start]}")
    for edge in graph.edges:
        arrow = "-.->" if edge.gated else "-->"
        lines.append(f'  {ids[edge.source]} {arrow}|"{_mermaid_text(edge.label)}"| {ids[edge.target]}')
    lines.append(_MERMAID_STYLES)
    endings = [ids[n.id] for n in graph.nodes if n.ending and not n.unreachable]
    unreachable = [ids[n.id] for n in graph.nodes if n.unreachable]
    if endings:
        lines.append(f"  class {','.join(endings)} ending")
    if unreachable:
        lines.append(f"  class {','.join(unreachable)} unreachable")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT --------------------------------------------------------


def _dot(text: str) -> str:
    """A DOT quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph) -> str:
    lines = [
        "digraph story {",
        f"  graph [rankdir=LR, fontname=Helvetica, label={_dot(graph.title)}, labelloc=t];",
        '  node [shape=box, style=rounded, fontname=Helvetica];',
        "  edge [fontname=Helvetica, fontsize=10];",
        '  "__start" [label="Start", shape=oval, style=filled, fillcolor="#263238", fontcolor=white];',
    ]
    for area, nodes in graph.by_area().items():
        indent = "  "
        if area:
            lines.append(f"  subgraph {_dot('cluster_' + area)} {{")
            lines.append(f"    label={_dot(graph.areas.get(area, area))}; style=rounded; color=gray60;")
            indent = "    "
        for node in nodes:
            attrs = [f"label={_dot(node.label)}"]
            if node.unreachable:
                attrs.append('style="rounded,filled,dashed", fillcolor="#ffebee", color="#c62828", penwidth=2')
            elif node.ending:
                attrs.append('style="rounded,filled", fillcolor="#e8f5e9", color="#2e7d32", penwidth=2')
            if node.ending:
                attrs.append("peripheries=2")
            lines.append(f"{indent}{_dot(node.id)} [{', '.join(attrs)}];")
        if area:
            lines.append("  }")
    if any(node.id == graph.start for node in graph.nodes):
        lines.append(f'  "__start" -> {_dot(graph.start)};')
    for edge in graph.edges:
        style = ", style=dashed" if edge.gated else ""
        lines.append(f"  {_dot(edge.source)} -> {_dot(edge.target)} [label={_dot(edge.label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(story: Story, fmt: str, markdown: bool = False) -> str:
    """The story's graph as text in the given format; markdown wraps Mermaid in a fenced block."""
    graph = build(story)
    if fmt == "dot":
        return to_dot(graph)
    text = to_mermaid(graph)
    return f"```mermaid\n{text}```\n" if markdown else text


def format_for(path_suffix: str) -> str | None:
    """The format a file name asks for: .dot/.gv -> dot, .mmd/.mermaid/.md -> mermaid."""
    return {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid"}.get(
        path_suffix.lower())
