-- Drives the story language server from a headless Neovim and writes what the editor got back,
-- as a writer would see it. Run by editors/neovim/record.sh; not needed to use the server.
local out = {}
local function say(line) table.insert(out, line) end
local buf = vim.api.nvim_get_current_buf()
local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":~:.")

local ok = vim.wait(15000, function()
  local clients = vim.lsp.buf_get_clients(buf)
  for _, c in pairs(clients) do
    if c.initialized then return true end
  end
  return false
end, 50)
assert(ok, "story-lsp did not start")
local client = vim.lsp.buf_get_clients(buf)[next(vim.lsp.buf_get_clients(buf))]
say(("Neovim %s opened %s; attached LSP client %q (python %s lsp)"):format(
  tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch, file, client.name,
  vim.fn.fnamemodify(client.config.cmd[2], ":t")))
vim.wait(3000, function() return false end, 50)  -- the first check and the story-wide one
say(("diagnostics on open: %d"):format(#vim.diagnostic.get(buf)))

-- Mistype the first goto's scene, without saving.
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local row, col, scene
for i, line in ipairs(lines) do
  local s, e = line:find("goto: [%w_.]+")
  if s then row, col, scene = i - 1, s + 5, line:sub(s + 6, e); break end
end
local typo = scene:sub(1, -2)
vim.api.nvim_buf_set_text(buf, row, col, row, col + #scene, { typo })
say(("typed: line %d now reads %q"):format(row + 1, vim.trim(vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1])))
vim.wait(5000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  say(("  %s:%d:%d-%d %s [%s] %s"):format(file, d.lnum + 1, d.col + 1, d.end_col + 1,
    vim.diagnostic.severity[d.severity], d.code or "", d.message))
end

local function request(method, params)
  local result = vim.lsp.buf_request_sync(buf, method, params, 5000)
  for _, r in pairs(result or {}) do return r.result end
end

local d = vim.diagnostic.get(buf)[1]
local actions = request("textDocument/codeAction", {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
  context = { diagnostics = {} },
}) or {}
for _, a in ipairs(actions) do say(("code action: %s"):format(a.title)) end
vim.api.nvim_buf_set_text(buf, row, col, row, col + #typo, { scene })
vim.wait(5000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
say(("fixed it back: diagnostics now %d"):format(#vim.diagnostic.get(buf)))

local at = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row, character = col + 1 } }
local items = request("textDocument/completion", at)
items = items and (items.items or items) or {}
say(("completion after 'goto: ': %d items, e.g."):format(#items))
for i = 1, math.min(4, #items) do say(("  %-24s %s"):format(items[i].label, items[i].detail or "")) end

local where = request("textDocument/definition", at)
if where and where.uri then
  say(("definition of %s: %s:%d"):format(scene, vim.fn.fnamemodify(vim.uri_to_fname(where.uri), ":~:."),
    where.range.start.line + 1))
end
local refs = request("textDocument/references", vim.tbl_extend("force", at, { context = { includeDeclaration = false } }))
say(("references to %s: %d"):format(scene, #(refs or {})))
local hover = request("textDocument/hover", at)
if hover then
  say("hover:")
  for _, line in ipairs(vim.split(hover.contents.value, "\n")) do
    if line ~= "" then say("  " .. line) end
  end
end

vim.fn.writefile(out, os.getenv("STORY_LSP_TRANSCRIPT") or "/dev/stdout")
vim.cmd("qa!")
