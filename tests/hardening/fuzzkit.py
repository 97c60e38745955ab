"""Shared pieces of the hardening tests: strategies for hostile input, the
playthrough invariants, and a runner for hostile cases in a subprocess.

Imported by the test modules in this folder (pytest puts the folder on
sys.path). Kept free of fixtures so the prompt-toolkit UI's tests can reuse
the strategies (LINES, KEYS) and check_invariants() as they are.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from game.engine import Engine
from game.state import Playthrough

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "sample"
PLAY = ROOT / "play.py"

# How long a hostile case may take before the test calls it a hang. The goal
# is under 2 s on the project's machine (measured by hand, see
# docs/SECURITY.md); the margin keeps a loaded CI machine from flaking.
HANG_SECONDS = 20
# Address space for a hostile case's process: far above what a refused file
# needs (tens of MB), far below what an alias bomb would take.
MEMORY_BYTES = 1024 * 1024 * 1024

# --- the playthrough's invariants ----------------------------------------


def check_invariants(engine: Engine, pt: Playthrough) -> None:
    """What must hold after any input: the state is one the story can be in,
    and replaying its log from the start gives exactly the same state."""
    story = engine.story
    assert pt.scene in story.scenes, f"current scene {pt.scene!r} does not exist"
    assert set(pt.stats) == set(story.stats)
    for stat_id, value in pt.stats.items():
        stat = story.stats[stat_id]
        assert stat.min <= value <= stat.max, f"stat {stat_id}={value} outside {stat.min}..{stat.max}"
    assert set(pt.clues) <= set(story.clues)
    assert set(pt.flags) <= set(story.flags)
    assert pt.ending is None or pt.ending in story.endings
    assert pt.turn == len(pt.log)
    replayed = engine.replay(pt.log, pt.seed)
    assert replayed.error is None, f"the log does not replay: {replayed.error}"
    assert replayed.playthrough.snapshot() == pt.snapshot()


# --- strategies: text a player might type --------------------------------

COMMAND_WORDS = ["look", "l", "clues", "c", "case", "status", "st", "history", "hi", "save", "s", "load",
                 "lo", "saves", "undo", "u", "restart", "help", "h", "?", "LOOK", "Save", "quit"]
NASTY = [
    "\x1b[2J", "\x1b[31m", "\x1b]0;title\x07", "\x1bP", "\x9b", "\x00", "\x07", "\x08", "\x7f", "\r", "\t",
    "\u202e", "\u200b", "\ufeff", "\u0301", "\U0001f575\ufe0f", "\u6f22", "\uff11", "\u0663", "\ud800",
    "\U000e0001", "\u2028", "..", "/", "\\", "../x", "..\\x", "/etc/passwd", "C:\\x", "con", "NUL", "com1",
    "-1", "0", "1_0", "99999999999999999999", "1e9", "%s%n", "{0}", "'", '"',
]
WORD = st.one_of(
    st.sampled_from(COMMAND_WORDS),
    st.integers(-3, 12).map(str),
    st.sampled_from(NASTY),
    st.text(max_size=12),
)
LINES = st.one_of(
    st.lists(WORD, min_size=1, max_size=4).map(" ".join),
    st.text(max_size=60),
)
# Keys a terminal can send (for the prompt-toolkit UI's tests to reuse).
KEYS = st.one_of(
    st.sampled_from(["\r", "\n", "\t", "\x7f", "\x1b", "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[5~",
                     "\x1b[6~", "\x1b[1;2A", "\x1b[Z", "\x03", "\x04", "\x0c", "\x1a", "\x1b[200~", "\x1b[201~",
                     "\x1bOP", "q", "1", "?"]),
    # what terminals send unasked, whole or garbled: mouse reports, cursor position reports
    st.tuples(st.sampled_from(["\x1b[", "\x1b[<", "\x1b[M", "\x1b[?"]), st.text("0123456789;", max_size=8),
              st.sampled_from(["M", "m", "R", "~", "c", ""])).map("".join),
)

# --- strategies: story folders --------------------------------------------

SCENE_IDS = ["x.one", "x.two", "y.three", "y.four"]
CLUE_IDS = ["a", "b", "c"]
FLAG_IDS = ["f", "g"]
STAT_IDS = ["s", "t"]
ENDING_IDS = ["e1", "e2"]
CHOICE_IDS = ["c1", "c2", "c3"]

# Text a writer types: anything printable (control characters are refused by
# the loader, which test_hostile_story covers on its own).
PROSE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=10)
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-4, 4), st.text(max_size=6),
                    st.sampled_from(SCENE_IDS + CLUE_IDS + FLAG_IDS + STAT_IDS + ENDING_IDS))
JUNK = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.one_of(st.text(max_size=5), st.sampled_from(["id", "if", "goto", "text"])),
                                      inner, max_size=3), max_leaves=6)
CONDITIONS = st.sampled_from(["clue.a", "not clue.b", "flag.f", "stat.s >= 1", "stat.t < 0 or clue.c",
                              "turn > 2", "visited.x.two", "clue.a and flag.g", "true", "false",
                              "(stat.s == 2) == false", "not (flag.g or visited.y.four)"])
BAD_CONDITIONS = st.one_of(st.sampled_from(["clue.zz", "stat.s", "flag.f &&", "((", "x.y", ""]), st.text(max_size=12))


def _folder(junk: bool) -> st.SearchStrategy[dict[str, Any]]:
    """A story folder: near valid (junk=False, so play gets exercised) or with
    a wrong shape or a bad value here and there (junk=True)."""

    def shape(strategy: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(*[strategy] * 9, JUNK) if junk else strategy

    conditions = st.one_of(*[CONDITIONS] * 4, BAD_CONDITIONS) if junk else CONDITIONS
    effects = st.one_of(
        st.fixed_dictionaries({"clue": st.sampled_from(CLUE_IDS)}),
        st.fixed_dictionaries({"flag": st.sampled_from(FLAG_IDS)}),
        st.fixed_dictionaries({"unflag": st.sampled_from(FLAG_IDS)}),
        st.fixed_dictionaries({"stat": st.dictionaries(st.sampled_from(STAT_IDS), st.integers(-4, 4),
                                                       min_size=1, max_size=2)}),
        st.fixed_dictionaries({"set": st.dictionaries(st.sampled_from(STAT_IDS), st.integers(-2, 2),
                                                      min_size=1, max_size=2)}),
        st.fixed_dictionaries({"end": st.sampled_from(ENDING_IDS)}),
    )
    branches = st.tuples(st.lists(st.fixed_dictionaries({"if": conditions, "goto": st.sampled_from(SCENE_IDS)}),
                                  min_size=1, max_size=2),
                         st.fixed_dictionaries({"goto": st.sampled_from(SCENE_IDS)})).map(lambda t: [*t[0], t[1]])
    choice = st.fixed_dictionaries(
        {"id": st.sampled_from(CHOICE_IDS), "text": PROSE.map(lambda t: "Go " + t)},
        optional={
            "goto": shape(st.one_of(st.sampled_from(SCENE_IDS), branches)),
            "if": shape(conditions),
            "do": shape(st.lists(effects, max_size=3)),
            "once": shape(st.booleans()),
            "outcome": PROSE,
            "visible_when_locked": shape(st.booleans()),
        },
    )
    choices = st.lists(choice, min_size=1, max_size=4, unique_by=lambda c: c["id"])
    paragraphs = st.one_of(
        PROSE,
        st.lists(st.one_of(PROSE, st.fixed_dictionaries({"text": PROSE}, optional={"if": conditions}),
                           st.fixed_dictionaries({"one_of": st.lists(PROSE, min_size=1, max_size=3)},
                                                 optional={"if": conditions})), max_size=3),
    )
    scene = st.one_of(
        st.fixed_dictionaries({"text": shape(paragraphs), "choices": shape(choices)},
                              optional={"title": PROSE, "on_enter": shape(st.lists(effects, max_size=2)),
                                        "case_board": shape(st.booleans())}),
        st.fixed_dictionaries({"text": shape(paragraphs), "ending": shape(st.sampled_from(ENDING_IDS))},
                              optional={"title": PROSE}),
    )
    stat = st.tuples(st.integers(-3, 0), st.integers(0, 3), st.booleans()).flatmap(
        lambda t: st.fixed_dictionaries(
            {"min": st.just(t[0]), "max": st.just(t[1])},
            optional={"start": st.integers(t[0], t[1]), "overflow": st.just("block" if t[2] else "clamp"),
                      "kind": st.sampled_from(["relationship", "state", "suspicion"]), "shown": st.booleans()}))
    manifest = st.fixed_dictionaries(
        {
            "story": shape(st.fixed_dictionaries(
                {"id": st.just("fuzz"), "title": PROSE.map(lambda t: "T" + t), "start": st.sampled_from(SCENE_IDS)},
                optional={"version": st.one_of(st.integers(0, 3), st.text(max_size=3)), "intro": PROSE,
                          "content_notes": shape(st.lists(PROSE, max_size=2))})),
            "areas": shape(st.just({"x": "X", "y": {"title": "Y"}})),
            "stats": shape(st.fixed_dictionaries({name: stat for name in STAT_IDS})),
            "clues": shape(st.fixed_dictionaries({name: st.fixed_dictionaries(
                {"title": PROSE.map(lambda t: "C" + t)}, optional={"text": PROSE}) for name in CLUE_IDS})),
            "flags": shape(st.fixed_dictionaries({name: st.one_of(st.none(), PROSE) for name in FLAG_IDS})),
            "endings": shape(st.fixed_dictionaries({name: st.fixed_dictionaries(
                {"title": PROSE.map(lambda t: "E" + t)}) for name in ENDING_IDS})),
        },
        optional={
            "deductions": shape(st.fixed_dictionaries({"d1": st.fixed_dictionaries(
                {"label": st.just("Think."), "needs": st.just(["a", "b"]), "gives": st.just("c")})})),
            "renames": shape(st.fixed_dictionaries({}, optional={
                "scenes": st.just({"x.old": "x.one"}),
                "choices": st.dictionaries(st.sampled_from(SCENE_IDS), st.dictionaries(
                    st.just("old"), st.sampled_from(CHOICE_IDS), max_size=1), max_size=1)})),
        },
    )
    # Every scene id is defined (split between two files, one in a subfolder),
    # so references and the start scene resolve unless junk says otherwise.
    scenes = st.fixed_dictionaries({name: shape(scene) for name in SCENE_IDS})
    return st.tuples(manifest, scenes, st.integers(0, len(SCENE_IDS))).map(lambda t: {
        "story.yaml": t[0],
        "scenes.yaml": {"scenes": dict(list(t[1].items())[:t[2]]) or None},
        "more/extra.yaml": {"scenes": dict(list(t[1].items())[t[2]:]) or None},
    })


def story_folders() -> st.SearchStrategy[dict[str, Any]]:
    """{relative path: document}: a manifest and two scene files, valid or near valid."""
    return st.one_of(_folder(junk=False), _folder(junk=True))


# --- mutations of valid files ---------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, data: bytes, max_edits: int = 4) -> bytes:
    """data with a few byte-level edits: flips, inserts, deletes, duplicated or cut lines."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, max_edits))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "dup-line", "cut", "splice"]))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if kind == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            out[at:at] = draw(st.one_of(st.binary(min_size=1, max_size=4),
                                        st.sampled_from([b"[", b"{", b"&a ", b"*a", b"- ", b": ", b"\t", b"\n ",
                                                         b"'", b'"', b"!!python/object ", b"<<: ", b"\xef\xbb\xbf",
                                                         b"---\n", b"...\n", b"%YAML 1.1\n", b"#"])))
        elif kind == "delete":
            del out[at:at + draw(st.integers(1, 8))]
        elif kind == "dup-line":
            start = out.rfind(b"\n", 0, at) + 1
            end = out.find(b"\n", at)
            end = len(out) if end < 0 else end + 1
            out[end:end] = out[start:end]
        elif kind == "cut":
            del out[at:]
        elif kind == "splice":
            size = draw(st.integers(1, 16))
            other = draw(st.integers(0, max(0, len(out) - 1)))
            out[at:at] = out[other:other + size]
    return bytes(out)


