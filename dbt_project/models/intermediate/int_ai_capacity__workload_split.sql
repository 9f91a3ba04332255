{{ config(materialized='table') }}

-- One row per unit of AI capacity (int_ai_capacity__units: campuses and GPU clusters, planned ones too) x
-- year, from the unit's first year (its first year of power; a plan's announced year; else the as-of year)
-- to p('forecast_end_year'): the share of its power serving training (training_share; inference is the
-- rest) with its range (training_share_low, training_share_high) and how it is set (split_basis). The one
-- home of the split: the demand marts, the market summary, the vintage table and the forecast read it.
-- * rule_first_use: a unit its source says was built to train (rules training_stated, training_named_run,
--   large_single_private_cluster, or a campus whose largest paired cluster is one) trains at its launch share
--   for p('training_first_use_years'); its low end is the most training-heavy its owner's fleet could be
--   (the owner-type prior's high end on the market path below), its high end the launch share;
-- * prior_repurposed: after its first use it is repurposed like its owner's fleet (the prior path);
-- * prior: the owner-type prior (seed workload_priors) holds until p('workload_prior_year'), then moves
--   linearly to 1 - p('inference_share_target') by p('forecast_end_year'); the range moves from the prior's
--   low/high to 1 - the target's high/low end, so low <= central <= high every year;
-- * rule: a share a rule fixes (inference chips, stated inference): constant;
-- * hpc: scientific and industrial supercomputers, apart from AI demand (share unused).
with units as (
    select * from {{ ref('int_ai_capacity__units') }}
),

installed as (
    select * from {{ ref('int_ai_capacity__installed_by_year') }}
),

clusters as (
    select * from {{ ref('stg_epoch__gpu_clusters') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

priors as (
    select * from {{ ref('workload_priors') }}
),

first_power as (
    select
        unit_id,
        min(year) filter (where facility_power_mw > 0 or own_facility_power_mw > 0) as first_year
    from installed
    group by unit_id
),

started as (
    select
        units.*,
        cast(coalesce(
            first_power.first_year,
            year(clusters.first_operational_date),
            clusters.planned_year,
            as_of.as_of_year
        ) as integer) as start_year,
        priors.training_share as prior_share,
        priors.training_share_low as prior_share_low,
        priors.training_share_high as prior_share_high,
        case
            when units.is_hpc_apart then 'hpc'
            when
                units.workload_rule_id in ('training_stated', 'training_named_run', 'large_single_private_cluster')
                then 'training_at_launch'
            when units.workload_basis = 'prior' then 'prior'
            else 'rule'
        end as split_kind
    from units
    left join first_power on units.unit_id = first_power.unit_id
    left join clusters on units.deployment_id = clusters.deployment_id
    left join priors on units.prior_owner_type = priors.owner_type
    cross join as_of
),

years as (
    select
        started.*,
        cast(y.year as integer) as year,
        cast(y.year as integer) - started.start_year as age_years,
        least(greatest(
            (y.year - {{ p('workload_prior_year') }}) * 1.0
            / greatest({{ p('forecast_end_year') }} - {{ p('workload_prior_year') }}, 1),
            0.0
        ), 1.0) as market_progress
    from started
    -- correlated (each unit's own years from its start): a CTE cannot see started
    cross join lateral (  -- noqa: ST05
        select unnest(range(started.start_year, {{ p('forecast_end_year') }} + 1)) as year
    ) as y
),

-- the prior path: the owner-type prior moving toward the market's inference share
paths as (
    select
        years.*,
        years.prior_share + ((1 - {{ p('inference_share_target') }}) - years.prior_share) * years.market_progress
            as path_share,
        years.prior_share_low
        + ((1 - {{ p_high('inference_share_target') }}) - years.prior_share_low) * years.market_progress
            as path_share_low,
        years.prior_share_high
        + ((1 - {{ p_low('inference_share_target') }}) - years.prior_share_high) * years.market_progress
            as path_share_high
    from years
),

final as (
    select
        unit_id,
        year,
        start_year,
        age_years,
        case
            when split_kind = 'training_at_launch' and age_years < {{ p('training_first_use_years') }}
                then 'rule_first_use'
            when split_kind = 'training_at_launch' then 'prior_repurposed'
            else split_kind
        end as split_basis,
        case
            when split_kind = 'training_at_launch' and age_years < {{ p('training_first_use_years') }}
                then training_share
            when split_kind in ('training_at_launch', 'prior') then path_share
            else training_share
        end as training_share,
        case
            when split_kind = 'training_at_launch' and age_years < {{ p('training_first_use_years') }}
                then least(training_share, path_share_high)
            when split_kind in ('training_at_launch', 'prior') then path_share_low
            else training_share_low
        end as training_share_low,
        case
            when split_kind = 'training_at_launch' and age_years < {{ p('training_first_use_years') }}
                then training_share
            when split_kind in ('training_at_launch', 'prior') then path_share_high
            else training_share_high
        end as training_share_high
    from paths
)

select * from final
