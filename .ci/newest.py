#!/usr/bin/env python3
"""The newest versions pyproject.toml's ranges allow for the test install, as pip
resolves them today (a dry run: nothing is installed).

    python .ci/newest.py                    one `name==version` a line (what .ci/refresh-lock writes)
    python .ci/newest.py --diff LOCKFILE    what differs from LOCKFILE; exit 0 if nothing, 1 if something

Exit 3 when the package index cannot be reached or pip cannot resolve (pip's last
words on stderr). Run it with the Python of a virtual environment: it uses that pip.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = 3


def newest() -> dict[str, tuple[str, str]] | None:
    """{normalised name: (name, version)} of everything the test install resolves, but the project."""
    with tempfile.TemporaryDirectory(prefix="aka-newest-") as tmp:
        report = Path(tmp) / "report.json"
        # --ignore-installed: resolve from the index alone, whatever this environment holds.
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
                               "--report", str(report), "-e", f"{ROOT}[test]"],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        if proc.returncode != 0 or not report.exists():
            print("\n".join(proc.stderr.strip().splitlines()[-5:]), file=sys.stderr)
            return None
        doc = json.loads(report.read_text())
    found = [item["metadata"] for item in doc["install"] if not item.get("is_direct")]  # the project is direct
    return {_normal(meta["name"]): (meta["name"], meta["version"]) for meta in found}


def locked(path: Path) -> dict[str, tuple[str, str]]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_normal(name)] = (name.strip(), version.strip())
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: PyYAML, pyyaml and py_yaml are one package


def main(argv: list[str]) -> int:
    pins = newest()
    if pins is None:
        return UNREACHABLE
    if not argv:
        for name, version in sorted(pins.values(), key=lambda pin: _normal(pin[0])):
            print(f"{name}=={version}")
        return 0
    if argv[0] != "--diff" or len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    old = locked(Path(argv[1]))
    changes = []
    for key in sorted(set(pins) | set(old)):
        was = old[key][1] if key in old else "not locked"
        now = pins[key][1] if key in pins else "no longer needed"
        if was != now:
            changes.append(f"  {(pins.get(key) or old[key])[0]}: {was} -> {now}")
    if changes:
        print("\n".join(changes))
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
