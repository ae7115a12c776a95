{#-
  Publishing a setup built into a candidate schema (engines other than DuckDB,
  where the runner copies and renames the database file instead).
  `planwise-run setup --target <engine>` builds into `<schema>__candidate`
  and, when no error-level check failed, calls planwise_publish_schema through
  run-operation; planwise_drop_candidate discards a candidate. Both act on the
  schema and its stored-failures schema (planwise_failures_schema's suffix).
-#}

{% macro planwise_publish_schema(candidate, live) -%}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- do adapter.dispatch('planwise_publish_schema', 'planwise')(candidate, live) -%}
  {%- do log('published ' ~ candidate ~ ' as ' ~ live, info=true) -%}
{%- endmacro %}

{#-
  PostgreSQL: one transaction (its DDL is transactional). Relations of the live
  schema that the setup does not own and the candidate does not have (a
  user's tables, clear_keep matches) move into the candidate; the live schema becomes `<live>__previous` (the one
  before is dropped) and the candidate takes the live name. Readers see the
  old schema or the new one, never a mix; a failure or a kill rolls it all back.
-#}
{% macro postgres__planwise_publish_schema(candidate, live) -%}
  {%- set owned = [] -%}
  {%- for relation in planwise_owned_relations() -%}{%- do owned.append(relation.identifier) -%}{%- endfor -%}
  {%- for relation in planwise_schema_relations(candidate) -%}{%- do owned.append(relation.identifier) -%}{%- endfor -%}
  {%- call statement('planwise_publish') -%}
    {%- for new, old in planwise_schema_pairs(candidate, live) %}
    drop schema if exists {{ adapter.quote(old ~ '__previous') }} cascade;
    {%- if adapter.check_schema_exists(target.get('database'), old) %}
    create schema if not exists {{ adapter.quote(new) }};
    {%- for relation in planwise_schema_relations(old) if old == live and relation.identifier not in owned %}
    alter {{ 'view' if relation.type == 'view' else 'table' }} {{ relation }} set schema {{ adapter.quote(new) }};
    {%- endfor %}
    alter schema {{ adapter.quote(old) }} rename to {{ adapter.quote(old ~ '__previous') }};
    {%- endif %}
    {%- if adapter.check_schema_exists(target.get('database'), new) %}
    alter schema {{ adapter.quote(new) }} rename to {{ adapter.quote(old) }};
    {%- endif %}
    {%- endfor %}
  {%- endcall -%}
  {%- do adapter.commit() -%}
{%- endmacro %}

{#-
  Spark cannot rename a database or move a table between databases, so each
  candidate table is copied over its live namesake (parquet), one at a time.
  A failed setup never gets here, so the live database only ever receives a
  validated build; but a crash during this copy leaves some tables new and
  some old (run setup again). Relations the setup does not build stay.
-#}
{% macro spark__planwise_publish_schema(candidate, live) -%}
  {%- for new, old in planwise_schema_pairs(candidate, live) -%}
    {%- do adapter.create_schema(api.Relation.create(database=target.get('database'), schema=old)) -%}
    {%- for relation in planwise_schema_relations(new) -%}
      {%- set target_relation = api.Relation.create(database=relation.database, schema=old,
                                                    identifier=relation.identifier, type='table') -%}
      {%- do run_query('drop table if exists ' ~ target_relation) -%}
      {%- do run_query('drop view if exists ' ~ target_relation) -%}
      {%- do run_query('create table ' ~ target_relation ~ ' using parquet as select * from ' ~ relation) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- do planwise_drop_candidate(candidate) -%}
{%- endmacro %}

{% macro default__planwise_publish_schema(candidate, live) -%}
  {{ exceptions.raise_compiler_error("planwise_publish_schema: " ~ target.type ~ " publishes by "
     ~ "renaming the database file (planwise-run setup), not by schemas") }}
{%- endmacro %}
