{#- The dedicated schema that holds stored test failures. -#}
{% macro planwise_failures_schema() -%}
  {{ return(target.schema ~ '_validation_failures') }}
{%- endmacro %}
