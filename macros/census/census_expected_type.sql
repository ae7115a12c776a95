{#-
  census_expected_type(column, data_type, physical): the type a census value
  should convert to, as census_raw_values_convert shows it: a date read with
  var census_date_format names the formats it tried.
-#}
{% macro census_expected_type(column, data_type, physical) %}
  {%- set formats = census_date_formats() -%}
  {%- if formats and data_type | lower == 'date' and census_convert(column, data_type, physical).startswith('cast(try_strptime') -%}
    {{ return(data_type ~ ' (as ' ~ formats | join(' or ') ~ ')') }}
  {%- endif -%}
  {{ return(data_type) }}
{% endmacro %}
