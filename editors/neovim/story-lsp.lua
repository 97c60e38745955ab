-- The story language server in Neovim 0.8 or newer (built-in LSP client).
-- Put this in your init.lua (or ~/.config/nvim/after/ftplugin/yaml.lua), with the paths of
-- your checkout: any YAML file in a folder holding story.yaml (or below one) starts it.
local play = { "/path/to/checkout/.venv/bin/python", "/path/to/checkout/play.py", "lsp" }

vim.api.nvim_create_autocmd("FileType", {
  pattern = "yaml",
  callback = function(args)
    local manifest = vim.fs.find("story.yaml", { upward = true, path = vim.fs.dirname(args.file) })[1]
    if manifest then
      vim.lsp.start({ name = "story-lsp", cmd = play, root_dir = vim.fs.dirname(manifest) })
    end
  end,
})
