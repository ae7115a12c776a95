{#-
  One test for the row counts of the configuration staging models: each model
  listed below declares its bounds as model meta `row_count: {min, max}`
  (max optional), and a failing row names a model whose row count is outside
  them. One node instead of one per model; dbt runs it after all of them, so
  it gates no model (a one-row model's duplicates are its primary-key test's
  job, which does gate).

  The refs are listed here because dbt needs them when it parses the test; at
  run time the list is checked against the models that declare the meta, so a
  model given bounds and not listed (or listed without bounds) stops the test
  with a message saying which.
-#}
{%- set checked = [
    ref('stg_scenario_meta'),
    ref('stg_comp_levers'),
    ref('stg_comp_targets'),
    ref('stg_config_cola_by_year'),
    ref('stg_config_job_levels'),
    ref('stg_config_promotion_hazard_base'),
    ref('stg_config_promotion_hazard_age_multipliers'),
    ref('stg_config_promotion_hazard_tenure_multipliers'),
    ref('stg_config_termination_hazard_base'),
    ref('stg_config_termination_hazard_age_multipliers'),
    ref('stg_config_termination_hazard_tenure_multipliers'),
    ref('stg_config_raises_hazard'),
    ref('stg_config_raise_timing_distribution'),
    ref('stg_config_timing_validation_rules'),
    ref('stg_config_age_bands'),
    ref('stg_config_tenure_bands'),
] -%}
{%- set bounds = {} -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.config.meta.row_count is defined -%}
        {%- do bounds.update({node.name: node.config.meta.row_count}) -%}
    {%- endfor -%}
    {%- set listed = checked | map(attribute='identifier') | list -%}
    {%- set unlisted = bounds.keys() | reject('in', listed) | list -%}
    {%- set unbounded = listed | reject('in', bounds.keys() | list) | list -%}
    {%- if unlisted or unbounded -%}
        {{ exceptions.raise_compiler_error(
            "assert_config_staging_row_counts: the models with meta row_count and the "
            ~ "models this test lists differ: not listed " ~ (unlisted | join(', ') or 'none')
            ~ "; listed without bounds " ~ (unbounded | join(', ') or 'none')) }}
    {%- endif -%}
{%- endif -%}

{%- set mins, maxes = {}, {} -%}
{%- for relation in checked -%}
    {%- set bound = bounds.get(relation.identifier, {}) -%}
    {%- set low, high = bound.get('min'), bound.get('max') -%}
    {%- do mins.update({relation.identifier: low if low is not none else 'null'}) -%}
    {%- do maxes.update({relation.identifier: high if high is not none else 'null'}) -%}
{%- endfor %}

with counted as (

    {% for relation in checked -%}
        select
            cast({{ planwise_string_literal(relation.identifier) }} as {{ dbt.type_string() }}) as model_name,
            count(*) as row_count,
            cast({{ mins[relation.identifier] }} as {{ dbt.type_bigint() }}) as min_rows,
            cast({{ maxes[relation.identifier] }} as {{ dbt.type_bigint() }}) as max_rows
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select *
    from counted
    where row_count < min_rows or row_count > max_rows

)

select * from final
