#!/usr/bin/env bash
# Record docs/editors/neovim-transcript.txt: a headless Neovim with the 0.7 setup opens a copy of
# story/office/desk.yaml, mistypes a goto, asks for the fix, completion, definition and hover.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r story "$work/story"
export STORY_LSP_PYTHON="${PYTHON:-$PWD/.venv/bin/python}" STORY_LSP_PLAY="$PWD/play.py"
export STORY_LSP_TRANSCRIPT="$work/transcript.txt"
(cd "$work" && nvim --headless -u "$OLDPWD/editors/neovim/story-lsp-0.7.lua" story/office/desk.yaml \
    -c "luafile $OLDPWD/editors/neovim/transcript.lua")
mkdir -p docs/editors
cp "$work/transcript.txt" docs/editors/neovim-transcript.txt
cat docs/editors/neovim-transcript.txt
