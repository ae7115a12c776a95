{#-
  planwise_undeclared_columns(results): for every model this invocation built
  whose YAML declares columns, the columns of the built relation the YAML does
  not declare, as {model name: [column, ...]} (models with none are left out).
-#}
{% macro planwise_undeclared_columns(results) %}
  {%- set undeclared = {} -%}
  {%- for result in results -%}
    {%- set node = result.node -%}
    {%- if node.resource_type == 'model' and result.status == 'success' and node.columns
          and node.config.materialized in ('table', 'view', 'incremental') -%}
      {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
      {%- set declared = node.columns.keys() | map('lower') | list -%}
      {%- set extra = [] -%}
      {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | lower not in declared -%}{%- do extra.append(column.name) -%}{%- endif -%}
      {%- endfor -%}
      {%- if extra -%}{%- do undeclared.update({node.name: extra}) -%}{%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(undeclared) }}
{% endmacro %}
