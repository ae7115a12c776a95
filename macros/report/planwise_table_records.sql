{#-
  planwise_table_records(table): the rows of a query result (an agate table)
  as a list of {column: value}, numbers as floats and everything else as text
  or none, so tojson can hand them over whatever the engine's types.
-#}
{% macro planwise_table_records(table) %}
  {%- set records = [] -%}
  {%- for row in table.rows -%}
    {%- set record = {} -%}
    {%- for name in table.column_names -%}
      {%- set value = row[name] -%}
      {%- if value is none -%}
        {%- do record.update({name: none}) -%}
      {%- elif value is number and value is not boolean -%}
        {%- do record.update({name: value | float}) -%}
      {%- else -%}
        {%- do record.update({name: value | string}) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- do records.append(record) -%}
  {%- endfor -%}
  {{ return(records) }}
{% endmacro %}
