{#- The low or high end of a model parameter's range: vars in dbt_project.yml may carry `low:` and `high:`
    beside `value:`; a parameter without a range (or a plain override) is its own low and high. -#}
{% macro p_low(name) -%}
    {%- set entry = var(name) -%}
    {%- if entry is mapping -%}
        {{ return(entry.get('low', entry['value'])) }}
    {%- else -%}
        {{ return(entry) }}
    {%- endif -%}
{%- endmacro %}

{% macro p_high(name) -%}
    {%- set entry = var(name) -%}
    {%- if entry is mapping -%}
        {{ return(entry.get('high', entry['value'])) }}
    {%- else -%}
        {{ return(entry) }}
    {%- endif -%}
{%- endmacro %}
