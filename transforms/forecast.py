"""Scenario forecast of installed AI data-center power by region, market tier and workload.

Pure polars: every function takes and returns frames; the only I/O is ``load_scenarios``, which
reads the versioned parameter file (``forecast_scenarios.yml`` next to this module).

How a forecast is built (origin = the last history year; every driver a named parameter):

1. **Region total, IT power.** The trend grows the origin year's installed IT power at
   ``accelerator_power_cagr`` (anchored to IEA Energy and AI 2025: accelerated-server electricity
   +225 % over 2025-2030, 26.6 %/yr), tapered by ``growth_taper`` and scaled per region by
   ``region_growth_multiplier``. The announced pipeline (``pipeline_realisation_rate`` by status,
   ``pipeline_delay_years``; undated projects spread over ``pipeline_undated_spread_years``) sets
   a floor: installed IT is never below the origin base plus the realised pipeline due by that
   year; after the last year the pipeline adds capacity (its visible horizon) the floor grows at
   the trend rate, since projects not yet announced will come too. ``total_basis`` says which of
   the two binds ('trend' or 'pipeline_floor').
2. **Facility power** = IT x PUE. The origin PUE is implied per region by history (facility/IT),
   then follows LBNL's trajectory *relative* to its 2023 value (average 1.4 in 2023 to
   1.15-1.35 in 2028: ``pue_ratio_target`` = 2028/2023 ratio), never below ``pue_floor``.
3. **Workload split.** ``mixed`` stays a workload of its own: its share of each region is held at
   the origin level (no public source lets us split it). The rest is split between training and
   inference; inference's share moves linearly from the origin share (per region, from history)
   to ``inference_share_target`` by ``inference_share_target_year``.
4. **Tier split.** Per region and workload, the origin tier mix (from history) moves linearly
   toward ``tier_mix_target[workload]`` (tier_1/tier_2/tier_3) by ``tier_shift_target_year``,
   ``tier_shift_strength`` of the way (0 = no shift, 1 = full). The 'unknown' tier (only the
   country is known) keeps its origin share. A workload without a target keeps its origin mix.
5. **Energy** = facility MW x 8760 h x load factor; the load factor per workload is the one
   implied by history at the origin (so the series is continuous), else ``load_factor``.

Shares are fractions that sum to one, so tiers and workloads add up to the region total;
low <= base <= high holds for every region-year total when each driver of the lower scenario is
on the lower side (checked by ``check_scenario_ordering`` when the file is loaded). It does not
hold per tier or workload: a scenario with a different mix may put less in one tier.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

REGIONS: tuple[str, ...] = (
    "North America",
    "Latin America",
    "Europe",
    "Middle East & Africa",
    "Asia Pacific",
    "Unknown",
)
TIERS: tuple[str, ...] = ("tier_1", "tier_2", "tier_3", "unknown")
KNOWN_TIERS: tuple[str, ...] = ("tier_1", "tier_2", "tier_3")
WORKLOADS: tuple[str, ...] = ("training", "inference", "mixed")
PIPELINE_STATUSES: tuple[str, ...] = ("planned", "under_construction")
HOURS_PER_YEAR = 8760.0
DEFAULT_SCENARIOS_PATH = Path(__file__).parent / "forecast_scenarios.yml"

Workload = Literal["training", "inference", "mixed"]
PipelineStatus = Literal["planned", "under_construction"]

HISTORY_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "region": pl.String(),
    "market_tier": pl.String(),
    "workload": pl.String(),
    "it_power_mw": pl.Float64(),
    "facility_power_mw": pl.Float64(),
    "annual_energy_mwh": pl.Float64(),
}
PIPELINE_SCHEMA: dict[str, pl.DataType] = {
    "region": pl.String(),
    "market_tier": pl.String(),
    "workload": pl.String(),
    "expected_year": pl.Int32(),
    "facility_power_mw": pl.Float64(),
    "status": pl.String(),
    "source": pl.String(),
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
    "it_power_mw",
    "pue",
    "annual_energy_mwh",
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


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------
class TierMix(BaseModel):
    """Target share of a workload's known-tier power in each market tier (sums to 1)."""

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
    """One named scenario: every driver of the forecast. Values only; provenance rides along."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    version: str = "unversioned"
    # Growth of installed AI accelerator (IT) power.
    accelerator_power_cagr: float = Field(ge=-0.5, le=3.0)
    growth_taper: float = Field(default=0.0, ge=0.0, le=1.0)
    region_growth_multiplier: dict[str, float] = Field(default_factory=dict)
    # PUE trajectory (relative to LBNL's 2023 average).
    pue_ratio_target: float = Field(gt=0.0, le=1.5)
    pue_path_start_year: int = 2023
    pue_path_target_year: int = 2028
    pue_floor: float = Field(default=1.05, ge=1.0)
    pue_default: float = Field(default=1.2, ge=1.0)
    # Inference share of (non-mixed) AI power.
    inference_share_target: float = Field(ge=0.0, le=1.0)
    inference_share_target_year: int = 2030
    # Tier shift.
    tier_mix_target: dict[Workload, TierMix]
    tier_shift_target_year: int = 2030
    tier_shift_strength: float = Field(default=1.0, ge=0.0, le=1.0)
    # Announced pipeline.
    pipeline_realisation_rate: dict[PipelineStatus, float]
    pipeline_delay_years: float = Field(default=0.0, ge=0.0, le=10.0)
    pipeline_undated_spread_years: int = Field(default=5, ge=1, le=20)
    # Energy.
    load_factor: dict[Workload, float]
    provenance: dict[str, ParamProvenance] = Field(default_factory=dict, repr=False)

    @field_validator("pipeline_realisation_rate", "load_factor")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        for key, share in value.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{key}: {share} is not a fraction in [0, 1]")
        return value

    @field_validator("region_growth_multiplier")
    @classmethod
    def _known_regions(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - set(REGIONS)
        if unknown:
            raise ValueError(f"unknown regions {sorted(unknown)}; expected some of {REGIONS}")
        if any(m < 0 for m in value.values()):
            raise ValueError("region growth multipliers must be >= 0")
        return value


# Drivers that raise (+1) or lower (-1) every region-year total; used to check the ordering.
_TOTAL_MONOTONE: dict[str, int] = {
    "accelerator_power_cagr": +1,
    "growth_taper": -1,
    "pue_ratio_target": +1,
    "pue_floor": +1,
    "pipeline_delay_years": -1,
    "pipeline_undated_spread_years": -1,
}
_TOTAL_NEUTRAL_MUST_MATCH: tuple[str, ...] = (
    "region_growth_multiplier",
    "pue_path_start_year",
    "pue_path_target_year",
    "pue_default",
)


def check_scenario_ordering(lower: ScenarioParams, upper: ScenarioParams) -> list[str]:
    """Reasons why ``lower`` might not stay <= ``upper`` in total MW (empty list = ordered).

    Every total-MW driver of ``lower`` must sit on the lower side of ``upper``'s and the
    parameters that shape totals in other ways must be equal.
    """
    problems: list[str] = []
    for name, sign in _TOTAL_MONOTONE.items():
        lo, up = getattr(lower, name), getattr(upper, name)
        if (up - lo) * sign < 0:
            problems.append(f"{name}: {lower.name}={lo} vs {upper.name}={up}")
    for status in PIPELINE_STATUSES:
        lo_r = lower.pipeline_realisation_rate.get(status, 0.0)
        up_r = upper.pipeline_realisation_rate.get(status, 0.0)
        if lo_r > up_r:
            problems.append(f"pipeline_realisation_rate.{status}: {lo_r} > {up_r}")
    for name in _TOTAL_NEUTRAL_MUST_MATCH:
        if getattr(lower, name) != getattr(upper, name):
            problems.append(f"{name} differs between {lower.name} and {upper.name}")
    return problems


def _split_entry(scenario: str, key: str, entry: Any) -> tuple[Any, ParamProvenance]:
    if not isinstance(entry, Mapping) or "value" not in entry:
        raise ValueError(f"scenario {scenario!r}, parameter {key!r}: expected a mapping with `value:`")
    meta = {k: v for k, v in entry.items() if k != "value"}
    try:
        provenance = ParamProvenance.model_validate(meta)
    except ValueError as exc:
        raise ValueError(f"scenario {scenario!r}, parameter {key!r}: {exc}") from exc
    return entry["value"], provenance


def parse_scenarios(document: Mapping[str, Any]) -> dict[str, ScenarioParams]:
    """Build ``ScenarioParams`` from a parsed scenario document (``defaults`` + ``scenarios``)."""
    if "version" not in document:
        raise ValueError("scenario file has no `version:` key")
    version = str(document["version"])
    defaults: Mapping[str, Any] = document.get("defaults") or {}
    out: dict[str, ScenarioParams] = {}
    for name, body in (document.get("scenarios") or {}).items():
        body = dict(body or {})
        description = str(body.pop("description", ""))
        values: dict[str, Any] = {}
        provenance: dict[str, ParamProvenance] = {}
        for key, entry in {**defaults, **body}.items():
            values[key], provenance[key] = _split_entry(name, key, entry)
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
    """Read the versioned scenario file (default ``transforms/forecast_scenarios.yml``)."""
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


# --------------------------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------------------------
# Planned deployments left out of the pipeline: Epoch's certainty 'Unlikely' (rumours and company-wide
# ambitions such as "xAI 5 year plan", 50M H100e by 2030). Assumption: only Confirmed and Likely plans count.
PIPELINE_EXCLUDED_CERTAINTY = ("unlikely",)


def empty_pipeline() -> pl.DataFrame:
    """A pipeline frame with no rows (the forecast is then trend-only)."""
    return pl.DataFrame(schema=PIPELINE_SCHEMA)


def pipeline_from_deployments(deployments: pl.DataFrame, markets: pl.DataFrame) -> pl.DataFrame:
    """Announced AI capacity from ``marts.fct_ai_deployments`` (status 'planned') and ``dim_markets``.

    Region and tier come from the deployment's market ('Unknown'/'unknown' when it has none).
    ``expected_year`` is the year of ``first_operational_date``, else ``planned_year`` (the year of
    Epoch's 'Planned 2026' note), else null (undated). Rows without a facility power are dropped.

    Phases are counted once: Epoch links a later phase to earlier ones (``builds_upon`` on the later
    phase, ``superseded_by`` on the earlier), and a later phase's power includes theirs (Stargate
    Abilene Phase 2's chips include Phase 1's). So a planned phase adds only its increment over the
    predecessors that are themselves counted (operational, or planned and in this pipeline).
    """
    dims = markets.select(
        pl.col("market_id").cast(pl.String),
        pl.col("region").cast(pl.String),
        pl.col("market_tier").cast(pl.String),
    ).unique("market_id", keep="first")
    planned = deployments.filter(pl.col("status") == "planned")
    # Epoch rates some plans 'Unlikely' (e.g. a company's whole five-year ambition, not a project);
    # a possible duplicate would count the same MW twice.
    if "certainty" in planned.columns:
        planned = planned.filter(
            ~pl.col("certainty").str.to_lowercase().is_in(PIPELINE_EXCLUDED_CERTAINTY).fill_null(False)
        )
    if "possible_duplicate" in planned.columns:
        planned = planned.filter(~pl.col("possible_duplicate").fill_null(False))
    planned = planned.filter(pl.col("facility_power_mw").is_not_null() & (pl.col("facility_power_mw") > 0))
    year = pl.col("first_operational_date").cast(pl.Date).dt.year().cast(pl.Int32)
    if "planned_year" in planned.columns:
        year = pl.coalesce(year, pl.col("planned_year").cast(pl.Int32))
    planned = planned.with_columns(
        year.alias("expected_year"), _increment_over_predecessors(deployments, planned).alias("increment_mw")
    )
    return (
        planned.select(
            pl.col("market_id").cast(pl.String),
            pl.col("workload").cast(pl.String),
            "expected_year",
            pl.col("increment_mw").alias("facility_power_mw"),
        )
        .filter(pl.col("facility_power_mw") > 0)
        .join(dims, on="market_id", how="left")
        .select(
            pl.col("region").fill_null("Unknown"),
            pl.col("market_tier").fill_null("unknown"),
            pl.col("workload").fill_null("mixed"),
            "expected_year",
            "facility_power_mw",
            pl.lit("planned").alias("status"),
            pl.lit("deployments").alias("source"),
        )
    )


def _increment_over_predecessors(deployments: pl.DataFrame, planned: pl.DataFrame) -> pl.Series:
    """Each planned row's facility MW less the MW of its counted predecessors (never below 0)."""
    mw = planned["facility_power_mw"].cast(pl.Float64)
    if "cluster_name" not in deployments.columns or not {"builds_upon", "superseded_by"} & set(deployments.columns):
        return mw
    links = []
    if "builds_upon" in deployments.columns:
        links.append(
            deployments.select(
                pl.col("cluster_name").alias("successor"),
                pl.col("builds_upon").str.split(",").alias("predecessor"),
            )
            .explode("predecessor")
            .with_columns(pl.col("predecessor").str.strip_chars())
        )
    if "superseded_by" in deployments.columns:
        links.append(
            deployments.select(pl.col("superseded_by").alias("successor"), pl.col("cluster_name").alias("predecessor"))
        )
    edges = pl.concat(links).drop_nulls().filter(pl.col("predecessor") != "").unique()
    counted = pl.concat(
        [
            deployments.filter(pl.col("status") == "operational").select("cluster_name", "facility_power_mw"),
            planned.select("cluster_name", "facility_power_mw"),
        ]
    )
    counted = counted.group_by("cluster_name").agg(pl.col("facility_power_mw").cast(pl.Float64).max().fill_null(0.0))
    prior = (
        edges.join(counted, left_on="predecessor", right_on="cluster_name", how="inner")
        .group_by("successor")
        .agg(pl.col("facility_power_mw").sum().alias("prior_mw"))
    )
    out = planned.select("cluster_name", pl.col("facility_power_mw").cast(pl.Float64)).join(
        prior, left_on="cluster_name", right_on="successor", how="left", maintain_order="left"
    )
    return (out["facility_power_mw"] - out["prior_mw"].fill_null(0.0)).clip(lower_bound=0.0)


