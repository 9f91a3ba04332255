-- One row per market: everything the dashboard's market views show, computed once here so no page
-- applies a mart rule itself. AI demand is the power installed at the history's as-of date
-- (int_ai_history__as_of) of the units fct_ai_demand_by_tier counts (frontier campuses by their
-- timelines, GPU clusters no campus counts; split into training and inference by training_share; hpc
-- apart); where a market's units cannot be placed (a country's undisclosed market), the owners they
-- belong to are named (unlocated_owners, fct_ai_demand_unlocated);
-- the AI pipeline is the counted announced capacity of fct_ai_pipeline (as announced, before any
-- scenario's realisation); facility capacity comes from fct_facilities' primary records (a site in
-- two sources counts once), operating and pipeline stages kept apart as low/high ranges; the energy
-- price is the one the marts cost deployments at (int_energy_prices__latest_by_geography: a US
-- market's primary state, else the US average; elsewhere the country), with its basis. The broker
-- inventory (ref_market_figures: the latest operating inventory a broker published for the market)
-- stands beside the tracked operating capacity, and capacity_coverage says how much of it the tracked
-- sites account for. Planned generation within var power_near_market_km (fct_power_availability, EIA-860M)
-- is set beside the AI pipeline: planned, not deliverable, power.
with markets as (
    select * from {{ ref('dim_markets') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

installed as (
    select
        installed.*,
        units.market_id,
        units.unit_kind,
        units.owner,
        split.training_share,
        units.is_hpc_apart
    from {{ ref('int_ai_capacity__installed_by_year') }} as installed
    inner join as_of on installed.year = as_of.as_of_year
    inner join {{ ref('int_ai_capacity__units') }} as units on installed.unit_id = units.unit_id
    inner join {{ ref('int_ai_capacity__workload_split') }} as split
        on installed.unit_id = split.unit_id and installed.year = split.year
    where installed.facility_power_mw > 0
),

unlocated as (
    select * from {{ ref('fct_ai_demand_unlocated') }}
),

figures as (
    select * from {{ ref('stg_reference__market_figures') }}
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
        sum(facility_power_mw * training_share) filter (where not is_hpc_apart) as ai_training_mw,
        sum(facility_power_mw * (1 - training_share)) filter (where not is_hpc_apart) as ai_inference_mw,
        sum(facility_power_mw) filter (where is_hpc_apart) as hpc_mw,
        count(*) filter (where not is_hpc_apart) as ai_deployments,
        count(*) filter (where not is_hpc_apart and unit_kind = 'campus') as ai_campuses,
        sum(facility_power_mw) filter (where not is_hpc_apart and unit_kind = 'campus') as ai_campus_mw,
        sum(gpu_count) filter (where not is_hpc_apart) as ai_gpus
    from installed
    group by market_id
),

unlocated_owners as (
    select
        market_id,
        string_agg(
            coalesce(owner, 'owner not given') || ' ' || cast(cast(round(ai_demand_mw) as integer) as varchar) || ' MW',
            '; ' order by ai_demand_mw desc, owner asc
        ) as unlocated_owners
    from unlocated
    where ai_demand_mw >= 0.5
    group by market_id
),

-- the broker's operating inventory of the market: an inventory figure before an operational one before an
-- approximate one, then the latest period ('H2 2024' after 'H1 2024' after '2023')
broker as (
    select
        market_id,
        value as broker_inventory_mw,
        metric as broker_inventory_metric,
        period as broker_inventory_period,
        original_publisher || ' (' || source_url || ')' as broker_inventory_source,
        source_date as broker_inventory_date
    from figures
    where
        market_id is not null
        and unit = 'MW'
        and metric in ('inventory', 'operational', 'inventory_approx')
    qualify row_number() over (
        partition by market_id
        order by
            case metric when 'inventory' then 1 when 'operational' then 2 else 3 end,
            try_cast(regexp_extract(period, '(\d{4})', 1) as integer) desc nulls last,
            period desc
    ) = 1
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

power as (
    select
        market_id,
        sum(planned_mw_within_100km) filter (where planned_year <= 2028) as planned_generation_mw_100km_2028,
        sum(planned_mw_within_100km) filter (where planned_year <= 2030) as planned_generation_mw_100km_2030
    from {{ ref('fct_power_availability') }}
    group by market_id
),

power_release as (
    select max(source_release) as planned_generation_release from {{ ref('fct_power_availability') }}
),

-- EIA-860M covers US generators: US metros, edge sites and campuses get a figure (0 when none is near),
-- every other market null
power_coverage as (
    select
        markets.market_id,
        release.planned_generation_release
    from markets
    cross join power_release as release
    where markets.country_code = 'US' and markets.market_kind in ('metro', 'edge', 'campus')
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
        (select as_of.as_of_year from as_of) as demand_year,
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
        (
            coalesce(ai_demand.ai_training_mw, 0) * {{ p('load_factor_training') }}
            + coalesce(ai_demand.ai_inference_mw, 0) * {{ p('load_factor_inference') }}
        ) * 8760 * market_prices.energy_price_usd_mwh as ai_annual_energy_cost_usd,
        markets.tier_basis,
        (select as_of.as_of_date from as_of) as demand_as_of,
        cast(coalesce(ai_demand.ai_campuses, 0) as integer) as ai_campuses,
        coalesce(ai_demand.ai_campus_mw, 0) as ai_demand_mw_campuses,
        unlocated_owners.unlocated_owners,
        broker.broker_inventory_mw,
        broker.broker_inventory_metric,
        broker.broker_inventory_period,
        broker.broker_inventory_source,
        broker.broker_inventory_date,
        (coalesce(capacity.operational_mw_low, 0) + coalesce(capacity.operational_mw_high, 0)) / 2.0
            as tracked_operational_mw,
        case
            when broker.broker_inventory_mw > 0
                then
                    (coalesce(capacity.operational_mw_low, 0) + coalesce(capacity.operational_mw_high, 0))
                    / 2.0 / broker.broker_inventory_mw
        end as capacity_coverage,
        case
            when broker.broker_inventory_mw is null then 'no_broker_figure'
            when
                (coalesce(capacity.operational_mw_low, 0) + coalesce(capacity.operational_mw_high, 0)) / 2.0
                < 0.5 * broker.broker_inventory_mw then 'below_half'
            when
                (coalesce(capacity.operational_mw_low, 0) + coalesce(capacity.operational_mw_high, 0)) / 2.0
                <= 1.5 * broker.broker_inventory_mw then 'comparable'
            else 'above_broker'
        end as capacity_coverage_class,
        case
            when power_coverage.market_id is not null then coalesce(power.planned_generation_mw_100km_2028, 0)
        end as planned_generation_mw_100km_2028,
        case
            when power_coverage.market_id is not null then coalesce(power.planned_generation_mw_100km_2030, 0)
        end as planned_generation_mw_100km_2030,
        case
            when power_coverage.market_id is not null and coalesce(announced.ai_pipeline_mw, 0) > 0
                then coalesce(power.planned_generation_mw_100km_2030, 0) / announced.ai_pipeline_mw
        end as planned_generation_to_ai_pipeline,
        power_coverage.planned_generation_release
    from markets
    left join ai_demand on markets.market_id = ai_demand.market_id
    left join announced on markets.market_id = announced.market_id
    left join capacity on markets.market_id = capacity.market_id
    left join market_prices on markets.market_id = market_prices.market_id
    left join unlocated_owners on markets.market_id = unlocated_owners.market_id
    left join broker on markets.market_id = broker.market_id
    left join power on markets.market_id = power.market_id
    left join power_coverage on markets.market_id = power_coverage.market_id
)

select * from final
