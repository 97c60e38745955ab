"""Hostile story folders, each through the real `play.py check` in a child
process with bounded memory and a hang timeout: a clear error naming the file
(and line:col where there is one), exit code 1, no traceback, no crash.

See docs/SECURITY.md for the limits these cases run into.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from fuzzkit import error_lines, run_play

from game import loader, yamlsrc

MANIFEST = """\
story: {id: t, title: T, start: a.one}
areas: {a: A}
scenes:
  a.one: {text: Hello., ending: e}
endings: {e: {title: E}}
"""


def make_story(root: Path, files: dict[str, bytes | str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(MANIFEST)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def check(root: Path, cwd: Path | None = None) -> tuple[int, list[dict]]:
    """Run `play.py check ROOT --json` as a user would: (exit code, errors)."""
    proc = run_play("check", root, "--json", cwd=cwd or root.parent)
    doc = json.loads(proc.stdout)
    assert proc.returncode == (0 if doc["ok"] else 1)
    return proc.returncode, doc["errors"]


def assert_error(errors: list[dict], path: str, code: str, line: int | None = None, col: int | None = None):
    found = [e for e in errors if e["code"] == code and e["path"].endswith(path)]
    assert found, f"no {code} error in {path}: {errors}"
    error = found[0]
    if line is not None:
        assert error["line"] == line, error
    if col is not None:
        assert error["col"] == col, error
    return error


def billion_laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


# (name, {file: content}, file with the error, code, line, col); None: not checked. Nesting
# errors name the line only: libyaml 0.2.6 has a limit of its own (1,000 levels) that may
# fire before ours, at its own column, and the game reports either as 'too-deep'.
CASES = [
    ("recursive-alias", {"x.yaml": "scenes: &s\n  a.two: *s\n"}, "x.yaml", "bad-alias", 2, 10),
    ("undefined-alias", {"x.yaml": "clues: *nowhere\n"}, "x.yaml", "bad-alias", 1, 8),
    ("duplicate-anchor", {"x.yaml": "flags: {f: &x one, g: &x two}\n"}, "x.yaml", "bad-alias", 1, 23),
    ("deep-flow", {"x.yaml": "[" * 1_000_000 + "]" * 1_000_000}, "x.yaml", "too-deep", 1, None),
    ("deep-flow-1001", {"x.yaml": "flags: {f: x}\nclues: " + "[" * 1_001 + "]" * 1_001}, "x.yaml", "too-deep",
     2, None),
    ("deep-flow-100", {"x.yaml": "clues: " + "[" * 100 + "]" * 100}, "x.yaml", "too-deep", 1, None),
    ("deep-flow-map", {"x.yaml": "{a: " * 300_000 + "b" + "}" * 300_000}, "x.yaml", "too-deep", 1, None),
    ("deep-block", {"x.yaml": "- " * 1_000_000 + "x\n"}, "x.yaml", "too-deep", 1, None),
    ("deep-block-lines", {"x.yaml": "".join(" " * i + "- \n" for i in range(100))}, "x.yaml", "too-deep", 65,
     None),
    ("deep-keys", {"x.yaml": "? " * 100_000 + "x\n"}, "x.yaml", "bad-key", 1, 3),
    ("huge-file", {"x.yaml": "# " + "x" * yamlsrc.MAX_FILE_BYTES}, "x.yaml", "file-too-large", None, None),
    ("base-60-number", {"x.yaml": "a: 1" + ":30" * 200_000 + "\n"}, "x.yaml", "bad-scalar", 1, 4),
    ("base-60-float", {"x.yaml": "a: 1" + ":30" * 200 + ".5\n"}, "x.yaml", "bad-scalar", 1, 4),
    ("long-integer", {"x.yaml": "a: " + "7" * 5000 + "\n"}, "x.yaml", "bad-scalar", 1, 4),
    ("not-utf8", {"x.yaml": b"flags:\n  f: caf\xe9\n"}, "x.yaml", "encoding", 2, 9),
    ("nul-byte", {"x.yaml": b"flags:\n  f: a\x00b\n"}, "x.yaml", "nul-byte", 2, 7),
    ("tab-indent", {"x.yaml": "flags:\n\tf: x\n"}, "x.yaml", "yaml-syntax", 2, 1),
    ("control-char", {"x.yaml": "flags:\n  f: bell\x07\n"}, "x.yaml", "yaml-syntax", 2, 10),
    ("escaped-control", {"x.yaml": 'flags:\n  f: "\\e[2J\\e]0;pwned\\a"\n'}, "x.yaml", "control-character", 2, 6),
    ("bom-mid-file", {"x.yaml": "flags: {f: x}\n\ufeffclues: {}\n"}, "x.yaml", "yaml-syntax", 2, 2),
    ("two-documents", {"x.yaml": "flags: {f: x}\n---\nflags: {g: y}\n"}, "x.yaml", "yaml-syntax", 2, 1),
    ("merge-key", {"x.yaml": "base: &b {title: X}\nclues:\n  c:\n    <<: *b\n"}, "x.yaml", "merge-key", 4, 5),
    ("binary-tag", {"x.yaml": "flags: {f: !!binary aGk=}\n"}, "x.yaml", "bad-tag", 1, 12),
    ("local-tag", {"x.yaml": "flags: !mine {f: x}\n"}, "x.yaml", "bad-tag", 1, 8),
    ("set-tag", {"x.yaml": "flags: !!set {f, g}\n"}, "x.yaml", "bad-tag", 1, 8),
    ("control-in-key", {"x.yaml": '"\\e[2J\\n": 1\n'}, "x.yaml", "control-character", 1, 1),
    # last: the first of these uses up the story's budget, and files after it are not read
    ("billion-laughs", {"x.yaml": billion_laughs()}, "x.yaml", "too-many-nodes", None, None),
    ("long-text-laughs", {"x.yaml": "a: &a '" + "x" * 1_000_000 + "'\nb: [" + ", ".join(["*a"] * 400) + "]\n"},
     "x.yaml", "too-many-nodes", None, None),
]


@pytest.mark.parametrize(("files", "where", "code", "line", "col"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_hostile_story_file_is_one_clear_error(tmp_path, files, where, code, line, col):
    returncode, errors = check(make_story(tmp_path / "story", files))
    assert returncode == 1
    assert_error(errors, where, code, line, col)


def test_all_hostile_files_at_once_in_the_writers_format(tmp_path):
    """Every case above in one folder, checked in the human format: one
    printable line per problem (no raw control characters), each naming its file."""
    root = tmp_path / "story"
    for index, case in enumerate(CASES):
        make_story(root, {f"{index:02d}-{case[0]}/{rel}": content for rel, content in case[1].items()})
    proc = run_play("check", root, cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.decode("utf-8").splitlines()
    assert lines[-1].startswith("check failed:")
    for line in lines[:-1]:
        assert line.isprintable() and ": error: " in line, repr(line)
    named = {line.split("/")[1].split("-", 1)[1] for line in lines[:-1]}
    assert named == {case[0] for case in CASES} - {"long-text-laughs"}


def test_hostile_file_when_playing_is_one_line_per_problem(tmp_path):
    root = make_story(tmp_path / "story", {"a.yaml": "[" * 100_000, "x.yaml": billion_laughs()})
    proc = run_play("--plain", "--story", root, "--saves", tmp_path / "saves")
    assert proc.returncode == 1
    lines = error_lines(proc)
    assert len(lines) == 2 and all("error:" in line for line in lines)
    assert not (tmp_path / "saves").exists(), "nothing is saved for a story that did not load"


# --- YAML tags that would run code if anything constructed them ----------


def test_python_tags_construct_nothing_and_import_nothing(tmp_path):
    marker = tmp_path / "pwned"
    # A module that would leave a mark if a tag ever imported it.
    (tmp_path / "evilmod.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    tags = [
        f"!!python/object/apply:os.system ['touch {marker}']",
        f"!!python/object/apply:subprocess.call [[touch, {marker}]]",
        f"!!python/object/new:subprocess.Popen [[touch, {marker}]]",
        "!!python/name:evilmod.anything",
        "!!python/module:evilmod",
        "!!python/object:evilmod.Thing {}",
    ]
    files = {}
    for index, tag in enumerate(tags):
        files[f"x{index}.yaml"] = f"flags:\n  f{index}: {tag}\n"
        # the same, reached through a %TAG directive that renames the prefix
        files[f"y{index}.yaml"] = (f"%TAG !p! tag:yaml.org,2002:python/\n---\n"
                                   f"flags:\n  g{index}: !p!{tag[len('!!python/'):]}\n")
    _, errors = check(make_story(tmp_path / "story", files), cwd=tmp_path)  # evilmod.py is importable here
    for index in range(len(tags)):
        assert_error(errors, f"x{index}.yaml", "bad-tag", 2, 7)
        assert_error(errors, f"y{index}.yaml", "bad-tag", 4, 7)
    assert not marker.exists(), "a YAML tag constructed something"


# --- folders and files that are not what they seem ------------------------


def test_many_values_stop_at_the_limit_with_little_memory():
    """A dense file (a value every 1.5 bytes) stops at the story's limit. With
    the real limit this costs seconds (see docs/SECURITY.md), so it runs here
    in-process with a small limit; billion-laughs checks the real one above."""
    report = loader.Report()
    budget = yamlsrc.Budget(max_nodes=10_000)
    assert yamlsrc.parse_text("[" + "[]," * 100_000 + "]", "dense.yaml", report, budget) is None
    assert [(d.code, d.pos.path) for d in report.errors] == [("too-many-nodes", "dense.yaml")]
    assert budget.exhausted and budget.used <= 10_002


def test_byte_order_mark_is_accepted_and_does_not_change_the_fingerprint(tmp_path):
    plain = make_story(tmp_path / "plain", {})
    with_bom = make_story(tmp_path / "bom", {})
    (with_bom / "story.yaml").write_bytes(b"\xef\xbb\xbf" + MANIFEST.encode())
    assert check(with_bom) == (0, [])
    assert loader.load(plain).story.fingerprint == loader.load(with_bom).story.fingerprint


def test_too_many_files_is_one_error_naming_the_folder(tmp_path):
    root = make_story(tmp_path / "story", {})
    for index in range(loader.MAX_FILES + 1):
        (root / f"f{index}.yaml").write_text("")
    returncode, errors = check(root)
    assert returncode == 1
    assert [e["code"] for e in errors] == ["too-many-files"] and errors[0]["path"].endswith("story")


def test_story_too_large_in_all_is_one_error(tmp_path):
    chunk = "# " + "x" * (yamlsrc.MAX_FILE_BYTES - 10) + "\n"
    files = {f"f{index}.yaml": chunk for index in range(yamlsrc.MAX_STORY_BYTES // yamlsrc.MAX_FILE_BYTES + 1)}
    returncode, errors = check(make_story(tmp_path / "story", files))
    assert returncode == 1 and [e["code"] for e in errors] == ["story-too-large"]


def test_story_folder_that_is_a_file(tmp_path):
    target = tmp_path / "story.zip"
    target.write_bytes(b"PK\x03\x04")
    proc = run_play("--plain", "--story", target, "--saves", tmp_path)
    assert proc.returncode == 1 and error_lines(proc) == [f"{target}: error: is a file, not a story folder"]
    returncode, errors = check(target)
    assert returncode == 1 and errors[0]["code"] == "no-story"


def test_file_names_with_control_characters_are_shown_escaped(tmp_path):
    root = make_story(tmp_path / "story", {"bad\n\x1b[2Jname.yaml": "flags: [\n"})
    returncode, errors = check(root)
    assert returncode == 1 and errors[0]["path"].endswith("bad\n\x1b[2Jname.yaml")  # exact in JSON
    text = run_play("check", root).stdout.decode()
    assert "bad\\n\\x1b[2Jname.yaml:2:1: error: YAML syntax" in text


needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32",
                                    reason="symbolic links need POSIX")


@needs_symlinks
def test_symlink_loops_in_the_story_folder_are_not_followed(tmp_path):
    root = make_story(tmp_path / "story", {"sub/ok.yaml": "flags: {f: x}\n"})
    (root / "sub" / "loop").symlink_to(root)  # a folder loop: rglob/os.walk must not follow it
    (root / "self.yaml").symlink_to(root / "self.yaml")  # a file that points at itself
    (root / "a.yaml").symlink_to(root / "b.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")  # two that point at each other
    returncode, errors = check(root)
    assert returncode == 1
    assert sorted((Path(e["path"]).name, e["code"]) for e in errors) == [
        ("a.yaml", "bad-link"), ("b.yaml", "bad-link"), ("self.yaml", "bad-link")]


@needs_symlinks
def test_links_out_of_the_story_folder_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n")
    root = make_story(tmp_path / "story", {})
    (root / "steal.yaml").symlink_to(secret)
    (root / "dev.yaml").symlink_to("/dev/zero")
    (root / "outside").symlink_to(tmp_path)  # a linked folder is not entered at all
    proc = run_play("check", root, "--json", cwd=tmp_path)
    assert b"hunter2" not in proc.stdout + proc.stderr
    errors = json.loads(proc.stdout)["errors"]
    assert sorted((Path(e["path"]).name, e["code"]) for e in errors) == [("dev.yaml", "bad-link"),
                                                                         ("steal.yaml", "bad-link")]
    assert "outside the story folder" in errors[0]["message"]


@needs_symlinks
def test_a_story_folder_reached_through_a_link_loads(tmp_path):
    root = make_story(tmp_path / "real", {"sub/more.yaml": "flags: {f: x}\n"})
    (tmp_path / "link").symlink_to(root)
    assert check(tmp_path / "link") == (0, [])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_called_yaml_does_not_hang_the_loader(tmp_path):
    root = make_story(tmp_path / "story", {})
    os.mkfifo(root / "pipe.yaml")  # opening it for reading would wait forever for a writer
    assert check(root) == (0, [])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads any file whatever its mode; see the monkeypatched test below")
def test_unreadable_file_is_one_error(tmp_path):
    root = make_story(tmp_path / "story", {"locked.yaml": "flags: {f: x}\n"})
    (root / "locked.yaml").chmod(0)
    try:
        returncode, errors = check(root)
    finally:
        (root / "locked.yaml").chmod(0o644)
    assert returncode == 1
    assert_error(errors, "locked.yaml", "unreadable")


def test_unreadable_file_is_one_error_even_as_root(tmp_path, monkeypatch):
    """What chmod 000 does for a normal user, simulated: opening the file fails."""
    root = make_story(tmp_path / "story", {"locked.yaml": "flags: {f: x}\n"})
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == "locked.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    story, diagnostics = loader.check(root)
    assert story is None
    assert [(Path(d.pos.path).name, d.code, d.message) for d in diagnostics] == [
        ("locked.yaml", "unreadable", "cannot read file: Permission denied")]
