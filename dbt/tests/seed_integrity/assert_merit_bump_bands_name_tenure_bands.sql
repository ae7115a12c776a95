{{ config(severity='warn') }}

{#-
  Every label in merit_tenure_bump_bands (config_raises_hazard, a Python-list
  literal such as ['< 2', '2-4']) names a tenure band of config_tenure_bands,
  written exactly as the merit grid matches it: the band label in single
  quotes. A label that names no band (PlanWise's own seed lists '<1', '1-3',
  '3-5', none of them a band) means the tenure bump silently never applies.
  One failing row per such label, with the labels the bands define.
  Warn: the grid still builds, and the bump is only read for a year and level
  without a merit lever.
-#}

with raises as (

    select * from {{ ref('stg_config_raises_hazard') }}

),

tenure_bands as (

    select * from {{ ref('stg_config_tenure_bands') }}

),

bump_lists as (

    select
        merit_tenure_bump_bands,
        replace(replace(merit_tenure_bump_bands, '[', ''), ']', '') as bare_list
    from raises
    where merit_tenure_bump_bands is not null

),

bump_items as (

    select
        merit_tenure_bump_bands,
        {{ planwise_list_items('bare_list') }} as raw_item
    from bump_lists

),

listed_bands as (

    select
        merit_tenure_bump_bands,
        trim(raw_item) as listed_band
    from bump_items

),

known as (

    select
        {{ dbt.listagg("'''' || band_label || ''''", "', '", "order by min_value") }} as known_tenure_bands
    from tenure_bands

),

final as (

    select
        listed_bands.merit_tenure_bump_bands,
        listed_bands.listed_band,
        known.known_tenure_bands
    from listed_bands
    cross join known
    left join tenure_bands
        on listed_bands.listed_band = '''' || tenure_bands.band_label || ''''
    where
        listed_bands.listed_band <> ''
        and tenure_bands.band_label is null

)

select * from final
