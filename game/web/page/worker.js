// The game's engine, in a Web Worker so the page never waits on Python.
//
// Starts Pyodide from the files published beside this script (nothing is
// fetched from anywhere else), unpacks the engine and the story into its
// file system, mounts the browser's IndexedDB as the saves folder and then
// answers one request at a time through game/web/bridge.py.

import { loadPyodide } from "./pyodide/pyodide.mjs";

const here = new URL("./", import.meta.url);

async function bytes(name) {
  const response = await fetch(new URL(name, here));
  if (!response.ok) throw new Error(`${name}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

function syncfs(FS, populate) {
  return new Promise((resolve, reject) => FS.syncfs(populate, (err) => (err ? reject(err) : resolve())));
}

let FS = null;
let bridge = null;
let persistent = true; // false: no IndexedDB here, saves live in memory only

// Milliseconds since the worker started, by stage (bench/web.py reports them).
const stages = {};
const mark = (name) => { stages[name] = Math.round(performance.now()); };

const ready = (async () => {
  // Everything is fetched at once; Pyodide's start (compiling its WebAssembly) is the long pole.
  const starting = loadPyodide({ indexURL: new URL("pyodide/", here).href, stdout: () => {},
    stderr: (line) => console.warn(line) }).then((loaded) => { mark("pyodide"); return loaded; });
  const build = await (await fetch(new URL("build.json", here))).json();
  const [py, python, story, events] = await Promise.all([
    starting,
    bytes("python.zip"),
    bytes("story.zip"),
    build.precompiled ? bytes(build.precompiled) : Promise.resolve(null),
  ]);
  FS = py.FS;
  py.unpackArchive(python, "zip", { extractDir: "/app" });
  py.unpackArchive(story, "zip", { extractDir: "/story" });
  if (events) FS.writeFile("/app/story-events.json", events);
  // One IndexedDB database per story: on a shared host (itch.io serves every
  // game from one origin) two stories never see each other's saves.
  const saves = `/aka-saves/${build.story.id}`;
  FS.mkdirTree(saves);
  try {
    FS.mount(FS.filesystems.IDBFS, {}, saves);
    await syncfs(FS, true);
  } catch (error) {
    // No IndexedDB here (some private modes): play on with saves in memory only.
    console.warn("saves will not outlive this page:", error);
    persistent = false;
    try { FS.unmount(saves); } catch { /* it was never mounted */ }
  }
  mark("files");
  py.runPython("import sys; sys.path.insert(0, '/app')");
  bridge = py.pyimport("game.web.bridge");
  mark("imported");
  const booted = JSON.parse(bridge.boot("/story", saves, events ? "/app/story-events.json" : ""));
  mark("loaded");
  if (booted.result) Object.assign(booted.result, { stages, persistent });
  return booted;
})();

// Requests are answered strictly in order: a second click never overtakes a first.
let queue = Promise.resolve();

self.onmessage = (message) => {
  const { id, op, args } = message.data;
  queue = queue.then(async () => {
    let reply;
    try {
      const booted = await ready;
      if (op === "boot" || booted.error) {
        reply = booted;
      } else {
        reply = JSON.parse(bridge.handle(op, JSON.stringify(args || {})));
        if (reply.result && reply.result.wrote && persistent) {
          try {
            await syncfs(FS, false); // saved means saved: the page hears of it only now
          } catch (error) { // e.g. the browser's storage is full: the turn stands, the save did not
            const warning = `Could not keep the save in this browser's storage: ${error && error.message ? error.message : error}`;
            if (Array.isArray(reply.result.notes)) reply.result.notes.push(warning);
            else reply.result.message = `${reply.result.message || ""} ${warning}`.trim();
          }
        }
      }
    } catch (error) {
      reply = { error: `the game could not start or answer: ${error && error.message ? error.message : error}` };
    }
    self.postMessage({ id, reply });
  });
};
