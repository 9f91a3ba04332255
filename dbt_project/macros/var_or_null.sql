{#- Render a numeric parameter as SQL, or `null` when it is unset (None / empty). -#}
{% macro var_or_null(name) -%}
    {%- set value = p(name) -%}
    {%- if value is none or value == '' -%}
        cast(null as double)
    {%- else -%}
        cast({{ value }} as double)
    {%- endif -%}
{%- endmacro %}
