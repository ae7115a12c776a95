{#- The row counts of the models this invocation built: one portable count(*) ... union all query. -#}
{% macro planwise_built_row_counts(results) %}
  {%- set selects = [] -%}
  {%- for result in results -%}
    {%- set node = result.node -%}
    {%- if node.resource_type == 'model' and result.status == 'success'
          and node.config.materialized in ('table', 'view', 'incremental') -%}
      {%- do selects.append("select '" ~ node.name ~ "' as model_name, count(*) as row_count from "
                            ~ node.relation_name) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set counts = {} -%}
  {%- if selects | length > 0 -%}
    {%- for row in run_query(selects | join('\nunion all\n')).rows -%}
      {%- do counts.update({row[0]: row[1] | int}) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(counts) }}
{% endmacro %}
