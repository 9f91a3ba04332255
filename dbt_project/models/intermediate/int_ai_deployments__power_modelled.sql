-- One row per deployment (raw.epoch_gpu_clusters record) with the power model applied.
-- IT kW per accelerator = TDP (W) / 1000 x var server_overhead (Epoch AI: DGX H100 10.2 kW / 8 x 700 W).
-- Calculated IT MW = sum over the primary and secondary chip of count x IT kW / 1000;
--   where the primary chip or its TDP is unknown: h100_equivalents x the reference H100's IT kW
--   (power_method 'h100e_x_reference_gpu'); failing both, Epoch's own calculated power
--   (power_method 'epoch_calculated', taken as facility power).
-- Facility MW = IT MW x var pue_ai_cluster. Reported power wins: facility_power_mw = reported,
--   it_power_mw = reported / PUE, power_basis 'reported'.
-- Racks = ceil(IT kW / rack density of the workload); annual energy = facility MW x 8760 x load
-- factor of the workload; energy cost at the market's price (US: EIA industrial of the
-- location's own state, else the market's first state, else the US average; Europe: country
-- Ember wholesale; elsewhere var default_energy_price_usd_mwh, null by default).
-- Capex = chips x Epoch release price where the price is known.
with deployments as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

workloads as (
    select * from {{ ref('int_ai_deployments__workload_classified') }}
),

gpu_map as (
    select * from {{ ref('stg_reference__gpu_models') }}
),

hardware as (
    select * from {{ ref('stg_epoch__ml_hardware') }}
),

matches as (
    select * from {{ ref('int_locations__matched_to_markets') }}
    where entity_type = 'ai_deployment'
),

markets as (
    select * from {{ ref('int_markets__tiered') }}
),

prices as (
    select * from {{ ref('int_energy_prices__latest_by_geography') }}
),

country_lookup as (
    select
        country_name,
        min(country_code) as country_code
    from markets
    where country_name is not null and country_code is not null
    group by country_name
),

reference_gpu as (
    select tdp_w / 1000.0 * {{ var('server_overhead') }} as it_kw_per_gpu
    from hardware
    where gpu_model = '{{ var("reference_gpu_model") }}'
),

with_chips as (
    select
        deployments.*,
        workloads.workload,
        workloads.workload_basis,
        workloads.workload_rule_id,
        coalesce(map_primary.gpu_model, hw_primary_direct.gpu_model) as gpu_model,
        coalesce(map_secondary.gpu_model, hw_secondary_direct.gpu_model) as gpu_model_secondary
    from deployments
    inner join workloads
        on deployments.deployment_id = workloads.deployment_id
    left join gpu_map as map_primary
        on deployments.chip_type_primary = map_primary.chip_name
    left join hardware as hw_primary_direct
        on deployments.chip_type_primary = hw_primary_direct.gpu_model
    left join gpu_map as map_secondary
        on deployments.chip_type_secondary = map_secondary.chip_name
    left join hardware as hw_secondary_direct
        on deployments.chip_type_secondary = hw_secondary_direct.gpu_model
),

with_specs as (
    select
        with_chips.*,
        hw_primary.tdp_w / 1000.0 * {{ var('server_overhead') }} as it_kw_per_gpu,
        hw_secondary.tdp_w / 1000.0 * {{ var('server_overhead') }} as it_kw_per_gpu_secondary,
        hw_primary.release_price_usd,
        hw_secondary.release_price_usd as release_price_usd_secondary,
        coalesce(
            with_chips.total_ai_chips,
            with_chips.chip_quantity_primary + coalesce(with_chips.chip_quantity_secondary, 0)
        ) as gpu_count,
        (select reference_gpu.it_kw_per_gpu from reference_gpu) as reference_it_kw_per_gpu
    from with_chips
    left join hardware as hw_primary
        on with_chips.gpu_model = hw_primary.gpu_model
    left join hardware as hw_secondary
        on with_chips.gpu_model_secondary = hw_secondary.gpu_model
),

