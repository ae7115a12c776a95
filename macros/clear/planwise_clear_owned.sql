{#-
  Drop (or, with dry_run, only list) the owned relations.
  Called by `planwise-run clear` through run-operation and, inside the setup's
  single dbt invocation, by the on-run-start hook when var planwise_clear is
  true. Logs one line per relation and returns the relations as a
  planwise_hook_payload comment (the hook's compiled code, which dbt records in
  run_results.json for the runner's report).
-#}
{% macro planwise_clear_owned(dry_run=false) %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- do planwise_validate_vars() -%}{#- run-operation has no on-run-start: clear_keep must be checked -#}
  {%- set owned = planwise_owned_relations() -%}
  {%- set failures_schema = planwise_failures_schema() -%}
  {%- set names = [] -%}
  {%- set ns = namespace(failures=0, dropped=0) -%}
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
      {%- set ns.dropped = ns.dropped + 1 -%}
      {%- do log('dropped ' ~ label, info=true) -%}
    {%- endif -%}
  {%- endfor -%}
  {#- commit the drops before the schema statements, which commit on their own -#}
  {%- do adapter.commit() if ns.dropped > 0 -%}
  {%- if ns.failures > 0 -%}
    {%- if not dry_run -%}
      {#- dbt created its schemas before this hook runs: recreate it empty -#}
      {%- set schema_relation = api.Relation.create(database=target.get('database'), schema=failures_schema) -%}
      {%- do adapter.drop_schema(schema_relation) -%}
      {%- do adapter.create_schema(schema_relation) -%}
    {%- endif -%}
    {%- do log(('would drop ' if dry_run else 'dropped ') ~ 'schema ' ~ failures_schema ~ ' with its '
               ~ ns.failures ~ ' stored-failure relation(s)', info=true) -%}
  {%- endif -%}
  {%- if not dry_run and owned | length > 0 -%}
    {%- do planwise_release_space() -%}
  {%- endif -%}
  {{ return(planwise_hook_payload({'cleared': names, 'dry_run': dry_run})) }}
{% endmacro %}
