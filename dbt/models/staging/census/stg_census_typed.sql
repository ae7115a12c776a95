{{ config(materialized='ephemeral') }}

{#- The census cast to its contract types; missing required columns stop the
    build with a message naming them, missing optional columns become NULL. -#}

with census_raw as (

    select * from {{ source('census', 'census_raw') }}

),

final as (

    select
        {{ census_typed_columns(source('census', 'census_raw')) }}
    from census_raw

)

select * from final
