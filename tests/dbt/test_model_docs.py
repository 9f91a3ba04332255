"""Every dbt model is documented in a yml file of its own name beside it (jaffle-shop style): the model's
description, columns, data tests and unit tests sit next to its SQL. No dbt run needed: the files are read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"


def model_files(root: Path = MODELS) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".sql", ".py") and p.is_file())


def doc_problems(root: Path = MODELS) -> list[str]:
    """What is wrong with the model docs under ``root`` (empty when every model is documented beside itself)."""
    problems: list[str] = []
    for path in model_files(root):
        name = path.stem
        doc = path.with_suffix(".yml")
        if not doc.exists():
            problems.append(f"{path.relative_to(root)}: no {doc.name} beside it")
            continue
        content = yaml.safe_load(doc.read_text()) or {}
        entries = content.get("models") or []
        if [m.get("name") for m in entries] != [name]:
            problems.append(
                f"{doc.relative_to(root)}: describes {[m.get('name') for m in entries]}, not exactly {name}"
            )
            continue
        model = entries[0]
        if not str(model.get("description") or "").strip():
            problems.append(f"{doc.relative_to(root)}: {name} has no description")
        for test in content.get("unit_tests") or []:
            if test.get("model") != name:
                problems.append(f"{doc.relative_to(root)}: unit test {test.get('name')} is for {test.get('model')}")
        if path.parent.name == "marts":
            for column in model.get("columns") or []:
                if not str(column.get("description") or "").strip():
                    problems.append(f"{doc.relative_to(root)}: column {column.get('name')} has no description")
    stray = {p.stem for p in root.rglob("*.yml")} - {p.stem for p in model_files(root)} - {"_sources"}
    problems += [f"{s}.yml documents no model of that name" for s in sorted(stray)]
    return problems


def test_every_model_is_documented_in_a_yml_beside_it():
    assert doc_problems() == []


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda root: (root / "marts" / "m.yml").unlink(), "no m.yml beside it"),
        (lambda root: (root / "marts" / "m.yml").write_text("models:\n  - name: m\n"), "has no description"),
        (
            lambda root: (root / "marts" / "m.yml").write_text(
                "models:\n  - name: m\n    description: x\n    columns:\n      - name: c\n"
            ),
            "column c has no description",
        ),
        (
            lambda root: (root / "marts" / "m.yml").write_text("models:\n  - name: other\n    description: x\n"),
            "not exactly m",
        ),
    ],
)
def test_the_check_finds_each_kind_of_gap(tmp_path: Path, breakage, expected):
    (tmp_path / "marts").mkdir()
    (tmp_path / "marts" / "m.sql").write_text("select 1 as c")
    (tmp_path / "marts" / "m.yml").write_text(
        "models:\n  - name: m\n    description: x\n    columns:\n      - name: c\n        description: y\n"
    )
    assert doc_problems(tmp_path) == []
    breakage(tmp_path)
    assert any(expected in p for p in doc_problems(tmp_path)), doc_problems(tmp_path)
