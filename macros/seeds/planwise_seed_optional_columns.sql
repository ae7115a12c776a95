{#-
  planwise_seed_optional_columns: the declared columns of a seed that its file
  may leave out (column `meta: {optional: true}` in the seed's YAML). A file
  without them still loads: the table gets them as typed NULL columns, so
  readers find every declared column whatever the file's age.
-#}
{% macro planwise_seed_optional_columns(seed) %}
  {%- set declared = seed.config.get('column_types') or {} -%}
  {%- set optional = [] -%}
  {%- for name, column in (seed.columns or {}).items() if name in declared -%}
    {%- set meta = column.meta or (column.config or {}).get('meta') or {} -%}
    {%- if meta.get('optional') -%}{%- do optional.append(name) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(optional) }}
{% endmacro %}
