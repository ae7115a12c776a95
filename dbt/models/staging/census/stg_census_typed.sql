{{ config(materialized='ephemeral') }}

{#- The census cast to its contract types; missing required columns stop the
    build with a message naming them, missing optional columns become NULL.
    _census_file_row is the row's position in the file (1 = first data row), the
    number the census tests report as census_row; it is the last duplicate
    tie-break (named so that no census column can take its place). -#}

with census_raw as (

    select * from {{ source('census', 'census_raw') }}

),

final as (

    select
        {{ census_typed_columns(source('census', 'census_raw')) }}
    from census_raw

)

select * from final
