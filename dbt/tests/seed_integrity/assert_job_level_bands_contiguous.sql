{{ config(severity=planwise_severity_var('validation_job_level_band_severity')) }}

{#-
  Job-level pay bands [min_compensation, max_compensation) must follow each
  other without gaps or overlaps, level by level: level n's maximum equals
  level n+1's minimum (within var validation_job_level_band_tolerance).
  One failing row per adjacent pair that breaks the rule, naming both levels,
  the defect (gap or overlap) and the range it covers. Severity from var
  validation_job_level_band_severity (warn by default: real files have gaps
  such as 80,000-81,000 and overlaps such as 275,000-300,000).
-#}

with job_levels as (

    select * from {{ ref('stg_config_job_levels') }}

),

adjacent as (

    select
        level_id as lower_level_id,
        level_name as lower_level_name,
        max_compensation as lower_band_maximum,
        lead(level_id) over (order by level_id) as upper_level_id,
        lead(level_name) over (order by level_id) as upper_level_name,
        lead(min_compensation) over (order by level_id) as upper_band_minimum
    from job_levels

),

final as (

    select
        lower_level_id,
        lower_level_name,
        upper_level_id,
        upper_level_name,
        case when upper_band_minimum > lower_band_maximum then 'gap' else 'overlap' end as band_defect,
        least(lower_band_maximum, upper_band_minimum) as range_start,
        greatest(lower_band_maximum, upper_band_minimum) as range_end,
        abs(upper_band_minimum - lower_band_maximum) as range_width
    from adjacent
    where
        upper_level_id is not null
        and abs(upper_band_minimum - lower_band_maximum) > {{ var('validation_job_level_band_tolerance') }}

)

select * from final
