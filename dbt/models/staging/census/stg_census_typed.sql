{{ config(materialized='ephemeral') }}

{#- The census cast to its contract types; missing required columns stop the
    build with a message naming them, missing optional columns become NULL.
    census_row is the row's position in the file (1 = first data row), the same
    number the census tests report; it is the last duplicate tie-break. -#}

with census_raw as (

    select * from {{ source('census', 'census_raw') }}

),

final as (

    select
        {{ census_typed_columns(source('census', 'census_raw')) }},
        row_number() over () as census_row
    from census_raw

)

select * from final
