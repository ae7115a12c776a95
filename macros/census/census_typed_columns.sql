{#-
  census_typed_columns: the select list that converts every census column to
  its contract type (census_contract) with census_convert (dates in the
  formats of var census_date_format): a value that does not
  convert becomes NULL here and is listed, with its row, by the census_quality
  test census_raw_values_convert, which runs before any model reads the census.
  A missing required column stops the build with an error that names the file
  and the column(s); a missing optional column becomes a typed NULL; a column
  the contract does not know follows, unchanged, under its own name. Columns
  are discovered with dbt's portable get_columns_in_query. Last comes
  _census_file_row, the row's position in the file (census_file_row).
-#}
{% macro census_typed_columns(census_relation) %}
  {%- set required = census_contract().required -%}
  {%- set optional = census_contract().optional -%}
  {%- set present = [] -%}
  {%- set physical = census_physical_columns(census_relation) -%}
  {%- set columns = physical | map(attribute='name') | list -%}
  {%- set extra = census_extra_columns(census_relation, columns) -%}
  {%- if execute -%}
    {%- do census_refuse_unfit_columns(census_relation, physical) -%}
    {%- for column in columns -%}
      {%- do present.append(column | lower) -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for column in required -%}
      {%- if column not in present -%}{%- do missing.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
      {{ exceptions.raise_compiler_error(census_description(census_relation)
        ~ " is missing required column(s): "
        ~ missing | join(', ') ~ ". Required columns are: " ~ required.keys() | join(', ')
        ~ ". Add the column(s) to the census export, or point the census_path var at the right file.") }}
    {%- endif -%}
  {%- else -%}
    {%- set present = (required.keys() | list) + (optional.keys() | list) -%}
  {%- endif -%}
  {%- set selects = [] -%}
  {%- for column, data_type in required.items() -%}
    {%- do selects.append(census_convert(column, data_type, physical) ~ ' as ' ~ column) -%}
  {%- endfor -%}
  {%- for column, data_type in optional.items() -%}
    {%- set converted = census_convert(column, data_type, physical) if column in present else 'cast(null as ' ~ data_type ~ ')' -%}
    {%- do selects.append(converted ~ ' as ' ~ column) -%}
  {%- endfor -%}
  {%- for column in extra -%}
    {%- do selects.append(planwise_quote_column(column)) -%}
  {%- endfor -%}
  {%- do selects.append(census_file_row(present) ~ ' as _census_file_row') %}
    {{ selects | join(',\n    ') }}
{% endmacro %}
