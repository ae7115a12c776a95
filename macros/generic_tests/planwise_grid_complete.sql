{#-
  planwise_grid_complete: a hazard grid must hold exactly one cell per
  simulation year (vars simulation_start_year..simulation_end_year, column
  `year`) x job level (`levels`, a ref to the job levels with column
  level_id) x tenure band x age band (`tenure_bands`, `age_bands`: refs to
  the band staging models with column band_label). Fails with one row per
  missing cell (`cell_issue` = 'missing') and per cell outside that space
  (`cell_issue` = 'unexpected').
-#}
{% test planwise_grid_complete(model, levels, tenure_bands, age_bands) %}

with grid as (

    select * from {{ model }}

),

simulation_years as (

    {{ planwise_simulation_years() }}

),

job_levels as (

    select distinct level_id from {{ levels }}

),

tenure_bands as (

    select distinct band_label from {{ tenure_bands }}

),

age_bands as (

    select distinct band_label from {{ age_bands }}

),

expected_cells as (

    select
        simulation_years.simulation_year as year,
        job_levels.level_id,
        tenure_bands.band_label as tenure_band,
        age_bands.band_label as age_band
    from simulation_years
    cross join job_levels
    cross join tenure_bands
    cross join age_bands

),

actual_cells as (

    select distinct year, level_id, tenure_band, age_band
    from grid

),

missing_cells as (

    select
        expected_cells.*,
        cast('missing' as {{ dbt.type_string() }}) as cell_issue
    from expected_cells
    left join actual_cells
        on
            expected_cells.year = actual_cells.year
            and expected_cells.level_id = actual_cells.level_id
            and expected_cells.tenure_band = actual_cells.tenure_band
            and expected_cells.age_band = actual_cells.age_band
    where actual_cells.year is null

),

unexpected_cells as (

    select
        actual_cells.*,
        cast('unexpected' as {{ dbt.type_string() }}) as cell_issue
    from actual_cells
    left join expected_cells
        on
            actual_cells.year = expected_cells.year
            and actual_cells.level_id = expected_cells.level_id
            and actual_cells.tenure_band = expected_cells.tenure_band
            and actual_cells.age_band = expected_cells.age_band
    where expected_cells.year is null

),

final as (

    select * from missing_cells
    union all
    select * from unexpected_cells

)

select * from final

{% endtest %}
