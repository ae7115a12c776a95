{#-
  planwise_seed_value_problems: the value problems of a seed's rows as message
  lines (at most 20 per column, then a count), or the "no data rows" problem.
  `file_rows`: a query over the rows as text with their line (planwise_line).
-#}
{% macro planwise_seed_value_problems(seed, file_rows, names) %}
  {%- set shown = seed.original_file_path -%}
  {%- set declared = seed.config.get('column_types') or {} -%}
  {%- set values = run_query(planwise_seed_value_checks(file_rows, names, declared)) -%}
  {%- if values.rows | length == 0 -%}
    {{ return([shown ~ ": the file has a header but no data rows. Add at least one data row, or restore the file from the PlanWise installation."]) }}
  {%- endif -%}
  {%- set problems = [] -%}
  {%- for row in values.rows if row[0] is not none -%}
    {%- if row[4] <= 20 -%}
      {%- do problems.append(shown ~ " line " ~ row[0] ~ ", column " ~ row[1] ~ ": '" ~ row[2] ~ "' " ~ row[3] ~ ". Fix the value or remove the row.") -%}
    {%- elif row[4] == 21 -%}
      {%- do problems.append(shown ~ ", column " ~ row[1] ~ ": " ~ (row[5] - 20) ~ " more values are not valid " ~ declared[row[1]] ~ ". Fix the value or remove the row.") -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(problems) }}
{% endmacro %}
