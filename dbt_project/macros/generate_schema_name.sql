{#- Use the custom schema name as is (staging, intermediate, marts), not <target>_<custom>:
    the warehouse contract names the schemas exactly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
