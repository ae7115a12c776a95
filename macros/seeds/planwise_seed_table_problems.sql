{#-
  planwise_seed_table_problems: the problems of a seed as dbt read it (agate),
  on engines that cannot read the file themselves: the header against the
  declared column_types, then every value, with the same messages as on
  DuckDB. Lines count the header as line 1 (a quoted value spanning lines
  shifts them).
-#}
{% macro planwise_seed_table_problems(seed, agate_table) %}
  {%- set delimiter = seed.config.get('delimiter') or ',' -%}
  {%- set declared = seed.config.get('column_types') or {} -%}
  {%- set names = agate_table.column_names -%}
  {%- set problems = planwise_seed_header_problems(seed.original_file_path, names | join(delimiter), delimiter, declared,
    planwise_seed_optional_columns(seed)) -%}
  {%- if problems -%}{{ return(problems) }}{%- endif -%}
  {%- set selects = [] -%}
  {%- for row in agate_table.rows -%}
    {%- set values = [(loop.index + 1) ~ ' as planwise_line'] -%}
    {%- for name in names -%}
      {%- set value = row[loop.index0] -%}
      {%- set text = planwise_string_literal(value) if value is not none else 'null' -%}
      {%- do values.append('cast(' ~ text ~ ' as ' ~ dbt.type_string() ~ ') as ' ~ planwise_quote_column(name)) -%}
    {%- endfor -%}
    {%- do selects.append('select ' ~ values | join(', ')) -%}
  {%- endfor -%}
  {%- set empty -%}
    select cast(null as bigint) as planwise_line
    {%- for name in names %}, cast(null as {{ dbt.type_string() }}) as {{ planwise_quote_column(name) }}{% endfor %}
    from (select 1 as one) as nothing where 1 = 0
  {%- endset -%}
  {{ return(planwise_seed_value_problems(seed, selects | join('\nunion all\n') if selects else empty, names)) }}
{% endmacro %}
