-- One row per period (year) x region x market_tier x market_kind x workload x vintage: the AI power
-- installed at the period's end (as fct_ai_demand_by_tier counts it) by the year it was first installed.
-- A unit's power is stacked in layers: each year adds the megawatts by which the unit first rises above
-- its highest power so far (its vintage); a unit that shrinks loses its newest layers first. The
-- forecast's hardware-life rule retires the installed base by these vintages, and an analyst reads the
-- age of the installed base here. Sums over vintage equal fct_ai_demand_by_tier's facility_power_mw.
with installed as (
    select * from {{ ref('int_ai_capacity__installed_by_year') }}
),

units as (
    select * from {{ ref('int_ai_capacity__units') }}
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
        least(greatest(running.facility_power_mw - layers.layer_floor_mw, 0), layers.layer_mw) as facility_power_mw
    from running
    inner join layers
        on running.unit_id = layers.unit_id and layers.vintage <= running.year
    where layers.layer_mw > 0
),

parts as (
    select
        stacked.year,
        units.region,
        units.market_tier,
        units.market_kind,
        'training' as workload,
        stacked.vintage,
        stacked.facility_power_mw * units.training_share as facility_power_mw
    from stacked inner join units on stacked.unit_id = units.unit_id
    where not units.is_hpc_apart
    union all
    select
        stacked.year,
        units.region,
        units.market_tier,
        units.market_kind,
        'inference' as workload,
        stacked.vintage,
        stacked.facility_power_mw * (1 - units.training_share) as facility_power_mw
    from stacked inner join units on stacked.unit_id = units.unit_id
    where not units.is_hpc_apart
    union all
    select
        stacked.year,
        units.region,
        units.market_tier,
        units.market_kind,
        'hpc' as workload,
        stacked.vintage,
        stacked.facility_power_mw
    from stacked inner join units on stacked.unit_id = units.unit_id
    where units.is_hpc_apart
),

final as (
    select
        cast(year as integer) as year,
        region,
        market_tier,
        market_kind,
        workload,
        cast(vintage as integer) as vintage,
        sum(facility_power_mw) as facility_power_mw
    from parts
    group by all
    having sum(facility_power_mw) > 0
)

select * from final
