{#- planwise_round: `expression` rounded to `digits` decimals, as the engine's round() does for doubles. -#}
{% macro planwise_round(expression, digits) -%}
  {{ return(adapter.dispatch('planwise_round', 'planwise')(expression, digits)) }}
{%- endmacro %}

{% macro default__planwise_round(expression, digits) -%}
  round({{ expression }}, {{ digits }})
{%- endmacro %}

{#- PostgreSQL rounds to decimals only for numeric (round(double precision, int) does not exist). -#}
{% macro postgres__planwise_round(expression, digits) -%}
  round(cast({{ expression }} as numeric), {{ digits }})
{%- endmacro %}
