{#-
  planwise_census_column_names: a census column the contract does not know
  whose name is a near miss of a contract column (for example deferral_rate
  for employee_deferral_rate) is probably that column misspelled, and the
  contract column is then missing (a typed NULL). Fails with one row per
  (census column, contract column) pair. Near miss: equal, ignoring case,
  after dropping the `employee_` prefix or the underscores, or within
  `max_distance` edits (planwise_edit_distance).
-#}
{% test planwise_census_column_names(model, max_distance=2) %}

{%- set known = (census_contract().required.keys() | list) + (census_contract().optional.keys() | list) -%}
{%- set extra = census_extra_columns(model) -%}

with census_columns as (

    {% for column in extra %}
    select cast({{ planwise_string_literal(column) }} as {{ dbt.type_string() }}) as census_column
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select cast(null as {{ dbt.type_string() }}) as census_column
    where 1 = 0
    {% endfor %}

),

contract_columns as (

    {% for column in known %}
    select cast('{{ column }}' as {{ dbt.type_string() }}) as contract_column
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

pairs as (

    select
        census_columns.census_column,
        contract_columns.contract_column,
        lower(census_columns.census_column) as census_name,
        contract_columns.contract_column as contract_name
    from census_columns
    cross join contract_columns

),

final as (

    select
        census_column,
        contract_column,
        {{ planwise_edit_distance('census_name', 'contract_name') }} as edit_distance
    from pairs
    where
        replace(census_name, 'employee_', '') = replace(contract_name, 'employee_', '')
        or replace(census_name, '_', '') = replace(contract_name, '_', '')
        or {{ planwise_edit_distance('census_name', 'contract_name') }} <= {{ max_distance }}

)

select * from final

{% endtest %}
