{#-
  census_file_row: the expression for a census row's position in the file
  (1 = the first data row). A loaded census table (other engines) carries it as
  the column _census_file_row, written by the loader; a file DuckDB reads in
  place is numbered in the order it is read. `columns`: the census's column
  names, lower case.
-#}
{% macro census_file_row(columns) -%}
  {{- '_census_file_row' if '_census_file_row' in columns else 'row_number() over ()' -}}
{%- endmacro %}
