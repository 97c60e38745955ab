-- The same setup for Neovim 0.7 (Debian 12 ships 0.7.2; vim.lsp.start and vim.fs came in 0.8).
-- Used to record docs/editors/neovim-transcript.txt:
--   STORY_LSP_PLAY=/path/to/play.py nvim --headless -u editors/neovim/story-lsp-0.7.lua FILE \
--     -c "luafile editors/neovim/transcript.lua"
local play = { os.getenv("STORY_LSP_PYTHON") or "python3", os.getenv("STORY_LSP_PLAY") or "play.py", "lsp" }

local function story_root(file)
  local dir = vim.fn.fnamemodify(file, ":p:h")
  while dir ~= "/" do
    if vim.fn.filereadable(dir .. "/story.yaml") == 1 then
      return dir
    end
    dir = vim.fn.fnamemodify(dir, ":h")
  end
end

local clients = {}
vim.api.nvim_create_autocmd("FileType", {
  pattern = "yaml",
  callback = function(args)
    local root = story_root(vim.api.nvim_buf_get_name(args.buf))
    if not root then
      return
    end
    if not clients[root] then
      clients[root] = vim.lsp.start_client({ name = "story-lsp", cmd = play, root_dir = root })
    end
    vim.lsp.buf_attach_client(args.buf, clients[root])
  end,
})
