// Byte code for a published page, compiled by the page's own Python: the
// pinned Pyodide, run in Node at publish time (game/web/bytecode.py runs it).
//
//   node bytecode.mjs RUNTIME_DIR WORK_DIR
//
// WORK_DIR holds python.zip and story.zip (and story-events.json when the
// story is precompiled), as published. This starts the game as the page's
// worker does (unpack, import the bridge, boot the story, take the first
// turn), then writes into WORK_DIR/out:
//   app/...         checked-hash .pyc for every module of python.zip that
//                   start imported or tried to, at the __pycache__ path the
//                   page's importer looks for;
//   stdlib/...      the same for the standard library, beside each module's
//                   path in the stdlib zip;
//   bytecode.json   the magic number, cache tag and Python version.
// Checked-hash byte code carries its source's hash: Python uses it only while
// the magic number and the source both match, and compiles the source
// otherwise, so a mismatch costs time, never correctness.

import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [runtimeDir, work] = process.argv.slice(2).map((p) => path.resolve(p));
const { loadPyodide } = await import(pathToFileURL(path.join(runtimeDir, "pyodide.mjs")).href);
// A fixed hash seed: set and frozenset constants are marshalled in hash
// order, and the same sources must publish to the same bytes.
const py = await loadPyodide({ indexURL: runtimeDir + "/", env: { PYTHONHASHSEED: "0" },
  stdout: (line) => console.log(line), stderr: (line) => console.error(line) });
const bytes = (name) => new Uint8Array(readFileSync(path.join(work, name)));
py.unpackArchive(bytes("python.zip"), "zip", { extractDir: "/app" });
py.unpackArchive(bytes("story.zip"), "zip", { extractDir: "/story" });
const events = existsSync(path.join(work, "story-events.json"));
if (events) py.FS.writeFile("/app/story-events.json", bytes("story-events.json"));
py.FS.mkdirTree("/saves");
py.FS.mkdirTree("/work");
py.FS.mount(py.FS.filesystems.NODEFS, { root: work }, "/work");
py.globals.set("events", events ? "/app/story-events.json" : "");
const compile = `
import importlib.util
import json
import os
import py_compile
import sys
import zipimport

import builtins

sys.dont_write_bytecode = True
stdlib = next(p for p in sys.path if p.endswith(".zip"))

# What start compiles from source, including modules whose import then fails
# (PyYAML tries its libyaml module, yaml/cyaml.py, which cannot load here):
# both importers compile with the builtin compile().
tried = set()
_compile = builtins.compile
def _watching(source, filename, *args, **kwargs):
    if str(filename).startswith(("/app/", stdlib + "/")) and str(filename).endswith(".py"):
        tried.add(str(filename))
    return _compile(source, filename, *args, **kwargs)
builtins.compile = _watching

sys.path.insert(0, "/app")
import game.web.bridge as bridge

booted = json.loads(bridge.boot("/story", "/saves", events))
if "error" in booted:
    raise RuntimeError(f"the story did not start under Pyodide: {booted['error']}")
first = json.loads(bridge.handle("new", "{}"))
if "error" in first:
    raise RuntimeError(f"the first turn failed under Pyodide: {first['error']}")

OUT = "/work/out"
MODE = py_compile.PycInvalidationMode.CHECKED_HASH

def compile_to(source, dfile, cfile):
    os.makedirs(os.path.dirname(cfile), exist_ok=True)
    py_compile.compile(source, cfile=cfile, dfile=dfile, doraise=True, invalidation_mode=MODE)

builtins.compile = _compile
# Modules imported before the watch began (Pyodide's own start) are found by
# where they came from (frozen modules, which name a file in the zip too, need none).
for module in list(sys.modules.values()):
    file = getattr(module, "__file__", None) or ""
    if file.startswith("/app/") or isinstance(getattr(module, "__loader__", None), zipimport.zipimporter):
        tried.add(file)

# The engine and its dependencies: what start imported (not, say, transitions'
# diagram extensions, which the engine never imports).
for source in sorted(f for f in tried if f.startswith("/app/") and f.endswith(".py")):
    cached = importlib.util.cache_from_source(source)
    compile_to(source, source, OUT + "/app" + cached[len("/app"):])

# The standard library, from the zip Pyodide put on sys.path.
zipped = zipimport.zipimporter(stdlib)
for file in sorted(f for f in tried if f.startswith(stdlib + "/") and f.endswith(".py")):
    rel = file[len(stdlib) + 1:]
    source = "/tmp/stdlib/" + rel
    os.makedirs(os.path.dirname(source), exist_ok=True)
    with open(source, "wb") as handle:
        handle.write(zipped.get_data(file))
    compile_to(source, file, OUT + "/stdlib/" + rel + "c")

with open(OUT + "/bytecode.json", "w") as handle:
    json.dump({"magic": importlib.util.MAGIC_NUMBER.hex(), "cache_tag": sys.implementation.cache_tag,
               "python": sys.version.split()[0], "stdlib": os.path.basename(stdlib)}, handle)
`;
try {
  py.runPython(compile);
} catch (error) {
  // A Python error's message is its traceback: its last line says what went wrong.
  const lines = String(error && error.message ? error.message : error).trim().split("\n");
  console.error(lines[lines.length - 1]);
  process.exit(1);
}
