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
      {{ adapter.quote(column) }}{{ "," if not loop.last }}
      {%- endfor %}
    )
    select
      {%- for column in columns %}
      nullif(trim({{ adapter.quote(column) }}), ''){{ "," if not loop.last }}
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
  Spark seed loader: dbt-spark's own inserts bound values that its session
  connection pastes into the SQL without escaping quotes, so a value such as
  ['Engineering', 'Finance'] breaks the statement. Here every value is a
  string literal with backslashes and quotes escaped, trimmed, empty as NULL,
  cast to its declared type. dbt-spark turns ANSI mode off, so a value that
  does not convert would become NULL: the seed materialization checks every
  value against its type first (planwise_seed_table_problems).
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set declared = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {%- for row in chunk %}
      (
        {%- for column in agate_table.column_names -%}
          {%- set value = row[loop.index0] -%}
          {%- set type = declared.get(column, adapter.convert_type(agate_table, loop.index0)) -%}
          {%- if value is none or (value | string | trim) == '' -%}
            cast(null as {{ type }})
          {%- else -%}
            cast({{ planwise_string_literal(value | string | trim) }} as {{ type }})
          {%- endif -%}
          {{- ", " if not loop.last -}}
        {%- endfor -%}
      ){{ "," if not loop.last }}
      {%- endfor %}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- do statements.append(sql) if loop.first -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}
