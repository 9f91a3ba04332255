"""The Overview: AI demand in the latest year by workload, the tier 'unknown' by country, growth, tracked
energy against the IEA's all-data-centre figure, and freshness (meta.runs, meta.source_files)."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboards.analysis.common import AI_WORKLOADS, HPC

HEADLINE_SCENARIOS = ("low", "base", "high")
UNKNOWN_TIER_BARS = 12  # places of tier 'unknown' drawn one by one on the Overview; the rest as one bar


def latest_year(demand: pl.DataFrame) -> int | None:
    return None if demand.is_empty() else int(demand["year"].max())  # type: ignore[arg-type]


def demand_by_workload(demand: pl.DataFrame, year: int) -> dict[str, dict[str, float]]:
    """{workload: {"mw": facility MW, "twh": calendar-year TWh, "low"/"high": the split's range in MW}} in one year
    of fct_ai_demand_by_tier, for training, inference and hpc (hpc is not AI demand: never add it to the AI
    total)."""
    rows = demand.filter(pl.col("year") == year)
    out = {}
    for workload in (*AI_WORKLOADS, HPC):
        w = rows.filter(pl.col("workload") == workload)
        out[workload] = {
            "mw": float(w["facility_power_mw"].sum()),
            "twh": float(w["annual_energy_mwh"].sum()) / 1e6,
            "low": float(w["split_low_mw"].sum())
            if "split_low_mw" in w.columns
            else float(w["facility_power_mw"].sum()),
            "high": float(w["split_high_mw"].sum())
            if "split_high_mw" in w.columns
            else float(w["facility_power_mw"].sum()),
        }
    return out


def unknown_tier_by_country(summary: pl.DataFrame) -> pl.DataFrame:
    """The 'unknown' tier of fct_market_summary, one row per place: a country whose deployments give no
    location inside it (country_rest) or no usable location at all (unassigned)."""
    return (
        summary.filter(pl.col("market_tier") == "unknown")
        .filter((pl.col("ai_demand_mw") > 0) | (pl.col("hpc_mw") > 0) | (pl.col("ai_pipeline_mw") > 0))
        .select(
            "market_name",
            "country_code",
            "market_kind",
            "ai_training_mw",
            "ai_inference_mw",
            "ai_demand_mw",
            "hpc_mw",
            "ai_pipeline_mw",
        )
        .sort("ai_demand_mw", descending=True)
    )


def top_with_rest(frame: pl.DataFrame, n: int, label: str = "market_name") -> pl.DataFrame:
    """The first ``n`` rows, then one row summing the numeric columns of the others ('N other places')."""
    if frame.height <= n + 1:
        return frame
    rest = frame.slice(n)
    numeric = [c for c, t in frame.schema.items() if t.is_numeric()]
    summed = rest.select([pl.col(c).sum() for c in numeric]).with_columns(
        pl.lit(f"{rest.height} other places").alias(label)
    )
    return pl.concat([frame.head(n), summed], how="diagonal_relaxed")


def cagr(start: float, end: float, years: int) -> float | None:
    if start <= 0 or end <= 0 or years <= 0:
        return None
    return (end / start) ** (1 / years) - 1


def iea_all_data_centres(projections: pl.DataFrame) -> pl.DataFrame:
    """IEA's world electricity use of ALL data centres (calendar-year TWh), one row per year: the
    estimate for past years, the base case for future ones."""
    rows = projections.filter(
        (pl.col("publisher") == "IEA")
        & (pl.col("metric") == "electricity_consumption")
        & (pl.col("scope") == "all data centers")
        & (pl.col("geography") == "World")
        & (pl.col("unit") == "TWh")
        & pl.col("scenario").is_in(["estimate", "base"])
        & pl.col("publication").str.starts_with("Energy and AI")
    )
    return rows.select("year", "value", "publication", "scenario", "source_url").sort("year").unique("year")


def energy_comparison(
    demand: pl.DataFrame, forecast: pl.DataFrame, projections: pl.DataFrame, scenario: str = "base"
) -> pl.DataFrame:
    """Tracked AI energy (calendar-year TWh: history from fct_ai_demand_by_tier, later years from the
    scenario) beside the IEA's all-data-centre figure for the same year."""
    iea = iea_all_data_centres(projections)
    rows = []
    for year, value, publication in iea.select("year", "value", "publication").iter_rows():
        hist = demand.filter((pl.col("year") == year) & pl.col("is_ai_demand"))
        if hist.height:
            twh, basis = float(hist["annual_energy_mwh"].sum()) / 1e6, "history (fct_ai_demand_by_tier)"
        else:
            fc = forecast.filter((pl.col("year") == year) & (pl.col("scenario") == scenario) & pl.col("is_ai_demand"))
            if fc.is_empty():
                continue
            twh, basis = float(fc["annual_energy_twh"].sum()), f"forecast, {scenario} scenario"
        rows.append(
            {
                "year": int(year),
                "tracked_ai_twh": twh,
                "tracked_basis": basis,
                "iea_all_data_centres_twh": float(value),
                "tracked_share_of_iea": twh / float(value) if value else None,
                "iea_publication": publication,
            }
        )
    schema = {
        "year": pl.Int64,
        "tracked_ai_twh": pl.Float64,
        "tracked_basis": pl.String,
        "iea_all_data_centres_twh": pl.Float64,
        "tracked_share_of_iea": pl.Float64,
        "iea_publication": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


# ---------------------------------------------------------------------------------------------
# Freshness

GOOD_RUN_STATUSES = ("published", "success", "succeeded")


def last_good_run(runs: pl.DataFrame) -> dict[str, object] | None:
    """The latest run that published the warehouse (meta.runs, any of GOOD_RUN_STATUSES)."""
    good = runs.filter(pl.col("status").str.to_lowercase().is_in(GOOD_RUN_STATUSES)).sort(
        "finished_at", descending=True, nulls_last=True
    )
    return None if good.is_empty() else good.row(0, named=True)


def source_ages(sources: pl.DataFrame, today: date) -> pl.DataFrame:
    """meta.source_files with ``age_days`` since retrieval (``retrieved`` as DATE or ISO text) and, where the
    source declares its publisher's cadence, ``data_age_days`` (days since its newest data) and
    ``out_of_date_today`` (older than the cadence allows, judged today rather than at the run's load)."""
    retrieved = pl.col("retrieved").cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    frame = sources.with_columns(age_days=(pl.lit(today) - retrieved).dt.total_days())
    if "newest_data_date" not in frame.columns or "max_data_age_days" not in frame.columns:
        return frame
    newest = pl.col("newest_data_date").cast(pl.Date, strict=False)
    return frame.with_columns(data_age_days=(pl.lit(today) - newest).dt.total_days()).with_columns(
        out_of_date_today=(pl.col("data_age_days") > pl.col("max_data_age_days")).fill_null(False)
    )


def freshness_summary(sources: pl.DataFrame, today: date) -> str:
    """One line: how many sources are stale and why, by kind (last good rows kept; data out of date)."""
    ages = source_ages(sources, today)
    kept = ages.filter(pl.col("file_rejected").fill_null(False)) if "file_rejected" in ages.columns else ages.clear()
    dated = ages.filter(pl.col("out_of_date_today")) if "out_of_date_today" in ages.columns else ages.clear()
    parts = []
    if kept.height:
        parts.append(f"{kept.height} kept their last good rows ({', '.join(kept['source_table'].to_list())})")
    if dated.height:
        oldest = dated.sort("data_age_days", descending=True).row(0, named=True)
        parts.append(
            f"{dated.height} hold data older than their publisher's cadence allows (oldest: {oldest['source_table']}, "
            f"newest data {oldest['newest_data_date']}, {oldest['data_age_days']} days old)"
        )
    return "Sources: all fresh." if not parts else "Sources stale: " + "; ".join(parts) + "."


def coverage_table(coverage: pl.DataFrame, scenario: str = "base") -> pl.DataFrame:
    """One scenario's rows of fct_ai_demand_coverage: tracked AI beside the all-AI estimate, rounded for display."""
    return (
        coverage.filter(pl.col("scenario") == scenario)
        .select(
            "year",
            "is_history",
            pl.col("tracked_mw").round(0),
            pl.col("all_ai_low_mw").round(0),
            pl.col("all_ai_base_mw").round(0),
            pl.col("all_ai_high_mw").round(0),
            (pl.col("tracked_share") * 100).round(1).alias("tracked_share_pct"),
            "estimate_raised_to_tracked",
            "estimate_is_extrapolated",
        )
        .sort("year")
    )
