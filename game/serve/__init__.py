"""Serving the game over SSH (`play.py serve`): see docs/SERVING.md.

limits.py    the limits and their meters (connections by address, input rate, window size)
identity.py  a player is their public key: their folder in the data folder; guests; the allow list
hostkey.py   the server's host key, made on first start, private to its owner
lines.py     lines out of raw keys, for plain mode
games.py     a game on a channel: the full-screen UI or plain mode; the registry of games
saving.py    a game's saves on the server: autosaves off the event loop, bounds on what is kept
channel.py   one SSH session channel (prompt_toolkit.contrib.ssh): pty or not, metering, refusals
server.py    the shared host, one connection's auth and refusals, serve() until SIGTERM
options.py   the command-line flags (no asyncssh import: --help works without the extra)

Only options.py may be imported without the [serve] extra installed.
"""
