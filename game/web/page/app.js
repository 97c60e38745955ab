// The page: shows what the engine says and sends it what the player picks.
//
// All the game's rules and words come from Python (worker.js runs
// game/web/bridge.py); this file only lays them out, handles keys and
// touch, and moves save files in and out of the browser.

const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
const pending = new Map();
let nextId = 1;

worker.onmessage = (message) => {
  const { id, reply } = message.data;
  const done = pending.get(id);
  pending.delete(id);
  if (done) done(reply);
};

// One request to the engine: resolves to {result} or {error}.
function call(op, args = {}) {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    worker.postMessage({ id, op, args });
  });
}

const $ = (id) => document.getElementById(id);
const storyEl = $("story");
const choicesEl = $("choices");
const listEl = $("choice-list");
const panel = $("panel");

// Timings a benchmark or a curious player can read (bench/web.py).
const timings = { opened: performance.timeOrigin, firstScene: null, choices: [] };
window.akaTimings = timings;

let busy = false;
let maxSaveBytes = 1024 * 1024; // the engine's limit, told at boot (saves.MAX_SAVE_BYTES)
let options = []; // what the numbered list offers now: {number, label, enabled, hint, run}

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === true) node.setAttribute(key, "");
    else if (value !== false && value != null) node.setAttribute(key, value);
  }
  if (text) node.textContent = text;
  return node;
}

function say(text, isError = false) {
  const box = $("message");
  box.textContent = text || "";
  box.classList.toggle("error", Boolean(isError));
  box.setAttribute("role", isError ? "alert" : "status");
}

function setBusy(value) {
  busy = value;
  $("main").setAttribute("aria-busy", value ? "true" : "false");
  for (const button of listEl.querySelectorAll("button")) button.dataset.busy = value ? "1" : "";
}

// --- a turn ---------------------------------------------------------------

const LINE_TAG = { title: "h2", ending: "h2", heading: "h3" };

// The lines of one part of a turn, each with its style as the terminal names it
// (data-style), so what the page shows can be read back as a transcript.
function addLines(parent, part, lines) {
  for (const [style, text] of lines) {
    const node = el(LINE_TAG[style] || "p", { class: `line ${style}`, "data-part": part, "data-style": style }, text);
    parent.append(node);
  }
}

function showTurn(view, { clear = false } = {}) {
  if (clear) storyEl.replaceChildren();
  hideDraft();
  $("loading")?.remove();
  const article = el("article", { class: "turn", "data-turn": String(view.index) });
  addLines(article, "before", view.before);
  addLines(article, "scene", view.text);
  addLines(article, "arrival", view.arrival);
  if (view.ending) {
    const ending = el("section", { class: "ending", "aria-label": "The end" });
    addLines(ending, "ending", view.ending);
    if (view.endings_found) {
      const found = view.endings_found;
      ending.append(el("p", { class: "gallery-line" }, `Endings discovered: ${found.found} of ${found.total}.`));
      if (found.warning) ending.append(el("p", { class: "error" }, found.warning));
    }
    article.append(ending);
  }
  for (const note of view.notes) if (note) article.append(el("p", { class: "note" }, note));
  storyEl.append(article);
  $("where").textContent = view.where;
  $("undo").disabled = !view.can_undo;
  announce(article);
  if (view.ending) {
    showOptions([
      { label: "Undo the last choice", run: () => act("undo") },
      { label: "Start a new case", run: () => act("restart") },
      { label: "See the endings found", run: () => openEndings() },
    ]);
  } else {
    showOffers(view.offers);
  }
  article.scrollIntoView({ block: "start", behavior: reducedMotion() ? "auto" : "smooth" });
}

function showOffers(offers) {
  showOptions(offers.map((offer) => ({
    number: offer.number, label: offer.text, prefix: offer.prefix, enabled: offer.enabled, hint: offer.hint,
    id: offer.id, run: () => choose(offer),
  })));
}

function announce(article) {
  const words = [...article.querySelectorAll(".line, .note, .gallery-line")].map((node) => node.textContent);
  $("announcer").textContent = words.join(" ");
}

function reducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

function showOptions(list) {
  options = list.map((option, index) => ({ enabled: true, number: index + 1, hint: "", ...option }));
  listEl.replaceChildren();
  for (const option of options) {
    const item = el("li", { class: option.enabled ? "choice" : "choice locked" });
    const button = el("button", { type: "button", "data-number": String(option.number), "data-choice": option.id || "" });
    button.append(el("span", { class: "number", "aria-hidden": "true" }, `${option.number}.`), " ");
    if (option.prefix) button.append(el("span", { class: "kind" }, option.prefix));
    button.append(el("span", { class: "label" }, option.label));
    if (!option.enabled) {
      button.disabled = true;
      button.append(" ", el("span", { class: "lock" }, option.hint ? `Locked: ${option.hint}` : "Locked"));
    }
    button.addEventListener("click", () => pick(option));
    item.append(button);
    listEl.append(item);
  }
  choicesEl.hidden = options.length === 0;
  const first = listEl.querySelector("button:not([disabled])");
  if (first) first.focus({ preventScroll: true });
}

