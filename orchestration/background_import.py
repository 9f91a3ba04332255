"""A slow import started early in a background thread, so it overlaps other work: the drift gate's Great
Expectations (seconds to import) loads while dbt builds. Whoever uses the module waits for its import first."""

from __future__ import annotations

import importlib
import threading

_started: dict[str, threading.Thread] = {}


def start(module: str) -> None:
    """Begin importing ``module`` in a daemon thread (once per process)."""
    if module not in _started:
        thread = threading.Thread(target=importlib.import_module, args=(module,), daemon=True)
        _started[module] = thread
        thread.start()


def wait(module: str) -> None:
    """Wait for a background import of ``module`` started earlier, if any."""
    thread = _started.get(module)
    if thread is not None:
        thread.join()
