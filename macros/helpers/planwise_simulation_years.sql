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