function pick(option) {
  if (busy || !option.enabled) return;
  option.run();
}

async function choose(offer) {
  if (offer.id && offer.id.startsWith("ask:")) return ask(offer);
  const started = performance.now();
  const last = storyEl.lastElementChild;
  const reply = await act("choose", { number: offer.number }, { echo: `${offer.number}. ${offer.text}`, from: last });
  if (reply && reply.result) timings.choices.push(performance.now() - started);
}

// Run an operation that yields a turn; show it, or the error (nothing changes then).
async function act(op, args = {}, { echo = "", from = null } = {}) {
  if (busy) return null;
  setBusy(true);
  const reply = await call(op, args);
  setBusy(false);
  if (reply.error) {
    say(reply.error, true);
    return reply;
  }
  say("");
  if (echo && from) from.append(el("p", { class: "chosen" }, `You chose: ${echo}`));
  const fresh = op !== "choose";
  if (fresh) storyEl.append(el("hr", { class: "break", "aria-hidden": "true" }));
  showTurn(reply.result);
  return reply;
}

// --- answering a question, blank by blank ------------------------------------
// The engine keeps the answer being put together (game/ui/answering.py); the page
// shows the question, what is filled so far and the candidates for the next blank,
// then the whole answer to confirm. Only the confirmed answer is a turn.

const draftEl = $("draft");
let answeringFrom = null; // the turn the question was opened in, where the answer is echoed

function hideDraft() {
  draftEl.hidden = true;
  draftEl.replaceChildren();
  answeringFrom = null;
}

function showDraft(draft) {
  draftEl.replaceChildren();
  for (const [style, text] of draft.lines) draftEl.append(el(style === "title" ? "h3" : "p", { class: `line ${style}` }, text));
  draftEl.hidden = false;
  $("announcer").textContent = draft.lines.map(([, text]) => text).join(" ");
  const picks = draft.picks.map((p) => ({ number: p.number, label: p.text, id: p.id, run: () => answerStep({ pick: p.number }) }));
  const extra = draft.extra.map((x, index) => ({
    number: picks.length + index + 1, label: x.text, id: x.word, run: () => answerStep({ word: x.word }),
  }));
  showOptions([...picks, ...extra]);
  draftEl.scrollIntoView({ block: "start", behavior: reducedMotion() ? "auto" : "smooth" });
}

async function ask(offer) {
  if (busy) return;
  setBusy(true);
  const reply = await call("choose", { number: offer.number });
  setBusy(false);
  if (reply.error) return say(reply.error, true);
  say("");
  answeringFrom = storyEl.lastElementChild;
  showDraft(reply.result.draft);
}

async function answerStep(args) {
  if (busy) return;
  setBusy(true);
  const reply = await call("answer", args);
  setBusy(false);
  if (reply.error) return say(reply.error, true);
  const result = reply.result;
  if (result.draft) {
    say("");
    return showDraft(result.draft);
  }
  if (result.cancelled) {
    hideDraft();
    say(result.note);
    return showOffers(result.offers);
  }
  say("");
  const from = answeringFrom || storyEl.lastElementChild;
  if (from && result.answered) {
    from.append(el("p", { class: "chosen", "data-answer": result.answered }, `You ${result.answered}`));
  }
  showTurn(result);
}

// --- keys -------------------------------------------------------------------

let typed = "";
let typedTimer = null;

