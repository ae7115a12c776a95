{#- planwise_regex_matches: true when the whole of `expression` matches `pattern` (no backslashes: use [.]). -#}
{% macro planwise_regex_matches(expression, pattern) -%}
  {{ return(adapter.dispatch('planwise_regex_matches', 'planwise')(expression, pattern)) }}
{%- endmacro %}

{% macro default__planwise_regex_matches(expression, pattern) -%}
  regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__planwise_regex_matches(expression, pattern) -%}
  ({{ expression }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro spark__planwise_regex_matches(expression, pattern) -%}
  ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}
