{#-
  The census contract: required and optional columns with the SQL type each
  is cast to. Integer pay and timestamp dates cast cleanly. Columns the
  contract does not know are carried through to stg_census_data unchanged.
-#}
{% macro census_required_columns() %}
  {{ return({
    'employee_id': dbt.type_string(),
    'employee_birth_date': 'date',
    'employee_hire_date': 'date',
    'employee_gross_compensation': 'double',
    'active': 'boolean',
  }) }}
{% endmacro %}
