{#-
  planwise_census_values_convert: one failing row per census value that does
  not convert to its contract type (census_contract), with `census_line`
  (where to look: 'line N' of a CSV, 'row N' of Parquet, census_place), the
  row's employee_id, the column, the value as text, the type it should have
  and `census_row` (the row's position, 1 = the first data row). NULLs are not judged here (census_raw_required_fields_not_null does).
  A column whose type cannot hold its contract type at all (nested, binary)
  stops the test with an error naming both types (census_refuse_unfit_columns).
-#}
{% test planwise_census_values_convert(model) %}

{%- set contract = census_contract() -%}
{%- set physical = census_physical_columns(model) -%}
{%- set present = physical | map(attribute='name') | map('lower') | list -%}
{%- do census_refuse_unfit_columns(model, physical) -%}
{%- set checks = [] -%}
{%- for kind in ['required', 'optional'] -%}
  {%- for column, data_type in contract[kind].items() if column in present -%}
    {%- do checks.append((column, data_type)) -%}
  {%- endfor -%}
{%- endfor -%}

with census_rows as (

    select
        {{ census_file_row(present) }} as census_row,
        {{ census_place(census_file_row(present)) }} as census_line,
        *
    from {{ model }}

),

final as (

    {% for column, data_type in checks %}
    select
        census_line,
        cast({{ 'employee_id' if 'employee_id' in present else 'null' }} as {{ dbt.type_string() }}) as employee_id,
        cast('{{ column }}' as {{ dbt.type_string() }}) as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as census_value,
        cast({{ planwise_string_literal(census_expected_type(column, data_type, physical)) }} as {{ dbt.type_string() }}) as expected_type,
        census_row
    from census_rows
    where {{ column }} is not null and {{ census_convert(column, data_type, physical) }} is null
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as census_line,
        cast(null as {{ dbt.type_string() }}) as employee_id,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as census_value,
        cast(null as {{ dbt.type_string() }}) as expected_type,
        cast(null as integer) as census_row
    where 1 = 0
    {% endfor %}

)

select * from final

{% endtest %}
