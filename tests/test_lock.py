"""The lock (constraints.txt) and the ranges (pyproject.toml) agree, and every
way of installing uses the lock: a fresh clone installs the versions the tests
last passed with, not whatever was released this morning (issue: PyYAML 6.0.4)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"


def _pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version and not re.search(r"[<>=!~*,; ]", version), f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [req for group in project["optional-dependencies"].values() for req in group]
    requirements = [Requirement(req) for req in [*project["dependencies"], *extras]]
    # An extra may pull in another of the project's own (test = [".. [lsp]", ...]): those are checked there.
    return [req for req in requirements if canonicalize_name(req.name) != canonicalize_name(project["name"])]


def test_every_dependency_is_locked_to_a_version_its_range_allows():
    pins = _pins()
    for req in _requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in constraints.txt (.ci/refresh-lock)"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt locks {req.name}=={pins[name]}, outside pyproject.toml's {req.specifier}"


def test_the_build_backend_is_locked_to_the_locks_version():
    """pip builds the project in an isolated environment that -c constraints.txt does not reach, so
    an unpinned backend would be whatever setuptools was released this morning."""
    pins = _pins()
    build = [Requirement(req) for req in tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]]
    assert build, "pyproject.toml names no build backend"
    for req in build:
        name = canonicalize_name(req.name)
        assert str(req.specifier) == f"=={pins.get(name)}", \
            f"pyproject.toml's build-system requires {req}; constraints.txt locks {name}=={pins.get(name)}"


def test_the_readme_commands_and_ci_install_with_the_lock():
    readme = (ROOT / "README.md").read_text()
    commands = [line.strip() for line in readme.splitlines() if "pip install" in line]
    assert len(commands) == 3 and all(" -c constraints.txt " in command for command in commands), commands  # play, serve, test
    test_command = next(command for command in commands if "pytest" in command)
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines(), "CI runs exactly the README's test command"
