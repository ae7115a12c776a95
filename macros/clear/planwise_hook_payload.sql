{#-
  planwise_hook_payload(data): `data` as JSON inside one SQL comment, the whole
  compiled code of a hook. Every * is written as the JSON escape \u002a, so no
  data can open or close a comment (DuckDB's comments nest). The database runs
  `select 1` (PostgreSQL refuses a statement that is only a comment); dbt
  records the compiled code in run_results.json, where `planwise-run` reads it.
-#}
{% macro planwise_hook_payload(data) -%}
  /* {{ tojson(data) | replace('*', '\\u002a') }} */ select 1
{%- endmacro %}
