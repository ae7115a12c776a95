{#- Order that picks the row kept for a duplicated employee_id: latest hire
    date, then highest pay, then lowest SSN, then the row that comes first in
    the file (_census_file_row), so the choice is total and the same on every
    run. -#}
{% macro census_duplicate_order() -%}
  employee_hire_date desc nulls last,
  employee_gross_compensation desc nulls last,
  employee_ssn nulls last,
  _census_file_row
{%- endmacro %}
