{#-
  planwise_band_labels_match: the set of band labels in `column_name` must
  equal the labels the baseline computes (macros/helpers/bands.sql). Fails
  with one row per label that is missing from the model (`missing`) or that
  the baseline never produces (`unknown`, e.g. a typo such as '65 +').
  Arguments: bands ('age' or 'tenure'). Optional: row_condition.
-#}
{% test planwise_band_labels_match(model, column_name, bands, row_condition=none) %}

{%- if bands == 'age' -%}
  {%- set expected_bands = planwise_age_bands() -%}
{%- elif bands == 'tenure' -%}
  {%- set expected_bands = planwise_tenure_bands() -%}
{%- else -%}
  {{ exceptions.raise_compiler_error("planwise_band_labels_match: bands must be 'age' or 'tenure', got '" ~ bands ~ "'") }}
{%- endif -%}

with source_rows as (

    select * from {{ model }}
    {% if row_condition %} where {{ row_condition }} {% endif %}

),

actual_labels as (

    select distinct {{ column_name }} as band_label
    from source_rows
    where {{ column_name }} is not null

),

expected_labels as (

    {{ planwise_band_labels_relation(expected_bands) }}

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
