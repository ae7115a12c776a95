{#- planwise_percentile: the `fraction` percentile of `expression`, interpolated between neighbouring values. -#}
{% macro planwise_percentile(expression, fraction) -%}
  {{ return(adapter.dispatch('planwise_percentile', 'planwise')(expression, fraction)) }}
{%- endmacro %}

{% macro default__planwise_percentile(expression, fraction) -%}
  percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__planwise_percentile(expression, fraction) -%}
  percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
