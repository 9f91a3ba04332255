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

A run can override vars: ``DCPULSE_VARS='{pue_ai_cluster: 1.3}' make run``. The overrides are read here, once
per call, and applied to every value this module returns; the dbt step hands the same values to dbt
(``dbt_vars_arg``, as ``--vars``), so dbt, the forecast, the parsers' bounds and ``meta.parameters`` (which notes
the override) all use them. An override outside the var's range widens the range to include it.
"""

from __future__ import annotations

import functools
import json
import os
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


OVERRIDES_ENV = "DCPULSE_VARS"


def var_overrides() -> dict[str, Any]:
    """The run's overrides, ``DCPULSE_VARS``: a YAML (or JSON) mapping of var name to a value (or to a mapping with
    ``value``). Empty when unset; a name that is not a var, or a value that is not a plain one, is refused."""
    text = os.environ.get(OVERRIDES_ENV, "").strip()
    if not text:
        return {}
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"{OVERRIDES_ENV} must be a mapping such as '{{pue_ai_cluster: 1.3}}', not {text!r}")
    known = _home_parameters(DBT_PROJECT_FILE.resolve())
    unknown = sorted(set(loaded) - set(known))
    if unknown:
        raise KeyError(f"{OVERRIDES_ENV} names unknown vars {unknown}; known: {sorted(known)}")
    out = {}
    for name, value in loaded.items():
        value = value["value"] if isinstance(value, dict) and "value" in value else value
        if isinstance(value, dict | list) != isinstance(known[name].value, dict | list):
            raise ValueError(f"{OVERRIDES_ENV}: {name} must be like its home value {known[name].value!r}")
        out[name] = value
    return out


def _overridden(entry: Parameter, value: Any) -> Parameter:
    low, high = entry.low, entry.high
    if isinstance(value, int | float) and not isinstance(value, bool):
        low = min(low, value) if isinstance(low, int | float) else low
        high = max(high, value) if isinstance(high, int | float) else high
    note = f"overridden for this run by {OVERRIDES_ENV} (home value {entry.value!r}). {entry.note}".strip()
    return Parameter(entry.name, value, entry.unit, entry.source, entry.assumption, note, low, high)


def _home_parameters(resolved: Path) -> dict[str, Parameter]:
    return _load(resolved, resolved.stat().st_mtime_ns)


def model_parameters(path: Path | None = None) -> dict[str, Parameter]:
    """Every scalar model parameter by name, with the run's overrides (``DCPULSE_VARS``) applied to the project's
    own file."""
    resolved = (path or DBT_PROJECT_FILE).resolve()
    params = dict(_home_parameters(resolved))
    if resolved == DBT_PROJECT_FILE.resolve():
        for name, value in var_overrides().items():
            params[name] = _overridden(params[name], value)
    return params


def dbt_vars_arg() -> list[str]:
    """``["--vars", <json>]`` handing dbt the overridden vars as whole mappings (value and its widened range), or
    ``[]`` when the run overrides nothing."""
    overrides = var_overrides()
    if not overrides:
        return []
    params = model_parameters()
    entries = {}
    for name in sorted(overrides):
        entry = params[name]
        entries[name] = {"value": entry.value, "unit": entry.unit, "note": entry.note}
        entries[name].update({k: v for k, v in (("low", entry.low), ("high", entry.high)) if v is not None})
    return ["--vars", json.dumps(entries, sort_keys=True)]


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
