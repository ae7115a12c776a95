{#-
  planwise_report_figure_sql(section, relations): the aggregate query of one
  section of the visual report (see planwise_report_figures), over
  `relations` ({node name: relation}).
-#}
{% macro planwise_report_figure_sql(section, relations) %}
  {%- set number, text = planwise_type('double'), planwise_type('varchar') -%}
  {%- set effective = date_var('simulation_effective_date') -%}
  {%- if section == 'intake' %}
    with census as (

        select * from {{ relations['stg_census_data'] }}

    ),

    {#- the baseline's own rule (int_baseline_workforce) decides 'in the baseline' -#}
    classified as (

        select
            case
                when employee_hire_date > {{ effective }} then 'hired after the effective date'
                when
                    not active and employee_termination_date <= {{ effective }}
                    then 'terminated on or before the effective date'
                when
                    active
                    and employee_hire_date <= {{ effective }}
                    and (employee_termination_date is null or employee_termination_date > {{ effective }})
                    then 'in the baseline'
                when employee_hire_date is null or active is null then 'no hire date or active flag'
                else 'active flag disagrees with the termination date'
            end as outcome
        from census

    ),

    duplicates as (

        select 'duplicate employee_id, another row kept' as outcome
        from {{ relations['stg_census_duplicates_audit'] }}
        where resolution = 'DROPPED'

    ),

    final as (

        select
            outcome,
            cast(count(*) as {{ number }}) as employees
        from (
            select outcome from classified
            union all
            select outcome from duplicates
        ) as outcomes
        group by outcome

    )

    select * from final
    order by employees desc
  {%- elif section == 'levels' %}
    with baseline as (

        select
            level_id,
            current_compensation as pay,
            compensation_band_status
        from {{ relations['int_baseline_workforce'] }}

    ),

    job_levels as (

        select * from {{ relations['stg_config_job_levels'] }}

    ),

    pay as (

        select
            level_id,
            count(*) as headcount,
            min(pay) as pay_min,
            {{ planwise_percentile('pay', 0.1) }} as pay_p10,
            {{ planwise_median('pay') }} as pay_median,
            {{ planwise_percentile('pay', 0.9) }} as pay_p90,
            max(pay) as pay_max,
            sum(case when compensation_band_status = 'in_band' then 0 else 1 end) as outside_every_band
        from baseline
        group by level_id

    ),

    final as (

        select
            cast(coalesce(job_levels.level_id, pay.level_id) as {{ number }}) as level_id,
            cast(job_levels.level_name as {{ text }}) as level_name,
            cast(job_levels.min_compensation as {{ number }}) as band_min,
            cast(job_levels.max_compensation as {{ number }}) as band_max,
            cast(coalesce(pay.headcount, 0) as {{ number }}) as headcount,
            cast(pay.pay_min as {{ number }}) as pay_min,
            cast(pay.pay_p10 as {{ number }}) as pay_p10,
            cast(pay.pay_median as {{ number }}) as pay_median,
            cast(pay.pay_p90 as {{ number }}) as pay_p90,
            cast(pay.pay_max as {{ number }}) as pay_max,
            cast(coalesce(pay.outside_every_band, 0) as {{ number }}) as outside_every_band
        from job_levels
        full outer join pay
            on job_levels.level_id = pay.level_id

    )

    select * from final
    order by level_id
  {%- elif section == 'age_tenure' %}
    with baseline as (

        select * from {{ relations['int_baseline_workforce'] }}

    ),

    age_bands as (

        select * from {{ relations['stg_config_age_bands'] }}

    ),

    tenure_bands as (

        select * from {{ relations['stg_config_tenure_bands'] }}

    ),

    cells as (

        select
            age_band,
            tenure_band,
            count(*) as headcount
        from baseline
        group by age_band, tenure_band

    ),

    final as (

        select
            cast(age_bands.band_label as {{ text }}) as age_band,
            cast(tenure_bands.band_label as {{ text }}) as tenure_band,
            cast(age_bands.display_order as {{ number }}) as age_order,
            cast(tenure_bands.display_order as {{ number }}) as tenure_order,
            cast(coalesce(cells.headcount, 0) as {{ number }}) as headcount
        from age_bands
        cross join tenure_bands
        left join cells
            on age_bands.band_label = cells.age_band and tenure_bands.band_label = cells.tenure_band

    )

    select * from final
    order by age_order, tenure_order
  {%- elif section == 'eligibility' %}
    with baseline as (

        select * from {{ relations['int_baseline_workforce'] }}

    ),

    final as (

        select
            cast(coalesce(current_eligibility_status, 'unknown') as {{ text }}) as eligibility_status,
            cast(case when is_enrolled then 'enrolled' else 'not enrolled' end as {{ text }}) as enrollment,
            cast(count(*) as {{ number }}) as headcount
        from baseline
        group by
            coalesce(current_eligibility_status, 'unknown'),
            case when is_enrolled then 'enrolled' else 'not enrolled' end

    )

    select * from final
    order by eligibility_status, enrollment
  {%- elif section == 'grids' %}
    with rates as (

        select year, level_id, age_band, tenure_band, 'termination' as grid, termination_rate as rate
        from {{ relations['int_hazard_termination'] }}
        union all
        select year, level_id, age_band, tenure_band, 'promotion' as grid, promotion_rate as rate
        from {{ relations['int_hazard_promotion'] }}
        union all
        select year, level_id, age_band, tenure_band, 'merit' as grid, merit_raise as rate
        from {{ relations['int_hazard_merit'] }}

    ),

    first_year as (

        select min(year) as year from rates

    ),

    age_bands as (

        select * from {{ relations['stg_config_age_bands'] }}

    ),

    tenure_bands as (

        select * from {{ relations['stg_config_tenure_bands'] }}

    ),

    final as (

        select
            cast(rates.grid as {{ text }}) as grid,
            cast(rates.year as {{ number }}) as year,
            cast(rates.level_id as {{ number }}) as level_id,
            cast(rates.age_band as {{ text }}) as age_band,
            cast(rates.tenure_band as {{ text }}) as tenure_band,
            cast(age_bands.display_order as {{ number }}) as age_order,
            cast(tenure_bands.display_order as {{ number }}) as tenure_order,
            cast(rates.rate as {{ number }}) as rate,
            cast(case when rates.rate <= 0 or rates.rate >= 1 then 1 else 0 end as {{ number }}) as at_bound
        from rates
        inner join first_year
            on rates.year = first_year.year
        left join age_bands
            on rates.age_band = age_bands.band_label
        left join tenure_bands
            on rates.tenure_band = tenure_bands.band_label

    )

    select * from final
    order by grid, level_id, age_order, tenure_order
  {%- endif %}
{% endmacro %}
