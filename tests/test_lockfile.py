"""uv.lock is what make installs (uv sync --locked), and pip-constraints.txt is the same lock exported for the
pip fallback: both must follow pyproject.toml. Read in pure Python (no network, nothing installed); uv's own
check runs as well where uv is there (.venv has it: it is a dev dependency).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
LOCK = tomllib.loads((REPO / "uv.lock").read_text())
CONSTRAINTS = REPO / "pip-constraints.txt"
PROJECT = PYPROJECT["project"]["name"]


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked_project() -> dict:
    (package,) = [p for p in LOCK["package"] if _name(p["name"]) == _name(PROJECT)]
    return package


def _requirement_key(name: str, extras, specifier: str, marker: str | None) -> tuple:
    normal_marker = str(Marker(marker)) if marker else ""
    return (_name(name), tuple(sorted(_name(e) for e in extras)), SpecifierSet(specifier), normal_marker)


def test_lock_records_the_requirements_of_pyproject() -> None:
    project = PYPROJECT["project"]
    declared = {
        _requirement_key(r.name, r.extras, str(r.specifier), str(r.marker) if r.marker else None)
        for r in map(Requirement, project["dependencies"])
    }
    for extra, requirements in project.get("optional-dependencies", {}).items():
        for r in map(Requirement, requirements):
            assert r.marker is None, f"{r}: a marker inside an extra is not compared here"
            declared.add(_requirement_key(r.name, r.extras, str(r.specifier), f"extra == '{extra}'"))
    metadata = _locked_project()["metadata"]
    locked = {
        _requirement_key(r["name"], r.get("extras", ()), r.get("specifier", ""), r.get("marker"))
        for r in metadata["requires-dist"]
    }
    assert locked == declared, "uv.lock is behind pyproject.toml: run uv lock (and re-export pip-constraints.txt)"
    assert sorted(metadata.get("provides-extras", [])) == sorted(project.get("optional-dependencies", {}))
    assert SpecifierSet(LOCK["requires-python"]) == SpecifierSet(project["requires-python"])


def test_lock_holds_the_pinned_stack() -> None:
    versions = {_name(p["name"]): p["version"] for p in LOCK["package"]}
    assert versions["duckdb"] == "1.5.5"
    assert versions["dbt-core"].startswith("1.11.")
    for package in ("dagster", "dagster-webserver", "dagster-graphql", "dagster-pipes", "dagster-shared"):
        assert versions[package].startswith("1.13."), package
    assert versions["dagster-dbt"].startswith("0.29.")
    # make's uv sync removes what the lock lacks: the tools the tests and make need are in it.
    for tool in ("duckdb-cli", "playwright", "pytest", "uv", "duckdb-extension-ducklake"):
        assert tool in versions, tool


def test_pip_constraints_are_the_lock_exported() -> None:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins[_name(requirement.name)] = spec.version
    locked = {_name(p["name"]): p["version"] for p in LOCK["package"] if _name(p["name"]) != _name(PROJECT)}
    assert pins == locked, (
        "pip-constraints.txt differs from uv.lock: "
        "uv export --frozen --no-hashes --extra dev --no-emit-project -o pip-constraints.txt"
    )


def test_uv_finds_the_lock_up_to_date() -> None:
    beside = Path(sys.executable).with_name("uv")
    uv = str(beside) if beside.exists() else shutil.which("uv")
    if uv is None:  # the pure-Python checks above stand in for uv here
        return
    result = subprocess.run(
        [uv, "lock", "--check", "--offline", "--no-python-downloads"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
