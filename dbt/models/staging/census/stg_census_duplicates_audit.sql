with census as (

    select * from {{ ref('stg_census_typed') }}

),

ranked as (

    select
        employee_id,
        employee_ssn,
        employee_hire_date,
        employee_gross_compensation,
        count(*) over (partition by employee_id) as duplicate_count,
        row_number() over (
            partition by employee_id
            order by {{ census_duplicate_order() }}
        ) as duplicate_rank
    from census

),

duplicated as (

    select * from ranked
    where duplicate_count > 1

),

kept as (

    select
        employee_id,
        employee_hire_date as kept_hire_date,
        employee_gross_compensation as kept_gross_compensation,
        employee_ssn as kept_ssn
    from duplicated
    where duplicate_rank = 1

),

final as (

    select
        duplicated.employee_id,
        duplicated.employee_ssn,
        duplicated.employee_hire_date,
        duplicated.employee_gross_compensation,
        cast(duplicated.duplicate_count as integer) as duplicate_count,
        cast(duplicated.duplicate_rank as integer) as duplicate_rank,
        case when duplicated.duplicate_rank = 1 then 'KEPT' else 'DROPPED' end as resolution,
        case
            when duplicated.duplicate_rank = 1
                then 'latest hire date, then highest pay, lowest SSN, first in the file'
            when duplicated.employee_hire_date < kept.kept_hire_date
                then 'earlier hire date than the kept row'
            when duplicated.employee_gross_compensation < kept.kept_gross_compensation
                then 'same hire date, lower pay than the kept row'
            when coalesce(duplicated.employee_ssn, '') != coalesce(kept.kept_ssn, '')
                then 'same hire date and pay as the kept row, a higher SSN (or none)'
            else 'same hire date, pay and SSN as the kept row, later in the file'
        end as resolution_reason
    from duplicated
    inner join kept
        on duplicated.employee_id = kept.employee_id

)

select * from final
