{#-
  census_unfit_columns: the contract columns whose physical type cannot hold
  their declared type, whatever the values: nested (STRUCT, MAP, UNION, a
  list or array) or binary. [{'name', 'type', 'declared'}].
-#}
{% macro census_unfit_columns(columns) %}
  {%- set contract = census_contract() -%}
  {%- set declared = {} -%}
  {%- do declared.update(contract.required) -%}
  {%- do declared.update(contract.optional) -%}
  {%- set unfit = [] -%}
  {%- for column in columns if column.name | lower in declared -%}
    {%- set type = column.type | lower -%}
    {%- set nested = type.startswith(('struct', 'map', 'union', 'list', 'array', 'row')) or type.endswith(']') or '<' in type -%}
    {%- set binary = type.split('(')[0] in ['blob', 'bytea', 'binary', 'varbinary', 'bytes'] -%}
    {%- if nested or binary -%}
      {%- do unfit.append({'name': column.name, 'type': column.type, 'declared': declared[column.name | lower]}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(unfit) }}
{% endmacro %}
