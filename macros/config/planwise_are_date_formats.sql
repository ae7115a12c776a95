{#- planwise_are_date_formats(value): whether `value` is none, a strptime format (text with a %), or a list of them. -#}
{% macro planwise_are_date_formats(value) %}
  {%- if value is none -%}{{ return(true) }}{%- endif -%}
  {%- set formats = [value] if value is string else value -%}
  {%- if formats is mapping or formats is not iterable -%}{{ return(false) }}{%- endif -%}
  {%- for format in formats -%}
    {%- if not (format is string and '%' in format) -%}{{ return(false) }}{%- endif -%}
  {%- endfor -%}
  {{ return(true) }}
{% endmacro %}
