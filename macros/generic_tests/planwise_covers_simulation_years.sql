{#-
  planwise_covers_simulation_years: every year of the simulation horizon (vars
  simulation_start_year..simulation_end_year) must appear in `column_name`.
  Fails with one row per missing year (`missing_year`).
-#}
{% test planwise_covers_simulation_years(model, column_name) %}

with source_rows as (

    select * from {{ model }}

),

simulation_years as (

    {{ planwise_simulation_years() }}

),

present_years as (

    select distinct cast({{ column_name }} as integer) as present_year
    from source_rows

),

final as (

    select simulation_years.simulation_year as missing_year
    from simulation_years
    left join present_years
        on simulation_years.simulation_year = present_years.present_year
    where present_years.present_year is null

)

select * from final

{% endtest %}
