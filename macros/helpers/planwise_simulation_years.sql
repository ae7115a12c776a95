{#- The simulation years from var simulation_start_year to simulation_end_year
    (inclusive), as a relation with one integer column `simulation_year`.
    Years the wrong way round give no rows here; planwise_validate_vars stops
    the run on them before any model is built. -#}
{% macro planwise_simulation_years() -%}
  {%- set start_year = var('simulation_start_year') | int -%}
  {%- set end_year = var('simulation_end_year') | int -%}
  {%- for year in range(start_year, end_year + 1) %}
  select cast({{ year }} as integer) as simulation_year{{ " union all" if not loop.last }}
  {%- else %}
  select cast(null as integer) as simulation_year where 1 = 0
  {%- endfor %}
{%- endmacro %}
