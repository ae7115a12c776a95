{#- Levenshtein distance between two string expressions. -#}
{% macro planwise_edit_distance(left, right) -%}
  {{ return(adapter.dispatch('planwise_edit_distance', 'planwise')(left, right)) }}
{%- endmacro %}

{% macro default__planwise_edit_distance(left, right) -%}
  levenshtein({{ left }}, {{ right }})
{%- endmacro %}

{% macro postgres__planwise_edit_distance(left, right) -%}
  {#- fuzzystrmatch, installed in schema public by planwise_prepare_engine -#}
  public.levenshtein({{ left }}, {{ right }})
{%- endmacro %}
