{#- The schema pairs a publication replaces: the setup's and its failures schema. -#}
{% macro planwise_schema_pairs(candidate, live) -%}
  {%- set suffix = planwise_failures_schema()[target.schema | length:] -%}
  {{ return([(candidate, live), (candidate ~ suffix, live ~ suffix)]) }}
{%- endmacro %}
