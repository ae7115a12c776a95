{#-
  census_extra_columns: the census columns the contract does not know, as
  they are spelled in the file (empty while parsing). `columns`, when the
  caller already read the census's column names, saves a second read.
-#}
{% macro census_extra_columns(census_relation, columns=none) %}
  {%- set known = (census_contract().required.keys() | list) + (census_contract().optional.keys() | list) + ['_census_file_row'] -%}
  {%- set extra = [] -%}
  {%- if execute and model.resource_type != 'unit_test' -%}
    {%- if columns is none -%}
      {%- set columns = get_columns_in_query('select * from ' ~ census_relation) -%}
    {%- endif -%}
    {%- for column in columns -%}
      {%- if column | lower not in known -%}{%- do extra.append(column) -%}{%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(extra) }}
{% endmacro %}
