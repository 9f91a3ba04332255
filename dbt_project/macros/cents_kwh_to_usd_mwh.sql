{#- 1 cent/kWh = 10 USD/MWh (x 1000 kWh/MWh / 100 cents/USD). -#}
{% macro cents_kwh_to_usd_mwh(expr) -%}
    ({{ expr }} * 10.0)
{%- endmacro %}
