// The page's start-up work in Node, with CPU time beside wall time: on a
// loaded machine the wall clock mostly measures waiting for a core, the CPU
// time what the start itself costs (bench/web.py reports both).
//
//   node pyodide_start.mjs PUBLISHED_FOLDER
//
// Prints one JSON object: per stage, wall and CPU milliseconds since start.

import { readFileSync, existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const folder = path.resolve(process.argv[2]);
const t0 = performance.now();
const c0 = process.cpuUsage();
const stages = {};
const mark = (name) => {
  const cpu = process.cpuUsage(c0);
  stages[name] = { wall_ms: Math.round(performance.now() - t0), cpu_ms: Math.round((cpu.user + cpu.system) / 1000) };
};
const { loadPyodide } = await import(pathToFileURL(path.join(folder, "pyodide", "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: path.join(folder, "pyodide") + "/" });
mark("pyodide");
const bytes = (name) => new Uint8Array(readFileSync(path.join(folder, name)));
py.unpackArchive(bytes("python.zip"), "zip", { extractDir: "/app" });
py.unpackArchive(bytes("story.zip"), "zip", { extractDir: "/story" });
const events = existsSync(path.join(folder, "story-events.json"));
if (events) py.FS.writeFile("/app/story-events.json", bytes("story-events.json"));
py.FS.mkdirTree("/saves");
mark("files");
py.runPython("import sys; sys.path.insert(0, '/app')");
const bridge = py.pyimport("game.web.bridge");
mark("imported");
const booted = JSON.parse(bridge.boot("/story", "/saves", events ? "/app/story-events.json" : ""));
if (booted.error) throw new Error(booted.error);
mark("loaded");
JSON.parse(bridge.handle("new", "{}"));
mark("first_scene");
console.log(JSON.stringify(stages));
