{#-
  After clearing: make the space of the dropped relations reusable by the
  tables the build is about to write. DuckDB frees a dropped table's blocks
  only at its next checkpoint, so without one every setup would write its
  tables into new space and the database file (which the setup copies) would
  grow by the size of its data each time. Other engines manage space
  themselves.
-#}
{% macro planwise_release_space() %}
  {{ return(adapter.dispatch('planwise_release_space', 'planwise')()) }}
{% endmacro %}

{% macro default__planwise_release_space() %}
{% endmacro %}

{% macro duckdb__planwise_release_space() %}
  {%- do run_query('checkpoint') -%}
{% endmacro %}
