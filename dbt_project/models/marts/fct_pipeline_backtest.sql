-- The pipeline's realisation against what was built: every counted plan of the GPU clusters table whose
-- expected year has passed (is_past_due in fct_ai_pipeline), with the MW the model realises from it
-- (announced x realisation_factor, and its low/high ends) beside the MW a source shows built by the history's
-- as-of date. Only a plan at a frontier campus has a source that can show it built (the campus's timeline:
-- mw_installed_per_campus, evidence 'campus_timeline'); a plan elsewhere that Epoch still lists as planned has
-- no such source (evidence 'not_shown_built': 0 MW observed, a lower bound, since a built cluster can wait for
-- Epoch to record it). A plan Epoch has already moved to operational is not in the pipeline, so the rows are the
-- plans not yet recorded built: the comparison is a floor for plans in general.
with pipeline as (
    select * from {{ ref('fct_ai_pipeline') }}
),

as_of as (
    select * from {{ ref('int_ai_history__as_of') }}
),

final as (
    select
        pipeline.deployment_id,
        pipeline.cluster_name,
        pipeline.owner,
        pipeline.owner_type,
        pipeline.certainty,
        pipeline.owner_known,
        pipeline.date_known,
        pipeline.chips_known,
        pipeline.announced_year,
        as_of.as_of_date,
        pipeline.announced_mw,
        pipeline.realisation_factor,
        pipeline.announced_mw * pipeline.realisation_factor as model_realised_mw,
        pipeline.announced_mw * pipeline.realisation_factor_low as model_realised_low_mw,
        pipeline.announced_mw * pipeline.realisation_factor_high as model_realised_high_mw,
        pipeline.mw_installed_per_campus as observed_built_mw,
        pipeline.mw_in_campus_build_out as observed_in_build_out_mw,
        case when pipeline.campus_id is not null then 'campus_timeline' else 'not_shown_built' end as evidence,
        pipeline.campus_id
    from pipeline
    cross join as_of
    where
        pipeline.is_past_due
        and pipeline.is_ai_demand
        and pipeline.pipeline_source = 'gpu_cluster'
        and pipeline.announced_mw > 0
)

select * from final
