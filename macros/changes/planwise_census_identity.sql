{#-
  planwise_census_identity(): what the history records as this run's census:
  on DuckDB the census file's path (planwise_census_path), elsewhere the
  loaded census table the census source names.
-#}
{% macro planwise_census_identity() %}
  {%- if target.type == 'duckdb' -%}{{ return(planwise_census_path() | string) }}{%- endif -%}
  {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'census') | list -%}
  {{ return(sources[0].relation_name if sources else none) }}
{% endmacro %}
