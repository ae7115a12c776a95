{#- planwise_text_distance: the Levenshtein distance of two texts, computed by the database. -#}
{% macro planwise_text_distance(left, right) %}
  {%- set result = run_query("select " ~ planwise_edit_distance(planwise_string_literal(left), planwise_string_literal(right))) -%}
  {{ return(result.rows[0][0] | int) }}
{% endmacro %}
