{#- A list of words as a 128-bit signature: one bit per word, at its hash modulo 128 (0 for an empty list).
    Two lists that share a word share that word's bit, so `a & b = 0` proves they share none; a shared bit
    may be a collision, so pairs that pass still take the exact test (list_has_any). A cheap prefilter for
    comparing the word lists of millions of candidate pairs. -#}
{% macro word_signature(words) -%}
    coalesce(
        list_aggregate(
            list_transform({{ words }}, lambda w: cast(1 as uhugeint) << cast(hash(w) % 128 as uhugeint)),
            'bit_or'
        ),
        cast(0 as uhugeint)
    )
{%- endmacro %}
