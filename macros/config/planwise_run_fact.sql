{#-
  planwise_run_fact(name): a fact planwise-run passes to this invocation (env
  PLANWISE_RUN_FACTS, JSON: e.g. clear, report), or, when planwise-run gave
  none (a plain dbt command), the var planwise_<name>; false while dbt parses. Read at run time
  only: unlike a var, a fact that differs between two setups (a full one
  clears, a --quick one does not) never costs dbt a full parse.
-#}
{% macro planwise_run_fact(name) %}
  {%- if not execute -%}{{ return(false) }}{%- endif -%}
  {%- set facts = fromjson(env_var('PLANWISE_RUN_FACTS', '{}')) or {} -%}
  {#- the runner's fact wins: a var of the same name must never make a selection clear -#}
  {{ return(facts[name] if name in facts else var('planwise_' ~ name, false)) }}
{% endmacro %}
