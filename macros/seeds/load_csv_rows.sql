{#-
  DuckDB seed loader that maps CSV columns by *name*.

  dbt-duckdb's fast path runs `COPY <table> FROM '<file>'`, which maps CSV
  fields by position: a seed whose columns were reordered loads silently into
  the wrong columns. This override (dispatch finds the root project's
  `duckdb__load_csv_rows` before the adapter's) keeps the speed of a single
  set-based load but reads the file with `read_csv` and inserts each column by
  its header name. Every field is read as text, trimmed, and empty strings
  become NULL; DuckDB then casts to the column types declared in the seed's
  YAML, so a bad value fails with DuckDB's error naming the value and type.
  CRLF line endings are handled by `read_csv`.
-#}
{% macro duckdb__load_csv_rows(model, agate_table) %}
  {%- set seed_file_path = adapter.get_seed_file_path(model) | replace("'", "''") -%}
  {%- set delimiter = config.get('delimiter', ',') -%}
  {%- set columns = agate_table.column_names -%}
  {%- set sql -%}
    insert into {{ this.render() }} (
      {%- for column in columns %}
      {{ planwise_quote_column(column) }}{{ "," if not loop.last }}
      {%- endfor %}
    )
    select
      {%- for column in columns %}
      nullif(trim({{ planwise_quote_column(column) }}), ''){{ "," if not loop.last }}
      {%- endfor %}
    from read_csv(
      '{{ seed_file_path }}',
      header = true,
      all_varchar = true,
      delim = '{{ delimiter }}',
      quote = '"',
      escape = '"'
    )
  {%- endset -%}
  {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
  {{ return(sql) }}
{% endmacro %}

{#-
  Spark and PostgreSQL seed loaders: planwise_load_csv_literals. dbt-spark's
  own inserts bound values that its session connection pastes into the SQL
  without escaping quotes (['Engineering', 'Finance'] breaks the statement);
  dbt's default loader (PostgreSQL) does not trim values as the DuckDB loader
  does. Both would load the same file differently from DuckDB.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {{ return(planwise_load_csv_literals(model, agate_table)) }}
{% endmacro %}

{% macro postgres__load_csv_rows(model, agate_table) %}
  {{ return(planwise_load_csv_literals(model, agate_table)) }}
{% endmacro %}
