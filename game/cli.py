"""The command line: the only place that wires the layers together.

    python play.py [--story DIR] [--saves DIR] [--load SLOT | --continue] [--partial] [--plain] [--seed N] [--watch]
    python play.py check [DIR] [--json] [--stats] [--deep] [--budget STATES] [--strict] [--max-memory SIZE]
                         [--continuity [--continuity-budget STATES]]
    python play.py graph [DIR] [--format mermaid|dot] [-o FILE]
    python play.py playtest [DIR] [-n RUNS] [--seed N] [--max-turns T] [--out DIR] [--random]
                            [--save-walkthroughs DIR] [--no-check] [--json]
    python play.py replay FILE|SLOT [--story DIR] [--transcript OUT] [--to N] [--branch SLOT] [--partial]
    python play.py walkthrough SAVE OUT [--story DIR] [--saves DIR] [--partial]
    python play.py saves [--saves DIR]
    python play.py lsp | schema | new DIR
    python play.py publish [STORY] OUT [--runtime DIR] [--no-precompile]
    python play.py serve [--host H] [--port P] [--story DIR] [--data DIR] [--allow FILE] [--guests] [--workers N] [limits]

Exit codes: 0 success; 1 the story or a save has problems (with messages);
2 bad usage. Every error a user can cause is one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
from pathlib import Path
from typing import TextIO

from .errors import GameError, SaveError, StoryError, TranscriptMismatch, UsageError
from .safetext import cells, label, printable
from .tools import DEEP_BUDGET, DEFAULT_BUDGET, DEFAULT_MAX_MEMORY, FULL_ANALYSIS_SCENES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORY = PROJECT_ROOT / "story"
DEFAULT_SAVES = PROJECT_ROOT / "saves"
DEFAULT_SERVE_DATA = PROJECT_ROOT / "serve-data"
MAX_ERRORS_SHOWN = 20


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of exiting, so main() owns the exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _path(text: str) -> Path:
    # Path("") is ".": an empty --saves would write saves into the working folder.
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path")
    return Path(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="play.py", description="Play a story written for this engine in the terminal (the one in story/ unless --story names another), or run its writer tools.")
    parser.add_argument("--story", type=_path, default=DEFAULT_STORY, help="story folder (default: story/)")
    parser.add_argument("--saves", type=_path, default=DEFAULT_SAVES, help="saves folder (default: saves/)")
    parser.add_argument("--load", metavar="SLOT", help="resume from a save slot ('autosave': the newest autosave)")
    parser.add_argument("--continue", dest="resume", action="store_true",
                        help="resume the newest autosave (a new case if there is none)")
    parser.add_argument("--partial", action="store_true",
                        help="if the story changed so that the save stops fitting, load the turns that still fit")
    parser.add_argument("--plain", action="store_true",
                        help="plain line mode, for screen readers (also used when input is piped)")
    parser.add_argument("--high-contrast", dest="high_contrast", action="store_true",
                        help="the full-screen UI in white on black with bright highlights (NO_COLOR still wins)")
    parser.add_argument("--watch", action="store_true",
                        help="for writers: reload the story when its files change, keeping the playthrough")
    parser.add_argument("--seed", type=int, help="random seed for text variations (default: random)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="find every problem in a story folder")
    check.add_argument("dir", nargs="?", type=_path, default=DEFAULT_STORY, help="story folder")
    check.add_argument("--json", action="store_true", help="one JSON object on stdout")
    check.add_argument("--stats", action="store_true", help="also print the story's numbers")
    check.add_argument("--deep", action="store_true",
                       help=f"search up to {DEEP_BUDGET:,} states for soft-locks (default {DEFAULT_BUDGET:,}); "
                            f"on a story of more than {FULL_ANALYSIS_SCENES:,} scenes, the default runs no "
                            "story-wide analysis, only the scene graph")
    check.add_argument("--budget", type=_count, metavar="STATES",
                       help="most states the soft-lock search may visit (0: skip the search); like --deep, "
                            "it runs the story-wide analysis whatever the story's size")
    check.add_argument("--strict", action="store_true",
                       help="exit 1 when something could not be decided: the verdict is 'unknown', or a "
                            "text or choice was neither seen nor ruled out")
    check.add_argument("--max-memory", type=_memory, default=DEFAULT_MAX_MEMORY, metavar="SIZE",
                       help="memory the proofs may use, e.g. 500M or 2G (default 1G)")
    check.add_argument("--continuity", action="store_true",
                       help="also report text that names what the player cannot know yet, or a fact that no "
                            "longer holds, and choices that lie (slower: a search of its own)")
    check.add_argument("--continuity-budget", type=_count, metavar="STATES",
                       help="most states the continuity search may visit (default 100,000; --deep: 400,000)")

    graph = sub.add_parser("graph", help="the scene graph as Mermaid or Graphviz DOT")
    graph.add_argument("dir", nargs="?", type=_path, default=DEFAULT_STORY, help="story folder")
    graph.add_argument("--format", choices=("mermaid", "dot"), default=None,
                       help="output format (default: from -o's suffix, else mermaid)")
    graph.add_argument("-o", "--output", type=_path, metavar="FILE",
                       help="write to FILE (.mmd, .md, .dot, .gv) instead of standard output")

    playtest = sub.add_parser("playtest", help="many playthroughs, each going where none went: endings, coverage, errors")
    playtest.add_argument("dir", nargs="?", type=_path, default=DEFAULT_STORY, help="story folder")
    playtest.add_argument("-n", "--runs", type=_positive, default=1000, help="number of runs (default 1000)")
    playtest.add_argument("--seed", dest="playtest_seed", type=int, default=0,
                          help="seed; the same seed gives the same report (default 0)")
    playtest.add_argument("--max-turns", type=_max_turns, default=500,
                          help="a run with no ending by then counts as stuck (default 500)")
    playtest.add_argument("--out", type=_path, default=Path("playtest-replays"), metavar="DIR",
                          help="folder for replay files of failed or stuck runs (default playtest-replays/)")
    playtest.add_argument("--random", action="store_true",
                          help="uniform random players instead of the coverage-guided one: the odds a random "
                          "reader meets each ending, and the blind and informed players' question statistics")
    playtest.add_argument("--save-walkthroughs", type=_path, metavar="DIR",
                          help="write the shortest run to each ending reached as DIR/ENDING.json, a walkthrough "
                          "that replays (replaces only files an earlier playtest wrote)")
    playtest.add_argument("--no-check", dest="verdicts", action="store_false",
                          help="skip check's analysis: no proven reachable / unreachable column")
    playtest.add_argument("--json", action="store_true", help="one JSON object on stdout")
    playtest.add_argument("--prose", action="store_true",
                          help="instead: what one playthrough reads three or more times (sentences, phrases), "
                               "and the story's similes and pet phrases")

    replay = sub.add_parser("replay", help="replay a save or walkthrough and print its transcript")
    replay.add_argument("file", help="a save file or walkthrough (.json), or a slot name in the saves folder")
    replay.add_argument("--story", dest="replay_story", type=_path, default=None, help="story folder")
    replay.add_argument("--saves", dest="saves_dir", type=_path, default=None, help="saves folder")
    replay.add_argument("--transcript", type=_path, metavar="OUT", help="write the transcript to a file")
    replay.add_argument("--to", type=int, metavar="N", help="stop after turn N (0: the opening scene)")
    replay.add_argument("--branch", metavar="SLOT", help="save the replayed point as a new slot to play on from")
    replay.add_argument("--partial", dest="replay_partial", action="store_true",
                        help="if the log stops fitting the story, stop there without failing")
    replay.add_argument("--compare", type=_path, metavar="GOLDEN",
                        help="compare the transcript with a saved one; show the difference, exit 1 if any")

    walk = sub.add_parser("walkthrough", help="turn a save or autosave into a walkthrough file that replays",
                          description="Replay a save (a file, a slot name, or 'autosave') on the story and write "
                          "its choices as a walkthrough (docs/SAVES.md) with what it reaches as expectations; "
                          "the file is read back and replayed before it is kept. The save is only read.")
    walk.add_argument("file", metavar="SAVE", help="a save file (.json), or a slot name in the saves folder")
    walk.add_argument("out", metavar="OUT", type=_path, help="the walkthrough file to write (must not exist)")
    walk.add_argument("--story", dest="replay_story", type=_path, default=None, help="story folder")
    walk.add_argument("--saves", dest="saves_dir", type=_path, default=None, help="saves folder")
    walk.add_argument("--partial", dest="replay_partial", action="store_true",
                      help="if the save stops fitting the story, write the turns that still fit")

    publish = sub.add_parser("publish", help="the story as a web page: a folder OUT and OUT.zip for itch.io",
                             description="Check the story, then write a static web page that plays it in the "
                             "browser with this same engine (docs/PUBLISHING.md).")
    publish.add_argument("paths", nargs="+", type=_path, metavar="[STORY] OUT",
                         help="the story folder (default: story/) and the folder to write")
    publish.add_argument("--runtime", type=_path, metavar="DIR",
                         help="a folder with the pinned Pyodide files (default: installed with npm into a cache)")
    publish.add_argument("--no-precompile", dest="precompile", action="store_false",
                         help="ship the story's YAML only; the page parses it (slower start)")

    saves = sub.add_parser("saves", help="list the save slots")
    saves.add_argument("--saves", dest="saves_dir", type=_path, default=None, help="saves folder")

    sub.add_parser("lsp", help="for editors: the language server for story files (LSP over stdin/stdout)")
    sub.add_parser("schema", help="print the JSON Schema of a story file (for editors' YAML support)")
    new = sub.add_parser("new", help="start a new story folder: a first scene, the schema, editor settings")
    new.add_argument("new_dir", metavar="DIR", type=_path, help="the folder to create (new or empty)")

    from .serve import options as serve_options

    serve = sub.add_parser("serve", help="serve the game over SSH to many players (needs the [serve] extra)")
    serve_options.add_arguments(serve, DEFAULT_STORY, DEFAULT_SERVE_DATA, _path)
    return parser


def main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    _tolerate_bad_encoding(stdin, stdout, sys.stderr)
    try:
        args = build_parser().parse_args(argv)
        if args.command == "check":
            return cmd_check(args, stdout)
        if args.command == "graph":
            return cmd_graph(args, stdout)
        if args.command == "playtest":
            return cmd_playtest(args, stdout)
        if args.command == "replay":
            return cmd_replay(args, stdout)
        if args.command == "saves":
            return cmd_saves(args, stdout)
        if args.command == "walkthrough":
            return cmd_walkthrough(args, stdout)
        if args.command == "serve":
            return cmd_serve(args, stdout)
        if args.command == "lsp":
            return cmd_lsp()
        if args.command == "schema":
            return cmd_schema(stdout)
        if args.command == "new":
            return cmd_new(args, stdout)
        if args.command == "publish":
            return cmd_publish(args, stdout)
        return cmd_play(args, stdin, stdout)
    except StoryError as exc:
        _print_story_errors(exc)
        return exc.exit_code
    except GameError as exc:
        print(f"error: {printable(str(exc), limit=500)}", file=sys.stderr)  # may quote any argument or file
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `play.py check | head`: the reader left, nothing to report
        return 0
    except OSError as exc:  # a path the system cannot even look at (e.g. a name too long): still one line
        where = f"{printable(str(exc.filename), limit=200)}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


def _tolerate_bad_encoding(*streams: TextIO) -> None:
    """Bytes that are not valid in the terminal's encoding become U+FFFD
    (input) or '?' (output) instead of a UnicodeError: a paste of binary junk
    or an ASCII-only terminal must not end a game."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # e.g. a closed or detached stream
                reconfigure(errors="replace")


