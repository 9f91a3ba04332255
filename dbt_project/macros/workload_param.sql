{#- CASE over workload picking the var <prefix>_<workload> (rack_density_kw_*, load_factor_*). -#}
{% macro workload_param(workload_expr, prefix) -%}
    case {{ workload_expr }}
        when 'training' then cast({{ var(prefix ~ '_training') }} as double)
        when 'inference' then cast({{ var(prefix ~ '_inference') }} as double)
        else cast({{ var(prefix ~ '_mixed') }} as double)
    end
{%- endmacro %}
