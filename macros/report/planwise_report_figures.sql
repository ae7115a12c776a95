{#-
  planwise_report_figures(): the aggregates the visual setup report draws, as
  {section: [row, ...]}, read from the relations this database holds (a
  section whose relations are missing, e.g. after a failed build, is left
  out). Every number is an aggregate, so the page stays small at any census
  size:
  intake (the census rows by what became of them), levels (headcount and pay
  by level against each level's band), age_tenure (headcount by age band x
  tenure band), eligibility (eligibility status x enrollment) and grids (the
  three hazard grids of the first simulation year).
  `relations` ({node name: relation}; none: this database's, as dbt names
  them) and `sections` (names; none: all) narrow it: the change report draws
  the live database's grids with them.
  Called from planwise_run_summary for every setup;
  `planwise-run report` renders it on the live database (a database that
  stored no queries): dbt compile --inline "{{ tojson(planwise_report_figures()) }}".
  Plain dbt can have the figures logged as one JSON document
  {"planwise_report_figures": ...}:
  dbt run-operation planwise_report_figures --args '{log_result: true}'
-#}
{% macro planwise_report_figures(log_result=false, relations=none, sections=none) %}
  {%- if not execute -%}{{ return({}) }}{%- endif -%}
  {%- set figures = {} -%}
  {%- for section, query in planwise_report_figure_queries(relations, sections).items() -%}
    {%- do figures.update({section: planwise_table_records(run_query(query))}) -%}
  {%- endfor -%}
  {%- if log_result -%}{%- do log(tojson({'planwise_report_figures': figures}), info=true) -%}{%- endif -%}
  {{ return(figures) }}
{% endmacro %}
