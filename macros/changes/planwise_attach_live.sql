{#-
  planwise_attach_live(live): where the live database's relations are, as
  {'database': ..., 'schema': ..., 'attached': bool}. DuckDB attaches the live
  file read-only beside the candidate ({'path': file}); other engines read the
  live schema of the same database ({'schema': name}).
-#}
{% macro planwise_attach_live(live) %}
  {{ return(adapter.dispatch('planwise_attach_live', 'planwise')(live)) }}
{% endmacro %}


{% macro default__planwise_attach_live(live) %}
  {{ return({'database': target.get('database'), 'schema': live.schema, 'attached': false}) }}
{% endmacro %}

{% macro duckdb__planwise_attach_live(live) %}
  {%- if not live.path -%}{{ return(default__planwise_attach_live(live)) }}{%- endif -%}
  {%- do run_query('detach database if exists planwise_compared') -%}
  {%- do run_query('attach ' ~ planwise_string_literal(live.path) ~ ' as planwise_compared (read_only)') -%}
  {{ return({'database': 'planwise_compared', 'schema': live.schema or target.schema, 'attached': true}) }}
{% endmacro %}
