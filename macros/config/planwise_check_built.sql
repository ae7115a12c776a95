{#-
  planwise_check_built(): the on-run-start hook of `dbt test`. When relations
  the selected tests read are missing from the database
  (planwise_missing_relations), it stops the run with one message naming them,
  instead of one "table does not exist" error per test.
-#}
{% macro planwise_check_built() %}
  {%- set missing = planwise_missing_relations() -%}
  {%- if missing -%}
    {{ exceptions.raise_compiler_error("The database is not set up yet: " ~ missing | length
      ~ " relation(s) the tests read are missing (" ~ missing[:10] | join(', ')
      ~ (', ...' if missing | length > 10 else '') ~ "). Run `planwise-run setup` (or `dbt build --selector setup`) first.") }}
  {%- endif -%}
  {{ return('') }}
{% endmacro %}
