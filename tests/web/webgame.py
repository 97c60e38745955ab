"""The published page as a player uses it, for the browser tests: open it,
read the turns and choices off the page, take choices by key or by click."""

from __future__ import annotations

from dataclasses import dataclass

from game.rules import Offer
from game.tools.transcript import TurnText

START_TIMEOUT_MS = 60_000

# Each turn's lines, as the page shows them: [part, style, text] in order.
READ_TURNS = """() => [...document.querySelectorAll('article.turn')].map(a => ({
    index: Number(a.dataset.turn),
    lines: [...a.querySelectorAll('[data-part]')].map(n => [n.dataset.part, n.dataset.style, n.textContent]),
    answer: a.querySelector('[data-answer]')?.dataset.answer || '',
}))"""
READ_OFFERS = """() => [...document.querySelectorAll('#choice-list button')].map(b => ({
    number: Number(b.dataset.number), id: b.dataset.choice, disabled: b.disabled,
    text: b.querySelector('.label').textContent,
    hint: (b.querySelector('.lock')?.textContent || '').replace(/^Locked(: )?/, ''),
}))"""


@dataclass
class PageTurn:
    index: int
    lines: list[tuple[str, str, str]]
    answer: str = ""  # the answer given at this turn, in words (when a question was answered)

    def part(self, *names: str) -> list[tuple[str, str]]:
        """The lines of these parts as render.py's (style, text) pairs."""
        return [(f"class:{style}", text) for part, style, text in self.lines if part in names]


class WebGame:
    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, query: str = "") -> None:
        self.page.goto(self.url + query)
        self.page.wait_for_selector("#choice-list button:not([disabled])", timeout=START_TIMEOUT_MS)

    def turns(self) -> list[PageTurn]:
        return [PageTurn(t["index"], [tuple(line) for line in t["lines"]], t["answer"])
                for t in self.page.evaluate(READ_TURNS)]

    def offers(self) -> list[Offer]:
        return [Offer(o["number"], o["id"], o["text"], not o["disabled"], o["hint"]) for o in
                self.page.evaluate(READ_OFFERS)]

    def count(self) -> int:
        return self.page.locator("article.turn").count()

    def wait_for_turn_after(self, count: int) -> None:
        self.page.wait_for_function("n => document.querySelectorAll('article.turn').length > n "
                                    "&& document.getElementById('main').getAttribute('aria-busy') === 'false'",
                                    arg=count)

    def press(self, key: str) -> None:
        """A key that makes a turn; waits for it."""
        before = self.count()
        self.page.keyboard.press(key)
        self.wait_for_turn_after(before)

    def click_choice(self, number: int) -> None:
        before = self.count()
        self.page.click(f"#choice-list button[data-number='{number}']")
        self.wait_for_turn_after(before)

    def click_first(self) -> None:
        """Take the first open choice (numbers keep their meaning for a visit, so 1 may be gone)."""
        before = self.count()
        self.page.click("#choice-list button:not([disabled]) >> nth=0")
        self.wait_for_turn_after(before)

    def number_of(self, choice_id: str) -> int:
        return next(offer.number for offer in self.offers() if offer.id == choice_id)

    def draft(self) -> str:
        """The question being answered, as the page shows it ('' when none is)."""
        return self.page.inner_text("#draft") if self.page.is_visible("#draft") else ""

    def answer(self, question: str, values: dict[str, str]) -> None:
        """Answer a question as a player does with the keyboard: its number, then each blank's
        candidate by number, then 1 to give the whole answer; waits for the turn."""
        self.page.keyboard.type(str(self.number_of(f"ask:{question}")))
        self.page.wait_for_selector("#draft:not([hidden])")
        for value in values.values():
            self.page.wait_for_function("() => document.getElementById('main').getAttribute('aria-busy') === 'false'")
            number = self.number_of(f"fill:{value}")
            shown = self.draft()
            self.page.keyboard.type(str(number))  # "1" then "2" for 12: the page waits for a second digit
            self.page.wait_for_function("before => document.getElementById('draft').innerText !== before", arg=shown)
        self.page.wait_for_selector("#choice-list button[data-choice='answer']")
        self.press(str(self.number_of("answer")))

    def where(self) -> str:
        return self.page.inner_text("#where")

    def message(self) -> str:
        return self.page.inner_text("#message")

    def open_panel(self, button: str) -> None:
        self.page.click(f"#{button}")
        self.page.wait_for_selector("#panel[open]")

    def close_panel(self) -> None:
        self.page.click("#panel-close")
        self.page.wait_for_selector("#panel:not([open])", state="attached")

    def turn_text(self, turn: PageTurn, offers: list[Offer], taken: int | None) -> TurnText:
        ending = turn.part("ending")
        return TurnText(turn.part("before"), turn.part("scene", "arrival"), ending or None, offers, taken,
                        answer=turn.answer)
