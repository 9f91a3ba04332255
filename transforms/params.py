"""Model parameters: read from their one home, the ``vars`` of ``dbt_project/dbt_project.yml``.

dbt reads each value with the macro ``p('<name>')``; Python code (the forecast, the parsers'
plausibility bounds, the publish step that writes ``meta.parameters``) reads the same file here,
so no value is written twice. Every entry is a mapping::

    pue_ai_cluster:
      value: 1.2
      unit: ratio (facility / IT power)
      source: "..."        # or `assumption: true`
      note: ...

Tabular parameters (training share by owner type, IT kW per accelerator by platform) are dbt seeds
and scenario parameters live in ``transforms/forecast/scenarios.yml``; ``parameter_table`` lists the
scalar ones, the publish step adds the others.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

DBT_PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project" / "dbt_project.yml"

PARAMETER_SCHEMA: dict[str, pl.DataType] = {
    "parameter": pl.String(),
    "scope": pl.String(),
    "value": pl.String(),
    "unit": pl.String(),
    "source": pl.String(),
    "is_assumption": pl.Boolean(),
    "note": pl.String(),
    "home": pl.String(),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    unit: str
    source: str | None
    assumption: bool
    note: str
    low: Any = None
    high: Any = None


def _parse(name: str, entry: Any) -> Parameter:
    if not isinstance(entry, dict) or "value" not in entry or "unit" not in entry:
        raise ValueError(f"dbt var {name!r}: expected a mapping with value and unit (see dbt_project.yml)")
    source = entry.get("source")
    assumption = bool(entry.get("assumption", False))
    if not source and not assumption:
        raise ValueError(f"dbt var {name!r}: needs `source:` or `assumption: true`")
    return Parameter(
        name,
        entry["value"],
        str(entry["unit"]),
        source,
        assumption,
        str(entry.get("note", "")).strip(),
        entry.get("low"),
        entry.get("high"),
    )


@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> dict[str, Parameter]:
    del mtime_ns  # cache key only: an edited file is read again
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: _parse(name, entry) for name, entry in (document.get("vars") or {}).items()}


def model_parameters(path: Path | None = None) -> dict[str, Parameter]:
    """Every scalar model parameter by name."""
    resolved = (path or DBT_PROJECT_FILE).resolve()
    return dict(_load(resolved, resolved.stat().st_mtime_ns))


def param(name: str, path: Path | None = None) -> Any:
    """The value of one model parameter (KeyError names the known ones)."""
    params = model_parameters(path)
    if name not in params:
        raise KeyError(f"unknown parameter {name!r}; known: {sorted(params)}")
    return params[name].value


def param_range(name: str, path: Path | None = None) -> tuple[Any, Any, Any]:
    """(low, value, high) of one model parameter; a parameter without a range is its own low and high (as the dbt
    macros p_low / p_high read it)."""
    params = model_parameters(path)
    if name not in params:
        raise KeyError(f"unknown parameter {name!r}; known: {sorted(params)}")
    entry = params[name]
    low = entry.value if entry.low is None else entry.low
    high = entry.value if entry.high is None else entry.high
    return low, entry.value, high


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | dict):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False).strip().removesuffix("...").strip()
    return str(value)


def parameter_table(path: Path | None = None) -> pl.DataFrame:
    """One row per scalar model parameter, in the shape of ``meta.parameters``."""
    rows = [
        {
            "parameter": p.name,
            "scope": "model",
            "value": _text(p.value),
            "value_low": _text(p.low),
            "value_high": _text(p.high),
            "unit": p.unit,
            "source": p.source,
            "is_assumption": p.assumption,
            "note": p.note,
            "home": "dbt_project/dbt_project.yml (vars)",
        }
        for p in model_parameters(path).values()
    ]
    return pl.DataFrame(rows, schema={**PARAMETER_SCHEMA, "value_low": pl.String(), "value_high": pl.String()})
