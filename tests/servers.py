"""Servers the tests start on 127.0.0.1: each in its own process group, stopped by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Stop a server we started, by its PID (TERM, then KILL)."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def serve_folder(
    folder: Path, env: dict[str, str] | None = None, probe: str = "index.json"
) -> tuple[subprocess.Popen, str]:
    """``python -m http.server`` on a free port serving ``folder``; returns the process and its base URL."""
    for _ in range(3):  # a port picked free can be taken before the server binds it: try another
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
        if wait_for(f"http://127.0.0.1:{port}/{probe}", proc, seconds=20):
            return proc, f"http://127.0.0.1:{port}/"
        stop(proc)
    raise AssertionError(f"http.server on {folder} did not start")
