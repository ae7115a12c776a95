{#- The columns of the node's first `unique` or unique_combination_of_columns test ([] when it has none). -#}
{% macro planwise_node_key(node) %}
  {%- for test in graph.nodes.values() | sort(attribute='name')
      if test.resource_type == 'test' and test.attached_node == node.unique_id and test.test_metadata -%}
    {%- set arguments = test.test_metadata.kwargs -%}
    {%- if test.test_metadata.name == 'unique_combination_of_columns' -%}
      {{ return(arguments.combination_of_columns | map('lower') | list) }}
    {%- elif test.test_metadata.name == 'unique' -%}
      {{ return([arguments.column_name | lower]) }}
    {%- endif -%}
  {%- endfor -%}
  {{ return([]) }}
{% endmacro %}
