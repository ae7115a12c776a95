{#- Stop with an error naming every contract column whose type cannot hold its contract type. -#}
{% macro census_refuse_unfit_columns(census_relation, columns) %}
  {%- set described = [] -%}
  {%- for column in census_unfit_columns(columns) -%}
    {%- do described.append(column.name ~ ' is ' ~ column.type ~ ' in the census, but the contract declares ' ~ column.declared) -%}
  {%- endfor -%}
  {%- if described -%}
    {{ exceptions.raise_compiler_error(census_description(census_relation)
      ~ ": column(s) of a type that cannot hold their contract type: " ~ described | join('; ')
      ~ ". Export each as a plain value (text, number or date), not a nested, list, map or binary column.") }}
  {%- endif -%}
{% endmacro %}
