"""What the forecast reads from the marts, in SQL both its readers share: the pipeline's forecast build
(``orchestration/defs/forecast/forecast_build.py``) and the dashboard's scenario builder."""

# The installed base the forecast starts from (the history's last period: the as-of snapshot) by the year
# each megawatt was first installed, in the demand marts' cells, for the as-of year and every projected year
# after it with that year's split and its range: dbt's fct_ai_installed_by_vintage, so the forecast and the
# dashboard's scenario builder split and retire hardware exactly as the marts count it.
BASE_VINTAGES_SQL = """
select year, region, market_tier, market_kind, workload, vintage, facility_power_mw as mw, split_low_mw, split_high_mw
from marts.fct_ai_installed_by_vintage
where year >= (select max(year) from marts.fct_ai_installed_by_vintage where not is_projected)
"""

# Each unit's training share by year with its range (the one home of the split, dbt's fct_ai_workload_split): the
# pipeline's rows (fct_ai_pipeline.unit_id) split by it year by year.
UNIT_SPLIT_SQL = """
select unit_id, year, training_share, training_share_low, training_share_high
from marts.fct_ai_workload_split
"""

# The all-AI estimate the tracked forecast is set beside (fct_ai_demand_coverage).
ALL_AI_ESTIMATE_SQL = """
select year, low_mw, base_mw, high_mw, is_extrapolated, source
from marts.fct_ai_all_ai_estimate
where anchor = 'all_ai_estimate'
"""
