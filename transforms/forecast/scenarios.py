"""Forecast parameters: the scenario schema, loading of ``scenarios.yml``, overrides and the ordering check."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from transforms.params import model_parameters, param
from transforms.vocabulary import REGIONS

# Where unannounced growth of a workload goes inside a tier when the tier holds none of it yet.
DEFAULT_KIND: dict[tuple[str, str], str] = {
    ("training", "tier_1"): "metro",
    ("training", "tier_2"): "metro",
    ("training", "tier_3"): "campus",
    ("inference", "tier_1"): "metro",
    ("inference", "tier_2"): "metro",
    ("inference", "tier_3"): "edge",
}
HOURS_PER_YEAR = 8760.0
DEFAULT_SCENARIOS_PATH = Path(__file__).parent / "scenarios.yml"

Workload = Literal["training", "inference"]
ShareEnd = Literal["central", "low", "high"]

HISTORY_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "region": pl.String(),
    "market_tier": pl.String(),
    "market_kind": pl.String(),
    "workload": pl.String(),
    "it_power_mw": pl.Float64(),
    "facility_power_mw": pl.Float64(),
    "annual_energy_mwh": pl.Float64(),
}
# marts.fct_ai_pipeline, the columns the forecast reads (counted rows only).
PIPELINE_SCHEMA: dict[str, pl.DataType] = {
    "deployment_id": pl.String(),
    "unit_id": pl.String(),
    "region": pl.String(),
    "market_tier": pl.String(),
    "market_kind": pl.String(),
    "is_ai_demand": pl.Boolean(),
    "training_share": pl.Float64(),
    "training_share_low": pl.Float64(),
    "training_share_high": pl.Float64(),
    "expected_year": pl.Int32(),
    "is_past_due": pl.Boolean(),
    "pipeline_mw": pl.Float64(),
    "arrival_years": pl.Int32(),
    "realisation_factor": pl.Float64(),
    "realisation_factor_low": pl.Float64(),
    "realisation_factor_high": pl.Float64(),
}
# marts.fct_ai_workload_split: each unit's training share by year (the one home of the split).
UNIT_SPLIT_SCHEMA: dict[str, pl.DataType] = {
    "unit_id": pl.String(),
    "year": pl.Int32(),
    "training_share": pl.Float64(),
    "training_share_low": pl.Float64(),
    "training_share_high": pl.Float64(),
}
# The installed base of the as-of date by vintage (year each megawatt came online), in each later year with that
# year's split (marts.fct_ai_installed_by_vintage), to split and retire it.
VINTAGE_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "region": pl.String(),
    "market_tier": pl.String(),
    "market_kind": pl.String(),
    "workload": pl.String(),
    "vintage": pl.Int32(),
    "facility_power_mw": pl.Float64(),
    "split_low_mw": pl.Float64(),
    "split_high_mw": pl.Float64(),
}
# Contract of marts.fct_demand_forecast, then the extra columns, in output order.
CONTRACT_COLUMNS: tuple[str, ...] = (
    "year",
    "scenario",
    "region",
    "market_tier",
    "workload",
    "facility_power_mw",
    "annual_energy_twh",
    "is_history",
)
EXTRA_COLUMNS: tuple[str, ...] = (
    "market_kind",
    "is_ai_demand",
    "it_power_mw",
    "pue",
    "annual_energy_mwh",
    "installed_base_mw",
    "pipeline_mw",
    "growth_mw",
    "retired_mw",
    "ordering_adjustment_mw",
    "split_low_mw",
    "split_high_mw",
    "region_total_facility_mw",
    "inference_share",
    "total_basis",
    "scenario_version",
)
BACKTEST_COLUMNS: tuple[str, ...] = (
    "origin_year",
    "target_year",
    "horizon_years",
    "scenario",
    "region",
    "workload",
    "forecast_mw",
    "actual_mw",
    "error_mw",
    "pct_error",
    "abs_pct_error",
)


def _horizon() -> int:
    """The forecast's last year: its one home is the dbt var forecast_end_year."""
    return int(param("forecast_end_year"))


