{#-
  planwise_band_labels_match: the set of band labels in `column_name` must
  equal the set in `field` of `to` (the band seeds config_age_bands and
  config_tenure_bands define the labels the baseline assigns). Fails with one
  row per label missing from the model (`missing`) or not defined by the band
  seed (`unknown`, e.g. a typo such as '65 +').
  Arguments: to (a relation), field.
-#}
{% test planwise_band_labels_match(model, column_name, to, field) %}

with source_rows as (

    select * from {{ model }}

),

actual_labels as (

    select distinct {{ column_name }} as band_label
    from source_rows
    where {{ column_name }} is not null

),

expected_labels as (

    select distinct {{ field }} as band_label
    from {{ to }}
    where {{ field }} is not null

),

missing_labels as (

    select
        expected_labels.band_label,
        cast('missing' as {{ dbt.type_string() }}) as label_issue
    from expected_labels
    left join actual_labels
        on expected_labels.band_label = actual_labels.band_label
    where actual_labels.band_label is null

),

unknown_labels as (

    select
        actual_labels.band_label,
        cast('unknown' as {{ dbt.type_string() }}) as label_issue
    from actual_labels
    left join expected_labels
        on actual_labels.band_label = expected_labels.band_label
    where expected_labels.band_label is null

),

final as (

    select * from missing_labels
    union all
    select * from unknown_labels

)

select * from final

{% endtest %}
