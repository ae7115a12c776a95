{#- The name of the PostgreSQL function converting text to `type`, NULL where it does not. -#}
{% macro planwise_try_cast_function(type) -%}
  {{ adapter.quote(target.schema) }}.planwise_try_cast_{{ type | replace(' ', '_') }}
{%- endmacro %}
