"""The systemd unit and the container file in deploy/ start the server the way
docs/SERVING.md says: their command lines are ones `play.py serve` accepts,
the files they copy exist, and systemd's own checker accepts the unit."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys

import pytest
from sshkit import ROOT

from game.cli import build_parser

DEPLOY = ROOT / "deploy"


def serve_args(argv: list[str]):
    assert argv[1].endswith("play.py"), argv
    args = build_parser().parse_args(argv[2:])
    assert args.command == "serve"
    return args


def test_the_containers_command_is_a_valid_serve_command_and_its_copies_exist():
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    cmd = [line for line in lines if line.startswith("CMD ")]
    assert len(cmd) == 1
    args = serve_args(json.loads(cmd[0][4:]))
    assert args.host == "0.0.0.0" and str(args.data) == "/var/lib/aka"
    assert f"EXPOSE {args.port}" in lines
    for line in lines:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    assert "'.[serve]'" in (DEPLOY / "Dockerfile").read_text()


def test_the_units_command_is_a_valid_serve_command():
    unit = (DEPLOY / "aka-serve.service").read_text()
    exec_start = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert len(exec_start) == 1
    args = serve_args(shlex.split(exec_start[0].removeprefix("ExecStart=")))
    assert f"ReadWritePaths={args.data}" in unit
    assert "KillSignal=SIGTERM" in unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path):
    unit = (DEPLOY / "aka-serve.service").read_text()
    # verify checks that the command exists: point it at this checkout's python and play.py.
    unit = unit.replace("/opt/aka/.venv/bin/python", sys.executable).replace("/opt/aka/play.py",
                                                                               str(ROOT / "play.py"))
    unit = unit.replace("User=aka", "User=root").replace("Group=aka", "Group=root")
    path = tmp_path / "aka-serve.service"
    path.write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "aka-serve.service" not in result.stderr, result.stderr  # no warning about our unit
