"""The README is generated where it restates the project: its parameter tables come from the parameters' homes."""

from pathlib import Path

import polars as pl

from orchestration.defs.parameters.parameter_table import parameters_offline
from orchestration.defs.parameters.readme_tables import END, START, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def _block() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(START) : text.index(END) + len(END)]


def test_readme_parameter_tables_equal_the_homes() -> None:
    assert _block() == markdown_table(), "the README's parameter tables are out of date: run `make docs`"


def test_every_model_parameter_and_prior_is_in_the_readme_with_its_value() -> None:
    block = _block()
    frame = parameters_offline()
    for row in frame.filter(pl.col("scope") == "model").iter_rows(named=True):
        assert f"| `{row['parameter']}` | {row['value'] or ''} |" in block, row["parameter"]
    for row in frame.filter(pl.col("scope") == "workload_prior").iter_rows(named=True):
        owner = row["parameter"].removeprefix("training_share.")
        assert f"| {owner} | {row['value']} ({row['value_low']}-{row['value_high']}) |" in block, owner
