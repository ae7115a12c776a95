{#-
  planwise_seed_type_rule: for a declared seed column type, a SQL expression
  over `{v}` (the trimmed text, NULL when empty) that is NULL when the value
  fits and otherwise says what is wrong; '' for text types (nothing to check).
  Portable: planwise_regex_matches and planwise_try_cast dispatch per engine,
  and the patterns use [.] rather than a backslash (Spark's string literals
  treat a backslash as an escape).
-#}
{% macro planwise_seed_type_rule(declared_type) %}
  {%- set type = declared_type | lower | trim -%}
  {%- set base = type.split('(')[0].split(' ')[0] -%}
  {%- set integers = ['tinyint', 'smallint', 'integer', 'int', 'int2', 'int4', 'int8', 'bigint', 'hugeint', 'long', 'short', 'signed'] -%}
  {%- set numbers = ['double', 'float', 'float4', 'float8', 'real', 'decimal', 'numeric'] -%}
  {%- set v = '{v}' -%}
  {%- if base in integers -%}
    {{ return("case when " ~ v ~ " is null then null"
      ~ " when not " ~ planwise_regex_matches(v, '[+-]?[0-9]+([.]0*)?') ~ " then 'is not a whole number (" ~ type ~ ")'"
      ~ " when " ~ planwise_try_cast("regexp_replace(" ~ v ~ ", '[.]0*$', '')", type) ~ " is null then 'is out of range for " ~ type ~ "' end") }}
  {%- elif base in numbers -%}
    {{ return("case when " ~ v ~ " is null then null"
      ~ " when not " ~ planwise_regex_matches(v, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') ~ " then 'is not a number (" ~ type ~ ")'"
      ~ " when " ~ planwise_try_cast(v, type) ~ " is null then 'is out of range for " ~ type ~ " (not a finite number)' end") }}
  {%- elif base in ['boolean', 'bool', 'logical'] -%}
    {{ return("case when lower(" ~ v ~ ") not in ('true', 'false', 't', 'f', '1', '0', 'yes', 'no', 'y', 'n') then 'is not a boolean (use true/false or 1/0)' end") }}
  {%- elif base == 'date' -%}
    {{ return("case when " ~ v ~ " is null then null"
      ~ " when not " ~ planwise_regex_matches(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') ~ " then 'is not an ISO date (YYYY-MM-DD)'"
      ~ " when " ~ planwise_try_cast(v, 'date') ~ " is null then 'is not a valid calendar date' end") }}
  {%- elif base in ['timestamp', 'datetime', 'timestamptz'] -%}
    {%- set zoned = 'time zone' in type or base == 'timestamptz' -%}
    {%- set pattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?" -%}
    {%- set zone = "(Z|[+-][0-9]{2}(:?[0-9]{2})?)" -%}
    {{ return("case when " ~ v ~ " is null then null"
      ~ ("" if zoned else " when " ~ planwise_regex_matches(v, pattern ~ " ?" ~ zone) ~ " then 'has a time-zone offset, but the column is a timestamp without time zone (the offset would be dropped)'")
      ~ " when not " ~ planwise_regex_matches(v, pattern ~ (" ?" ~ zone ~ "?" if zoned else "")) ~ " then 'is not an ISO timestamp (YYYY-MM-DD HH:MM:SS)'"
      ~ " when " ~ planwise_try_cast(v, type) ~ " is null then 'is not a valid date and time' end") }}
  {%- else -%}
    {{ return('') }}
  {%- endif -%}
{% endmacro %}
