{#-
  planwise_employee_changes(old, new): the census's employees compared by
  employee_id, live (`old`) against built (`new`), in one query
  (planwise_employee_changes_sql): {'added', 'removed', 'changed', 'unchanged':
  employees, 'columns': [{'column', 'employees'}]}, the columns that changed
  for the most employees first (at most `top`). Compared are the census
  contract's columns (census_contract) both sides have; none when a side has
  no employee_id.
-#}
{% macro planwise_employee_changes(old, new, top=5) %}
  {%- set sides = [{}, {}] -%}
  {%- for relation in (old, new) -%}
    {%- set types = sides[loop.index0] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
      {%- do types.update({column.name | lower: column.dtype | lower}) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- set old_types, new_types = sides -%}
  {%- if 'employee_id' not in old_types or 'employee_id' not in new_types -%}{{ return(none) }}{%- endif -%}
  {%- set contract = census_contract() -%}
  {%- set columns = [] -%}
  {%- for name in (contract.required | list) + (contract.optional | list)
      if name | lower != 'employee_id' and name | lower in old_types and name | lower in new_types -%}
    {#- a column whose type differs between the sides is compared as text -#}
    {%- do columns.append({'name': name | lower,
                           'as_text': old_types[name | lower] != new_types[name | lower]}) -%}
  {%- endfor -%}
  {%- set employees = {'added': 0, 'removed': 0, 'changed': 0, 'unchanged': 0, 'columns': []} -%}
  {%- for row in run_query(planwise_employee_changes_sql(old, new, columns, top)).rows -%}
    {%- if row['change'] == 'column' -%}
      {%- do employees.columns.append({'column': row['column_name'], 'employees': row['employees'] | int}) -%}
    {%- else -%}
      {%- do employees.update({row['change']: row['employees'] | int}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(employees) }}
{% endmacro %}
