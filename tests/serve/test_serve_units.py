"""The server's parts that need no network: the limits' meters (on a fake clock),
plain mode's line reader, the allow list, colours from TERM, the flags."""

from __future__ import annotations

import argparse

import pytest
from prompt_toolkit.output import ColorDepth

from game import cli
from game.errors import UsageError
from game.serve.channel import color_depth_for
from game.serve.identity import AllowList, DataFolder, key_id
from game.serve.limits import LINE_COST, ConnectionGate, InputMeter, Limits, clamp_size
from game.serve.lines import LineReader


def test_gate_counts_open_connections_per_address_and_in_all():
    gate = ConnectionGate(Limits(max_sessions=3, max_per_address=2, connects_per_minute=100))
    assert gate.admit("a", 0) == "" and gate.admit("a", 0) == ""
    assert "your address" in gate.admit("a", 0)
    assert gate.admit("b", 0) == ""
    assert "full" in gate.admit("c", 0)
    gate.release("a")
    assert gate.admit("c", 0) == ""


def test_gate_limits_new_connections_per_address_per_minute_and_forgives_after_it():
    gate = ConnectionGate(Limits(connects_per_minute=3, max_per_address=100))
    for t in range(3):
        assert gate.admit("a", t) == ""
        gate.release("a")
    assert "a minute" in gate.admit("a", 10)
    assert gate.admit("b", 10) == ""  # other addresses are not held up
    assert "a minute" in gate.admit("a", 59.5)  # still within a minute of the refused try's neighbours
    assert gate.admit("a", 200) == ""
    gate.forget_old(1000)
    assert gate.recent == {}


def test_input_meter_lets_a_burst_through_then_holds_the_rate_and_lines_cost_more():
    meter = InputMeter(rate=100, burst=400, now=0.0)
    assert meter.admit("x" * 400, 0.0) == (400, 0.0)
    assert meter.admit("y" * 50, 0.0) == (0, pytest.approx(0.01))  # one more byte needs 1/100 s
    assert meter.admit("y" * 50, 0.5) == (50, 0.0)  # half a second later: 50 bytes' worth
    meter = InputMeter(rate=100, burst=400, now=0.0)
    allowed, wait = meter.admit("look\n" * 10, 0.0)
    per_line = 5 + LINE_COST  # 'look' and the line end's own byte, then the line's cost
    whole = 400 // per_line
    assert allowed == whole * 5 + min(4, 400 - whole * per_line) and wait > 0  # whole lines, then what fits
    assert meter.admit("", 100.0) == (0, 0.0)


def test_terminal_size_is_clamped_and_zero_means_the_usual():
    limits = Limits(max_columns=120, max_rows=40)
    assert clamp_size(200, 60, limits) == (120, 40)
    assert clamp_size(0, 0, limits) == (80, 24)
    assert clamp_size(50, 10, limits) == (50, 10)


def test_line_reader_without_a_pty_only_splits_lines():
    reader = LineReader(echo=False)
    fed = reader.feed("1\r\nlook\nsa")
    assert fed.lines == ["1", "look"] and fed.echo == "" and not fed.ended
    assert reader.feed("ve x\r").lines == ["save x"]
    assert reader.feed("\n").lines == []  # the \n of that \r\n


def test_line_reader_with_a_pty_echoes_and_edits_like_a_terminal():
    reader = LineReader(echo=True)
    fed = reader.feed("lx\x7fook\r")
    assert fed.lines == ["look"]
    assert fed.echo == "lx\b \book\r\n"
    assert reader.feed("abc\x15q\r").lines == ["q"]
    assert reader.feed("\x1b[A").echo == "[A"  # an arrow key's ESC is not sent back to the terminal
    assert reader.feed("\x03").ended
    assert LineReader(echo=True).feed("\x04").ended


def test_colours_follow_term_colorterm_and_no_color():
    assert color_depth_for("xterm-256color", {}) == (ColorDepth.DEPTH_8_BIT, False)
    assert color_depth_for("xterm", {}) == (ColorDepth.DEPTH_4_BIT, False)
    assert color_depth_for("xterm", {"COLORTERM": "truecolor"}) == (ColorDepth.TRUE_COLOR, False)
    assert color_depth_for("vt100", {}) == (ColorDepth.MONOCHROME, True)
    assert color_depth_for("xterm-256color", {"NO_COLOR": "1"}) == (ColorDepth.MONOCHROME, True)


