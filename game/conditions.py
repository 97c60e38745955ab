"""The condition language: parsed once at load time, evaluated every turn.

    clue.pill_label and not flag.evicted
    stat.trust >= 2 or visited.office.case_board
    (turn > 30) == false

Grammar (lowest precedence first)::

    expr  := and ('or' and)*
    and   := not ('and' not)*
    not   := 'not' not | cmp
    cmp   := atom (('=='|'!='|'<'|'<='|'>'|'>=') atom)?
    atom  := NUMBER | '-' NUMBER | 'true' | 'false' | NAME | '(' expr ')'
    NAME  := 'turn' | 'first_visit' | 'deducible' ('.' ID)? | 'open' ('.' ID)? | 'known' '.' ID
           | ('clue'|'flag'|'stat'|'visited'|'visits'|'taken'|'solved'|'concluded') '.' ID ('.' ID)*

A tiny hand-written parser rather than Python's ``ast``: the language is not
Python (``true``, dotted scene ids), and writers deserve errors in its own
terms with an exact column. Nothing is ever passed to ``eval``. Each parsed
tree is compiled into nested closures, so evaluation costs a few attribute
look-ups per turn.

Types are checked at load time: ``clue.x``, ``flag.x`` and ``visited.x`` are
true/false, ``stat.x``, ``turn``, ``visits.SCENE`` (times entered) and
``taken.SCENE.CHOICE`` (times taken) are numbers; ``and``/``or``/``not`` take
true/false, ``<`` and friends take numbers.

``here`` names the scene the condition belongs to (``visits.here``,
``taken.here.CHOICE``, or just ``taken.CHOICE``) and ``first_visit`` means
``visits.here == 1``; both are resolved at parse time, so a parsed tree only
ever holds plain references with the scene spelled out.

``deducible.x`` (deduction x can be made now: its clues are held, its result
is not) and ``deducible`` (some deduction can) are spelled out at parse time
into the clue tests they stand for, so the engine and every analysis see
plain clue references and need no new case. ``known.x`` (the player knows
of person, place or thing x) and ``open.q`` / ``open`` (question q is open:
its ``opens`` holds and it is not closed) are spelled out the same way, into
the entity's ``known`` condition and the question's ``opens`` and
``concluded.q``. ``solved.q`` (closed with an accepted answer) and
``concluded.q`` / ``concluded.q.o`` (closed at all / with the answer or
conclusion o) are references of their own: they read the playthrough's
answers.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .diagnostics import did_you_mean
from .errors import ConditionError

MAX_CONDITION_LENGTH = 2000
MAX_NESTING = 50

BOOL = "true/false"
NUM = "number"

# kind -> the type a reference of that kind evaluates to
NAMESPACES = {"clue": BOOL, "flag": BOOL, "visited": BOOL, "stat": NUM, "visits": NUM, "taken": NUM,
              "solved": BOOL, "concluded": BOOL}
HERE = "here"  # in visits.here / taken.here.CHOICE: the scene the condition belongs to

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|-)
  | (?P<wrong>&&|\|\||!|=|&|\|)
    """,
    re.VERBOSE,
)
_WRONG = {"&&": "and", "&": "and", "||": "or", "|": "or", "!": "not", "=": "=="}
_KEYWORDS = {"and", "or", "not", "true", "false"}
_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


# --- tree ----------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    value: Any
    type: str
    col: int


@dataclass(frozen=True)
class Ref:
    kind: str  # clue | flag | stat | visited | visits | taken | turn | solved | concluded
    name: str  # the id within the kind ('' for turn; 'SCENE.CHOICE' for taken; 'Q' or 'Q.OUTCOME' for concluded)
    type: str
    col: int


@dataclass(frozen=True)
class Not:
    operand: Node
    col: int
    type: str = BOOL


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    operands: tuple[Node, ...]
    col: int
    type: str = BOOL


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node
    col: int
    type: str = BOOL


Node = Lit | Ref | Not | BoolOp | Compare


@dataclass(frozen=True)
class Condition:
    """A parsed condition: call it with a playthrough to get True or False."""

    source: str
    tree: Node
    test: Callable[[Any], bool] = field(compare=False, repr=False)

    def __call__(self, playthrough: Any) -> bool:
        return self.test(playthrough)

    def __str__(self) -> str:
        return self.source

    @cached_property
    def refs(self) -> frozenset[tuple[str, str]]:
        """Every (kind, name) the condition reads, e.g. ('clue', 'pill_label').

        Kept once computed (a condition is immutable, and the analyses ask for the refs of
        the same few thousand conditions hundreds of thousands of times)."""
        return frozenset(_refs(self.tree))


