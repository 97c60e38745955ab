// Runs pytest under Pyodide in Node: the engine's own tests on the wasm path,
// with PyYAML's pure-Python parser (Pyodide has no libyaml), and no browser.
//
//   node pyodide_pytest.mjs RUNTIME_DIR REPO SITE_ZIP [pytest args...]
//
// RUNTIME_DIR holds the pinned Pyodide files; REPO is mounted read-write at
// /repo (NODEFS) so the tests read their data; SITE_ZIP holds the pure-Python
// packages (the engine's dependencies and pytest's) unpacked into /site.
// Exits with pytest's exit code.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [runtimeDir, repo, siteZip, ...args] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(runtimeDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: path.resolve(runtimeDir) + "/" });
py.FS.mkdirTree("/repo");
py.FS.mount(py.FS.filesystems.NODEFS, { root: path.resolve(repo) }, "/repo");
py.unpackArchive(new Uint8Array(readFileSync(siteZip)), "zip", { extractDir: "/site" });
py.globals.set("pytest_args", py.toPy(args));
const code = py.runPython(`
import os, sys
sys.dont_write_bytecode = True  # the repository is mounted: leave no 3.14 byte code in it
sys.path[:0] = ["/site", "/repo", "/repo/tests"]
os.chdir("/repo")
import yaml
print(f"Python {sys.version.split()[0]} on {sys.platform}; PyYAML {yaml.__version__}, libyaml: {yaml.__with_libyaml__}")
import pytest

class NoAsyncio:
    """pyproject.toml sets pytest-asyncio's loop scope (for the LSP tests); that
    plugin is not installed here, and --strict-config refuses an unknown key."""

    def pytest_addoption(self, parser):
        parser.addini("asyncio_default_fixture_loop_scope", "unused: no pytest-asyncio under Pyodide")

int(pytest.main(["-p", "no:cacheprovider", *pytest_args], plugins=[NoAsyncio()]))
`);
process.exit(code);
