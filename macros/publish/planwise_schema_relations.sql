{#- The tables and views of `schema` (none when it does not exist). -#}
{% macro planwise_schema_relations(schema) -%}
  {%- set relations = [] -%}
  {%- if adapter.check_schema_exists(target.get('database'), schema) -%}
    {%- set schema_relation = api.Relation.create(database=target.get('database'), schema=schema) -%}
    {%- for row in list_relations_without_caching(schema_relation) if row['type'] in ('table', 'view') -%}
      {%- do relations.append(api.Relation.create(database=row['database'], schema=row['schema'],
                                                  identifier=row['name'], type=row['type'])) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(relations) }}
{%- endmacro %}
