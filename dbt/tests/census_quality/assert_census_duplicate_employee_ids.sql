{%- set error_above = var('validation_census_duplicates_error_above') -%}
{{ config(
    severity='error' if error_above is not none else 'warn',
    warn_if='>' ~ var('validation_census_duplicates_warn_above'),
    error_if=('>' ~ error_above) if error_above is not none else '!=0'
) }}

{#-
  Duplicated employee_ids in the census, from stg_census_duplicates_audit: one
  failing row per duplicated id with how many rows it had and which row was
  kept, so `failures` is the number of duplicated employees. Warns above
  var validation_census_duplicates_warn_above (default 0) and errors above
  var validation_census_duplicates_error_above (default null: severity warn,
  never an error).
-#}

with audit as (

    select * from {{ ref('stg_census_duplicates_audit') }}

),

final as (

    select
        employee_id,
        duplicate_count,
        employee_ssn as kept_employee_ssn,
        employee_hire_date as kept_hire_date,
        employee_gross_compensation as kept_gross_compensation
    from audit
    where resolution = 'KEPT'

)

select * from final
