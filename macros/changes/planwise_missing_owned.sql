{#-
  planwise_missing_owned(database): the names of the project's seeds and
  stored models (from dbt's graph; ephemeral models have no relation) that the
  database `database` (e.g. a DuckDB file attached by planwise_attach_live)
  lacks, sorted. Relations are listed by planwise_schema_relations, one schema
  at a time.
-#}
{% macro planwise_missing_owned(database) %}
  {%- set wanted = planwise_owned_wanted() -%}
  {%- set present = [] -%}
  {%- for schema_name in wanted | map(attribute='schema') | unique -%}
    {%- for relation in planwise_schema_relations(schema_name, database) -%}
      {%- do present.append(schema_name ~ '.' ~ relation.identifier | lower) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- set missing = [] -%}
  {%- for relation in wanted if relation.schema ~ '.' ~ relation.name not in present -%}
    {%- do missing.append(relation.name) -%}
  {%- endfor -%}
  {{ return(missing | sort) }}
{% endmacro %}
