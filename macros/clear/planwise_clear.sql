{#-
  Clearing the relations the PlanWise setup owns.

  Owned = (a) tables and views in the target schema whose names START with one
  of the owned prefixes (stg_, int_, fct_, dim_; a prefix, not a substring:
  `xstg_foo` is not owned), and (b) every relation in the stored-failures
  schema `<target schema>_validation_failures`, which holds nothing but dbt's
  stored test failures (the schema is dropped with everything in it and
  recreated empty, two statements instead of one per table). Nothing else is ever touched: seeds are replaced by the
  build itself, and user tables (e.g. `my_notes`) stay.

  Relations are discovered with the adapter's own catalog macros
  (`adapter.check_schema_exists` and the dispatched
  `list_relations_without_caching` macro),
  so no engine-specific SQL lives here. Works on an empty or brand-new database.
-#}

{#- The owned name prefixes, lower case. -#}
{% macro planwise_owned_prefixes() -%}
  {{ return(['stg_', 'int_', 'fct_', 'dim_']) }}
{%- endmacro %}

{#- The dedicated schema that holds stored test failures. -#}
{% macro planwise_failures_schema() -%}
  {{ return(target.schema ~ '_validation_failures') }}
{%- endmacro %}

{#- The owned relations that exist now, as a list of Relation objects. -#}
{% macro planwise_owned_relations() %}
  {%- set prefixes = planwise_owned_prefixes() -%}
  {%- set failures_schema = planwise_failures_schema() -%}
  {%- set owned = [] -%}
  {%- for schema_name in [target.schema, failures_schema] -%}
    {%- if adapter.check_schema_exists(target.database, schema_name) -%}
      {%- set schema_relation = api.Relation.create(database=target.database, schema=schema_name) -%}
      {%- for row in list_relations_without_caching(schema_relation) -%}
        {%- set relation = api.Relation.create(database=row['database'], schema=row['schema'],
                                               identifier=row['name'], type=row['type']) -%}
        {%- set name = row['name'] | lower -%}
        {%- set ns = namespace(matches=(schema_name == failures_schema)) -%}
        {%- for prefix in prefixes -%}
          {%- if name.startswith(prefix) -%}{%- set ns.matches = true -%}{%- endif -%}
        {%- endfor -%}
        {%- if ns.matches -%}{%- do owned.append(relation) -%}{%- endif -%}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(owned) }}
{% endmacro %}

{#-
  Drop (or, with dry_run, only list) the owned relations.
  Called by `planwise-run clear` through run-operation and, inside the setup's
  single dbt invocation, by the on-run-start hook when var planwise_clear is
  true. Emits one structured log line `planwise_clear: {json}` (relations,
  dry_run) for the runner, plus one human-readable line per relation.
-#}
{% macro planwise_clear_owned(dry_run=false) %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set owned = planwise_owned_relations() -%}
  {%- set failures_schema = planwise_failures_schema() -%}
  {%- set names = [] -%}
  {%- set ns = namespace(failures=0) -%}
  {%- for relation in owned -%}
    {%- do names.append({'schema': relation.schema, 'name': relation.identifier,
                         'type': (relation.type or 'table') | string}) -%}
    {%- set label = relation.type ~ ' ' ~ relation.schema ~ '.' ~ relation.identifier -%}
    {%- if relation.schema == failures_schema -%}
      {#- the whole schema is owned: dropped below in one statement -#}
      {%- set ns.failures = ns.failures + 1 -%}
      {%- do log(('would drop ' if dry_run else 'dropped ') ~ label, info=false) -%}
    {%- elif dry_run -%}
      {%- do log('would drop ' ~ label, info=true) -%}
    {%- else -%}
      {%- do adapter.drop_relation(relation) -%}
      {%- do log('dropped ' ~ label, info=true) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if ns.failures > 0 -%}
    {%- if not dry_run -%}
      {#- dbt created its schemas before this hook runs: recreate it empty -#}
      {%- set schema_relation = api.Relation.create(database=target.database, schema=failures_schema) -%}
      {%- do adapter.drop_schema(schema_relation) -%}
      {%- do adapter.create_schema(schema_relation) -%}
    {%- endif -%}
    {%- do log(('would drop ' if dry_run else 'dropped ') ~ 'schema ' ~ failures_schema ~ ' with its '
               ~ ns.failures ~ ' stored-failure relation(s)', info=true) -%}
  {%- endif -%}
  {%- if not dry_run and owned | length > 0 -%}
    {%- do adapter.commit() -%}
  {%- endif -%}
  {%- do log('planwise_clear: ' ~ tojson({'dry_run': dry_run, 'relations': names}), info=false) -%}
  {{ return('') }}
{% endmacro %}
