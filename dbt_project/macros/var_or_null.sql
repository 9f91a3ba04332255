{#- Render a numeric var as SQL, or `null` when it is unset (None / empty). -#}
{% macro var_or_null(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or value == '' -%}
        cast(null as double)
    {%- else -%}
        cast({{ value }} as double)
    {%- endif -%}
{%- endmacro %}
