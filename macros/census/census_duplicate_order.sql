{#- Order that picks the row kept for a duplicated employee_id: latest hire
    date, then highest pay, then SSN for a deterministic tie-break. -#}
{% macro census_duplicate_order() -%}
  employee_hire_date desc nulls last,
  employee_gross_compensation desc nulls last,
  employee_ssn
{%- endmacro %}
