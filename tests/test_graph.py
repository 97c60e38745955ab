"""`play.py graph`: clusters per area, labelled gated edges, endings and unreachable scenes marked."""

from __future__ import annotations

import io
import re
from pathlib import Path

from game import loader
from game.cli import main
from game.tools.graph import render

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample"
UNREACHABLE = DATA / "analysis" / "unreachable_scene"


def _mermaid_clusters(text: str) -> dict[str, list[str]]:
    """subgraph title -> the node ids declared inside it."""
    clusters: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = re.match(r'\s*subgraph \w+\["(.*)"\]$', line)
        if match:
            current = clusters.setdefault(match.group(1), [])
        elif line.strip() == "end":
            current = None
        elif current is not None:
            current.append(re.match(r"\s*(\w+)", line).group(1))
    return clusters


def test_mermaid_has_one_cluster_per_area_holding_its_scenes() -> None:
    text = render(loader.load(SAMPLE).story, "mermaid")
    assert text.splitlines()[3] == "flowchart LR"
    assert _mermaid_clusters(text) == {
        "The Office": ["n_office_desk", "n_office_board"],
        "The Street": ["n_street_corner", "n_street_shop", "n_street_found", "n_street_refused"],
    }


def test_mermaid_labels_gated_edges_with_their_condition_and_marks_endings() -> None:
    text = render(loader.load(SAMPLE).story, "mermaid")
    assert '  n_office_desk -.->|"shop: clue.address"| n_street_shop' in text
    assert '  n_street_shop -.->|"ask: stat.trust #gt;= 0"| n_street_found' in text
    assert '  n_street_shop -.->|"ask (otherwise)"| n_street_refused' in text
    assert '  n_office_desk -->|"board"| n_office_board' in text  # an open edge is solid
    assert "  start_ --> n_office_desk" in text
    ending_line = next(line for line in text.splitlines() if line.endswith(" ending") and "class " in line)
    assert set(ending_line.split()[1].split(",")) == {"n_street_found", "n_end_lost"}
    assert '  n_office_desk -->|"give_up"| n_end_lost' in text  # an `end:` effect leads to its ending


def test_unreachable_scenes_are_highlighted() -> None:
    text = render(loader.load(UNREACHABLE).story, "mermaid")
    line = next(line for line in text.splitlines() if line.endswith(" unreachable") and "class " in line)
    assert set(line.split()[1].split(",")) == {"n_office_vault", "n_office_attic", "n_office_orphan"}
    dot = render(loader.load(UNREACHABLE).story, "dot")
    red = {m.group(1) for m in re.finditer(r'^\s*"([\w.]+)" \[.*fillcolor="#ffebee"', dot, re.M)}
    assert red == {"office.vault", "office.attic", "office.orphan"}


def test_dot_has_clusters_labelled_dashed_gates_and_double_bordered_endings() -> None:
    text = render(loader.load(SAMPLE).story, "dot")
    assert text.startswith("digraph story {") and text.rstrip().endswith("}")
    assert 'subgraph "cluster_office" {' in text and 'subgraph "cluster_street" {' in text
    assert '"office.desk" -> "street.shop" [label="shop: clue.address", style=dashed];' in text
    assert '"office.desk" -> "office.board" [label="board"];' in text
    found = next(line for line in text.splitlines() if line.strip().startswith('"street.found" ['))
    assert "peripheries=2" in found
    assert text.count("{") == text.count("}")


def test_graph_command_picks_the_format_from_the_file_name(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["graph", str(SAMPLE), "-o", str(tmp_path / "story.dot")], stdout=out) == 0
    assert (tmp_path / "story.dot").read_text().startswith("digraph story {")
    assert main(["graph", str(SAMPLE), "-o", str(tmp_path / "story.md")], stdout=out) == 0
    markdown = (tmp_path / "story.md").read_text()
    assert markdown.startswith("```mermaid\n") and markdown.endswith("```\n")
    assert "written to" in out.getvalue()


def test_graph_of_a_broken_story_fails_with_its_errors(tmp_path: Path, capsys) -> None:
    (tmp_path / "story.yaml").write_text("story: {id: x, title: X, start: nowhere}\n")
    assert main(["graph", str(tmp_path)], stdout=io.StringIO()) == 1
    assert "story.yaml:1:" in capsys.readouterr().err


def test_mermaid_front_matter_survives_a_title_with_a_colon(write_story) -> None:
    root = write_story({"story.yaml": """
        story: {id: c, title: "Case: Closed", start: a.one}
        areas: {a: A}
        endings: {done: {title: Done}}
        scenes:
          a.one: {text: One., ending: done}
        """})
    assert render(loader.load(root).story, "mermaid").splitlines()[1] == 'title: "Case: Closed"'
