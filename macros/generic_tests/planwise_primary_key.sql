{#-
  planwise_primary_key: the primary-key test. Fails with one row per row of the
  model whose key is incomplete (a key column is NULL) or repeated, and the
  same for each of `alternate_keys` (lists of columns that identify a row
  too, such as a band's label next to its id). Each failing row keeps the whole row,
  with `problem` (what is wrong, naming the columns) and `key_occurrences`
  (how many rows share its key). It replaces a unique (or
  unique_combination_of_columns) test plus the not_null tests of the same
  columns: one node instead of up to six.

  An empty `columns` list is the key of a one-row table: every row fails when
  there is more than one.
-#}
{% test planwise_primary_key(model, columns, alternate_keys=[]) %}

{%- if columns is string or alternate_keys is string or alternate_keys | select('string') | list -%}
  {{ exceptions.raise_compiler_error("planwise_primary_key on " ~ model ~ ": columns is a list of column names and alternate_keys a list of such lists (columns: [id], alternate_keys: [[label]])") }}
{%- endif -%}
{%- set keys = [columns] + alternate_keys -%}

with source_rows as (

    select * from {{ model }}

),

counted as (

    select
        {%- for key in keys %}
        count(*) over ({% if key %}partition by {{ key | join(', ') }}{% endif %}) as key_occurrences_{{ loop.index }},
        {%- endfor %}
        source_rows.*
    from source_rows

),

{% for key in keys %}
problems_{{ loop.index }} as (

    {%- set name = 'key (' ~ key | join(', ') ~ ')' if loop.first else 'alternate key (' ~ key | join(', ') ~ ')' %}
    {%- set repeats = planwise_string_literal(name ~ ' repeats' if key else 'more than one row (the table holds exactly one)') %}
    select
        {%- if key %}
        case
            when {% for column in key %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
                then concat(
                    concat_ws(
                        ', '
                        {%- for column in key %},
                        case when {{ column }} is null then {{ planwise_string_literal(column) }} end
                        {%- endfor %}
                    ),
                    {{ planwise_string_literal(' empty in ' ~ name) }}
                )
            else {{ repeats }}
        end as problem,
        {%- else %}
        cast({{ repeats }} as {{ dbt.type_string() }}) as problem,
        {%- endif %}
        key_occurrences_{{ loop.index }} as key_occurrences,
        counted.*
    from counted
    where
        key_occurrences_{{ loop.index }} > 1
        {%- for column in key %}
        or {{ column }} is null
        {%- endfor %}

),

{% endfor %}
final as (

    {% for key in keys %}
    select * from problems_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final

{% endtest %}
