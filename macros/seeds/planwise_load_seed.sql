{#- dbt's seed materialization, refusing the seed first when it has `problems`
    (none: check the rows dbt read, planwise_seed_table_problems). Optional
    declared columns the file leaves out (planwise_seed_optional_columns) are
    added to the table as typed NULL columns; a table left by an earlier load
    whose columns are not those of this file is recreated, not truncated. -#}
{% macro planwise_load_seed(problems) %}
  {%- do planwise_refuse_seed(problems) -%}
  {%- set agate_table = load_agate_table() -%}
  {%- if problems is none -%}
    {%- do planwise_refuse_seed(planwise_seed_table_problems(model, agate_table)) -%}
  {%- endif -%}

  {%- set identifier = model['alias'] -%}
  {%- set full_refresh_mode = (should_full_refresh()) -%}
  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
  {%- set exists_as_table = (old_relation is not none and old_relation.is_table) -%}
  {%- set exists_as_view = (old_relation is not none and old_relation.is_view) -%}
  {%- set declared = model['config'].get('column_types') or {} -%}
  {%- set absent = [] -%}
  {%- for name in planwise_seed_optional_columns(model) if name not in agate_table.column_names -%}
    {%- do absent.append(api.Column.create(name, declared[name])) -%}
  {%- endfor -%}
  {%- if exists_as_table and not full_refresh_mode -%}
    {%- set expected = (agate_table.column_names | list) + (absent | map(attribute='name') | list) -%}
    {%- set existing = adapter.get_columns_in_relation(old_relation) | map(attribute='name') | list -%}
    {%- set full_refresh_mode = (existing | map('lower') | sort | list) != (expected | map('lower') | sort | list) -%}
  {%- endif -%}
  {%- set grant_config = config.get('grants') -%}
  {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set create_table_sql = "" %}
  {% if exists_as_view %}
    {{ exceptions.raise_compiler_error("Cannot seed to '{}', it is a view".format(old_relation.render())) }}
  {% elif exists_as_table %}
    {% set create_table_sql = reset_csv_table(model, full_refresh_mode, old_relation, agate_table) %}
  {% else %}
    {% set create_table_sql = create_csv_table(model, agate_table) %}
  {% endif %}

  {#- a table created now (Spark always recreates it) lacks the absent optional columns -#}
  {% if absent and (full_refresh_mode or not exists_as_table or target.type == 'spark') %}
    {% do alter_relation_add_remove_columns(this.incorporate(type='table'), absent, none) %}
  {% endif %}

  {% set code = 'CREATE' if full_refresh_mode else 'INSERT' %}
  {% set rows_affected = (agate_table.rows | length) %}
  {% set sql = "" %}
  {% if rows_affected > 0 %}
    {% set sql = load_csv_rows(model, agate_table) %}
  {% endif %}

  {% call noop_statement('main', code ~ ' ' ~ rows_affected, code, rows_affected) %}
    {{ get_csv_sql(create_table_sql, sql) }};
  {% endcall %}

  {% set target_relation = this.incorporate(type='table') %}
  {% set should_revoke = should_revoke(old_relation, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
  {% do persist_docs(target_relation, model) %}
  {% if full_refresh_mode or not exists_as_table %}
    {% do create_indexes(target_relation) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmacro %}