calculated as (
    select
        *,
        case
            when it_kw_per_gpu is not null and chip_quantity_primary is not null
                then 'chip_tdp'
            when h100_equivalents is not null and reference_it_kw_per_gpu is not null
                then 'h100e_x_reference_gpu'
            when calculated_power_mw is not null
                then 'epoch_calculated'
        end as calculated_method,
        case
            when it_kw_per_gpu is not null and chip_quantity_primary is not null
                then (
                    chip_quantity_primary * it_kw_per_gpu
                    + coalesce(chip_quantity_secondary * it_kw_per_gpu_secondary, 0)
                ) / 1000.0
            when h100_equivalents is not null and reference_it_kw_per_gpu is not null
                then h100_equivalents * reference_it_kw_per_gpu / 1000.0
            when calculated_power_mw is not null
                then calculated_power_mw / {{ var('pue_ai_cluster') }}
        end as calculated_it_power_mw
    from with_specs
),

powered as (
    select
        *,
        case
            when reported_power_mw is not null then 'reported'
            when calculated_it_power_mw is not null then 'calculated'
        end as power_basis,
        case
            when reported_power_mw is not null then 'reported'
            else calculated_method
        end as power_method,
        case
            when reported_power_mw is not null then reported_power_mw / {{ var('pue_ai_cluster') }}
            else calculated_it_power_mw
        end as it_power_mw,
        coalesce(reported_power_mw, calculated_it_power_mw * {{ var('pue_ai_cluster') }}) as facility_power_mw,
        {{ workload_param('workload', 'rack_density_kw') }} as rack_density_kw,
        {{ workload_param('workload', 'load_factor') }} as load_factor
    from calculated
),

located as (
    select
        powered.*,
        coalesce(matches.market_id, 'unassigned') as market_id,
        coalesce(matches.match_method, 'unassigned') as market_match_method,
        matches.match_detail as market_match_detail,
        coalesce(markets.country_code, country_lookup.country_code) as country_code,
        coalesce(matches.state_code, split_part(markets.state_code, '|', 1)) as state_code,
        coalesce(markets.region, 'Unknown') as region,
        coalesce(markets.market_tier_final, 'unknown') as market_tier,
        coalesce(markets.is_urban, false) as is_urban
    from powered
    left join matches
        on powered.deployment_id = matches.entity_id
    left join markets
        on coalesce(matches.market_id, 'unassigned') = markets.market_id
    left join country_lookup
        on powered.country_name = country_lookup.country_name
),

priced as (
    select
        located.*,
        case
            when state_price.price_usd_mwh is not null then state_price.price_usd_mwh
            when country_price.price_usd_mwh is not null then country_price.price_usd_mwh
            when us_price.price_usd_mwh is not null then us_price.price_usd_mwh
            else {{ var_or_null('default_energy_price_usd_mwh') }}
        end as energy_price_usd_mwh,
        case
            when state_price.price_usd_mwh is not null then state_price.price_basis
            when country_price.price_usd_mwh is not null then country_price.price_basis
            when us_price.price_usd_mwh is not null then us_price.price_basis || ' (state unknown)'
            when {{ var_or_null('default_energy_price_usd_mwh') }} is not null
                then 'assumption: var default_energy_price_usd_mwh'
        end as energy_price_basis
    from located
    left join prices as state_price
        on
            located.country_code = 'US'
            and state_price.geography = 'US-' || located.state_code
    left join prices as country_price
        on
            located.country_code <> 'US'
            and country_price.geography = located.country_code
    left join prices as us_price
        on
            located.country_code = 'US'
            and us_price.geography = 'US'
),

final as (
    select
        *,
        ceil(it_power_mw * 1000.0 / rack_density_kw) as racks,
        case
            when
                release_price_usd is not null and chip_quantity_primary is not null
                and (chip_quantity_secondary is null or release_price_usd_secondary is not null)
                then
                    chip_quantity_primary * release_price_usd
                    + coalesce(chip_quantity_secondary * release_price_usd_secondary, 0)
        end as capex_usd,
        case
            when
                release_price_usd is not null and chip_quantity_primary is not null
                and (chip_quantity_secondary is null or release_price_usd_secondary is not null)
                then 'gpu_count_x_release_price'
            else 'unknown_price'
        end as capex_basis,
        facility_power_mw * 8760 * load_factor as annual_energy_mwh,
        facility_power_mw * 8760 * load_factor * energy_price_usd_mwh as annual_energy_cost_usd
    from priced
)

select * from final
