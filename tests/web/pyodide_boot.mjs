// Starts a published page's Python in Node as its worker does (unpack, import
// the bridge, boot the story, take the first turn) and says which of the
// page's modules were compiled from source rather than loaded as byte code.
//
//   node pyodide_boot.mjs PUBLISHED_FOLDER
//
// Prints one JSON object: {"from_source": [file names], "first": first turn's text}.
// Pyodide's own start happens before anything can be watched; what it compiled
// shows as standard-library modules it imported that have no .pyc in the zip
// (the test checks the zip for those).

import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const folder = path.resolve(process.argv[2]);
const { loadPyodide } = await import(pathToFileURL(path.join(folder, "pyodide", "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: path.join(folder, "pyodide") + "/", stdout: () => {} });
// Both importers (the folder's and the zip's) compile source with the builtin compile().
py.runPython(`
import builtins
_compile = builtins.compile
from_source = []
def _watching(source, filename, *args, **kwargs):
    if str(filename).startswith(("/app/", "/lib/")):
        from_source.append(str(filename))
    return _compile(source, filename, *args, **kwargs)
builtins.compile = _watching
`);
const bytes = (name) => new Uint8Array(readFileSync(path.join(folder, name)));
py.unpackArchive(bytes("python.zip"), "zip", { extractDir: "/app" });
py.unpackArchive(bytes("story.zip"), "zip", { extractDir: "/story" });
const events = existsSync(path.join(folder, "story-events.json"));
if (events) py.FS.writeFile("/app/story-events.json", bytes("story-events.json"));
py.FS.mkdirTree("/saves");
py.runPython("import sys; sys.path.insert(0, '/app')");
const bridge = py.pyimport("game.web.bridge");
const booted = JSON.parse(bridge.boot("/story", "/saves", events ? "/app/story-events.json" : ""));
if (booted.error) throw new Error(booted.error);
const first = JSON.parse(bridge.handle("new", JSON.stringify({ seed: 7 })));
if (first.error) throw new Error(first.error);
const fromSource = py.globals.get("from_source").toJs();
console.log(JSON.stringify({ from_source: fromSource, first: first.result.text }));
