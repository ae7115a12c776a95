{#-
  planwise_history(): the history table's rows (planwise_history_relation),
  newest first, logged as one JSON line {"planwise_history": [...]} for
  `planwise-run history` and `diff`; an empty list when no setup has been
  recorded. Plain dbt: dbt run-operation planwise_history
-#}
{% macro planwise_history() %}
  {%- set relation = planwise_history_relation() -%}
  {%- set rows = [] -%}
  {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none -%}
    {%- set names = planwise_history_columns() | map(attribute=0) | list -%}
    {%- set table = run_query('select ' ~ names | join(', ') ~ ' from ' ~ relation ~ ' order by started_at desc, finished_at desc') -%}
    {%- for row in table.rows -%}
      {%- set entry = {} -%}
      {%- for name in names -%}
        {%- set value = row[name] -%}
        {%- do entry.update({name: none if value is none else value | string}) -%}
      {%- endfor -%}
      {%- do rows.append(entry) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- do log(tojson({'planwise_history': rows}), info=true) -%}
{% endmacro %}
