{#- The tables and views of `schema` (in `database`, default the target's) as Relations (none when it does not exist). -#}
{% macro planwise_schema_relations(schema, database=target.get('database')) -%}
  {%- if not adapter.check_schema_exists(database, schema) -%}{{ return([]) }}{%- endif -%}
  {{ return(adapter.dispatch('planwise_schema_relations', 'planwise')(schema, database)) }}
{%- endmacro %}

{#- DuckDB, PostgreSQL: the adapter's listing has database, schema, name and type. -#}
{% macro default__planwise_schema_relations(schema, database) -%}
  {%- set relations = [] -%}
  {%- set schema_relation = api.Relation.create(database=database, schema=schema) -%}
  {%- for row in list_relations_without_caching(schema_relation) if row['type'] in ('table', 'view') -%}
    {%- do relations.append(api.Relation.create(database=row['database'], schema=row['schema'],
                                                identifier=row['name'], type=row['type'])) -%}
  {%- endfor -%}
  {{ return(relations) }}
{%- endmacro %}

{#- Spark: its listing (`show table extended`) names no type; SHOW VIEWS tells views apart. -#}
{% macro spark__planwise_schema_relations(schema, database) -%}
  {%- set views = [] -%}
  {%- for row in run_query('show views in ' ~ adapter.quote(schema)) -%}
    {%- do views.append(row['viewName'] | lower) -%}
  {%- endfor -%}
  {%- set relations = [] -%}
  {%- for row in run_query('show tables in ' ~ adapter.quote(schema)) if not row['isTemporary'] -%}
    {%- do relations.append(api.Relation.create(schema=schema, identifier=row['tableName'],
                                                type='view' if row['tableName'] | lower in views else 'table')) -%}
  {%- endfor -%}
  {{ return(relations) }}
{%- endmacro %}
