{#-
  planwise_string_literal: a configuration value as a SQL string literal,
  single quotes doubled, so a value such as o'brien is data, never SQL.
-#}
{% macro planwise_string_literal(value) -%}
  '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
