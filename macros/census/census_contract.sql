{#-
  census_contract: the census columns and their types, read from the one place
  they are declared, the `census.census_raw` source's columns (data_type, and
  meta.required for the required ones): {'required': {name: type},
  'optional': {name: type}}. Empty while dbt parses and in unit tests (no graph of sources there).
-#}
{% macro census_contract() %}
  {%- set contract = {'required': {}, 'optional': {}} -%}
  {%- if execute -%}
    {%- for node in graph.get('sources', {}).values() if node.source_name == 'census' and node.name == 'census_raw' -%}
      {%- for column in node.columns.values() -%}
        {%- do contract['required' if column.meta.get('required') else 'optional'].update({column.name: column.data_type}) -%}
      {%- endfor -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(contract) }}
{% endmacro %}
