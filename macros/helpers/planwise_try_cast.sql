{#-
  planwise_try_cast: `expression` converted to `data_type`, NULL where it does
  not convert. Converting is where every census and seed value is judged, so
  a number or date that is not finite (inf, 1e309, NaN, -infinity) does not
  convert either: it becomes NULL, and the checks that list unconverted values
  name its row, column and text.
-#}
{% macro planwise_try_cast(expression, data_type) -%}
  {{ return(adapter.dispatch('planwise_try_cast', 'planwise')(expression, data_type)) }}
{%- endmacro %}

{% macro default__planwise_try_cast(expression, data_type) -%}
  try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro duckdb__planwise_try_cast(expression, data_type) -%}
  {%- set converted = 'try_cast(' ~ expression ~ ' as ' ~ data_type ~ ')' -%}
  {%- if planwise_can_be_infinite(data_type) -%}
    case when isfinite({{ converted }}) then {{ converted }} end
  {%- else -%}
    {{ converted }}
  {%- endif -%}
{%- endmacro %}

{#- Spark: NaN sorts above Infinity, so the range test leaves out both; its dates are finite. -#}
{% macro spark__planwise_try_cast(expression, data_type) -%}
  {%- set converted = 'try_cast(' ~ expression ~ ' as ' ~ data_type ~ ')' -%}
  {%- if data_type | lower in ['double', 'float', 'real'] -%}
    case
      when {{ converted }} > cast('-Infinity' as double)
        and {{ converted }} < cast('Infinity' as double) then {{ converted }}
    end
  {%- else -%}
    {{ converted }}
  {%- endif -%}
{%- endmacro %}

{% macro postgres__planwise_try_cast(expression, data_type) -%}
  {#- PostgreSQL has no try_cast: planwise_prepare_engine made one function per type
      (finite values only). -#}
  {%- if data_type in ('text', 'varchar') -%}
    cast({{ expression }} as text)
  {%- else -%}
    {{ planwise_try_cast_function(data_type) }}(cast({{ expression }} as text))
  {%- endif -%}
{%- endmacro %}