def _pipeline_by_year(pipeline: pl.DataFrame, params: ScenarioParams, origin: int, end_year: int) -> pl.DataFrame:
    """Realised pipeline facility MW arriving per region and year (origin+1 .. end_year)."""
    schema = {"region": pl.String, "year": pl.Int32, "pipeline_mw": pl.Float64}
    if pipeline.height == 0:
        return pl.DataFrame(schema=schema)
    rates = pl.DataFrame(
        {"status": list(params.pipeline_realisation_rate), "rate": list(params.pipeline_realisation_rate.values())},
        schema={"status": pl.String, "rate": pl.Float64},
    )
    delay = params.pipeline_delay_years
    spread = params.pipeline_undated_spread_years
    realised = (
        pipeline.select(
            pl.col("region").cast(pl.String),
            pl.col("status").cast(pl.String),
            pl.col("expected_year").cast(pl.Int32),
            pl.col("facility_power_mw").cast(pl.Float64).fill_null(0.0),
        )
        .join(rates, on="status", how="left")
        .with_columns(mw=pl.col("facility_power_mw") * pl.col("rate").fill_null(0.0))
    )
    dated = (
        realised.filter(pl.col("expected_year").is_not_null())
        .group_by("region", "expected_year")
        .agg(pl.col("mw").sum())
        .select("region", pl.max_horizontal("expected_year", pl.lit(origin + 1)).alias("due"), "mw")
    )
    undated_total = realised.filter(pl.col("expected_year").is_null()).group_by("region").agg(pl.col("mw").sum())
    steps = pl.DataFrame({"due": list(range(origin + 1, origin + 1 + spread))}, schema={"due": pl.Int32})
    undated = undated_total.join(steps, how="cross").select("region", "due", (pl.col("mw") / spread).alias("mw"))
    # A fractional delay splits each project between two years in proportion.
    whole = math.floor(delay)
    frac = delay - whole
    due = pl.concat([dated.with_columns(pl.col("due").cast(pl.Int32)), undated])
    pieces = pl.concat(
        [
            due.select("region", (pl.col("due") + whole).alias("year"), (pl.col("mw") * (1 - frac)).alias("mw")),
            due.select("region", (pl.col("due") + whole + 1).alias("year"), (pl.col("mw") * frac).alias("mw")),
        ]
    )
    return (
        pieces.filter(pl.col("year") <= end_year)
        .group_by("region", "year")
        .agg(pl.col("mw").sum().alias("pipeline_mw"))
        .cast(schema)  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------------------------
# Forecast
# --------------------------------------------------------------------------------------------
def _prepare_history(history: pl.DataFrame) -> pl.DataFrame:
    missing = set(HISTORY_SCHEMA) - set(history.columns)
    if missing:
        raise ValueError(f"history lacks columns {sorted(missing)}")
    return history.with_columns([pl.col(c).cast(t) for c, t in HISTORY_SCHEMA.items()])


def _history_rows(history: pl.DataFrame, params: ScenarioParams) -> pl.DataFrame:
    return history.with_columns(
        pl.lit(params.name).alias("scenario"),
        (pl.col("annual_energy_mwh") / 1e6).alias("annual_energy_twh"),
        pl.lit(True).alias("is_history"),
        pl.when(pl.col("it_power_mw") > 0).then(pl.col("facility_power_mw") / pl.col("it_power_mw")).alias("pue"),
        pl.col("facility_power_mw").sum().over("year", "region").alias("region_total_facility_mw"),
        pl.lit(None, dtype=pl.Float64).alias("inference_share"),
        pl.lit("history").alias("total_basis"),
        pl.lit(params.version).alias("scenario_version"),
    )


def _year_drivers(params: ScenarioParams, origin: int, end_year: int) -> pl.DataFrame:
    """Per-year scalars (a handful of years: computed in Python, then one small frame)."""
    years = list(range(origin + 1, end_year + 1))

    def pue_path(year: int) -> float:
        span = max(params.pue_path_target_year - params.pue_path_start_year, 1)
        progress = min(max((year - params.pue_path_start_year) / span, 0.0), 1.0)
        return 1.0 + (params.pue_ratio_target - 1.0) * progress

    def progress(year: int, target_year: int) -> float:
        return min(max((year - origin) / max(target_year - origin, 1), 0.0), 1.0)

    growth = [params.accelerator_power_cagr * (1.0 - params.growth_taper) ** k for k in range(len(years))]
    return pl.DataFrame(
        {
            "year": years,
            "growth": growth,
            "pue_factor": [pue_path(y) / pue_path(origin) for y in years],
            "inference_progress": [progress(y, params.inference_share_target_year) for y in years],
            "tier_progress": [progress(y, params.tier_shift_target_year) * params.tier_shift_strength for y in years],
        },
        schema={
            "year": pl.Int32,
            "growth": pl.Float64,
            "pue_factor": pl.Float64,
            "inference_progress": pl.Float64,
            "tier_progress": pl.Float64,
        },
    )


def _safe_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den)


