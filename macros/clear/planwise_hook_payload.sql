{#-
  planwise_hook_payload(data): `data` as JSON inside one SQL comment, the whole
  compiled code of a hook. The database runs an empty statement; dbt records
  the compiled code in run_results.json, where `planwise-run` reads it.
-#}
{% macro planwise_hook_payload(data) -%}
  /* {{ tojson(data) | replace('*/', '*\\/') }} */
{%- endmacro %}
