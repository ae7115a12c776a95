{#-
  planwise_history(): the history table's rows (planwise_history_relation,
  read by planwise_history_query), newest first, logged as one JSON line
  {"planwise_history": [...]} for `planwise-run history` and `diff` where
  they cannot read the file themselves; an empty list when no setup has been
  recorded. Plain dbt: dbt run-operation planwise_history
-#}
{% macro planwise_history() %}
  {%- set relation = planwise_history_relation() -%}
  {%- set rows = [] -%}
  {%- set existing = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
  {%- if existing is not none -%}
    {%- set table = run_query(planwise_history_query(existing)) -%}
    {%- for row in table.rows -%}
      {%- set entry = {} -%}
      {%- for name in table.column_names -%}
        {%- set value = row[name] -%}
        {%- do entry.update({name: value if value is none or value is boolean else value | string}) -%}
      {%- endfor -%}
      {%- do rows.append(entry) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- do log(tojson({'planwise_history': rows}), info=true) -%}
{% endmacro %}
