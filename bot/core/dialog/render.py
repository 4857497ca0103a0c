"""The dialog graph as text a picture can be made from (Graphviz DOT, Mermaid).

Writers see the shape of a role at a glance: which steps branch, where typed
answers are asked for, which section each step belongs to.
"""

from __future__ import annotations

from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import Variants

_EDGE_STYLE = {"tap": "solid", "type": "dashed", "auto": "dotted"}


def nodes_for(graph: DialogGraph, role: str | None) -> list[str]:
    """All nodes, or one role's nodes plus the shared ones they touch."""
    if role is None:
        return list(graph.nodes)
    own = [n for n in graph.nodes if graph.node_role.get(n) == role]
    touched = {t for n in own for _, t in graph.edges(n) if t in graph.nodes}
    return own + [n for n in graph.nodes if n in touched and n not in own]


def _label(graph: DialogGraph, node_id: str) -> str:
    node = graph.nodes[node_id]
    first = node.say[0] if node.say else ""
    text = first.variants[0] if isinstance(first, Variants) else first
    text = text if len(text) <= 40 else text[:39] + "…"
    section = f"\\n[{node.section}]" if node.section else ""
    return f"{node_id}{section}\\n{text}".replace('"', "'")


def to_dot(graph: DialogGraph, role: str | None = None) -> str:
    keep = nodes_for(graph, role)
    kept = set(keep)
    lines = ["digraph trustbot {", "  rankdir=LR;", '  node [shape=box, style="rounded", fontsize=10];']
    for node_id in keep:
        node = graph.nodes[node_id]
        shape = "ellipse" if node.ask else "box"
        lines.append(f'  {node_id} [label="{_label(graph, node_id)}", shape={shape}];')
    for node_id in keep:
        node = graph.nodes[node_id]
        labels = {b.goto: b.label for b in node.buttons if b.goto}
        for kind, target in graph.edges(node_id):
            if target not in kept:
                continue
            label = labels.get(target, "")
            label = label if len(label) <= 24 else label[:23] + "…"
            quoted = label.replace(chr(34), chr(39))
            lines.append(f'  {node_id} -> {target} [style={_EDGE_STYLE[kind]}, label="{quoted}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: DialogGraph, role: str | None = None) -> str:
    keep = nodes_for(graph, role)
    kept = set(keep)
    lines = ["flowchart LR"]
    for node_id in keep:
        label = _label(graph, node_id).replace("\\n", "<br/>")
        lines.append(f'  {node_id}["{label}"]')
    arrows = {"tap": "-->", "type": "-.->", "auto": "==>"}
    for node_id in keep:
        for kind, target in graph.edges(node_id):
            if target in kept:
                lines.append(f"  {node_id} {arrows[kind]} {target}")
    return "\n".join(lines) + "\n"
