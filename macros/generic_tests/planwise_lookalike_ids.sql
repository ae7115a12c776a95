{#-
  planwise_lookalike_ids: ids spelled differently that a reader cannot tell
  apart ('EMP_1 ', 'emp_1', EMP_1 in fullwidth letters or with a Cyrillic E) would become
  separate people. Ids are compared by their skeleton (planwise_id_skeleton:
  whitespace, control and format characters removed, compatibility forms and
  confusable letters and digits folded onto ASCII, lower case). Fails with one
  row per census row whose id shares its skeleton with an id spelled
  otherwise: census_line (where to look: 'line N' of a CSV, 'row N' of
  Parquet), census_row (its position, 1 = the first data row), the id as
  written, its length in characters (an invisible character shows
  there), the skeleton and every spelling of the group, each in double quotes.
  Ids spelled exactly alike are duplicates, not look-alikes (another test
  counts them); NULL and blank ids are left to their own tests.
-#}
{% test planwise_lookalike_ids(model, id_column='employee_id') %}

{%- set present = [] -%}
{%- if execute -%}
  {%- for column in get_columns_in_query('select * from ' ~ model) -%}
    {%- do present.append(column | lower) -%}
  {%- endfor -%}
{%- endif -%}

with census_rows as (

    select
        {{ census_file_row(present) }} as census_row,
        cast({{ id_column }} as {{ dbt.type_string() }}) as employee_id
    from {{ model }}

),

skeletons as (

    select
        census_row,
        employee_id,
        {{ planwise_id_skeleton('employee_id') }} as skeleton
    from census_rows
    where employee_id is not null

),

lookalike_groups as (

    -- two spellings or more: cheaper than counting distinct spellings
    select skeleton
    from skeletons
    where skeleton <> ''
    group by skeleton
    having min(employee_id) <> max(employee_id)

),

lookalike_rows as (

    select
        skeletons.census_row,
        skeletons.employee_id,
        skeletons.skeleton
    from skeletons
    inner join lookalike_groups on skeletons.skeleton = lookalike_groups.skeleton

),

spellings as (

    select distinct
        skeleton,
        employee_id
    from lookalike_rows

),

spelling_lists as (

    select
        skeleton,
        count(*) as spelling_count,
        {{ dbt.listagg(dbt.concat(["'\"'", "employee_id", "'\"'"]), "' | '", "order by employee_id") }} as spellings
    from spellings
    group by skeleton

),

final as (

    select
        {{ census_place('lookalike_rows.census_row') }} as census_line,
        lookalike_rows.census_row,
        lookalike_rows.employee_id,
        {{ dbt.length('lookalike_rows.employee_id') }} as id_characters,
        lookalike_rows.skeleton,
        spelling_lists.spellings,
        spelling_lists.spelling_count
    from lookalike_rows
    inner join spelling_lists on lookalike_rows.skeleton = spelling_lists.skeleton

)

select * from final

{% endtest %}
