{#- A model parameter's value: vars in dbt_project.yml are mappings {value, unit, source|assumption, note};
    an override on the command line (--vars '{x: 1.3}') may be a plain value. -#}
{% macro p(name) -%}
    {%- set entry = var(name) -%}
    {%- if entry is mapping -%}
        {{ return(entry['value']) }}
    {%- else -%}
        {{ return(entry) }}
    {%- endif -%}
{%- endmacro %}
