{#-
  planwise_seed_file_problems: every problem of one seed file, read by DuckDB
  before dbt loads it, as lines `<file> line L, column C: <what>. <what to do>`.
  Header first (empty file, another separator, spaces around names, duplicate,
  missing, undeclared or misspelled columns); then DuckDB's CSV reject table
  (`store_rejects`) for rows it cannot split (wrong field count, broken
  quoting, bad encoding); then every value against its declared column type,
  stricter than DuckDB's casts where those would change a value silently
  (`1.5` into an integer, `2024/01/05` as a date, `nan`, hex, a time-zone
  offset on a timestamp). Line numbers count the header as line 1.
  At most 20 value problems per column are listed, then a count of the rest.
-#}
{% macro planwise_seed_file_problems(seed) %}
  {%- set path = adapter.get_seed_file_path(seed) | replace("'", "''") -%}
  {%- set shown = seed.original_file_path -%}
  {%- set delimiter = seed.config.get('delimiter') or ',' -%}
  {%- set declared = seed.config.get('column_types') or {} -%}
  {%- set reader = "read_csv('" ~ path ~ "', header = true, all_varchar = true, auto_detect = false, delim = '"
    ~ delimiter ~ "', quote = '\"', escape = '\"'" -%}
  {%- set header_row = run_query(
    "select replace(line, chr(65279), '') from read_csv('" ~ path ~ "', header = false, auto_detect = false,"
    ~ " columns = {'line': 'varchar'}, delim = chr(31), quote = '', escape = '') where trim(line) <> '' limit 1") -%}
  {%- if header_row.rows | length == 0 -%}
    {{ return([shown ~ ": the file is empty (no header, no rows). Restore it with its header and data rows."]) }}
  {%- endif -%}
  {%- set header = header_row.rows[0][0] -%}
  {%- set problems = planwise_seed_header_problems(shown, header, delimiter, declared, planwise_seed_optional_columns(seed)) -%}
  {%- if problems -%}{{ return(problems) }}{%- endif -%}
  {%- set names = [] -%}
  {%- for name in header.split(delimiter) -%}{%- do names.append(name | trim | trim('"')) -%}{%- endfor -%}
  {%- set rejects = 'planwise_seed_rejects__' ~ modules.re.sub('[^A-Za-z0-9_]', '_', seed.name) -%}
  {%- set columns -%}
    {%- for name in names -%}'{{ name | replace("'", "''") }}': 'varchar'{{ ", " if not loop.last }}{%- endfor -%}
  {%- endset -%}
  {%- set structure = run_query(
    "select count(*) from " ~ reader ~ ", columns = {" ~ columns ~ "}, store_rejects = true, rejects_table = '"
    ~ rejects ~ "', rejects_scan = '" ~ rejects ~ "_scan');"
    ~ " select line, error_type, coalesce(column_name, ''), error_message from " ~ rejects ~ " order by line") -%}
  {%- do run_query("drop table if exists " ~ rejects ~ "; drop table if exists " ~ rejects ~ "_scan") -%}
  {%- for row in structure.rows[:20] -%}
    {%- do problems.append(shown ~ " line " ~ row[0] ~ (", column " ~ row[2] if row[1] in ('UNQUOTED VALUE', 'INVALID ENCODING') else "")
      ~ ": " ~ planwise_seed_reject_reason(row[1], row[3], names | length)) -%}
  {%- endfor -%}
  {%- if structure.rows | length > 20 -%}
    {%- do problems.append(shown ~ ": " ~ (structure.rows | length - 20) ~ " more rows cannot be read as CSV. Fix the rows above, then run again.") -%}
  {%- endif -%}
  {%- if problems -%}{{ return(problems) }}{%- endif -%}
  {%- set file_rows = "select row_number() over () + 1 as planwise_line, * from " ~ reader ~ ", columns = {" ~ columns ~ "})" -%}
  {{ return(planwise_seed_value_problems(seed, file_rows, names)) }}
{% endmacro %}
