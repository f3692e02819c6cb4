"""Start the stub OpenAI-compatible server as a real process, for tests and benchmarks.

One place knows how to spawn `medaudit dev stub-server --port 0` and read the URL it announces,
so tests and benchmark scripts do not each carry their own copy.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys

from medaudit.errors import MedauditError


def start_stub_server(*args: str, timeout_s: float = 30.0,
                      env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """Spawn the stub server on a free loopback port; returns the process and its base URL.
    `env` adds variables to the server's environment (e.g. the API key it should demand)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "medaudit.cli", "dev", "stub-server", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    line = proc.stdout.readline() if selector.select(timeout=timeout_s) else ""
    if "listening on " not in line:
        stop_stub_server(proc)
        raise MedauditError(f"stub server did not start within {timeout_s:.0f} s (args: {args})")
    return proc, line.strip().split("listening on ", 1)[1]


def stop_stub_server(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
