{#-
  planwise_is_distinct_from(left, right): a NULL-safe "differs" between two SQL
  expressions (NULL and NULL are the same, NULL and a value differ), as a
  boolean expression in parentheses: `is distinct from`, or `not (... <=> ...)`
  on Spark.
-#}
{% macro planwise_is_distinct_from(left, right) -%}
  {{ return(adapter.dispatch('planwise_is_distinct_from', 'planwise')(left, right)) }}
{%- endmacro %}


{% macro default__planwise_is_distinct_from(left, right) -%}
  {{ return('(' ~ left ~ ' is distinct from ' ~ right ~ ')') }}
{%- endmacro %}

{% macro spark__planwise_is_distinct_from(left, right) -%}
  {{ return('(not (' ~ left ~ ' <=> ' ~ right ~ '))') }}
{%- endmacro %}
