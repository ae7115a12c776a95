{#- planwise_seed_reject_reason: DuckDB's CSV reject (error type and message) in words, with what to do. -#}
{% macro planwise_seed_reject_reason(error_type, message, header_fields) %}
  {%- if error_type == 'TOO MANY COLUMNS' -%}
    {%- set reason = "the row has more fields than the header's " ~ header_fields ~ " (extra field; " ~ message ~ ")" -%}
    {%- set hint = "Give every row one field per header column; quote values that contain the delimiter." -%}
  {%- elif error_type == 'MISSING COLUMNS' -%}
    {%- set reason = "the row has fewer fields than the header's " ~ header_fields ~ " (missing field; " ~ message ~ ")" -%}
    {%- set hint = "Give every row one field per header column." -%}
  {%- elif error_type == 'UNQUOTED VALUE' -%}
    {%- set reason = "a quoted field is never closed, or a quote stands inside a field (unterminated quote)" -%}
    {%- set hint = 'Close the quote with a matching " or double the quote inside the field ("").' -%}
  {%- elif error_type == 'INVALID ENCODING' -%}
    {%- set reason = "the line is not valid UTF-8" -%}
    {%- set hint = "Save the file as UTF-8 (e.g. 'CSV UTF-8' in Excel)." -%}
  {%- else -%}
    {%- set reason = "the row is not valid CSV (" ~ error_type | lower ~ ": " ~ message ~ ")" -%}
    {%- set hint = "Fix the row." -%}
  {%- endif -%}
  {{ return(reason ~ ". " ~ hint) }}
{% endmacro %}
