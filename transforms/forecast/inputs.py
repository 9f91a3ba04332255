"""What the forecast reads from the marts, in SQL both its readers share: the pipeline's forecast build
(``orchestration/defs/forecast/forecast_build.py``) and the dashboard's scenario builder."""

# The installed base the forecast starts from (the history's last period: the as-of snapshot) by the year
# each megawatt was first installed, in the demand marts' cells: dbt's fct_ai_installed_by_vintage, so the
# forecast and the dashboard's scenario builder retire hardware exactly as the marts count it.
BASE_VINTAGES_SQL = """
select region, market_tier, market_kind, workload, vintage, facility_power_mw as mw
from marts.fct_ai_installed_by_vintage
where year = (select max(year) from marts.fct_ai_installed_by_vintage)
"""
