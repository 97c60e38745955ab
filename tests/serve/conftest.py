"""Fixtures shared by the tests that run a real `play.py serve` (tests/serve)."""

from __future__ import annotations

import pytest
from sshkit import ServerProcess, kill_group


@pytest.fixture
def server_with(tmp_path, request):
    """start(*flags): a `play.py serve` with those flags, on a data folder of its own (data0,
    data1, ...). After the test every one is stopped and its process group killed; in a module
    that sets SERVERS_EXIT_CLEANLY = True, each must also exit with 0 when stopped then."""
    started: list[ServerProcess] = []
    cleanly = getattr(request.module, "SERVERS_EXIT_CLEANLY", False)

    def start(*flags: str) -> ServerProcess:
        proc = ServerProcess(tmp_path / f"data{len(started)}", *flags)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        try:
            code = proc.stop()
            if cleanly:
                assert code == 0
        finally:
            kill_group(proc.proc)