def _refs(node: Node) -> Iterable[tuple[str, str]]:
    if isinstance(node, Ref):
        yield (node.kind, node.name)
    elif isinstance(node, Not):
        yield from _refs(node.operand)
    elif isinstance(node, BoolOp):
        for operand in node.operands:
            yield from _refs(operand)
    elif isinstance(node, Compare):
        yield from _refs(node.left)
        yield from _refs(node.right)


# --- parsing -------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # number | name | op | end
    text: str
    col: int


def _tokenize(source: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise ConditionError(f"unexpected character {source[pos]!r}", pos)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "wrong":
            raise ConditionError(f"'{text}' is not part of the language; use '{_WRONG[text]}'", pos)
        if kind != "space":
            tokens.append(_Tok(kind, text, pos))
        pos = match.end()
    tokens.append(_Tok("end", "", len(source)))
    return tokens


def name_tokens(source: str) -> list[tuple[int, str]]:
    """Every name in a condition with the offset it starts at, also in one that does not parse
    (an editor's index and completion read conditions as they are being typed)."""
    found = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            pos += 1
            continue
        if match.lastgroup == "name":
            found.append((pos, match.group()))
        pos = match.end()
    return found


Deductions = Mapping[str, tuple[tuple[str, ...], str]]  # id -> (needs, gives)
# word ('known', 'open') -> id -> the tree it stands for (an entity's known, a question's open test)
Macros = Mapping[str, Mapping[str, Node]]
MACROS = {"known": "person, place, thing or fact", "open": "question"}


class _Parser:
    def __init__(self, source: str, known: Mapping[str, Iterable[str]], deductions: Deductions,
                 here: str | None = None, macros: Macros | None = None):
        self.source = source
        self.here = here
        self.tokens = _tokenize(source)
        self.index = 0
        self.known = known
        self.deductions = deductions
        self.macros = macros or {}
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.index]

    def advance(self) -> _Tok:
        tok = self.tokens[self.index]
        self.index += 1
        return tok

    def at(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "name") and self.tok.text in texts

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ConditionError("empty condition", 0)
        node = self.expr()
        if self.tok.kind != "end":
            raise ConditionError(f"unexpected '{self.tok.text}' after a complete condition", self.tok.col)
        return node

    def expr(self) -> Node:
        return self._chain("or", self.conj)

    def conj(self) -> Node:
        return self._chain("and", self.negation)

    def _chain(self, op: str, parse_operand: Callable[[], Node]) -> Node:
        first = parse_operand()
        if not self.at(op):
            return first
        operands = [first]
        while self.at(op):
            self.advance()
            operands.append(parse_operand())
        for operand in operands:
            _expect_type(operand, BOOL, f"'{op}'")
        return BoolOp(op, tuple(operands), first.col)

    def negation(self) -> Node:
        if self.at("not"):
            tok = self.advance()
            self._enter(tok)
            operand = self.negation()
            self.depth -= 1
            _expect_type(operand, BOOL, "'not'")
            return Not(operand, tok.col)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.atom()
        if self.tok.kind == "op" and self.tok.text in _COMPARE:
            op = self.advance()
            right = self.atom()
            if op.text in ("==", "!="):
                if left.type != right.type:
                    raise ConditionError(
                        f"cannot compare {_describe(left)} ({left.type}) with {_describe(right)} ({right.type})",
                        op.col,
                    )
            else:
                _expect_type(left, NUM, f"'{op.text}'")
                _expect_type(right, NUM, f"'{op.text}'")
            if self.tok.kind == "op" and self.tok.text in _COMPARE:
                raise ConditionError("chained comparisons are not supported; join them with 'and'", self.tok.col)
            return Compare(op.text, left, right, left.col)
        return left

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            return Lit(int(tok.text), NUM, tok.col)
        if tok.kind == "op" and tok.text == "-":
            self.advance()
            if self.tok.kind != "number":
                raise ConditionError("'-' must be followed by a number", self.tok.col)
            return Lit(-int(self.advance().text), NUM, tok.col)
        if tok.kind == "op" and tok.text == "(":
            self._enter(tok)
            self.advance()
            node = self.expr()
            if not self.at(")"):
                raise ConditionError(f"missing ')' to close the '(' at column {tok.col + 1}", self.tok.col)
            self.advance()
            self.depth -= 1
            return node
        if tok.kind == "name":
            self.advance()
            return self.reference(tok)
        if tok.kind == "end":
            raise ConditionError("condition ends too early; expected a name, number or '('", tok.col)
        raise ConditionError(f"unexpected '{tok.text}'; expected a name, number or '('", tok.col)

    def _enter(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionError(f"nested more than {MAX_NESTING} levels deep", tok.col)

    def reference(self, tok: _Tok) -> Node:
        text = tok.text
        if text in ("true", "false"):
            return Lit(text == "true", BOOL, tok.col)
        if text in ("and", "or", "not"):
            raise ConditionError(f"'{text}' needs something before it", tok.col)
        if text == "turn":
            return Ref("turn", "", NUM, tok.col)
        if text == "first_visit":
            return Compare("==", Ref("visits", self._here(tok.col), NUM, tok.col), Lit(1, NUM, tok.col), tok.col)
        kind, _, name = text.partition(".")
        if kind == "deducible":
            return self.deducible(name, tok.col)
        if kind in MACROS and (name or kind == "open"):
            return self.macro(kind, name, tok.col)
        if kind not in NAMESPACES or not name:
            hint = did_you_mean(kind, [*NAMESPACES, *MACROS, "turn", "deducible", "first_visit"])
            raise ConditionError(
                f"unknown name '{text}'{hint}; names are clue.ID, flag.ID, stat.ID, visited.SCENE, "
                "visits.SCENE, taken.SCENE.CHOICE, solved.QUESTION, concluded.QUESTION[.OUTCOME], "
                "open[.QUESTION], known.ID, deducible[.ID], first_visit or turn",
                tok.col,
            )
        if kind == "taken":
            return self.taken(name, tok.col)
        if kind == "visits" and name == HERE:
            name = self._here(tok.col + len(kind) + 1)
        known = self.known.get("visited" if kind == "visits" else kind)
        if known is not None and name not in known:
            noun = {"solved": "question", "concluded": "question or outcome"}.get(kind, kind)
            raise ConditionError(f"unknown {noun} '{name}'{did_you_mean(name, known)}", tok.col + len(kind) + 1)
        return Ref(kind, name, NAMESPACES[kind], tok.col)

    def macro(self, kind: str, name: str, col: int) -> Node:
        """`known.x` and `open.q`: the tree they stand for; `open`: any question the case boards ask
    is open (the macros' "open:board" table, or every question without one)."""
        table = self.macros.get(kind)
        if table is None:  # the caller gave no table: names are not checked, nothing is known
            return Lit(kind == "known", BOOL, col)
        if not name:
            trees = list(self.macros.get("open:board", table).values())
            if not trees:
                return Lit(False, BOOL, col)
            return trees[0] if len(trees) == 1 else BoolOp("or", tuple(trees), col)
        if name not in table:
            raise ConditionError(f"unknown {MACROS[kind]} '{name}'{did_you_mean(name, table)}",
                                 col + len(kind) + 1)
        return table[name]
    def _here(self, col: int) -> str:
        if self.here is None:
            raise ConditionError("'here' and 'first_visit' mean the scene this is written in; "
                                 "there is none here", col)
        return self.here

    def taken(self, name: str, col: int) -> Node:
        """`taken.SCENE.CHOICE`, `taken.here.CHOICE` or `taken.CHOICE` (this scene): times it was taken."""
        scene, _, choice = name.rpartition(".")
        scene_col = col + len("taken.")
        scene = self._here(scene_col) if scene in ("", HERE) else scene
        known = self.known.get("taken")
        full = f"{scene}.{choice}"
        if known is not None and full not in known:
            scenes = {k.rpartition(".")[0] for k in known}
            if scene not in scenes:
                raise ConditionError(f"unknown scene '{scene}'{did_you_mean(scene, scenes)}", scene_col)
            choices = [k.rpartition(".")[2] for k in known if k.rpartition(".")[0] == scene]
            raise ConditionError(f"scene '{scene}' has no choice '{choice}'{did_you_mean(choice, choices)}",
                                 col + len("taken.") + len(name) - len(choice))
        return Ref("taken", full, NUM, col)

    def deducible(self, name: str, col: int) -> Node:
        """`deducible.x`: x's clues held and its result not; `deducible`: any of them."""
        if name and name not in self.deductions:
            raise ConditionError(f"unknown deduction '{name}'{did_you_mean(name, self.deductions)}",
                                 col + len("deducible."))
        chosen = [self.deductions[name]] if name else list(self.deductions.values())
        ready: list[Node] = []
        for needs, gives in chosen:
            held = tuple(Ref("clue", n, BOOL, col) for n in needs)
            ready.append(BoolOp("and", (*held, Not(Ref("clue", gives, BOOL, col), col)), col))
        if not ready:
            return Lit(False, BOOL, col)  # a story without deductions: nothing is ever deducible
        return ready[0] if len(ready) == 1 else BoolOp("or", tuple(ready), col)


def _describe(node: Node) -> str:
    if isinstance(node, Ref):
        return "turn" if node.kind == "turn" else f"{node.kind}.{node.name}"
    if isinstance(node, Lit):
        return str(node.value).lower() if isinstance(node.value, bool) else str(node.value)
    return "the expression"


def _expect_type(node: Node, wanted: str, where: str) -> None:
    if node.type == wanted:
        return
    if wanted == BOOL:
        raise ConditionError(
            f"{where} needs true/false, but {_describe(node)} is a number; compare it, e.g. {_describe(node)} >= 1",
            node.col,
        )
    raise ConditionError(f"{where} needs numbers, but {_describe(node)} is true/false", node.col)


# --- compiling -----------------------------------------------------------


def _compile(node: Node) -> Callable[[Any], Any]:
    if isinstance(node, Lit):
        value = node.value
        return lambda pt: value
    if isinstance(node, Ref):
        name = node.name
        if node.kind == "clue":
            return lambda pt: name in pt.clues
        if node.kind == "flag":
            return lambda pt: name in pt.flags
        if node.kind == "visited":
            return lambda pt: name in pt.visited
        if node.kind == "solved":
            return lambda pt: name in pt.answers and pt.answers[name].outcome == "right"
        if node.kind == "concluded":
            question, _, outcome = name.partition(".")
            if outcome:
                return lambda pt: question in pt.answers and pt.answers[question].outcome == outcome
            return lambda pt: name in pt.answers
        if node.kind == "stat":
            return lambda pt: pt.stats[name]
        if node.kind == "visits":
            return lambda pt: pt.visited.get(name, 0)
        if node.kind == "taken":
            key = tuple(name.rsplit(".", 1))
            return lambda pt: pt.chosen.get(key, 0)
        assert node.kind == "turn", node.kind  # a new kind must be compiled, never read as the turn
        return lambda pt: pt.turn
    if isinstance(node, Not):
        inner = _compile(node.operand)
        return lambda pt: not inner(pt)
    if isinstance(node, BoolOp):
        parts = tuple(_compile(op) for op in node.operands)
        if node.op == "and":
            return lambda pt: all(part(pt) for part in parts)
        return lambda pt: any(part(pt) for part in parts)
    compare = _COMPARE[node.op]
    left, right = _compile(node.left), _compile(node.right)
    return lambda pt: compare(left(pt), right(pt))


def parse(source: Any, known: Mapping[str, Iterable[str]] | None = None,
          deductions: Deductions | None = None, here: str | None = None, want: str = BOOL,
          macros: Macros | None = None) -> Condition:
    """Parse and type-check a condition; raise ConditionError with a column.

    ``known`` maps a kind ('clue', 'flag', 'stat', 'visited' (scenes), 'taken'
    ('SCENE.CHOICE'), 'solved', 'concluded') to its known ids; a kind left out
    is not checked. ``deductions`` gives `deducible` its meaning, ``macros``
    `known.x` and `open.q` theirs, ``here`` is the scene the condition is
    written in. ``want=NUM`` parses a number instead (inline text's
    ``{stat.x}``): calling the result gives the number.
    """
    if isinstance(source, bool):
        source = "true" if source else "false"
    if not isinstance(source, str):
        raise ConditionError(f"a condition must be text, not {type(source).__name__}", 0)
    if len(source) > MAX_CONDITION_LENGTH:
        raise ConditionError(f"condition longer than {MAX_CONDITION_LENGTH} characters", MAX_CONDITION_LENGTH)
    tree = _Parser(source, known or {}, deductions or {}, here, macros or {}).parse()
    if tree.type != want and want == BOOL:
        raise ConditionError(
            f"a condition must be true/false, but {_describe(tree)} is a number; compare it, e.g. >= 1",
            tree.col,
        )
    if tree.type != want:
        raise ConditionError(f"{_describe(tree)} is true/false, not a number; to show text when it holds, "
                             f"write {{{source.strip()}: text}}", tree.col)
    return Condition(source.strip(), tree, _compile(tree))
