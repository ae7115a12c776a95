{#-
  The row changes of every pair in one query: per relation, one `count` row for
  each kind of change (added, removed, changed rows), then the first `examples`
  changed cells, the largest numeric change first (then by key). Without a key
  the whole row is the key, so a change shows as a row removed and one added.
-#}
{% macro planwise_row_changes_sql(pairs, examples) %}
  {%- set text = planwise_type('varchar') -%}
  {%- set number = planwise_type('double') -%}
with
{%- for pair in pairs %}
  {%- set n = loop.index %}
  {%- set key = pair.key or (pair.columns | map(attribute='name') | list) %}
  {%- set values = pair.columns | rejectattr('name', 'in', key) | list %}
  {%- set key_text = [] %}
  {%- for column in key %}
    {%- do key_text.append(planwise_string_literal(('' if loop.first else ', ') ~ column ~ '=')) %}
    {%- do key_text.append('coalesce(cast(coalesce(new_rows.' ~ column ~ ', old_rows.' ~ column ~ ') as ' ~ text ~ "), 'null')") %}
  {%- endfor %}
  pair_{{ n }}_old as (
    select {% for column in pair.columns %}{{ column.name }}, {% endfor %}1 as planwise_row
    from {{ pair.old }}
  ),

  pair_{{ n }}_new as (
    select {% for column in pair.columns %}{{ column.name }}, {% endfor %}1 as planwise_row
    from {{ pair.new }}
  ),

  pair_{{ n }}_rows as (
    select
      case
        when old_rows.planwise_row is null then 'added'
        when new_rows.planwise_row is null then 'removed'
        else 'changed'
      end as change,
      {{ dbt.concat(key_text) }} as row_key
      {%- for column in values %},
      old_rows.{{ column.name }} as old_{{ column.name }},
      new_rows.{{ column.name }} as new_{{ column.name }}
      {%- endfor %}
    from pair_{{ n }}_old as old_rows
    full outer join pair_{{ n }}_new as new_rows
      on
      {%- for column in key %}
        {{ 'and ' if not loop.first }}coalesce(cast(old_rows.{{ column }} as {{ text }}), 'null') = coalesce(cast(new_rows.{{ column }} as {{ text }}), 'null')
      {%- endfor %}
  ),

  pair_{{ n }}_cells as (
    select
      {{ planwise_string_literal(pair.name) }} as relation_name,
      change,
      row_key,
      cast(null as {{ text }}) as column_name,
      cast(null as {{ text }}) as old_value,
      cast(null as {{ text }}) as new_value,
      cast(null as {{ number }}) as magnitude
    from pair_{{ n }}_rows
    where change != 'changed'
    {%- for column in values %}
    union all
    select
      {{ planwise_string_literal(pair.name) }} as relation_name,
      change,
      row_key,
      {{ planwise_string_literal(column.name) }} as column_name,
      cast(old_{{ column.name }} as {{ text }}) as old_value,
      cast(new_{{ column.name }} as {{ text }}) as new_value,
      {% if column.numeric -%}
      abs(cast(new_{{ column.name }} as {{ number }}) - cast(old_{{ column.name }} as {{ number }}))
      {%- else -%}
      cast(null as {{ number }})
      {%- endif %} as magnitude
    from pair_{{ n }}_rows
    where change = 'changed' and old_{{ column.name }} is distinct from new_{{ column.name }}
    {%- endfor %}
  ),
{% endfor %}
  cells as (
    {%- for pair in pairs %}
    {{ 'union all' if not loop.first }}
    select * from pair_{{ loop.index }}_cells
    {%- endfor %}
  ),

  counted as (
    select
      relation_name,
      change,
      count(distinct row_key) as changed_rows
    from cells
    group by relation_name, change
  ),

  ranked as (
    select
      *,
      row_number() over (
        partition by relation_name
        order by magnitude desc nulls last, row_key asc, column_name asc
      ) as position
    from cells
  ),

  final as (
    select
      'count' as kind,
      relation_name,
      change,
      cast(null as {{ text }}) as row_key,
      cast(null as {{ text }}) as column_name,
      cast(null as {{ text }}) as old_value,
      cast(null as {{ text }}) as new_value,
      cast(changed_rows as {{ number }}) as magnitude
    from counted
    union all
    select
      'cell' as kind,
      relation_name,
      change,
      row_key,
      column_name,
      old_value,
      new_value,
      magnitude
    from ranked
    where position <= {{ examples | int }}
  )

select * from final
order by relation_name, kind desc, magnitude desc nulls last, row_key, column_name
{% endmacro %}
