{#-
  The census's employees, live (`old`) against built (`new`), in one pass over
  each side: a full outer join on employee_id counts the employees added (only
  in new), removed (only in old), changed (any of `columns` differs, NULL-safe)
  and unchanged, and per column the employees whose value changed; unpivoted to
  one row per count (change, employees), then one row per changed column
  (change 'column', column_name, employees), the most employees first (then by
  name), at most `top`. `columns`: [{'name', 'as_text'}], compared as text when
  as_text (the sides' types differ).
-#}
{% macro planwise_employee_changes_sql(old, new, columns, top=5) %}
  {%- set text = planwise_type('varchar') -%}
with
{%- for side, relation in (('old', old), ('new', new)) %}
  {{ side }}_employees as (
    select
      {{ planwise_quote_column('employee_id') }} as employee_id,
      {%- for column in columns %}
      {%- set value = planwise_quote_column(column.name) %}
      {{ 'cast(' ~ value ~ ' as ' ~ text ~ ')' if column.as_text else value }} as column_{{ loop.index }},
      {%- endfor %}
      1 as planwise_row
    from {{ relation }}
  ),
{% endfor %}
  joined as (
    select
      {%- for column in columns %}
      {{ planwise_is_distinct_from('old_employees.column_' ~ loop.index, 'new_employees.column_' ~ loop.index) }} as changed_{{ loop.index }},
      {%- endfor %}
      old_employees.planwise_row as old_row,
      new_employees.planwise_row as new_row
    from old_employees
    full outer join new_employees
      on old_employees.employee_id = new_employees.employee_id
  ),

  compared as (
    select
      *,
      case
        when old_row is null then 'added'
        when new_row is null then 'removed'
        {%- for column in columns %}
        when changed_{{ loop.index }} then 'changed'
        {%- endfor %}
        else 'unchanged'
      end as change
    from joined
  ),

  counted as (
    select
      count(case when change = 'added' then 1 end) as added,
      count(case when change = 'removed' then 1 end) as removed,
      count(case when change = 'changed' then 1 end) as changed,
      count(case when change = 'unchanged' then 1 end) as unchanged
      {%- for column in columns %},
      count(case when change = 'changed' and changed_{{ loop.index }} then 1 end) as column_{{ loop.index }}
      {%- endfor %}
    from compared
  ),
{%- if columns %}

  changed_columns as (
    {%- for column in columns %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
      {{ planwise_string_literal(column.name) }} as column_name,
      column_{{ loop.index }} as employees
    from counted
    {%- endfor %}
  ),

  ranked as (
    select
      column_name,
      employees,
      row_number() over (order by employees desc, column_name asc) as position
    from changed_columns
    where employees > 0
  ),
{%- endif %}

  final as (
    {%- for change in ('added', 'removed', 'changed', 'unchanged') %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
      '{{ change }}' as change,
      cast(null as {{ text }}) as column_name,
      {{ change }} as employees,
      0 as position
    from counted
    {%- endfor %}
    {%- if columns %}
    union all
    select
      'column' as change,
      column_name,
      employees,
      position
    from ranked
    where position <= {{ top | int }}
    {%- endif %}
  )

select * from final
order by change, position
{% endmacro %}