def _fake_parse(text: str) -> bytes:
    kind, _, data = text.partition(" ")
    if kind != "ssh-ed25519" or not data.startswith("AAAA"):
        raise ValueError("not a key")
    return data.encode()


def test_allow_list_reads_authorized_keys_lines_and_names_a_bad_line(tmp_path):
    good = tmp_path / "keys"
    good.write_text('# comment\n\nssh-ed25519 AAAAone me@home\nfrom="x y",no-pty ssh-ed25519 AAAAtwo\n')
    allow = AllowList.read(good, _fake_parse)
    assert b"AAAAone" in allow and b"AAAAtwo" in allow and b"AAAAthree" not in allow
    bad = tmp_path / "bad"
    bad.write_text("ssh-ed25519 AAAAone\nssh-rsa\n")
    with pytest.raises(UsageError, match=r"bad:2: not a public key"):
        AllowList.read(bad, _fake_parse)
    with pytest.raises(UsageError, match="cannot read it"):
        AllowList.read(tmp_path / "missing", _fake_parse)


def test_player_folders_come_from_the_key_only(tmp_path):
    data = DataFolder(tmp_path / "data")
    data.prepare()
    player = data.player(b"blob", "SHA256:x", "ssh-ed25519 AAAA c")
    assert player.saves == tmp_path / "data" / "players" / key_id(b"blob") / "saves"
    assert (player.saves.parent / "key.pub").read_text() == "ssh-ed25519 AAAA c\n"
    guest = data.guest()
    assert guest.guest and guest.saves.parent == data.guests
    (guest.saves / "x.json").write_text("{}")
    data.drop_guest(guest)
    assert not guest.saves.exists()


@pytest.mark.parametrize("flags, message", [
    (["--port", "70000"], "0 to 65535"),
    (["--max-size", "huge"], "COLUMNSxROWS"),
    (["--idle-timeout", "0"], "more than 0"),
    (["--max-per-address", "0"], "1 or more"),
    (["--workers", "0"], "1 or more"),
])
def test_bad_serve_flags_are_one_line_usage_errors(flags, message, capsys):
    assert cli.main(["serve", *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_workers_default_to_one_per_cpu_where_supported_and_more_is_refused_elsewhere(monkeypatch):
    from game.errors import UsageError
    from game.serve import options

    args = argparse.Namespace(workers=None)
    monkeypatch.setattr(options, "workers_supported", lambda: True)
    monkeypatch.setattr(options.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert options.workers_from(args) == 3
    monkeypatch.setattr(options, "workers_supported", lambda: False)
    assert options.workers_from(args) == 1
    with pytest.raises(UsageError, match="needs Linux"):
        options.workers_from(argparse.Namespace(workers=2))
    assert options.workers_from(argparse.Namespace(workers=1)) == 1


class FakeChannel:
    def __init__(self):
        self.reading = True

    def pause_reading(self):
        self.reading = False

    def resume_reading(self):
        self.reading = True


def test_a_channel_reads_again_only_when_every_reason_to_pause_is_gone():
    """Unread output (pause_writing), the input meter and plain mode's backlog each
    stop the channel's reading; it reads again only once none of them holds."""
    from game.serve.channel import GameChannel

    class Host:
        limits = Limits()

    chan = GameChannel(Host(), None, "127.0.0.1", on_close=lambda: None)
    fake = FakeChannel()
    chan.connection_made(fake)
    chan.pause_writing()  # the client stopped reading what we send
    assert not fake.reading
    chan._pause_for_backlog(True)
    chan.resume_writing()
    assert not fake.reading  # the backlog still holds it
    chan._pause_for_backlog(False)
    assert fake.reading


def test_without_the_serve_extra_serve_says_how_to_install_it(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "asyncssh", None)  # as if asyncssh were not installed
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "pip install -e '.[serve]'" in err and err.count("\n") == 1
