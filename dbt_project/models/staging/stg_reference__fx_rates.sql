-- One row per year x currency pair: annual average rate (quote per 1 base, e.g. USD per EUR).
with source as (
    select * from {{ source('raw', 'ref_fx_rates') }}
),

final as (
    select
        cast(year as integer) as year,
        upper(base_currency) as base_currency,
        upper(quote_currency) as quote_currency,
        cast(rate as double) as rate,
        source as rate_source
    from source
)

select * from final
