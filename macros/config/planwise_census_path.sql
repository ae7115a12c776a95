{#-
  planwise_census_path: the census file's path as the vars give it: var
  census_parquet_path (PlanWise's own name for it) when set, else var
  census_path. planwise_validate_vars refuses both set to different files.
  The census source's external_location applies the same rule inline (macros
  are not available when source configs render).
-#}
{% macro planwise_census_path() %}
  {{ return(var('census_parquet_path', none) or var('census_path')) }}
{% endmacro %}
