{#- planwise_median: the median of `expression`, interpolated between the two middle values. -#}
{% macro planwise_median(expression) -%}
  {{ return(adapter.dispatch('planwise_median', 'planwise')(expression)) }}
{%- endmacro %}

{% macro default__planwise_median(expression) -%}
  percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__planwise_median(expression) -%}
  percentile({{ expression }}, 0.5)
{%- endmacro %}
