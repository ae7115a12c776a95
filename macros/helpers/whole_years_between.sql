{#-
  whole_years_between: completed years from `start_date` to `end_date` (an age
  or a tenure at a date), portable: it uses only `extract`, which DuckDB,
  PostgreSQL and Spark share. A birthday on the end date counts as completed.
-#}
{% macro whole_years_between(start_date, end_date) -%}
  (
    extract(year from {{ end_date }}) - extract(year from {{ start_date }})
    - case
        when extract(month from {{ end_date }}) * 100 + extract(day from {{ end_date }})
          < extract(month from {{ start_date }}) * 100 + extract(day from {{ start_date }})
          then 1
        else 0
      end
  )
{%- endmacro %}