def _region_totals(
    origin_rows: pl.DataFrame,
    regions: pl.DataFrame,
    years: pl.DataFrame,
    pipeline_by_year: pl.DataFrame,
    params: ScenarioParams,
) -> pl.DataFrame:
    multipliers = pl.DataFrame(
        {"region": list(params.region_growth_multiplier), "multiplier": list(params.region_growth_multiplier.values())},
        schema={"region": pl.String, "multiplier": pl.Float64},
    )
    base = (
        regions.join(
            origin_rows.group_by("region").agg(
                pl.col("it_power_mw").sum().alias("it0"), pl.col("facility_power_mw").sum().alias("fac0")
            ),
            on="region",
            how="left",
        )
        .join(multipliers, on="region", how="left")
        .select(
            "region",
            pl.col("it0").fill_null(0.0),
            pl.col("multiplier").fill_null(1.0),
            pl.coalesce(_safe_div(pl.col("fac0"), pl.col("it0")), pl.lit(params.pue_default)).alias("pue0"),
        )
    )
    return (
        base.join(years, how="cross")
        .join(pipeline_by_year, on=["region", "year"], how="left")
        .sort("region", "year")
        .with_columns(
            (pl.col("growth") * pl.col("multiplier")).log1p().cum_sum().over("region").exp().alias("trend_index"),
            (pl.col("pipeline_mw").fill_null(0.0) / pl.col("pue0")).cum_sum().over("region").alias("pipe_it"),
        )
        .with_columns(
            (pl.col("it0") * pl.col("trend_index")).alias("trend_it"),
            (pl.col("it0") + pl.col("pipe_it")).alias("committed_raw"),
            # The last year the announced pipeline adds capacity in the region: its visible horizon.
            pl.when(pl.col("pipeline_mw").fill_null(0.0) > 0)
            .then(pl.col("year"))
            .max()
            .over("region")
            .alias("horizon"),
        )
        .with_columns(
            # Beyond the pipeline's horizon nothing is announced yet, not nothing will be built: the
            # committed path then grows at the trend rate from where the pipeline left it.
            pl.when(pl.col("horizon").is_not_null() & (pl.col("year") > pl.col("horizon")))
            .then(
                pl.col("committed_raw").filter(pl.col("year") == pl.col("horizon")).first().over("region")
                * pl.col("trend_index")
                / pl.col("trend_index").filter(pl.col("year") == pl.col("horizon")).first().over("region")
            )
            .otherwise(pl.col("committed_raw"))
            .alias("committed_it"),
            pl.max_horizontal(
                pl.col("pue0") * pl.col("pue_factor"),
                pl.min_horizontal(pl.col("pue0"), pl.lit(params.pue_floor)),
            ).alias("pue"),
        )
        .select(
            "region",
            "year",
            "pue",
            "inference_progress",
            "tier_progress",
            pl.max_horizontal("trend_it", "committed_it").alias("region_it"),
            pl.when(pl.col("committed_it") > pl.col("trend_it"))
            .then(pl.lit("pipeline_floor"))
            .otherwise(pl.lit("trend"))
            .alias("total_basis"),
        )
    )


