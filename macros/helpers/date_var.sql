{#- A var holding an ISO date, as a typed SQL date literal. -#}
{% macro date_var(name) -%}
  cast('{{ var(name) }}' as date)
{%- endmacro %}