document.addEventListener("keydown", (event) => {
  if (panel.open || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select")) return;
  const buttons = [...listEl.querySelectorAll("button:not([disabled])")];
  if (event.key === "Escape" && !draftEl.hidden && !busy) { // leave the question, as 'cancel' does
    event.preventDefault();
    answerStep({ word: "cancel" });
    return;
  }
  if (/^[0-9]$/.test(event.key)) {
    event.preventDefault();
    typed += event.key;
    clearTimeout(typedTimer);
    const number = Number(typed);
    const longer = options.some((o) => o.enabled && String(o.number).startsWith(typed) && o.number !== number);
    const fire = () => {
      const option = options.find((o) => o.number === Number(typed) && o.enabled);
      typed = "";
      if (option) pick(option);
    };
    if (longer) typedTimer = setTimeout(fire, 600); // "1" might be the start of "12"
    else fire();
    return;
  }
  if (["ArrowDown", "ArrowUp", "ArrowRight", "ArrowLeft", "Home", "End"].includes(event.key) && buttons.length) {
    const at = buttons.indexOf(document.activeElement);
    let next;
    if (event.key === "Home") next = 0;
    else if (event.key === "End") next = buttons.length - 1;
    else if (at < 0) next = 0;
    else if (event.key === "ArrowDown" || event.key === "ArrowRight") next = Math.min(at + 1, buttons.length - 1);
    else next = Math.max(at - 1, 0);
    event.preventDefault();
    buttons[next].focus();
  }
});

// --- panels: case file, status, saves, endings -------------------------------

function openPanel(title, build) {
  $("panel-title").textContent = title;
  const body = $("panel-body");
  body.replaceChildren();
  build(body);
  if (!panel.open) panel.showModal();
}

$("panel-close").addEventListener("click", () => panel.close());
panel.addEventListener("close", () => {
  const first = listEl.querySelector("button:not([disabled])");
  if (first) first.focus({ preventScroll: true });
});

function linesInto(body, lines, title = "") {
  let list = null;
  for (const [style, text] of lines) {
    if (style === "title" && text === title) continue; // the panel's heading says it already
    if (style === "item") {
      if (!list) body.append((list = el("ul", { class: "items" })));
      list.append(el("li", {}, text.replace(/^- /, "")));
      continue;
    }
    list = null;
    if (style === "title") body.append(el("p", { class: "panel-summary" }, text));
    else body.append(el(style === "heading" ? "h3" : "p", { class: style }, text));
  }
}

async function openLines(op, title) {
  const reply = await call(op);
  if (reply.error) return say(reply.error, true);
  openPanel(title, (body) => linesInto(body, reply.result.lines, title));
}

async function openEndings() {
  const reply = await call("endings");
  if (reply.error) return say(reply.error, true);
  openPanel("Endings", (body) => linesInto(body, reply.result.lines));
}

// The numbers behind the stats' words (the terminal's 'numbers on'), remembered in this browser.
const NUMBERS_KEY = "aka:numbers";

function rememberedNumbers() {
  try { return window.localStorage.getItem(NUMBERS_KEY) === "on"; } catch { return false; }
}

async function setNumbers(on) {
  const reply = await call("numbers", { on });
  if (reply.error) return say(reply.error, true);
  const shown = reply.result.numbers;
  $("numbers").setAttribute("aria-pressed", shown ? "true" : "false");
  try { window.localStorage.setItem(NUMBERS_KEY, shown ? "on" : "off"); } catch { /* private mode */ }
}

function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function exportSave(slot) {
  const reply = await call("export", slot ? { slot } : {});
  if (reply.error) return panelError(reply.error);
  download(reply.result.filename, reply.result.text);
  panelMessage(`Downloaded ${reply.result.filename}.`);
}

function panelMessage(text, isError = false) {
  const box = $("panel-message");
  if (!box) return say(text, isError);
  box.textContent = text;
  box.classList.toggle("error", isError);
  box.setAttribute("role", isError ? "alert" : "status");
}
const panelError = (text) => panelMessage(text, true);

async function loadInto(op, args) {
  const reply = await call(op, args);
  if (reply.error) {
    panelError(reply.error);
    if (reply.misfit) {
      const retry = el("button", { type: "button" }, `Load it anyway: ${reply.remedy}`);
      retry.addEventListener("click", () => loadInto(op, { ...args, partial: true }));
      $("panel-message").append(" ", retry);
    }
    return;
  }
  panel.close();
  storyEl.append(el("hr", { class: "break", "aria-hidden": "true" }));
  showTurn(reply.result);
}

async function openSaves() {
  const reply = await call("saves");
  if (reply.error) return say(reply.error, true);
  openPanel("Saves", (body) => buildSaves(body, reply.result.saves));
}

function buildSaves(body, saves) {
  const form = el("form", { class: "save-form" });
  const label = el("label", { for: "save-name" }, "Save this game as");
  const input = el("input", { id: "save-name", name: "name", type: "text", maxlength: "40", autocomplete: "off",
    "aria-describedby": "save-name-help" });
  form.append(label, input, el("button", { type: "submit" }, "Save"));
  form.append(el("p", { id: "save-name-help", class: "help" }, "Letters, digits, '-' and '_'; spaces become '-'."));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await call("save", { name: input.value });
    if (saved.error) return panelError(saved.error);
    body.replaceChildren();
    buildSaves(body, saved.result.saves);
    panelMessage(saved.result.message);
  });
  body.append(form, el("p", { id: "panel-message", class: "message", role: "status" }));

  const table = el("table", { class: "saves" });
  table.append(el("caption", {}, saves.length ? "Saved games in this browser, newest first" : "No saved games in this browser yet"));
  if (saves.length) {
    const head = el("tr");
    for (const name of ["Name", "Where", "Saved", "Actions"]) head.append(el("th", { scope: "col" }, name));
    const thead = el("thead");
    thead.append(head);
    table.append(thead);
    const rows = el("tbody");
    for (const save of saves) {
      const row = el("tr");
      row.append(el("th", { scope: "row" }, save.autosave ? `${save.slot} (automatic)` : save.slot));
      const where = save.problem ? `Cannot be loaded: ${save.problem}`
        : save.other_story ? `Belongs to another story (${save.story})`
          : `${save.title}, turn ${save.turn}${save.ending ? ", ended" : ""}`;
      row.append(el("td", {}, where), el("td", {}, save.when || ""));
      const actions = el("td");
      if (!save.problem && !save.other_story) {
        const load = el("button", { type: "button", "aria-label": `Load ${save.slot}` }, "Load");
        load.addEventListener("click", () => loadInto("load", { slot: save.slot }));
        actions.append(load, " ");
      }
      if (!save.problem) {
        const get = el("button", { type: "button", "aria-label": `Download ${save.slot}` }, "Download");
        get.addEventListener("click", () => exportSave(save.slot));
        actions.append(get);
      }
      row.append(actions);
      rows.append(row);
    }
    table.append(rows);
  }
  body.append(table);

  const files = el("div", { class: "save-files" });
  const current = el("button", { type: "button", id: "download-current" }, "Download this game");
  current.addEventListener("click", () => exportSave(null));
  const pickLabel = el("label", { for: "load-file" }, "Load a save file (from this browser or the terminal game)");
  const picker = el("input", { id: "load-file", type: "file", accept: ".json,application/json" });
  picker.addEventListener("change", async () => {
    const file = picker.files && picker.files[0];
    if (!file) return;
    if (file.size > maxSaveBytes) return panelError(`${file.name}: file is larger than any save (${maxSaveBytes} bytes)`);
    const text = await file.text();
    picker.value = "";
    await loadInto("import", { name: file.name, text });
  });
  files.append(current, pickLabel, picker);
  body.append(files);
}

