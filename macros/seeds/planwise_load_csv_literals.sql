{#-
  planwise_load_csv_literals: a seed's rows inserted as SQL literals (for the
  engines whose own loader differs from DuckDB's). Every value is a
  string literal with backslashes and quotes escaped, trimmed, empty as NULL,
  cast to its declared type, into the columns the file names (optional
  columns it leaves out stay NULL). dbt-spark turns ANSI mode off, so a value
  that does not convert would become NULL: the seed materialization checks
  every value against its type first (planwise_seed_table_problems).
-#}
{% macro planwise_load_csv_literals(model, agate_table) %}
  {%- set declared = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
      insert into {{ this.render() }} (
        {%- for column in agate_table.column_names -%}
          {{ planwise_quote_column(column) }}{{ ", " if not loop.last }}
        {%- endfor -%}
      ) values
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
