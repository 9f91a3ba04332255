-- One row per deployment (raw.epoch_gpu_clusters record) with the power model applied.
-- IT kW per accelerator from int_gpus__it_power (the platform's system power per GPU, else TDP x
--   p('server_overhead'), Epoch AI's method).
-- Calculated IT MW = sum over the primary and secondary chip of count x IT kW / 1000;
--   where the primary chip or its TDP is unknown: h100_equivalents x the reference H100's IT kW
--   (power_method 'h100e_x_reference_gpu'); failing both, Epoch's own calculated power
--   (power_method 'epoch_calculated', taken as facility power).
-- Facility MW = IT MW x p('pue_ai_cluster'). Reported power wins: facility_power_mw = reported,
--   it_power_mw = reported / PUE, power_basis 'reported'.
-- The power splits by training_share (int_ai_deployments__workload_classified): racks = ceil(training
-- IT kW / training rack density + inference IT kW / inference rack density) (hpc: the hpc density);
-- load factor = training_share x training LF + inference_share x inference LF (hpc: the hpc LF);
-- annual energy = facility MW x 8760 x load factor, a full-year run-rate of the deployment (the
-- demand marts hold calendar-year energy); energy cost at the market's price (US: EIA industrial of the
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

it_power as (
    select * from {{ ref('int_gpus__it_power') }}
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
    select it_kw_per_gpu
    from it_power
    where gpu_model = '{{ p("reference_gpu_model") }}'
),

with_chips as (
    select
        deployments.*,
        workloads.owner_type,
        workloads.workload,
        workloads.training_share,
        workloads.training_share_low,
        workloads.training_share_high,
        workloads.workload_basis,
        workloads.workload_rule_id,
        workloads.workload_prior,
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
        it_primary.it_kw_per_gpu,
        it_primary.it_power_basis as it_kw_per_gpu_basis,
        it_secondary.it_kw_per_gpu as it_kw_per_gpu_secondary,
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
    left join it_power as it_primary
        on with_chips.gpu_model = it_primary.gpu_model
    left join it_power as it_secondary
        on with_chips.gpu_model_secondary = it_secondary.gpu_model
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
                then calculated_power_mw / {{ p('pue_ai_cluster') }}
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
            when reported_power_mw is not null then reported_power_mw / {{ p('pue_ai_cluster') }}
            else calculated_it_power_mw
        end as it_power_mw,
        coalesce(reported_power_mw, calculated_it_power_mw * {{ p('pue_ai_cluster') }}) as facility_power_mw,
        case
            when workload = 'hpc' then cast({{ p('load_factor_hpc') }} as double)
            else
                training_share * {{ p('load_factor_training') }}
                + (1 - training_share) * {{ p('load_factor_inference') }}
        end as load_factor
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
        coalesce(markets.market_kind, 'unassigned') as market_kind,
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

racked as (
    select
        *,
        ceil(
            case
                when workload = 'hpc' then it_power_mw * 1000.0 / {{ p('rack_density_kw_hpc') }}
                else
                    it_power_mw * 1000.0 * training_share / {{ p('rack_density_kw_training') }}
                    + it_power_mw * 1000.0 * (1 - training_share) / {{ p('rack_density_kw_inference') }}
            end
        ) as racks
    from priced
),

final as (
    select
        *,
        case when racks > 0 then it_power_mw * 1000.0 / racks end as rack_density_kw,
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
    from racked
)

select * from final
