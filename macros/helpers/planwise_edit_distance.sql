{#- Levenshtein distance between two string expressions. -#}
{% macro planwise_edit_distance(left, right) -%}
  {{ return(adapter.dispatch('planwise_edit_distance', 'planwise')(left, right)) }}
{%- endmacro %}

{% macro default__planwise_edit_distance(left, right) -%}
  levenshtein({{ left }}, {{ right }})
{%- endmacro %}
