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

{#- A var holding an ISO date, as a typed SQL date literal. -#}
{% macro date_var(name) -%}
  cast('{{ var(name) }}' as date)
{%- endmacro %}

{#- The simulation years from var simulation_start_year to simulation_end_year
    (inclusive), as a relation with one integer column `simulation_year`. -#}
{% macro planwise_simulation_years() -%}
  {%- set start_year = var('simulation_start_year') | int -%}
  {%- set end_year = var('simulation_end_year') | int -%}
  {%- if end_year < start_year -%}
    {{ exceptions.raise_compiler_error(
      "simulation_end_year (" ~ end_year ~ ") is before simulation_start_year ("
      ~ start_year ~ "): fix the vars in your configuration.") }}
  {%- endif -%}
  {%- for year in range(start_year, end_year + 1) %}
  select cast({{ year }} as integer) as simulation_year{{ " union all" if not loop.last }}
  {%- endfor %}
{%- endmacro %}
