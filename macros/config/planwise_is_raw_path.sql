{#-
  planwise_is_raw_path(name, value): whether the var `name` is a file path
  (census_path, census_parquet_path) whose value is one Jinja raw block and
  nothing else, which var() renders back as the literal path (planwise-run
  passes a path holding braces so).
-#}
{% macro planwise_is_raw_path(name, value) %}
  {%- set text = value | string -%}
  {%- set inner = text[9:-12] -%}
  {{ return(name in ['census_path', 'census_parquet_path'] and text.startswith('{% raw %}') and text.endswith('{% endraw %}')
            and 'endraw' not in inner) }}
{% endmacro %}
