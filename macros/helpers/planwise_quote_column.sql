{#-
  planwise_quote_column: a column name that comes from data (a census file's
  header, a seed's header) as one quoted identifier, in the adapter's own
  quoting, with the quote character doubled inside it (adapter.quote alone
  does not escape it). So a name such as x", (select ...) as "y stays one
  column spelled exactly as in the file, never SQL.
-#}
{% macro planwise_quote_column(name) -%}
  {%- set quote_character = adapter.quote('')[0] -%}
  {{- adapter.quote(name | string | replace(quote_character, quote_character ~ quote_character)) -}}
{%- endmacro %}
