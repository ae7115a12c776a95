{#-
  census_convert(column, data_type, physical): a census column converted to its
  contract type, NULL where it does not convert (planwise_try_cast). A date
  held as text reads with the formats of var census_date_format when it names
  any (strptime formats, tried in order, e.g. ['%m/%d/%Y', '%d.%m.%Y'] for
  the exports of HR systems), else as ISO (YYYY-MM-DD). `physical`: the
  census's columns (census_physical_columns); a column typed DATE in the file
  is a date already, whatever the formats.
-#}
{% macro census_convert(column, data_type, physical) %}
  {%- set formats = census_date_formats() -%}
  {%- set found = physical | selectattr('name', 'in', [column, column | upper]) | map(attribute='type') | list -%}
  {%- set physical_type = (found[0] if found else 'varchar') | lower -%}
  {%- set text = physical_type.startswith(('varchar', 'text', 'string', 'char')) -%}
  {%- if formats and data_type | lower == 'date' and text -%}
    {%- set literals = [] -%}
    {%- for format in formats -%}{%- do literals.append(planwise_string_literal(format)) -%}{%- endfor -%}
    {{- 'cast(try_strptime(' ~ column ~ ', [' ~ literals | join(', ') ~ ']) as date)' -}}
  {%- else -%}
    {{- planwise_try_cast(column, data_type) -}}
  {%- endif -%}
{% endmacro %}
