-- One row per planned deployment of Epoch AI's GPU clusters table (status planned): the announced
-- pipeline the forecast builds on, with the rule that decides what counts (next to the history rule
-- of int_ai_deployments__demand_years) and the capacity each row adds.
-- * Counted: certainty Confirmed or Likely (Epoch rates rumours and company-wide ambitions such as
--   "xAI 5 year plan", 50M H100e, 'Unlikely'), not a possible duplicate, with a power estimate.
-- * Each phase is counted once: Epoch links a later phase to earlier ones (builds_upon on the later
--   phase, superseded_by on the earlier) and a later phase's power includes theirs, so a row adds
--   only its increment over the predecessors that are themselves counted (operational rows, or
--   planned rows counted here): pipeline_mw = facility MW - their facility MW, never below 0.
-- * expected_year: the year of first_operational_date, else of Epoch's 'Planned 2026' note
--   (planned_year), else null (undated: the forecast spreads it). is_past_due: the expected year is
--   not after p('demand_latest_year') yet the row is still planned (the scenarios say how to treat it).
-- * The power splits by training_share as in fct_ai_deployments; hpc rows (planned public scientific
--   supercomputers) are kept apart (is_ai_demand false).
with deployments as (
    select * from {{ ref('fct_ai_deployments') }}
),

planned as (
    select * from deployments
    where status = 'planned'
),

counted_planned as (
    select * from planned
    where
        coalesce(certainty, '') <> 'unlikely'
        and not coalesce(possible_duplicate, false)
        and facility_power_mw > 0
),

edges as (
    select distinct
        successor,
        predecessor
    from (
        select
            cluster_name as successor,
            trim(unnest(string_split(builds_upon, ','))) as predecessor
        from deployments
        where builds_upon is not null
        union all
        select
            superseded_by as successor,
            cluster_name as predecessor
        from deployments
        where superseded_by is not null
    )
    where predecessor <> ''
),

counted_power as (
    select
        cluster_name,
        max(coalesce(facility_power_mw, 0)) as facility_power_mw
    from (
        select cluster_name, facility_power_mw from deployments where status = 'operational'
        union all
        select cluster_name, facility_power_mw from counted_planned
    )
    group by cluster_name
),

prior_power as (
    select
        edges.successor,
        sum(counted_power.facility_power_mw) as predecessors_mw
    from edges
    inner join counted_power
        on edges.predecessor = counted_power.cluster_name
    group by edges.successor
),

final as (
    select
        planned.deployment_id,
        planned.cluster_name,
        planned.owner,
        planned.owner_type,
        planned.market_id,
        planned.region,
        planned.market_tier,
        planned.market_kind,
        planned.certainty,
        planned.workload,
        planned.workload <> 'hpc' or {{ p('hpc_counts_as_ai_demand') }} as is_ai_demand,
        planned.training_share,
        planned.training_share_low,
        planned.training_share_high,
        planned.facility_power_mw,
        coalesce(prior_power.predecessors_mw, 0) as predecessors_mw,
        case
            when planned.deployment_id in (select counted_planned.deployment_id from counted_planned)
                then greatest(planned.facility_power_mw - coalesce(prior_power.predecessors_mw, 0), 0)
            else 0
        end as pipeline_mw,
        cast(coalesce(year(planned.first_operational_date), planned.planned_year) as integer) as expected_year,
        case
            when planned.first_operational_date is not null then 'first_operational_date'
            when planned.planned_year is not null then 'planned_note'
            else 'undated'
        end as expected_year_basis,
        coalesce(coalesce(year(planned.first_operational_date), planned.planned_year)
        <= {{ p('demand_latest_year') }}, false) as is_past_due,
        planned.deployment_id in (select counted_planned.deployment_id from counted_planned) as counts_in_pipeline,
        case
            when coalesce(planned.certainty, '') = 'unlikely' then 'unlikely'
            when coalesce(planned.possible_duplicate, false) then 'possible_duplicate'
            when coalesce(planned.facility_power_mw, 0) <= 0 then 'no_power_estimate'
            else 'counted'
        end as pipeline_reason,
        planned.source
    from planned
    left join prior_power
        on planned.cluster_name = prior_power.successor
)

select * from final
