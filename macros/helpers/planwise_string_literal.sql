{#-
  planwise_string_literal: a configuration value as a SQL string literal,
  single quotes doubled, so a value such as o'brien is data, never SQL.
-#}
{% macro planwise_string_literal(value) -%}
  {{ return(adapter.dispatch('planwise_string_literal', 'planwise')(value)) }}
{%- endmacro %}

{% macro default__planwise_string_literal(value) -%}
  '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- Spark: a backslash escapes, and two adjacent literals would concatenate. -#}
{% macro spark__planwise_string_literal(value) -%}
  '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
