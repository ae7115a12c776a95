{#-
  planwise_census_values_convert: one failing row per census value that does
  not convert to its contract type (census_contract), with `census_row` (the
  row's position in the file, 1 = the first data row; a CSV's line is one
  more, for the header), the column, the value as text and the type it should
  have. NULLs are not judged here (census_raw_required_fields_not_null does).
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
        *
    from {{ model }}

),

final as (

    {% for column, data_type in checks %}
    select
        census_row,
        cast('{{ column }}' as {{ dbt.type_string() }}) as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as census_value,
        cast('{{ data_type }}' as {{ dbt.type_string() }}) as expected_type
    from census_rows
    where {{ column }} is not null and {{ planwise_try_cast(column, data_type) }} is null
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select
        cast(null as integer) as census_row,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as census_value,
        cast(null as {{ dbt.type_string() }}) as expected_type
    where 1 = 0
    {% endfor %}

)

select * from final

{% endtest %}
