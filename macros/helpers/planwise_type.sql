{#-
  planwise_type: this engine's name for a column type, from var planwise_types
  (varchar, double, timestamptz; integer is int on Spark); any other type name (integer, bigint,
  boolean, date, timestamp) is the same everywhere and returned unchanged.
-#}
{% macro planwise_type(name) -%}
  {{- var('planwise_types').get(target.type, {}).get(name, name) -}}
{%- endmacro %}
