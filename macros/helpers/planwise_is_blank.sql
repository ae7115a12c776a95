{#-
  planwise_is_blank: true when nothing is left of the text `expression` after
  removing every Unicode whitespace (Z*), control (Cc) and format (Cf)
  character: '', a TAB, a no-break space, a zero-width space or a
  byte-order mark all count as blank. NULL stays NULL (not_null tests judge
  it). The one definition of blank that every check uses.
-#}
{% macro planwise_is_blank(expression) -%}
  {{ return(adapter.dispatch('planwise_is_blank', 'planwise')(expression)) }}
{%- endmacro %}

{#- DuckDB (RE2): Unicode property classes. -#}
{% macro default__planwise_is_blank(expression) -%}
  (regexp_replace(cast({{ expression }} as {{ dbt.type_string() }}), '[\p{Z}\p{Cc}\p{Cf}]', '', 'g') = '')
{%- endmacro %}

{#- Spark (Java regex): the same classes; its string literals need the backslash doubled. -#}
{% macro spark__planwise_is_blank(expression) -%}
  (regexp_replace(cast({{ expression }} as string), '[\\p{Z}\\p{Cc}\\p{Cf}]', '') = '')
{%- endmacro %}

{#- PostgreSQL's regular expressions have no property classes: the same
    characters as code-point ranges (Unicode 15: Zs, Zl, Zp, Cc, Cf). -#}
{% macro postgres__planwise_is_blank(expression) -%}
  {%- set ranges = [
    '\\u0001-\\u0020', '\\u007F-\\u00A0', '\\u00AD', '\\u0600-\\u0605', '\\u061C', '\\u06DD',
    '\\u070F', '\\u0890-\\u0891', '\\u08E2', '\\u1680', '\\u180E', '\\u2000-\\u200F',
    '\\u2028-\\u202F', '\\u205F-\\u2064', '\\u2066-\\u206F', '\\u3000', '\\uFEFF',
    '\\uFFF9-\\uFFFB', '\\U000110BD', '\\U000110CD', '\\U00013430-\\U0001343F',
    '\\U0001BCA0-\\U0001BCA3', '\\U0001D173-\\U0001D17A', '\\U000E0001',
    '\\U000E0020-\\U000E007F'] -%}
  (regexp_replace(cast({{ expression }} as text), '[{{ ranges | join('') }}]', '', 'g') = '')
{%- endmacro %}