$("open-casefile").addEventListener("click", () => openLines("casefile", "Case file"));
$("open-board").addEventListener("click", () => openLines("board", "The case board"));
$("open-status").addEventListener("click", () => openLines("status", "Status"));
$("open-endings").addEventListener("click", () => openEndings());
$("open-saves").addEventListener("click", () => openSaves());
$("undo").addEventListener("click", () => act("undo"));
$("numbers").addEventListener("click", () => setNumbers($("numbers").getAttribute("aria-pressed") !== "true"));
// No "are you sure": the game so far stays in the automatic saves.
$("restart").addEventListener("click", () => act("restart"));

// A page opened as index.html?seed=N plays seed N, as `play.py --seed N` does:
// the same seed and the same choices read the same, in the browser and the terminal.
function seedAsked() {
  const seed = new URLSearchParams(window.location.search).get("seed");
  return seed && /^[0-9]{1,10}$/.test(seed) ? { seed: Number(seed) } : {};
}

// --- start ------------------------------------------------------------------

async function start() {
  const booted = await call("boot");
  if (booted.error) {
    $("loading").textContent = `The story could not start: ${booted.error}`;
    $("loading").setAttribute("role", "alert");
    return;
  }
  const about = booted.result;
  maxSaveBytes = about.max_save_bytes || maxSaveBytes;
  document.title = about.title;
  $("story-title").textContent = about.title;
  for (const id of ["open-casefile", "open-status", "open-saves", "open-endings", "restart", "numbers"]) $(id).disabled = false;
  if (about.board) { // a story with questions: its board, people and places, a button away
    $("open-board").disabled = false;
    $("open-board").parentElement.hidden = false;
  }
  if (rememberedNumbers()) await setNumbers(true);
  if (about.persistent === false) {
    say("This browser keeps no saves for this page: use Saves > Download this game to keep your place.", true);
  }
  if (about.has_autosave) {
    $("loading").textContent = "Welcome back. Your last game was saved in this browser.";
    $("main").setAttribute("aria-busy", "false");
    showOptions([
      { label: "Continue the case", run: () => act("continue").then(() => { timings.firstScene ??= performance.now(); }) },
      { label: "Start a new case", run: () => act("new", seedAsked()) },
    ]);
    return;
  }
  const first = await call("new", seedAsked());
  $("main").setAttribute("aria-busy", "false");
  if (first.error) return say(first.error, true);
  showTurn(first.result);
  timings.firstScene = performance.now();
}

window.aka = { ready: start(), call };
