{#-
  planwise_history(log_result=false): the history table's rows
  (planwise_history_relation, read by planwise_history_query), newest first,
  values as text; an empty list when no setup has been recorded. `planwise-run
  history` and `diff` ask dbt for them where they cannot read the file
  themselves: dbt compile --inline "{{ tojson(planwise_history()) }}". Plain
  dbt can have them logged: dbt run-operation planwise_history --args
  '{log_result: true}'
-#}
{% macro planwise_history(log_result=false) %}
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
  {%- if log_result -%}{%- do log(tojson({'planwise_history': rows}), info=true) -%}{%- endif -%}
  {{ return(rows) }}
{% endmacro %}
