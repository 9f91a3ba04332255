-- One row per year x region x market_tier x market_kind x workload x vintage: the AI power installed at the
-- period's end (as fct_ai_demand_by_tier counts it) by the year it was first installed, and, for each year
-- after the history's as-of date to p('forecast_end_year') (is_projected), the installed base of the as-of
-- date as it ages: nothing added, nothing retired, each unit's power split by that year's share
-- (int_ai_capacity__workload_split: training clusters repurposed, priors moving with the market). The
-- forecast starts from these projected rows and retires hardware by vintage.
-- A unit's power is stacked in layers: each year adds the megawatts by which the unit first rises above
-- its highest power so far (its vintage); a unit that shrinks loses its newest layers first. Summed over
-- vintage, the history rows equal fct_ai_demand_by_tier's facility_power_mw and split range.
with installed as (
    select * from {{ ref('int_ai_capacity__installed_by_year') }}
),

units as (
    select * from {{ ref('int_ai_capacity__units') }}
),

split as (
    select * from {{ ref('int_ai_capacity__workload_split') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

running as (
    select
        unit_id,
        year,
        facility_power_mw,
        max(facility_power_mw) over (partition by unit_id order by year) as running_max_mw
    from installed
),

layers as (
    select
        unit_id,
        year as vintage,
        coalesce(lag(running_max_mw) over (partition by unit_id order by year), 0) as layer_floor_mw,
        running_max_mw - coalesce(lag(running_max_mw) over (partition by unit_id order by year), 0) as layer_mw
    from running
),

stacked as (
    select
        running.unit_id,
        running.year,
        layers.vintage,
        least(greatest(running.facility_power_mw - layers.layer_floor_mw, 0), layers.layer_mw) as facility_power_mw,
        false as is_projected
    from running
    inner join layers
        on running.unit_id = layers.unit_id and layers.vintage <= running.year
    where layers.layer_mw > 0
),

later_years as (
    select unnest(range((select as_of_year from as_of) + 1, {{ p('forecast_end_year') }} + 1)) as year
),

-- the as-of installed base carried to each later year of the horizon
projected as (
    select
        stacked.unit_id,
        cast(y.year as integer) as year,
        stacked.vintage,
        stacked.facility_power_mw,
        true as is_projected
    from stacked
    cross join as_of
    cross join later_years as y
    where stacked.year = as_of.as_of_year
),

layered as (
    select * from stacked
    union all
    select * from projected
),

joined as (
    select
        layered.*,
        units.region,
        units.market_tier,
        units.market_kind,
        units.is_hpc_apart,
        split.training_share,
        split.training_share_low,
        split.training_share_high
    from layered
    inner join units on layered.unit_id = units.unit_id
    inner join split on layered.unit_id = split.unit_id and layered.year = split.year
),

parts as (
    select
        year,
        is_projected,
        region,
        market_tier,
        market_kind,
        'training' as workload,
        vintage,
        facility_power_mw * training_share as facility_power_mw,
        facility_power_mw * training_share_low as split_low_mw,
        facility_power_mw * training_share_high as split_high_mw
    from joined
    where not is_hpc_apart
    union all
    select
        year,
        is_projected,
        region,
        market_tier,
        market_kind,
        'inference' as workload,
        vintage,
        facility_power_mw * (1 - training_share) as facility_power_mw,
        facility_power_mw * (1 - training_share_high) as split_low_mw,
        facility_power_mw * (1 - training_share_low) as split_high_mw
    from joined
    where not is_hpc_apart
    union all
    select
        year,
        is_projected,
        region,
        market_tier,
        market_kind,
        'hpc' as workload,
        vintage,
        facility_power_mw,
        facility_power_mw as split_low_mw,
        facility_power_mw as split_high_mw
    from joined
    where is_hpc_apart
),

final as (
    select
        cast(year as integer) as year,
        region,
        market_tier,
        market_kind,
        workload,
        cast(vintage as integer) as vintage,
        sum(facility_power_mw) as facility_power_mw,
        is_projected,
        sum(split_low_mw) as split_low_mw,
        sum(split_high_mw) as split_high_mw
    from parts
    group by year, is_projected, region, market_tier, market_kind, workload, vintage
    having sum(split_high_mw) > 0
)

select * from final