# --- hostile cases in a child process -------------------------------------


def memory_limit(limit: int = MEMORY_BYTES) -> Callable[[], None]:
    """A preexec_fn giving a child process at most `limit` bytes of address space."""

    def limit_memory() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return limit_memory


def run_play(*args: Any, stdin: bytes = b"", cwd: Path = ROOT, env: dict[str, str] | None = None,
             timeout: float = HANG_SECONDS, memory: int = MEMORY_BYTES) -> subprocess.CompletedProcess[bytes]:
    """Run play.py as a user would, with bounded memory; a hang fails the test
    (subprocess.TimeoutExpired), a crash shows as a negative return code."""
    full_env = {key: value for key, value in os.environ.items() if key != "PYTHONIOENCODING"}
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, str(PLAY), *map(str, args)], input=stdin, capture_output=True,
                          cwd=cwd, timeout=timeout, env=full_env, preexec_fn=memory_limit(memory))
    output = proc.stdout + proc.stderr
    assert b"Traceback" not in output, output.decode("utf-8", "replace")[-3000:]
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}"
    return proc


def error_lines(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    return [line for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()]


# --- the full-screen UI, drawn --------------------------------------------


def draw_tui(session: Any, keys: list[str] | str, columns: int = 80) -> tuple[Any, str]:
    """Run the full UI on a terminal of the given width, typing the keys one at a
    time (drawing after each, so every screen is drawn), then Ctrl-D; return the
    TerminalUI and every byte it wrote. Fails if the UI had to swallow an error."""
    import asyncio
    import io

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from game.ui.tui import TerminalUI

    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=columns), term="xterm")

    async def run(ui: TerminalUI, pipe: Any) -> None:
        running = asyncio.ensure_future(ui.app.run_async())
        for key in keys:
            drawn = ui.app.render_counter
            pipe.send_text(key)
            for _ in range(300):
                await asyncio.sleep(0.01)
                if ui.app.render_counter > drawn or running.done():
                    break
        if not running.done():
            pipe.send_text("\x04")
        await asyncio.wait_for(running, HANG_SECONDS)

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=output):
        ui = TerminalUI(session)
        asyncio.run(run(ui, pipe))
    assert ui.errors == []
    return ui, screen.getvalue()
