{#-
  planwise_seed_value_checks: one query over a seed file read as text that
  returns (line, column, value, what is wrong, rank within the column, count
  in the column) for every value that does not fit its declared type, and one
  row of NULLs when every value fits (so an empty result means no data rows).
  Values are trimmed and empty means NULL, as the loader reads them.
  `file_rows`: a query over the file's rows as text, with each row's line in
  the file as planwise_line (the header is line 1).
-#}
{% macro planwise_seed_value_checks(file_rows, names, declared) %}
  {%- set checks = [] -%}
  {%- for name in names -%}
    {%- set rule = planwise_seed_type_rule(declared.get(name, 'varchar')) -%}
    {%- if rule -%}
      {%- set value = "nullif(trim(" ~ planwise_quote_column(name) ~ "), '')" -%}
      {%- do checks.append(
        "select planwise_line as line, " ~ planwise_string_literal(name) ~ " as column_name, " ~ value ~ " as value, "
        ~ rule.replace('{v}', value) ~ " as problem from file_rows") -%}
    {%- endif -%}
  {%- endfor -%}
with file_rows as (
    {{ file_rows }}
),
checked as (
    {%- set text = dbt.type_string() %}
    {{ checks | join('\nunion all\n') if checks else "select cast(null as bigint) as line, cast(null as " ~ text ~ ") as column_name, cast(null as " ~ text ~ ") as value, cast(null as " ~ text ~ ") as problem" }}
),
failing as (
    select
        line, column_name, value, problem,
        row_number() over (partition by column_name order by line) as rank_in_column,
        count(*) over (partition by column_name) as count_in_column
    from checked
    where problem is not null
),
final as (
    select * from failing
    union all
    select null, null, null, null, null, null
    where exists (select 1 from file_rows) and not exists (select 1 from failing)
)
select * from final order by line, column_name
{%- endmacro %}
