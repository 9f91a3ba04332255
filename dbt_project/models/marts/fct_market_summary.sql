-- One row per market: everything the dashboard's market views show, computed once here so no page
-- applies a mart rule itself. AI demand is the latest year's installed power of the deployments
-- counted in fct_ai_demand_by_tier (split into training and inference by training_share; hpc apart);
-- the AI pipeline is the counted announced capacity of fct_ai_pipeline (as announced, before any
-- scenario's realisation); facility capacity comes from fct_facilities' primary records (a site in
-- two sources counts once), operating and pipeline stages kept apart as low/high ranges; the energy
-- price is the one the marts cost deployments at (int_energy_prices__latest_by_geography: a US
-- market's primary state, else the US average; elsewhere the country), with its basis.
with markets as (
    select * from {{ ref('dim_markets') }}
),

deployments as (
    select * from {{ ref('fct_ai_deployments') }}
),

pipeline as (
    select * from {{ ref('fct_ai_pipeline') }}
),

facilities as (
    select * from {{ ref('fct_facilities') }}
    where is_primary_record
),

prices as (
    select * from {{ ref('int_energy_prices__latest_by_geography') }}
),

ai_demand as (
    select
        market_id,
        sum(facility_power_mw * training_share) filter (where counts_in_demand) as ai_training_mw,
        sum(facility_power_mw * (1 - training_share)) filter (where counts_in_demand) as ai_inference_mw,
        sum(facility_power_mw) filter (where demand_reason = 'hpc_not_ai_demand') as hpc_mw,
        count(*) filter (where counts_in_demand) as ai_deployments,
        sum(gpu_count) filter (where counts_in_demand) as ai_gpus,
        sum(annual_energy_cost_usd) filter (where counts_in_demand) as ai_annual_energy_cost_usd
    from deployments
    group by market_id
),

announced as (
    select
        market_id,
        sum(pipeline_mw) filter (where is_ai_demand) as ai_pipeline_mw,
        sum(pipeline_mw * training_share) filter (where is_ai_demand) as ai_pipeline_training_mw,
        count(*) filter (where counts_in_pipeline and is_ai_demand) as ai_pipeline_deployments
    from pipeline
    group by market_id
),

capacity as (
    select
        market_id,
        sum(capacity_mw_low) filter (where status = 'operational') as operational_mw_low,
        sum(coalesce(capacity_mw_high, capacity_mw_low)) filter (where status = 'operational') as operational_mw_high,
        sum(capacity_mw_low) filter (
            where status in ('expanding', 'under_construction', 'planned')
        ) as pipeline_mw_low,
        sum(coalesce(capacity_mw_high, capacity_mw_low)) filter (
            where status in ('expanding', 'under_construction', 'planned')
        ) as pipeline_mw_high,
        count(*) as facilities
    from facilities
    group by market_id
),

market_prices as (
    select
        markets.market_id,
        coalesce(state_price.price_usd_mwh, country_price.price_usd_mwh) as energy_price_usd_mwh,
        coalesce(
            state_price.price_basis,
            country_price.price_basis || case when markets.country_code = 'US' then ' (state unknown)' else '' end
        ) as energy_price_basis
    from markets
    left join prices as state_price
        on
            markets.country_code = 'US'
            and state_price.geography = 'US-' || split_part(markets.state_code, '|', 1)
    left join prices as country_price
        on country_price.geography = case when markets.country_code = 'US' then 'US' else markets.country_code end
),

final as (
    select
        markets.market_id,
        markets.market_name,
        markets.country_code,
        markets.region,
        markets.market_tier,
        markets.market_kind,
        markets.is_urban,
        markets.latitude,
        markets.longitude,
        cast({{ p('demand_latest_year') }} as integer) as demand_year,
        coalesce(ai_demand.ai_training_mw, 0) as ai_training_mw,
        coalesce(ai_demand.ai_inference_mw, 0) as ai_inference_mw,
        coalesce(ai_demand.ai_training_mw, 0) + coalesce(ai_demand.ai_inference_mw, 0) as ai_demand_mw,
        coalesce(ai_demand.hpc_mw, 0) as hpc_mw,
        cast(coalesce(ai_demand.ai_deployments, 0) as integer) as ai_deployments,
        coalesce(ai_demand.ai_gpus, 0) as ai_gpus,
        coalesce(announced.ai_pipeline_mw, 0) as ai_pipeline_mw,
        coalesce(announced.ai_pipeline_training_mw, 0) as ai_pipeline_training_mw,
        cast(coalesce(announced.ai_pipeline_deployments, 0) as integer) as ai_pipeline_deployments,
        coalesce(capacity.operational_mw_low, 0) as operational_mw_low,
        coalesce(capacity.operational_mw_high, 0) as operational_mw_high,
        coalesce(capacity.pipeline_mw_low, 0) as pipeline_mw_low,
        coalesce(capacity.pipeline_mw_high, 0) as pipeline_mw_high,
        cast(coalesce(capacity.facilities, 0) as integer) as facilities,
        market_prices.energy_price_usd_mwh,
        market_prices.energy_price_basis,
        ai_demand.ai_annual_energy_cost_usd,
        markets.tier_basis
    from markets
    left join ai_demand on markets.market_id = ai_demand.market_id
    left join announced on markets.market_id = announced.market_id
    left join capacity on markets.market_id = capacity.market_id
    left join market_prices on markets.market_id = market_prices.market_id
)

select * from final
