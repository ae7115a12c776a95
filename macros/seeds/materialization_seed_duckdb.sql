{#-
  The seed materialization: dbt's own (global project), with one step in
  front that refuses a seed with problems, each naming file, line and column,
  so a plain `dbt build` refuses bad seeds as clearly as the runner. On DuckDB
  planwise_seed_file_problems reads the file itself before dbt does (agate
  stops at the first malformed row without naming it); PostgreSQL and Spark
  check the rows dbt read (planwise_seed_table_problems), with the same rules.
-#}
{% materialization seed, adapter='duckdb' %}
  {{ return(planwise_load_seed(planwise_seed_file_problems(model))) }}
{% endmaterialization %}
