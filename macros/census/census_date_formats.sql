{#-
  census_date_formats(): the strptime formats of var census_date_format, as a
  list (one format may be given as text); empty for ISO dates (the default).
-#}
{% macro census_date_formats() %}
  {%- set formats = var('census_date_format', []) -%}
  {%- if formats is none -%}{{ return([]) }}{%- endif -%}
  {{ return([formats] if formats is string else formats | list) }}
{% endmacro %}
