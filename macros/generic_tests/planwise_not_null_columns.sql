{#-
  planwise_not_null_columns: fails with one row per NULL cell among
  `column_names`, naming the column (`null_column`) next to the whole row.
  Before querying it checks that every listed column exists in the relation
  and stops with an error naming the relation and the missing column(s), so a
  file lacking a required column fails loudly instead of passing. On the
  census (`census_rows: true`) each failing row also says where it is in the
  file (`census_line`, census_place).
-#}
{% test planwise_not_null_columns(model, column_names, census_rows=false) %}

{#- A file read in place (DuckDB's external census) or an existing table is
    checked; a table not built yet (dbt compile on an empty database) is not. -#}
{%- set in_place = model.external is defined and model.external -%}
{%- set present = [] -%}
{%- if execute and (in_place or load_relation(model) is not none) -%}
  {%- for column in get_columns_in_query('select * from ' ~ model) -%}
    {%- do present.append(column | lower) -%}
  {%- endfor -%}
  {%- set missing = [] -%}
  {%- for column in column_names -%}
    {%- if column | lower not in present -%}{%- do missing.append(column) -%}{%- endif -%}
  {%- endfor -%}
  {%- if missing -%}
    {{ exceptions.raise_compiler_error(
      (census_description(model) if census_rows else model) ~ " is missing required column(s): " ~ missing | join(', ')
      ~ ". Required columns are: " ~ column_names | join(', ') ~ ".") }}
  {%- endif -%}
{%- endif -%}

with source_rows as (

    select
        {%- if census_rows %}
        {{ census_place(census_file_row(present)) }} as census_line,
        {%- endif %}
        *
    from {{ model }}

),

final as (

    {% for column in column_names %}
    select
        cast('{{ column }}' as {{ dbt.type_string() }}) as null_column,
        source_rows.*
    from source_rows
    where {{ column }} is null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final

{% endtest %}
