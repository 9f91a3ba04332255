""".ci/run installs Debian's chromium for the browser test and fails when it cannot; then lints and tests.

Runs the real script with stand-ins on PATH for apt-get, make and (optionally) chromium, so
nothing is installed and no tests run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.dashboards.conftest import REPO

CI_RUN = REPO / ".ci" / "run"


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _run(
    tmp_path: Path, *, update_rc: int = 0, install_rc: int = 0, chromium: bool = False, lint_rc: int = 0
) -> tuple[int, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    calls.touch()
    dirname = shutil.which("dirname")
    assert dirname
    os.symlink(dirname, bin_dir / "dirname")
    _stub(
        bin_dir,
        "apt-get",
        f'echo "apt-get $*" >> {calls}\n'
        f'case "$1" in update) exit {update_rc};; install) exit {install_rc};; esac\nexit 0',
    )
    _stub(bin_dir, "make", f'echo "make $*" >> {calls}\n[ "$1" = lint ] && exit {lint_rc}\nexit 0')
    if chromium:
        _stub(bin_dir, "chromium", "exit 0")
    bash = shutil.which("bash")
    assert bash
    result = subprocess.run(
        [bash, str(CI_RUN)],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, calls.read_text().splitlines()


def test_ci_run_fails_when_chromium_cannot_be_installed(tmp_path: Path) -> None:
    rc, calls = _run(tmp_path, install_rc=100)
    assert rc != 0
    assert calls == ["apt-get update -qq", "apt-get install -y -qq chromium"]  # update first; tests never run


def test_ci_run_fails_when_apt_get_update_fails(tmp_path: Path) -> None:
    rc, calls = _run(tmp_path, update_rc=100)
    assert rc != 0
    assert calls == ["apt-get update -qq"]


@pytest.mark.parametrize("chromium", [False, True])
def test_ci_run_runs_the_tests_once_chromium_is_there(tmp_path: Path, chromium: bool) -> None:
    rc, calls = _run(tmp_path, chromium=chromium)
    assert rc == 0
    expected = [] if chromium else ["apt-get update -qq", "apt-get install -y -qq chromium"]
    assert calls == [*expected, "make lint", "make test"]


def test_ci_run_fails_when_lint_fails_after_running_the_tests(tmp_path: Path) -> None:
    rc, calls = _run(tmp_path, chromium=True, lint_rc=2)
    assert rc == 2
    assert calls == ["make lint", "make test"]
