"""Story files read exactly as PyYAML's safe loader reads them.

game.yamlsrc resolves tags with its own quicker resolver (see _Composer);
these tests hold it to PyYAML's answers, so `yes`, `~`, `0x1F` or `1_000`
mean in a story what they mean to every other YAML tool.
"""

from __future__ import annotations

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from game.diagnostics import Report
from game.yamlsrc import _Composer, parse_text

TRICKY = [
    "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "No", "on", "Off", "y", "n",
    "true", "True", "TRUE", "false", "tRUE", "0", "-0", "+1", "007", "0x1F", "0o17", "0b101", "1_000",
    "1:30", "-1:30:15", "1.5", "-.5", ".5", "1e3", "1.0e+3", ".inf", "-.Inf", ".NaN", "2001-12-14",
    "2001-12-14t21:59:43.10-05:00", "<<", "=", "!", "&a", "*a", "text", "The door", "office.desk",
    "stat.trust >= 2", "- not a list", "1,000", "0.1.2", "+", "-", ".", "12abc", "yes please",
]


def tags(text: str, loader: type) -> list[str]:
    """The tag of every node of a document, in document order."""
    found: list[str] = []

    def walk(node: yaml.Node) -> None:
        found.append(node.tag)
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key)
                walk(value)

    root = yaml.compose(text, Loader=loader)
    if root is not None:
        walk(root)
    return found


def document(scalars: list[str]) -> str:
    """Each scalar plain, quoted, as a key and in a flow list."""
    lines = []
    for index, scalar in enumerate(scalars):
        quoted = scalar.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f"k{index}: {scalar}" if scalar else f"k{index}:")
        lines.append(f'q{index}: "{quoted}"')
    return "\n".join(lines) + "\n"


def test_tricky_scalars_resolve_as_pyyaml_does():
    for scalar in TRICKY:
        text = f"plain: {scalar}\nlist: [{scalar}]\n" if scalar not in ("!", "&a", "*a", "-", "- not a list") \
            else f'quoted: "{scalar}"\n'
        assert tags(text, _Composer) == tags(text, yaml.SafeLoader), scalar
    text = document([s for s in TRICKY if s not in ("!", "&a", "*a", "-", "- not a list")])
    assert tags(text, _Composer) == tags(text, yaml.SafeLoader)


def test_values_read_as_pyyaml_reads_them():
    """What a writer sees: bools, numbers and nulls come out as PyYAML's safe_load gives them."""
    text = "a: yes\nb: ~\nc: 0x1F\nd: 1_000\ne: .inf\nf: On\ng: 'yes'\nh: text\ni: -3\n"
    assert parse_text(text, "t.yaml", Report()) == yaml.safe_load(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.-+_:eExXoObBnNyYtTfFrRuUaAlLsSiI~<= ", max_size=12))
def test_any_plain_scalar_resolves_as_pyyaml_does(scalar: str):
    text = f"value: {scalar}\n"
    try:
        expected = tags(text, yaml.SafeLoader)
    except yaml.YAMLError:
        assume(False)  # not a plain scalar after all (e.g. "a: b")
    assert tags(text, _Composer) == expected
