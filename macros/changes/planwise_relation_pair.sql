{#- One compared relation: its key (from its uniqueness test), the columns both sides have, and those only one has. -#}
{% macro planwise_relation_pair(node, old, new) %}
  {%- set old_columns = adapter.get_columns_in_relation(old) -%}
  {%- set old_names = old_columns | map(attribute='name') | map('lower') | list -%}
  {%- set common, added = [], [] -%}
  {%- for column in adapter.get_columns_in_relation(new) -%}
    {%- if column.name | lower in old_names -%}
      {%- do common.append({'name': column.name | lower, 'numeric': column.is_number()}) -%}
    {%- else -%}
      {%- do added.append(column.name | lower) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set common_names = common | map(attribute='name') | list -%}
  {%- set key = planwise_node_key(node) | select('in', common_names) | list -%}
  {{ return({'name': node.name, 'resource_type': node.resource_type, 'old': old, 'new': new,
             'key': key, 'columns': common, 'columns_added': added,
             'columns_removed': old_names | reject('in', common_names) | list}) }}
{% endmacro %}
