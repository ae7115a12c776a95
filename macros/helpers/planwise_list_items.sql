{#- planwise_list_items: a set-returning select-list expression, one row per comma-separated item of `expression` (items untrimmed). -#}
{% macro planwise_list_items(expression) -%}
  {{ return(adapter.dispatch('planwise_list_items', 'planwise')(expression)) }}
{%- endmacro %}

{% macro default__planwise_list_items(expression) -%}
  unnest(string_split({{ expression }}, ','))
{%- endmacro %}

{% macro postgres__planwise_list_items(expression) -%}
  unnest(string_to_array({{ expression }}, ','))
{%- endmacro %}

{% macro spark__planwise_list_items(expression) -%}
  explode(split({{ expression }}, ','))
{%- endmacro %}