class TierMix(BaseModel):
    """Target share of a workload's known-tier growth in each market tier (sums to 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tier_1: float = Field(ge=0.0, le=1.0)
    tier_2: float = Field(ge=0.0, le=1.0)
    tier_3: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _sums_to_one(self) -> TierMix:
        total = self.tier_1 + self.tier_2 + self.tier_3
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"tier mix must sum to 1, got {total:.6f}")
        return self


class ParamProvenance(BaseModel):
    """Where a parameter value comes from: a cited source, or an explicit assumption."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    assumption: bool = False
    note: str

    @model_validator(mode="after")
    def _sourced_or_assumed(self) -> ParamProvenance:
        if not self.source and not self.assumption:
            raise ValueError("a parameter needs a `source:` or `assumption: true`")
        return self


class ScenarioParams(BaseModel):
    """One named scenario: every driver of the forecast. Values only; provenance rides along.

    Model parameters shared with the marts (the AI PUE, load factors, horizon) are not here: they
    have one home, the dbt vars (``transforms.params``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    version: str = "unversioned"
    # Growth of installed AI accelerator (IT) power: the trend.
    accelerator_power_cagr: float = Field(ge=-0.5, le=3.0)
    growth_taper: float = Field(default=0.0, ge=0.0, le=1.0)
    region_growth_multiplier: dict[str, float] = Field(default_factory=dict)
    # PUE of new capacity: from the AI PUE at the origin (dbt var pue_ai_cluster) to this by the year.
    pue_new_build: float = Field(ge=1.0, le=2.0)
    # Target years default to the horizon (dbt var forecast_end_year) unless a scenario sets one.
    pue_new_build_year: int = Field(default_factory=lambda: _horizon())
    # Which end of the training-share range every prior-based share takes (the installed base, the pipeline
    # and unannounced growth): central, low (inference-heavy) or high (training-heavy). The split itself lives in
    # dbt (fct_ai_workload_split, fct_ai_installed_by_vintage; growth: dbt var inference_share_target).
    training_share_end: ShareEnd = "central"
    # Where unannounced growth goes: its tier mix drifts from the announced mix toward this.
    tier_mix_target: dict[Workload, TierMix]
    tier_shift_target_year: int = Field(default_factory=lambda: _horizon())
    tier_shift_strength: float = Field(default=1.0, ge=0.0, le=1.0)
    # Announced pipeline (marts.fct_ai_pipeline): which of its per-row realisation factors is built
    # (realisation_factor, or its _low / _high end: seed pipeline_realisation).
    realisation_end: ShareEnd = "central"
    pipeline_delay_years: float = Field(default=0.0, ge=0.0, le=10.0)
    pipeline_undated_spread_years: int = Field(default=5, ge=1, le=20)
    past_due_delay_years: float = Field(default=0.0, ge=0.0, le=10.0)
    # Retirement: capacity leaves the installed base this many years after it came online (None: never).
    hardware_life_years: int | None = Field(default=None, ge=1, le=30)
    provenance: dict[str, ParamProvenance] = Field(default_factory=dict, repr=False)

    @field_validator("region_growth_multiplier")
    @classmethod
    def _known_regions(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - set(REGIONS)
        if unknown:
            raise ValueError(f"unknown regions {sorted(unknown)}; expected some of {REGIONS}")
        if any(m < 0 for m in value.values()):
            raise ValueError("region growth multipliers must be >= 0")
        return value


def parameter_bounds(name: str) -> tuple[float, float]:
    """The lowest and highest value ``ScenarioParams`` accepts for a numeric parameter (its field's ``ge`` / ``le``):
    the one declaration of a driver's range, which the dashboard's scenario builder uses for its sliders."""
    field = ScenarioParams.model_fields.get(name)
    if field is None:
        raise KeyError(f"unknown scenario parameter {name!r}")
    low = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
    if low is None or high is None:
        raise ValueError(f"scenario parameter {name!r} declares no lower and upper bound (Field ge= and le=)")
    return float(low), float(high)


# Drivers that raise (+1) or lower (-1) every region-year total; used to check the ordering.
_TOTAL_MONOTONE: dict[str, int] = {
    "accelerator_power_cagr": +1,
    "growth_taper": -1,
    "pue_new_build": +1,
    "realisation_end": +1,
    "pipeline_delay_years": -1,
    "pipeline_undated_spread_years": -1,
    "past_due_delay_years": -1,
}
_TOTAL_NEUTRAL_MUST_MATCH: tuple[str, ...] = (
    "region_growth_multiplier",
    "pue_new_build_year",
    "hardware_life_years",
)


_END_RANK: dict[str, int] = {"low": 0, "central": 1, "high": 2}


def _rank(value: Any) -> float:
    return float(_END_RANK[value]) if isinstance(value, str) else float(value)


def check_scenario_ordering(lower: ScenarioParams, upper: ScenarioParams) -> list[str]:
    """Reasons why ``lower`` might not stay <= ``upper`` in total MW (empty list = ordered).

    Every total-MW driver of ``lower`` must sit on the lower side of ``upper``'s and the
    parameters that shape totals in other ways must be equal.
    """
    problems: list[str] = []
    for name, sign in _TOTAL_MONOTONE.items():
        lo, up = getattr(lower, name), getattr(upper, name)
        if (_rank(up) - _rank(lo)) * sign < 0:
            problems.append(f"{name}: {lower.name}={lo} vs {upper.name}={up}")
    for name in _TOTAL_NEUTRAL_MUST_MATCH:
        if getattr(lower, name) != getattr(upper, name):
            problems.append(f"{name} differs between {lower.name} and {upper.name}")
    return problems


def _split_entry(scenario: str, key: str, entry: Any) -> tuple[Any, ParamProvenance]:
    """A parameter's value and provenance: ``value:`` with ``source:`` or ``assumption: true`` and a note, or
    ``var: <name>`` (and a note): the value of that model parameter (dbt var, ``transforms.params``) with its
    source, so a value whose home is a dbt var is not restated here."""
    where = f"scenario {scenario!r}, parameter {key!r}"
    if isinstance(entry, Mapping) and "var" in entry:
        if set(entry) - {"var", "note", "assumption"}:
            raise ValueError(
                f"{where}: `var:` takes only `note:` and `assumption: true` beside it (its value is the var's)"
            )
        name = str(entry["var"])
        try:
            var = model_parameters()[name]
        except KeyError:
            raise ValueError(f"{where}: unknown dbt var {name!r} (dbt_project/dbt_project.yml vars)") from None
        note = " ".join(
            part for part in (str(entry.get("note") or var.note).strip(), f"Value: dbt var {name}.") if part
        )
        if entry.get("assumption"):  # using the var's value here is this file's assumption, not the var's source
            return var.value, ParamProvenance(assumption=True, note=note)
        return var.value, ParamProvenance(source=var.source, assumption=var.assumption, note=note)
    if not isinstance(entry, Mapping) or "value" not in entry:
        raise ValueError(f"{where}: expected a mapping with `value:` (or `var:`)")
    meta = {k: v for k, v in entry.items() if k != "value"}
    try:
        provenance = ParamProvenance.model_validate(meta)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return entry["value"], provenance


# A resolved parameter: its value, its provenance and the scenario whose body set it (None: `defaults`).
_Entry = tuple[Any, ParamProvenance, str | None]


def _resolve_entries(
    defaults: Mapping[str, _Entry], bodies: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, _Entry]]:
    """Every scenario's parameters with inheritance resolved: ``defaults``, then the parent's resolved parameters
    (``extends: <scenario>``), then the scenario's own. A parameter a scenario names replaces the inherited one
    whole (a mapping such as tier_mix_target is not merged). An inherited value keeps the source of the scenario
    that set it, with the note 'As <that scenario>.'; one from ``defaults`` keeps the defaults' provenance."""
    resolved: dict[str, dict[str, _Entry]] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> dict[str, _Entry]:
        if name in resolved:
            return resolved[name]
        if name in chain:
            cycle = " -> ".join((*chain[chain.index(name) :], name))
            raise ValueError(f"scenario inheritance cycle: {cycle}")
        body = dict(bodies[name])
        parent = body.pop("extends", None)
        entries: dict[str, _Entry]
        if parent is None:
            entries = dict(defaults)
        else:
            if not isinstance(parent, str) or parent not in bodies:
                raise ValueError(f"scenario {name!r} extends unknown scenario {parent!r}; known: {sorted(bodies)}")
            entries = {
                key: (
                    (value, prov, origin)
                    if origin is None
                    else (
                        value,
                        ParamProvenance(source=prov.source, assumption=prov.assumption, note=f"As {origin}."),
                        origin,
                    )
                )
                for key, (value, prov, origin) in resolve(parent, (*chain, name)).items()
            }
        body.pop("description", None)
        for key, entry in body.items():
            value, prov = _split_entry(name, key, entry)
            entries[key] = (value, prov, name)
        resolved[name] = entries
        return entries

    for name in bodies:
        resolve(name, ())
    return {name: resolved[name] for name in bodies}


def parse_scenarios(document: Mapping[str, Any]) -> dict[str, ScenarioParams]:
    """Build ``ScenarioParams`` from a parsed scenario document (``defaults`` + ``scenarios``, each scenario its
    own parameters or ``extends: <scenario>`` and what differs)."""
    if "version" not in document:
        raise ValueError("scenario file has no `version:` key")
    version = str(document["version"])
    defaults = {
        key: (*_split_entry("defaults", key, entry), None) for key, entry in (document.get("defaults") or {}).items()
    }
    bodies: dict[str, dict[str, Any]] = {}
    for name, body in (document.get("scenarios") or {}).items():
        if body is not None and not isinstance(body, Mapping):
            raise ValueError(f"scenario {name!r}: expected a mapping of parameters")
        bodies[str(name)] = dict(body or {})
    out: dict[str, ScenarioParams] = {}
    for name, entries in _resolve_entries(defaults, bodies).items():
        values = {key: value for key, (value, _, _) in entries.items()}
        provenance = {key: prov for key, (_, prov, _) in entries.items()}
        description = str(bodies[name].get("description", ""))
        out[name] = ScenarioParams.model_validate(
            {**values, "name": name, "description": description, "version": version, "provenance": provenance}
        )
    if not out:
        raise ValueError("scenario file defines no scenarios")
    chain = [out[n] for n in ("low", "base", "high") if n in out]
    for lower, upper in zip(chain, chain[1:], strict=False):
        problems = check_scenario_ordering(lower, upper)
        if problems:
            raise ValueError(f"{lower.name} <= {upper.name} is not guaranteed: {problems}")
    return out


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> dict[str, ScenarioParams]:
    del mtime_ns  # part of the cache key only: an edited file is read again
    with path.open(encoding="utf-8") as handle:
        return parse_scenarios(yaml.safe_load(handle))


def load_scenarios(path: Path | None = None) -> dict[str, ScenarioParams]:
    """Read the versioned scenario file (default ``transforms/forecast/scenarios.yml``)."""
    resolved = (path or DEFAULT_SCENARIOS_PATH).resolve()
    return dict(_load_cached(resolved, resolved.stat().st_mtime_ns))


def _deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def resolve_scenario(
    scenario: str | ScenarioParams = "base",
    overrides: Mapping[str, Any] | None = None,
    scenarios: Mapping[str, ScenarioParams] | None = None,
) -> ScenarioParams:
    """The parameters for a scenario name (or object) with ``overrides`` merged in (validated).

    Overrides are plain values keyed by parameter name; nested ones merge, e.g.
    ``{"tier_mix_target": {"inference": {"tier_1": .4, "tier_2": .4, "tier_3": .2}}}``.
    """
    if isinstance(scenario, ScenarioParams):
        params = scenario
    else:
        table = scenarios if scenarios is not None else load_scenarios()
        if scenario not in table:
            raise KeyError(f"unknown scenario {scenario!r}; known: {sorted(table)}")
        params = table[scenario]
    if not overrides:
        return params
    unknown = set(overrides) - set(ScenarioParams.model_fields)
    if unknown:
        raise KeyError(f"unknown parameters in overrides: {sorted(unknown)}")
    merged = _deep_merge(params.model_dump(), overrides)
    return ScenarioParams.model_validate(merged)


def scenario_parameter_table(scenarios: Mapping[str, ScenarioParams]) -> pl.DataFrame:
    """One row per scenario and parameter with its value (as text) and provenance."""
    rows: list[dict[str, Any]] = []
    for name, params in scenarios.items():
        dumped = params.model_dump(exclude={"provenance", "name", "description", "version"})
        for key, value in dumped.items():
            prov = params.provenance.get(key)
            rows.append(
                {
                    "scenario": name,
                    "parameter": key,
                    "value": yaml.safe_dump(value, default_flow_style=True, sort_keys=False)
                    .strip()
                    .removesuffix("...")
                    .strip(),
                    "source": prov.source if prov else None,
                    "assumption": prov.assumption if prov else None,
                    "note": prov.note if prov else None,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "scenario": pl.String,
            "parameter": pl.String,
            "value": pl.String,
            "source": pl.String,
            "assumption": pl.Boolean,
            "note": pl.String,
        },
    )
