{#-
  Publishing a setup built into a candidate schema (engines other than DuckDB,
  where the runner copies and renames the database file instead).
  `planwise-run setup --target <engine>` builds into `<schema>__candidate`
  and, when no error-level check failed, calls planwise_publish_schema through
  run-operation; planwise_drop_candidate discards a candidate. Both act on the
  schema and its stored-failures schema (planwise_failures_schema's suffix).
  `run`, the setup's history row (planwise_setup_record), is added to the live
  schema's history table (planwise_history_relation) as part of publishing.
-#}

{% macro planwise_publish_schema(candidate, live, run=none) -%}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- do adapter.dispatch('planwise_publish_schema', 'planwise')(candidate, live, run) -%}
  {%- do log('published ' ~ candidate ~ ' as ' ~ live, info=true) -%}
{%- endmacro %}

{#-
  PostgreSQL: one transaction (its DDL is transactional), so readers see the
  old tables or the new ones, never a mix, and a failure or a kill rolls it all
  back. The live schema itself stays (its grants, functions, sequences and
  your own tables with it): the live relations the setup replaces (namesakes
  of the candidate's, and owned ones it no longer builds) move into
  `<live>__previous`, after the ones already there are dropped (never with
  cascade: a view of yours over one of them stops the publication, naming
  it), and the candidate's relations move into the live schema. The
  stored-failures schema, entirely the setup's, is swapped by renaming.
-#}
{% macro postgres__planwise_publish_schema(candidate, live, run) -%}
  {%- set previous = live ~ '__previous' -%}
  {%- set built = planwise_schema_relations(candidate) -%}
  {%- set names = [] -%}
  {%- for relation in built -%}{%- do names.append(relation.identifier) -%}{%- endfor -%}
  {%- set owned = [] -%}
  {%- for relation in planwise_owned_relations() if relation.schema == live -%}
    {%- do owned.append(relation.identifier) -%}
  {%- endfor -%}
  {%- set failures_pair = planwise_schema_pairs(candidate, live)[1] -%}
  {%- call statement('planwise_publish') -%}
    {%- for relation in planwise_schema_relations(previous) %}
    drop {{ relation.type }} {{ relation }};
    {%- endfor %}
    create schema if not exists {{ adapter.quote(previous) }};
    create schema if not exists {{ adapter.quote(live) }};
    {%- for relation in planwise_schema_relations(live) if relation.identifier in names or relation.identifier in owned %}
    alter {{ relation.type }} {{ relation }} set schema {{ adapter.quote(previous) }};
    {%- endfor %}
    {%- for relation in built %}
    alter {{ relation.type }} {{ relation }} set schema {{ adapter.quote(live) }};
    {%- endfor %}
    {%- set new, old = failures_pair %}
    drop schema if exists {{ adapter.quote(old ~ '__previous') }} cascade;
    {%- if adapter.check_schema_exists(target.get('database'), old) %}
    alter schema {{ adapter.quote(old) }} rename to {{ adapter.quote(old ~ '__previous') }};
    {%- endif %}
    {%- if adapter.check_schema_exists(target.get('database'), new) %}
    alter schema {{ adapter.quote(new) }} rename to {{ adapter.quote(old) }};
    {%- endif %}
    drop schema {{ adapter.quote(candidate) }} cascade;
  {%- endcall -%}
  {%- if run -%}{%- do planwise_insert_history(run) -%}{%- endif -%}
  {%- do adapter.commit() -%}
{%- endmacro %}

{#-
  Spark cannot rename a database or move a table between databases, so each
  candidate table is copied over its live namesake (parquet), one at a time.
  A failed setup never gets here, so the live database only ever receives a
  validated build; but a crash during this copy leaves some tables new and
  some old (run setup again). Owned live tables the setup no longer builds
  are dropped, as clearing drops them on DuckDB; your own tables stay.
-#}
{% macro spark__planwise_publish_schema(candidate, live, run) -%}
  {%- set owned = [] -%}
  {%- for relation in planwise_owned_relations() -%}{%- do owned.append(relation.identifier) -%}{%- endfor -%}
  {%- for new, old in planwise_schema_pairs(candidate, live) -%}
    {%- do adapter.create_schema(api.Relation.create(database=target.get('database'), schema=old)) -%}
    {%- set built = planwise_schema_relations(new) -%}
    {%- set names = [] -%}
    {%- for relation in built -%}{%- do names.append(relation.identifier) -%}{%- endfor -%}
    {#- replaced: namesakes, owned ones no longer built, the whole failures schema -#}
    {%- for relation in planwise_schema_relations(old)
        if relation.identifier in names or relation.identifier in owned or old != live -%}
      {%- do run_query('drop ' ~ relation.type ~ ' if exists ' ~ relation) -%}
    {%- endfor -%}
    {%- for relation in built -%}
      {%- set target_relation = api.Relation.create(schema=old, identifier=relation.identifier) -%}
      {%- do run_query('create table ' ~ target_relation ~ ' using parquet as select * from ' ~ relation) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- do planwise_drop_candidate(candidate) -%}
  {%- if run -%}{%- do planwise_insert_history(run) -%}{%- endif -%}
{%- endmacro %}

{% macro default__planwise_publish_schema(candidate, live, run) -%}
  {{ exceptions.raise_compiler_error("planwise_publish_schema: " ~ target.type ~ " publishes by "
     ~ "renaming the database file (planwise-run setup), not by schemas") }}
{%- endmacro %}
