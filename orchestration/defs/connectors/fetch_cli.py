"""``python -m orchestration.defs.connectors.fetch_cli [--strict] [TABLE ...]``: fetch and land every connector's
source (or those named) outside Dagster; ``--strict`` exits 1 when one failed."""

from __future__ import annotations

import logging
import sys

from orchestration.defs.connectors.errors import FetchError
from orchestration.defs.connectors.fetch import fetch_all
from orchestration.defs.connectors.registry import CONNECTORS
from orchestration.defs.connectors.settings import landing_dir


def main(argv: list[str]) -> int:
    """Fetch and land (all connectors by default); the exit code as the module docstring says."""
    strict = "--strict" in argv
    tables = [a for a in argv if not a.startswith("--")]
    unknown = [t for t in tables if t not in CONNECTORS]
    if unknown:
        print(f"no connector for: {', '.join(unknown)} (connectors: {', '.join(CONNECTORS)})", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    results = fetch_all(tables or None)
    failed = 0
    for table, result in results.items():
        if isinstance(result, FetchError):
            failed += 1
            print(f"FAILED  {result}")
        else:
            print(f"ok      {table}: {result.path} ({result.manifest['bytes']} bytes, {result.origin})")
    print(f"{len(results) - failed} landed, {failed} failed; landing: {landing_dir()}")
    return 1 if strict and failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