def _workload_shares(
    origin_rows: pl.DataFrame, totals: pl.DataFrame, workloads: Sequence[str], params: ScenarioParams
) -> pl.DataFrame:
    """Share of each region-year total per workload (sums to 1 over ``workloads``)."""

    def shares(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            *[c for c in frame.columns if c == "region"],
            _safe_div(pl.col("mixed"), pl.col("total")).alias("mixed_share"),
            _safe_div(pl.col("inference"), pl.col("inference") + pl.col("training")).alias("inf0"),
        )

    sums = [
        pl.col("facility_power_mw").filter(pl.col("workload") == w).sum().alias(w)
        for w in ("training", "inference", "mixed")
    ]
    by_region = shares(
        origin_rows.group_by("region")
        .agg(*sums)
        .with_columns(total=pl.sum_horizontal("training", "inference", "mixed"))
    )
    overall = shares(origin_rows.select(*sums).with_columns(total=pl.sum_horizontal("training", "inference", "mixed")))
    mixed_default = overall["mixed_share"][0] if overall.height else None
    inf_default = overall["inf0"][0] if overall.height else None
    has_mixed = "mixed" in workloads
    frame = (
        totals.select("region", "year", "inference_progress")
        .join(by_region, on="region", how="left")
        .with_columns(
            (
                pl.coalesce("mixed_share", pl.lit(mixed_default, pl.Float64), pl.lit(0.0)) if has_mixed else pl.lit(0.0)
            ).alias("mixed_share"),
            pl.coalesce("inf0", pl.lit(inf_default, pl.Float64), pl.lit(params.inference_share_target)).alias("inf0"),
        )
        .with_columns(
            (pl.col("inf0") + (params.inference_share_target - pl.col("inf0")) * pl.col("inference_progress")).alias(
                "inference_share"
            )
        )
        .with_columns(
            ((1 - pl.col("mixed_share")) * (1 - pl.col("inference_share"))).alias("training"),
            ((1 - pl.col("mixed_share")) * pl.col("inference_share")).alias("inference"),
            pl.col("mixed_share").alias("mixed"),
        )
    )
    return frame.unpivot(
        index=["region", "year", "inference_share"],
        on=list(workloads),
        variable_name="workload",
        value_name="workload_share",
    )


