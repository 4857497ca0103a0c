"""`trustbot graph`: a picture of the dialogs a writer can look at."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from tests.conftest import DIALOGS


def test_dot_output_has_every_node_of_the_role_and_its_buttons(capsys, real_graph) -> None:
    assert main(["graph", "--role", "hurt_partner", "--dir", str(DIALOGS)]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph trustbot {")
    for node_id, role in real_graph.node_role.items():
        if role == "hurt_partner":
            assert f"  {node_id} [" in dot
    assert not any(f"  {n} [" in dot for n, r in real_graph.node_role.items() if r == "broke_trust")


def test_mermaid_output_is_a_flowchart(capsys) -> None:
    assert main(["graph", "--format", "mermaid", "--dir", str(DIALOGS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR") and "-->" in out


def test_graph_renders_an_svg_picture_with_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "hurt.svg"
    assert main(["graph", "--role", "hurt_partner", "--dir", str(DIALOGS), "--out", str(out)]) == 0
    svg = out.read_text()
    assert "<svg" in svg and "hp_menu" in svg