def _safe(text: str) -> str:
    """Text from a save or story file, safe to print: control characters escaped (docs/SECURITY.md)."""
    return printable(text, limit=0, keep="\n")


def _print_story_errors(exc: StoryError) -> None:
    errors = [d for d in exc.diagnostics if d.severity == "error"]
    for diagnostic in errors[:MAX_ERRORS_SHOWN]:
        print(diagnostic, file=sys.stderr)
    if len(errors) > MAX_ERRORS_SHOWN:
        print(f"... and {len(errors) - MAX_ERRORS_SHOWN} more; run 'play.py check' for all", file=sys.stderr)


def _count(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _memory(text: str) -> int:
    """A size in bytes, from '500M', '2G', '1024K' or a plain number of bytes."""
    cleaned = text.strip().upper().removesuffix("B")
    scale = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(cleaned[-1:], 1)
    digits = cleaned[:-1] if scale > 1 else cleaned
    try:
        value = int(float(digits) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 500M or 2G)") from None
    if value < 16 * 1024**2:
        raise argparse.ArgumentTypeError(f"too small to prove anything: {text!r} (at least 16M)")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return value


def _max_turns(text: str) -> int:
    from .savedoc import MAX_TURNS

    value = _positive(text)
    if value > MAX_TURNS:  # a stuck run's replay is a save, and a save holds at most MAX_TURNS turns
        raise argparse.ArgumentTypeError(f"at most {MAX_TURNS:,}: a longer run's replay could not be loaded")
    return value


def cmd_playtest(args: argparse.Namespace, stdout: TextIO) -> int:
    import json

    from .tools import playtest

    story = _load_story(args.dir)
    if args.prose:
        from .tools import repetition

        prose = repetition.prose_report(story, args.runs, args.playtest_seed, args.max_turns)
        stdout.write(repetition.format_prose_report(prose))
        return 0
    tester = playtest.Playtester(story, args.out, guided=not args.random)
    report = tester.run(args.runs, args.playtest_seed, args.max_turns)
    if args.verdicts:
        from .tools.verdicts import of_story

        report.verdicts = of_story(story, tester.engine)
    if args.save_walkthroughs is not None:
        from .tools.walkthrough import save_per_ending

        report.walkthroughs = save_per_ending(tester.engine, report.kept, args.save_walkthroughs)
    if args.json:
        stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        stdout.write(playtest.format_report(report))
    return 0 if report.ok else 1


def cmd_check(args: argparse.Namespace, stdout: TextIO) -> int:
    from .tools import check

    budget = args.budget if args.budget is not None else DEEP_BUDGET if args.deep else DEFAULT_BUDGET
    # Asked for a search (--deep, --budget): the analysis runs whatever the story's size.
    full = True if args.deep or args.budget is not None else None
    result = check.run_check(args.dir, budget, args.max_memory, continuity=args.continuity, deep=args.deep,
                             continuity_budget=args.continuity_budget, full=full)
    return check.report(result, stdout, args.json, args.stats, args.strict)


def cmd_graph(args: argparse.Namespace, stdout: TextIO) -> int:
    from . import saves
    from .tools import graph

    suffix = args.output.suffix if args.output else ""
    fmt = args.format or graph.format_for(suffix) or "mermaid"
    story = _load_story(args.dir)
    text = graph.render(story, fmt, markdown=suffix.lower() == ".md" and fmt == "mermaid")
    if args.output is None:
        stdout.write(text)
        return 0
    saves.write_text(args.output, text)
    stdout.write(f"Graph of {len(story.scenes)} scenes written to {args.output} ({fmt})\n")
    return 0


def cmd_publish(args: argparse.Namespace, stdout: TextIO) -> int:
    from .tools import publish

    if len(args.paths) > 2:
        raise UsageError("publish takes a story folder and an output folder, no more")
    story, out = (DEFAULT_STORY, args.paths[0]) if len(args.paths) == 1 else args.paths
    stdout.write(publish.summary(publish.publish(story, out, args.runtime, args.precompile)))
    return 0


def _load_story(path: Path):
    from . import loader

    return loader.load(path).story


def cmd_play(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from . import saves
    from .ui.session import Session

    story = _load_story(args.story)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    session = Session(story, args.saves, seed=seed)
    if args.load and args.resume:
        raise UsageError("use either --load SLOT or --continue, not both")
    if args.load:
        try:
            saves.slot_name(args.load)
        except SaveError as exc:
            raise UsageError(f"--load: {exc}") from None
    slot = args.load or ("autosave" if args.resume else None)
    if args.resume and not saves.has_autosave(args.saves):
        stdout.write("No autosave yet; a new case begins.\n\n")
        slot = None
    notes: list[str] = []
    if slot:
        # A save that no longer fits raises SaveMisfit: one line, exit 1, unless --partial.
        loaded = session.load(slot, partial=args.partial)
        notes = [printable(note) for note in loaded.notes()]  # they quote the save file
    live = None
    if args.watch:
        from .ui.watch import LiveReload

        live = LiveReload(session, args.story)
    if _wants_tui(args, stdin, stdout):
        from .ui import tui  # imported here: prompt-toolkit is only needed for the full UI

        theme = "high-contrast" if args.high_contrast else "default"
        return tui.run(session, stdout, resumed=slot, notes=notes, live=live, theme=theme)
    if slot:
        stdout.write(f"Loaded '{loaded.slot}' (turn {loaded.playthrough.turn}).\n")
        for note in notes:
            stdout.write(_safe(note) + "\n")
        stdout.write("\n")
    from .ui.plain import PlainUI

    if live is not None:
        stdout.write(f"Watching {args.story} for changes: save a file and the story reloads.\n\n")
    ui = PlainUI(session, stdin, stdout, live=live)
    try:
        return ui.run(fresh=not slot)
    except KeyboardInterrupt:
        stdout.write("\n")
        return ui.leave()


def _read_replayable(args: argparse.Namespace):
    """The document to replay: a file if FILE names one, else a slot in the saves folder."""
    from . import saves

    path = Path(args.file)
    if path.exists() or path.suffix or "/" in args.file or "\\" in args.file:
        return saves.read_doc(path), str(path), ()
    found = saves.read_slot(args.saves_dir or args.saves, args.file)
    return found.doc, str(found.path), found.skipped


def _wants_tui(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> bool:
    """The full-screen UI needs a terminal on both ends; TERM=dumb (Emacs shells, some
    screen-reader setups) cannot draw it, so those get plain mode too."""
    if args.plain or os.environ.get("TERM") == "dumb":
        return False
    return _is_terminal(stdin) and _is_terminal(stdout)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


MAX_GOLDEN_BYTES = 64 * 1024 * 1024  # a transcript of the longest real game is well under 1 MB


def _read_golden(path: Path) -> str:
    """A saved transcript to compare with; UsageError in one line if it cannot be read."""
    from . import saves

    try:
        raw = saves.read_capped(path, MAX_GOLDEN_BYTES)
    except saves.NotARegularFile:
        raise UsageError(f"--compare {path}: not a regular file") from None
    except OSError as exc:
        raise UsageError(f"--compare {path}: cannot read it: {exc.strerror or exc}") from None
    if len(raw) > MAX_GOLDEN_BYTES:
        raise UsageError(f"--compare {path}: larger than {MAX_GOLDEN_BYTES // (1024 * 1024)} MB; not a transcript")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"--compare {path}: not UTF-8 text (byte {exc.start})") from None


def cmd_replay(args: argparse.Namespace, stdout: TextIO) -> int:
    from . import saves
    from .engine import Engine
    from .tools.transcript import transcript

    story = _load_story(args.replay_story or args.story)
    doc, where, skipped = _read_replayable(args)
    for problem in skipped:
        print(f"note: passed over a damaged autosave: {_safe(problem)}", file=sys.stderr)
    total = len(doc["log"])
    if args.to is not None and not 0 <= args.to <= total:
        raise UsageError(f"--to {args.to}: {where} has turns 0 to {total}")
    if args.branch:
        try:
            branch = saves.writable_slot(args.branch)
        except SaveError as exc:
            raise UsageError(f"--branch: {exc}") from None
        saves_dir = args.saves_dir or args.saves
        if saves.slot_path(saves_dir, branch).exists():
            raise UsageError(f"--branch {branch}: a save of that name exists in {saves_dir}; pick a new name")
    engine = Engine(story)
    loaded = saves.replay_doc(doc, engine, where, upto=args.to)
    turns = loaded.fitting if args.to is None else min(args.to, loaded.fitting)
    text = _safe(transcript(story, saves.log_of(doc), doc.get("seed", 0), engine, upto=args.to))
    if args.transcript:
        saves.write_text(args.transcript, text)
        stdout.write(f"Transcript of {turns} turns written to {args.transcript}\n")
    elif not args.compare:
        stdout.write(text)
    if args.compare:
        from .tools.transcript import compare, first_difference

        golden = _read_golden(args.compare)
        difference = compare(golden, text, str(args.compare))
        if difference:
            stdout.write(_safe(difference))
            raise TranscriptMismatch(f"{where}: the transcript differs from {args.compare} from line "
                                     f"{first_difference(golden, text)} on (the difference is above)")
        stdout.write(f"Transcript matches {args.compare} ({turns} turns).\n")
    if not loaded.fits:
        if not args.replay_partial:
            raise loaded.misfit()
        print(f"note: {where}: {_safe(saves.describe_misfit(loaded.result.error, total))}; stopped there",
              file=sys.stderr)
    elif loaded.story_changed:
        print(f"note: {where}: the story was updated since this save; it replays fine", file=sys.stderr)
    if args.branch:
        path = saves.save_slot(saves_dir, story, loaded.playthrough, branch)
        stdout.write(f"Saved turn {loaded.playthrough.turn} as slot '{branch}' ({path}); "
                     f"play on with --load {branch}\n")
    return 0


def cmd_walkthrough(args: argparse.Namespace, stdout: TextIO) -> int:
    from .engine import Engine
    from .tools import walkthrough

    story = _load_story(args.replay_story or args.story)
    if args.out.exists() or args.out.is_symlink():  # before any work: the answer will not change
        raise SaveError(f"{args.out} already exists; a walkthrough is never written over a file (pick a new name)")
    doc, where, skipped = _read_replayable(args)
    for problem in skipped:
        print(f"note: passed over a damaged autosave: {_safe(problem)}", file=sys.stderr)
    engine = Engine(story)
    made, note = walkthrough.from_save(doc, engine, where, partial=args.replay_partial)
    walkthrough.write_new(args.out, made, engine)
    if note:
        print(f"note: {where}: {_safe(note)}", file=sys.stderr)
    expect = made["expect"]
    reaches = f"ending '{expect['ending']}'" if "ending" in expect else f"scene '{expect['scene']}' (no ending yet)"
    story_arg = f" --story {args.replay_story}" if args.replay_story else ""
    stdout.write(f"Walkthrough of {len(made['log'])} turns written to {args.out}: it replays to {reaches}; "
                 f"replay it with: play.py replay {args.out}{story_arg}\n")
    return 0


def cmd_lsp() -> int:
    try:
        from .lsp.server import main as serve
    except ImportError as exc:  # pygls is an optional extra: players do not need it
        raise UsageError(f"the language server needs its packages ({exc.name} is missing): "
                         "pip install -c constraints.txt -e '.[lsp]' in the engine's folder") from None
    return serve()


def cmd_schema(stdout: TextIO) -> int:
    from .tools.scaffold import schema_text

    stdout.write(schema_text())
    return 0


def cmd_new(args: argparse.Namespace, stdout: TextIO) -> int:
    from .tools.check import run_check
    from .tools.scaffold import new_story

    written = new_story(args.new_dir, PROJECT_ROOT / "play.py")
    result = run_check(args.new_dir)
    for path in written:
        stdout.write(f"wrote {path}\n")
    stdout.write(f"check {'ok' if result.ok else 'failed'}: play it with: play.py --story {args.new_dir}\n")
    return 0 if result.ok else 1


def _ending_titles(story_dir: Path) -> dict[tuple[str, str], str]:
    """(story id, ending id) -> the ending's title, from the story folder if it loads
    (a listing names endings as the player knows them); empty if it does not."""
    try:
        story = _load_story(story_dir)
    except (GameError, OSError):
        return {}
    return {(story.id, ending.id): ending.title for ending in story.endings.values()}


def cmd_saves(args: argparse.Namespace, stdout: TextIO) -> int:
    from . import saves

    folder = args.saves_dir or args.saves
    infos = saves.list_saves(folder)
    if not infos:
        stdout.write(f"No saves in {folder}.\n")
        return 0
    # A file in the folder may have any name (escapes, wide letters, 255 bytes): shown escaped and cut short.
    titles = _ending_titles(args.story)
    names = {info.path: label(info.slot) for info in infos}
    width = max(cells(name) for name in names.values())
    named = [info for info in infos if not info.autosave and not info.problem]
    auto = [info for info in infos if info.autosave and not info.problem]
    damaged = [info for info in infos if info.problem]
    for heading, group in (("Saves", named), ("Autosaves", auto), ("Damaged", damaged)):
        if not group:
            continue
        stdout.write(f"{heading} in {folder}{', newest first' if heading != 'Damaged' else ''}:\n")
        for info in group:
            name = names[info.path] + " " * (width - cells(names[info.path]))
            if info.problem:
                stdout.write(f"  {name}  DAMAGED, cannot be loaded: {_safe(info.problem)}\n")
                continue
            ending = f", ended: {titles.get((info.story_id, info.ending), info.ending)}" if info.ending else ""
            stdout.write(f"  {name}  {label(saves.local_time(info.updated)):<16}  turn {info.turn:>3}  "
                         f"clues {info.clues:>2}  {label(info.title + ending, limit=80)}\n")
    stdout.write("Resume with: play.py --load SLOT (or --continue for the newest autosave)\n")
    return 0


def cmd_serve(args: argparse.Namespace, stdout: TextIO) -> int:
    from .serve import options

    options.require_asyncssh()
    from .serve.server import ServeConfig, serve  # asyncssh is imported only now

    config = ServeConfig(story=args.serve_story, data=args.data, host=args.host, port=args.port,
                         limits=options.limits_from(args), allow=args.allow, guests=args.guests,
                         workers=options.workers_from(args))
    return serve(config, stdout)