def _tier_shares(
    origin_rows: pl.DataFrame,
    regions: pl.DataFrame,
    years: pl.DataFrame,
    workloads: Sequence[str],
    params: ScenarioParams,
) -> pl.DataFrame:
    """Share of each region-workload-year in each tier (sums to 1 over ``TIERS``)."""
    tiers = pl.DataFrame({"market_tier": list(TIERS)})
    wl = pl.DataFrame({"workload": list(workloads)})
    target_rows = [
        {"workload": w, "market_tier": t, "target": getattr(mix, t)}
        for w, mix in params.tier_mix_target.items()
        for t in KNOWN_TIERS
    ]
    targets = pl.DataFrame(target_rows, schema={"workload": pl.String, "market_tier": pl.String, "target": pl.Float64})

    def mix(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        grouped = frame.group_by(*keys, "market_tier").agg(pl.col("facility_power_mw").sum().alias("mw"))
        return grouped.with_columns(_safe_div(pl.col("mw"), pl.col("mw").sum().over(keys)).alias("m0")).drop("mw")

    regional = mix(origin_rows, ["region", "workload"])
    overall = mix(origin_rows, ["workload"]).rename({"m0": "m0_all"})
    grid = regions.join(wl, how="cross").join(tiers, how="cross")
    has_region = regional.group_by("region", "workload").agg(pl.col("m0").is_not_null().any().alias("has_r"))
    has_all = overall.group_by("workload").agg(pl.col("m0_all").is_not_null().any().alias("has_a"))
    origin_mix = (
        grid.join(regional, on=["region", "workload", "market_tier"], how="left")
        .join(overall, on=["workload", "market_tier"], how="left")
        .join(has_region, on=["region", "workload"], how="left")
        .join(has_all, on="workload", how="left")
        .join(targets, on=["workload", "market_tier"], how="left")
        .with_columns(
            # Origin mix of the region if it has this workload, else of all regions, else the target.
            pl.when(pl.col("has_r").fill_null(False))
            .then(pl.col("m0").fill_null(0.0))
            .when(pl.col("has_a").fill_null(False))
            .then(pl.col("m0_all").fill_null(0.0))
            .when(pl.col("market_tier") == "unknown")
            .then(0.0)
            .otherwise(pl.coalesce("target", pl.lit(1.0 / len(KNOWN_TIERS))))
            .alias("m0")
        )
        .with_columns(
            pl.col("m0").filter(pl.col("market_tier") == "unknown").sum().over("region", "workload").alias("u0")
        )
        .with_columns(
            pl.when(pl.col("market_tier") == "unknown")
            .then(None)
            .otherwise(
                pl.coalesce(
                    _safe_div(pl.col("m0"), 1 - pl.col("u0")),
                    pl.col("target"),
                    pl.lit(1.0 / len(KNOWN_TIERS)),
                )
            )
            .alias("k0")
        )
        .select("region", "workload", "market_tier", "u0", "k0", pl.coalesce("target", "k0").alias("target"))
    )
    return origin_mix.join(years.select("year", "tier_progress"), how="cross").select(
        "region",
        "workload",
        "market_tier",
        "year",
        pl.when(pl.col("market_tier") == "unknown")
        .then(pl.col("u0"))
        .otherwise((1 - pl.col("u0")) * (pl.col("k0") + (pl.col("target") - pl.col("k0")) * pl.col("tier_progress")))
        .alias("tier_share"),
    )


def forecast_scenario(
    history: pl.DataFrame,
    pipeline: pl.DataFrame,
    scenario: str | ScenarioParams = "base",
    overrides: dict[str, Any] | None = None,
    end_year: int = 2030,
    scenarios: Mapping[str, ScenarioParams] | None = None,
) -> pl.DataFrame:
    """History rows (``is_history``) followed by the scenario's projection to ``end_year``.

    ``history`` is ``marts.fct_ai_demand_by_tier``; ``pipeline`` the announced capacity
    (``pipeline_from_deployments`` or ``empty_pipeline()``). Returns the contract columns of
    ``marts.fct_demand_forecast`` plus ``EXTRA_COLUMNS`` (and the history's other columns, null on
    projected rows). Projected rows cover every region x tier x workload, zeros included.
    """
    params = resolve_scenario(scenario, overrides, scenarios)
    hist = _prepare_history(history)
    if hist.height == 0:
        raise ValueError("history is empty: nothing to project from")
    origin = int(hist["year"].max())  # type: ignore[arg-type]
    hist_out = _history_rows(hist, params)
    passthrough = [c for c in hist.columns if c not in CONTRACT_COLUMNS and c not in EXTRA_COLUMNS]
    out_columns = [*CONTRACT_COLUMNS, *EXTRA_COLUMNS, *passthrough]
    if end_year <= origin:
        return hist_out.select(out_columns).sort("year", "region", "market_tier", "workload")

    present = set(hist["workload"].unique().to_list())
    workloads = [w for w in WORKLOADS if w != "mixed" or "mixed" in present]
    pipe = pipeline if pipeline.height else empty_pipeline()
    region_names = sorted(set(hist["region"].unique().to_list()) | set(pipe["region"].unique().to_list()))
    regions = pl.DataFrame({"region": region_names}, schema={"region": pl.String})
    origin_rows = hist.filter(pl.col("year") == origin)
    years = _year_drivers(params, origin, end_year)

    totals = _region_totals(origin_rows, regions, years, _pipeline_by_year(pipe, params, origin, end_year), params)
    workload_shares = _workload_shares(origin_rows, totals, workloads, params)
    tier_shares = _tier_shares(origin_rows, regions, years, workloads, params)

    load_factors = (
        pl.DataFrame(
            {"workload": list(workloads), "lf_param": [dict(params.load_factor).get(w, 0.0) for w in workloads]},
            schema={"workload": pl.String, "lf_param": pl.Float64},
        )
        .join(
            origin_rows.group_by("workload").agg(
                _safe_div(pl.col("annual_energy_mwh").sum(), pl.col("facility_power_mw").sum() * HOURS_PER_YEAR).alias(
                    "lf_hist"
                )
            ),
            on="workload",
            how="left",
        )
        .select("workload", pl.coalesce("lf_hist", "lf_param").alias("load_factor"))
    )

    schema = hist_out.schema
    projected = (
        tier_shares.join(workload_shares, on=["region", "workload", "year"], how="left")
        .join(totals, on=["region", "year"], how="left")
        .join(load_factors, on="workload", how="left")
        .with_columns(
            (pl.col("region_it") * pl.col("workload_share") * pl.col("tier_share")).alias("it_power_mw"),
        )
        .with_columns((pl.col("it_power_mw") * pl.col("pue")).alias("facility_power_mw"))
        .with_columns(
            (pl.col("facility_power_mw") * HOURS_PER_YEAR * pl.col("load_factor")).alias("annual_energy_mwh"),
            (pl.col("region_it") * pl.col("pue")).alias("region_total_facility_mw"),
        )
        .with_columns(
            (pl.col("annual_energy_mwh") / 1e6).alias("annual_energy_twh"),
            pl.lit(params.name).alias("scenario"),
            pl.lit(False).alias("is_history"),
            pl.lit(params.version).alias("scenario_version"),
            *[pl.lit(None, dtype=schema[c]).alias(c) for c in passthrough],
        )
        .select([pl.col(c).cast(schema[c]) for c in out_columns])
    )
    return pl.concat([hist_out.select(out_columns), projected]).sort("year", "region", "market_tier", "workload")


def fit_history_cagr(history: pl.DataFrame, years: int = 3, column: str = "it_power_mw") -> float | None:
    """Compound annual growth of the tracked total over the last ``years`` years of history.

    A diagnostic (and a slider override) beside the published anchors: tracked AI power has grown
    faster than the installed base because the tracker's coverage grows too. None when undefined.
    """
    totals = _prepare_history(history).group_by("year").agg(pl.col(column).sum()).sort("year")
    if totals.height < 2:
        return None
    last_year = int(totals["year"][-1])
    start = totals.filter(pl.col("year") == last_year - years)
    if start.height == 0 or not start[column][0] or start[column][0] <= 0:
        return None
    return float((totals[column][-1] / start[column][0]) ** (1.0 / years) - 1.0)


def run_all_scenarios(
    history: pl.DataFrame,
    pipeline: pl.DataFrame,
    end_year: int = 2030,
    scenarios: Mapping[str, ScenarioParams] | None = None,
) -> pl.DataFrame:
    """Every scenario of the file (or of ``scenarios``) stacked; history repeated per scenario."""
    table = scenarios if scenarios is not None else load_scenarios()
    return pl.concat([forecast_scenario(history, pipeline, params, end_year=end_year) for params in table.values()])


# --------------------------------------------------------------------------------------------
# Backtest
# --------------------------------------------------------------------------------------------
def _levels(frame: pl.DataFrame, value: str, by_region: bool, by_workload: bool) -> pl.DataFrame:
    parts = [frame.group_by("year").agg(pl.col(value).sum()).with_columns(region=pl.lit("All"), workload=pl.lit("all"))]
    if by_workload:
        parts.append(frame.group_by("year", "workload").agg(pl.col(value).sum()).with_columns(region=pl.lit("All")))
    if by_region:
        parts.append(frame.group_by("year", "region").agg(pl.col(value).sum()).with_columns(workload=pl.lit("all")))
    return pl.concat([p.select("year", "region", "workload", value) for p in parts])


def score_forecast(
    forecast: pl.DataFrame,
    actual: pl.DataFrame,
    origin_year: int,
    scenario: str,
    by_region: bool = True,
    by_workload: bool = True,
) -> pl.DataFrame:
    """Compare projected with actual facility MW for each year after ``origin_year``.

    Both frames have year, region, workload, facility_power_mw (any finer grain is summed).
    error = forecast - actual; pct_error = error / actual (null when actual is 0).
    """
    keys = ["year", "region", "workload"]
    fc = _levels(
        forecast.filter(pl.col("year") > origin_year).select(
            pl.col("year").cast(pl.Int32), "region", "workload", pl.col("facility_power_mw").alias("forecast_mw")
        ),
        "forecast_mw",
        by_region,
        by_workload,
    )
    ac = _levels(
        actual.filter(pl.col("year") > origin_year).select(
            pl.col("year").cast(pl.Int32), "region", "workload", pl.col("facility_power_mw").alias("actual_mw")
        ),
        "actual_mw",
        by_region,
        by_workload,
    )
    last_actual = ac["year"].max()
    return (
        fc.filter(pl.col("year") <= last_actual)
        .join(ac, on=keys, how="full", coalesce=True)
        .with_columns(pl.col("forecast_mw").fill_null(0.0), pl.col("actual_mw").fill_null(0.0))
        .select(
            pl.lit(origin_year, pl.Int32).alias("origin_year"),
            pl.col("year").alias("target_year"),
            (pl.col("year") - origin_year).cast(pl.Int32).alias("horizon_years"),
            pl.lit(scenario).alias("scenario"),
            "region",
            "workload",
            "forecast_mw",
            "actual_mw",
            (pl.col("forecast_mw") - pl.col("actual_mw")).alias("error_mw"),
        )
        .with_columns(_safe_div(pl.col("error_mw"), pl.col("actual_mw")).alias("pct_error"))
        .with_columns(pl.col("pct_error").abs().alias("abs_pct_error"))
        .sort("target_year", "region", "workload")
    )


def backtest(
    history: pl.DataFrame,
    origins: Iterable[int] = (2021, 2022, 2023),
    scenario: str | ScenarioParams = "base",
    overrides: dict[str, Any] | None = None,
    scenarios: Mapping[str, ScenarioParams] | None = None,
    by_region: bool = True,
    by_workload: bool = True,
) -> pl.DataFrame:
    """Run the model from each origin on history up to it and score it against later history.

    No pipeline is used: we hold no snapshot of what was announced at each origin, and the
    deployments that later came online would leak the answer. So the backtest measures the trend
    driver (growth, PUE, shares), not the pipeline floor. Origins with no later history are skipped.
    """
    params = resolve_scenario(scenario, overrides, scenarios)
    hist = _prepare_history(history)
    last = int(hist["year"].max())  # type: ignore[arg-type]
    frames = []
    for origin in origins:
        known = hist.filter(pl.col("year") <= origin)
        if known.height == 0 or origin >= last:
            continue
        fc = forecast_scenario(known, empty_pipeline(), params, end_year=last)
        frames.append(score_forecast(fc, hist, origin, params.name, by_region, by_workload))
    if not frames:
        return pl.DataFrame(schema={c: _BACKTEST_TYPES[c] for c in BACKTEST_COLUMNS})
    return pl.concat(frames).select(BACKTEST_COLUMNS)


_BACKTEST_TYPES: dict[str, pl.DataType] = {
    "origin_year": pl.Int32(),
    "target_year": pl.Int32(),
    "horizon_years": pl.Int32(),
    "scenario": pl.String(),
    "region": pl.String(),
    "workload": pl.String(),
    "forecast_mw": pl.Float64(),
    "actual_mw": pl.Float64(),
    "error_mw": pl.Float64(),
    "pct_error": pl.Float64(),
    "abs_pct_error": pl.Float64(),
}


# --------------------------------------------------------------------------------------------
# Invariants (for asset checks)
# --------------------------------------------------------------------------------------------
def forecast_invariants(forecast: pl.DataFrame, history: pl.DataFrame, tolerance_mw: float = 1e-6) -> pl.DataFrame:
    """One row per invariant: check, passed, violations (count), detail. For Dagster asset checks."""
    hist = _prepare_history(history)
    projected = forecast.filter(~pl.col("is_history"))
    rows: list[dict[str, Any]] = []

    negative = forecast.filter(
        (pl.col("facility_power_mw") < 0) | (pl.col("annual_energy_twh") < 0) | (pl.col("it_power_mw") < 0)
    )
    rows.append(
        {"check": "no_negative_mw", "violations": negative.height, "detail": "rows with negative facility/IT MW or TWh"}
    )

    keys = ["year", "region", "market_tier", "workload"]
    values = ["facility_power_mw", "it_power_mw", "annual_energy_mwh"]
    hist_rows = forecast.filter(pl.col("is_history")).select("scenario", *keys, *values)
    expected = hist.select(*keys, *values)
    mismatched = 0
    for name in hist_rows["scenario"].unique().to_list():
        got = hist_rows.filter(pl.col("scenario") == name).drop("scenario")
        joined = expected.join(got, on=keys, how="full", suffix="_fc", nulls_equal=True)
        bad = joined.filter(
            pl.any_horizontal(
                *[
                    ~((pl.col(v) - pl.col(f"{v}_fc")).abs() <= tolerance_mw).fill_null(
                        pl.col(v).is_null() & pl.col(f"{v}_fc").is_null()
                    )
                    for v in values
                ]
            )
        )
        mismatched += bad.height
    rows.append(
        {
            "check": "history_rows_equal_input",
            "violations": mismatched,
            "detail": "history rows differing from fct_ai_demand_by_tier (per scenario)",
        }
    )

    sums = projected.group_by("scenario", "year", "region").agg(
        pl.col("facility_power_mw").sum(), pl.col("region_total_facility_mw").first()
    )
    unbalanced = sums.filter(
        (pl.col("facility_power_mw") - pl.col("region_total_facility_mw")).abs()
        > tolerance_mw + 1e-9 * pl.col("region_total_facility_mw").abs()
    )
    rows.append(
        {
            "check": "tiers_and_workloads_sum_to_region_total",
            "violations": unbalanced.height,
            "detail": "scenario-year-regions whose rows do not add up to the region total",
        }
    )

    totals = projected.group_by("scenario", "year", "region").agg(pl.col("facility_power_mw").sum())
    wide = totals.pivot(on="scenario", index=["year", "region"], values="facility_power_mw")
    unordered = 0
    chain = [s for s in ("low", "base", "high") if s in wide.columns]
    for lower, upper in zip(chain, chain[1:], strict=False):
        unordered += wide.filter(pl.col(lower) > pl.col(upper) + tolerance_mw).height
    rows.append(
        {
            "check": "low_le_base_le_high",
            "violations": unordered,
            "detail": f"year-regions where {' <= '.join(chain) or 'the scenarios'} fails",
        }
    )

    missing = 0
    if projected.height:
        grid = (
            projected.select("scenario")
            .unique()
            .join(projected.select("year").unique(), how="cross")
            .join(pl.DataFrame({"market_tier": list(TIERS)}), how="cross")
            .join(pl.DataFrame({"workload": ["training", "inference"]}), how="cross")
            .join(projected.select("region").unique(), how="cross")
        )
        missing = grid.join(projected, on=["scenario", "year", "region", "market_tier", "workload"], how="anti").height
    rows.append(
        {
            "check": "full_grid_of_projected_rows",
            "violations": missing,
            "detail": "scenario-year-region-tier-workload cells missing from the projection",
        }
    )
    return pl.DataFrame(rows, schema={"check": pl.String, "violations": pl.Int64, "detail": pl.String}).select(
        "check", (pl.col("violations") == 0).alias("passed"), "violations", "detail"
    )
