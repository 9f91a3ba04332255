{#- Lower-case ASCII slug: runs of anything but a-z0-9 become one '-', trimmed at both ends. -#}
{% macro slugify(expr) -%}
    trim(regexp_replace(lower(strip_accents(coalesce({{ expr }}, ''))), '[^a-z0-9]+', '-', 'g'), '-')
{%- endmacro %}
