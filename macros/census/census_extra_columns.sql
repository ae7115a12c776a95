{#-
  census_extra_columns: the census columns the contract does not know, as
  they are spelled in the file (empty while parsing).
-#}
{% macro census_extra_columns(census_relation) %}
  {%- set known = (census_required_columns().keys() | list) + (census_optional_columns().keys() | list) -%}
  {%- set extra = [] -%}
  {%- if execute and model.resource_type != 'unit_test' -%}
    {%- for column in get_columns_in_query('select * from ' ~ census_relation) -%}
      {%- if column | lower not in known -%}{%- do extra.append(column) -%}{%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(extra) }}
{% endmacro %}
