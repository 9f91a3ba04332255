{#- Remove Epoch AI's inline confidence tags ('#confident', '#likely', '#speculative') from a text field. -#}
{% macro strip_epoch_tags(expr) -%}
    nullif(trim(regexp_replace({{ expr }}, '\s*#[a-z_]+', '', 'g')), '')
{%- endmacro %}
