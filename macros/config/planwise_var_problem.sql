{#- planwise_var_problem: what is wrong with a var's value for its kind (planwise_var_kinds), or ''. -#}
{% macro planwise_var_problem(value, kind) %}
  {%- set value = value.isoformat() if value is not string and value.isoformat is defined else value -%}
  {%- set finite = value is number and value is not boolean and value | string | lower not in ('nan', 'inf', '-inf') -%}
  {%- set whole = finite and value | int == value -%}
  {%- if kind == 'text' and not (value is string and value | trim) -%}
    {{ return("must be a non-empty text") }}
  {%- elif kind == 'text_or_null' and not (value is none or (value is string and value | trim)) -%}
    {{ return("must be a non-empty text, or null") }}
  {%- elif kind == 'date' and not (value is string and modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])', value)) -%}
    {{ return("must be a date as YYYY-MM-DD") }}
  {%- elif kind == 'date' and (value[8:] | int) > [31, 29 if (value[:4] | int) % 4 == 0 and ((value[:4] | int) % 100 != 0 or (value[:4] | int) % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(value[5:7] | int) - 1] -%}
    {{ return("is not a date of the calendar") }}
  {%- elif kind == 'year' and not (whole and 1900 <= value <= 2200) -%}
    {{ return("must be a year (a whole number from 1900 to 2200)") }}
  {%- elif kind in ('whole', 'whole_or_null') and not (whole and value >= 0) and not (kind == 'whole_or_null' and value is none) -%}
    {{ return("must be a whole number, 0 or more" ~ (", or null" if kind == 'whole_or_null' else "")) }}
  {%- elif kind == 'number' and not finite -%}
    {{ return("must be a finite number") }}
  {%- elif kind == 'severity' and value | string | lower not in ('warn', 'error') -%}
    {{ return("must be warn or error") }}
  {%- elif kind == 'boolean' and value is not boolean and value is not none -%}
    {{ return("must be true or false") }}
  {%- elif kind == 'list' and not (value is iterable and value is not string and value is not mapping) -%}
    {{ return("must be a list") }}
  {%- elif kind == 'mapping' and value is not mapping -%}
    {{ return("must be a mapping") }}
  {%- elif kind == 'date_formats' and not planwise_are_date_formats(value) -%}
    {{ return("must be strptime formats, one as text or a list, each with a % (e.g. ['%m/%d/%Y', '%d.%m.%Y'])") }}
  {%- elif kind == 'date_formats' and value and target.type != 'duckdb' -%}
    {{ return("is applied where DuckDB reads the census file; on " ~ target.type ~ " load the census with its dates as YYYY-MM-DD") }}
  {%- endif -%}
  {{ return('') }}
{% endmacro %}
