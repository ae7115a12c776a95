{#-
  planwise_parameters_complete: the effective parameters must hold every
  required parameter for every simulation year x job level (`levels`, a ref
  with column level_id). Required parameters come from `required_parameters`
  (a mapping event type -> list of parameter names), by default the var
  validation_required_parameters. Fails with one row per missing
  (fiscal_year, job_level, event_type, parameter_name); event types match in
  any case.
-#}
{% test planwise_parameters_complete(model, levels, required_parameters=none) %}

{%- set required = required_parameters if required_parameters is not none else var('validation_required_parameters') -%}

with parameters as (

    select * from {{ model }}

),

simulation_years as (

    {{ planwise_simulation_years() }}

),

job_levels as (

    select distinct level_id from {{ levels }}

),

required_parameters as (

    {% for event_type, names in required.items() %}
    {% set outer_last = loop.last %}
    {% for name in names %}
    select
        cast('{{ event_type | upper }}' as {{ dbt.type_string() }}) as event_type,
        cast('{{ name | lower }}' as {{ dbt.type_string() }}) as parameter_name
    {% if not (outer_last and loop.last) %}union all{% endif %}
    {% endfor %}
    {% endfor %}

),

expected as (

    select
        simulation_years.simulation_year as fiscal_year,
        job_levels.level_id as job_level,
        required_parameters.event_type,
        required_parameters.parameter_name
    from simulation_years
    cross join job_levels
    cross join required_parameters

),

final as (

    select expected.*
    from expected
    left join parameters
        on
            expected.fiscal_year = parameters.fiscal_year
            and expected.job_level = parameters.job_level
            and expected.event_type = upper(trim(parameters.event_type))
            and expected.parameter_name = parameters.parameter_name
            and parameters.parameter_value is not null
    where parameters.fiscal_year is null

)

select * from final

{% endtest %}
