-- All AI power, tracked by dcpulse or not: a top-down estimate of the data-centre power of every AI accelerator
-- in the world, year by year, from published anchors (ref_published_projections), beside which the tracked
-- installed base and forecast are judged (fct_ai_demand_coverage). One row per year x anchor; anchor
-- 'all_ai_estimate' combines the others.
-- * schneider_electric: Schneider Electric white paper 110 (2023): AI drew 4.3 GW of data-centre power in 2023
--   and will draw 13.5-20 GW in 2028. Low and high paths grow geometrically from 2023 to each 2028 end and on at
--   the same rate after 2028 (is_extrapolated); the central path is their geometric mean.
-- * epri_epoch: EPRI and Epoch AI (2025): US AI power about 5 GW in 2025, over 50 GW by 2030 if growth continues.
--   The path grows geometrically between the two (before 2025 backwards at the same rate: is_extrapolated), and
--   becomes world power divided by the US share of data-centre electricity in the IEA's Energy and AI base case
--   (2024 and 2030 values, linear between, held outside): a US figure scaled to the world, stated as such.
-- * all_ai_estimate: low = the lowest anchor low, high = the highest anchor high, base = the geometric mean of the
--   anchors' central paths; low <= base <= high holds by construction.
with projections as (
    select * from {{ ref('stg_reference__published_projections') }}
),

years as (
    select cast(unnest(range(2023, {{ p('forecast_end_year') }} + 1)) as integer) as year
),

schneider as (
    select
        max(case when year = 2023 then value end) * 1000 as mw_start,
        max(case when year = 2028 and scenario = 'low' then value end) * 1000 as mw_end_low,
        max(case when year = 2028 and scenario = 'high' then value end) * 1000 as mw_end_high,
        any_value(source_url) as source_url
    from projections
    where publisher = 'Schneider Electric' and metric = 'ai_power_capacity'
),

epri as (
    select
        max(case when year = 2025 then value end) * 1000 as mw_start,
        max(case when year = 2030 then value end) * 1000 as mw_end,
        any_value(source_url) as source_url
    from projections
    where publisher = 'EPRI and Epoch AI' and metric = 'ai_power_capacity' and geography = 'United States'
),

us_share as (
    select
        max(case when geography = 'United States' and year = 2024 then value end)
        / max(case when geography = 'World' and year = 2024 then value end) as share_2024,
        max(case when geography = 'United States' and year = 2030 then value end)
        / max(case when geography = 'World' and year = 2030 then value end) as share_2030
    from projections
    where
        publisher = 'IEA' and publication = 'Energy and AI (2025)' and metric = 'electricity_consumption'
        and scope = 'all data centers' and year in (2024, 2030)
),

schneider_path as (
    select
        years.year,
        'schneider_electric' as anchor,
        'World' as geography_basis,
        schneider.mw_start * power(schneider.mw_end_low / schneider.mw_start, (years.year - 2023) / 5.0) as low_mw,
        schneider.mw_start * power(schneider.mw_end_high / schneider.mw_start, (years.year - 2023) / 5.0) as high_mw,
        years.year > 2028 as is_extrapolated,
        'Schneider Electric, The AI Disruption (white paper 110, 2023): 4.3 GW in 2023, 13.5-20 GW in 2028; '
        || schneider.source_url as source
    from years
    cross join schneider
),

epri_path as (
    select
        years.year,
        'epri_epoch' as anchor,
        'United States scaled to the world' as geography_basis,
        epri.mw_start * power(epri.mw_end / epri.mw_start, (years.year - 2025) / 5.0)
        / (
            us_share.share_2024 + (us_share.share_2030 - us_share.share_2024)
            * least(greatest(years.year - 2024, 0), 6) / 6.0
        ) as world_mw,
        years.year < 2025 as is_extrapolated,
        'EPRI and Epoch AI, Scaling Intelligence (2025): US 5 GW in 2025, 50 GW by 2030 if growth continues; '
        || 'world = US / the US share of data-centre electricity (IEA Energy and AI 2025, '
        || round(us_share.share_2024 * 100, 1) || ' % in 2024, ' || round(us_share.share_2030 * 100, 1)
        || ' % in 2030); ' || epri.source_url as source
    from years
    cross join epri
    cross join us_share
),

anchors as (
    select
        year,
        anchor,
        geography_basis,
        low_mw,
        sqrt(low_mw * high_mw) as base_mw,
        high_mw,
        is_extrapolated,
        source
    from schneider_path
    union all
    select
        year,
        anchor,
        geography_basis,
        world_mw as low_mw,
        world_mw as base_mw,
        world_mw as high_mw,
        is_extrapolated,
        source
    from epri_path
),

estimate as (
    select
        year,
        'all_ai_estimate' as anchor,
        'World' as geography_basis,
        min(low_mw) as low_mw,
        exp(avg(ln(base_mw))) as base_mw,
        max(high_mw) as high_mw,
        bool_or(is_extrapolated) as is_extrapolated,
        'Low: the lowest anchor low; high: the highest anchor high; base: the geometric mean of the anchors'
        || ' central paths (' || string_agg(anchor, ', ' order by anchor) || ')' as source
    from anchors
    group by year
),

final as (
    select * from anchors
    union all
    select * from estimate
)

select
    year,
    anchor,
    geography_basis,
    low_mw,
    base_mw,
    high_mw,
    is_extrapolated,
    source
from final
