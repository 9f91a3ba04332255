"""The contracts of the marts written from Python (``contracts.yml`` beside this module): each table's columns, in
order, with their types and descriptions. ``conform`` holds a frame to its table's contract before it is written."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

CONTRACTS_FILE = Path(__file__).with_name("contracts.yml")
_POLARS: dict[str, pl.DataType] = {
    "integer": pl.Int32(),
    "bigint": pl.Int64(),
    "double": pl.Float64(),
    "varchar": pl.String(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
}


@dataclass(frozen=True)
class Contract:
    table: str
    description: str
    columns: tuple[tuple[str, str, str], ...]  # (name, data_type, description)


@functools.lru_cache(maxsize=1)
def contracts() -> dict[str, Contract]:
    document = yaml.safe_load(CONTRACTS_FILE.read_text(encoding="utf-8"))
    return {
        m["name"]: Contract(
            m["name"],
            " ".join(str(m["description"]).split()),
            tuple((c["name"], c["data_type"], str(c["description"])) for c in m["columns"]),
        )
        for m in document["models"]
    }


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its table's columns in contract order, cast to the contract's types. A column the contract
    lacks or a contract column the frame lacks is an error naming them (the contract is changed on purpose)."""
    contract = contracts()[table]
    names = [name for name, _, _ in contract.columns]
    missing, extra = sorted(set(names) - set(frame.columns)), sorted(set(frame.columns) - set(names))
    if missing or extra:
        raise ValueError(
            f"marts.{table} does not match transforms/forecast/contracts.yml: missing {missing}, not in it {extra}"
        )
    return frame.select([pl.col(name).cast(_POLARS[dtype]) for name, dtype, _ in contract.columns])
