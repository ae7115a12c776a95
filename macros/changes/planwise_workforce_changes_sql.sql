{#- The census and baseline measures of the live and the built database, old -> new. -#}
{% macro planwise_workforce_changes_sql(old_census, old_baseline, new_census, new_baseline) %}
with
  old_measures as (
    {{ planwise_workforce_measures(old_census, old_baseline) | indent(4) }}
  ),

  new_measures as (
    {{ planwise_workforce_measures(new_census, new_baseline) | indent(4) }}
  ),

  final as (
    select
      coalesce(new_measures.part, old_measures.part) as part,
      coalesce(new_measures.measure, old_measures.measure) as measure,
      coalesce(new_measures.bucket, old_measures.bucket) as bucket,
      old_measures.measure_value as old_value,
      new_measures.measure_value as new_value
    from old_measures
    full outer join new_measures
      on
        old_measures.part = new_measures.part
        and old_measures.measure = new_measures.measure
        and old_measures.bucket = new_measures.bucket
  )

select * from final
order by part, measure, bucket
{% endmacro %}
