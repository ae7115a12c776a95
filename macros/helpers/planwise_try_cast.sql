{#- planwise_try_cast: `expression` converted to `data_type`, NULL where it does not convert. -#}
{% macro planwise_try_cast(expression, data_type) -%}
  {{ return(adapter.dispatch('planwise_try_cast', 'planwise')(expression, data_type)) }}
{%- endmacro %}

{% macro default__planwise_try_cast(expression, data_type) -%}
  try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro postgres__planwise_try_cast(expression, data_type) -%}
  {#- PostgreSQL has no try_cast: planwise_prepare_engine made one function per type. -#}
  {%- if data_type in ('text', 'varchar') -%}
    cast({{ expression }} as text)
  {%- else -%}
    {{ planwise_try_cast_function(data_type) }}(cast({{ expression }} as text))
  {%- endif -%}
{%- endmacro %}
