{#- Whether values of `data_type` can be infinite or NaN: floating point, dates, timestamps. -#}
{% macro planwise_can_be_infinite(data_type) -%}
  {%- set base = data_type | lower | trim -%}
  {{ return(base.split('(')[0].split(' ')[0] in ['double', 'float', 'float4', 'float8', 'real', 'date', 'timestamp', 'timestamptz', 'datetime']) }}
{%- endmacro %}
