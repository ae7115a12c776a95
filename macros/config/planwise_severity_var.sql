{#- planwise_severity_var: a severity var's value for a test config; an invalid one
    counts as error here (planwise_validate_vars stops the run on it, naming it). -#}
{% macro planwise_severity_var(name) %}
  {%- set value = var(name) | string | lower -%}
  {{ return(value if value in ('warn', 'error') else 'error') }}
{% endmacro %}
