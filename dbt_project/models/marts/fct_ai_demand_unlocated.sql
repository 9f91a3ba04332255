-- One row per market whose AI capacity cannot be placed in a metro, edge city or campus (a country's
-- undisclosed market '<cc>-undisclosed', or 'unassigned') x owner: the AI power installed at the
-- history's as-of date (int_ai_history__as_of) that the sources give no location for, named by who owns
-- it. Meta's, Oracle's and Microsoft's clusters without a published site, Epoch's anonymised Chinese
-- systems (owner not given) and the rest. It adds up to the AI demand of those markets in
-- fct_market_summary.
with as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

units as (
    select * from {{ ref('int_ai_capacity__units') }}
),

installed as (
    select
        installed.*,
        split.training_share
    from {{ ref('int_ai_capacity__installed_by_year') }} as installed
    inner join as_of on installed.year = as_of.as_of_year
    inner join {{ ref('int_ai_capacity__workload_split') }} as split
        on installed.unit_id = split.unit_id and installed.year = split.year
    where installed.facility_power_mw > 0
),

final as (
    select
        units.market_id,
        any_value(units.country_code) as country_code,
        any_value(units.region) as region,
        units.owner,
        any_value(units.owner_type) as owner_type,
        sum(installed.facility_power_mw) as ai_demand_mw,
        sum(installed.facility_power_mw * installed.training_share) as ai_training_mw,
        sum(installed.facility_power_mw * (1 - installed.training_share)) as ai_inference_mw,
        cast(count(*) as integer) as deployments,
        string_agg(units.unit_name, '; ' order by installed.facility_power_mw desc, units.unit_name asc)
            as deployment_names,
        any_value(as_of.as_of_date) as as_of_date
    from installed
    inner join units on installed.unit_id = units.unit_id
    cross join as_of
    where units.market_kind in ('country_rest', 'unassigned') and not units.is_hpc_apart
    group by units.market_id, units.owner
)

select * from final
