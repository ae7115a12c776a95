{#- The columns of the node's planwise_primary_key test ([] when it has none, or its key has no columns). -#}
{% macro planwise_node_key(node) %}
  {%- for test in graph.nodes.values() | sort(attribute='name')
      if test.resource_type == 'test' and test.attached_node == node.unique_id and test.test_metadata
      and test.test_metadata.name == 'planwise_primary_key' -%}
    {{ return(test.test_metadata.kwargs.columns | map('lower') | list) }}
  {%- endfor -%}
  {{ return([]) }}
{% endmacro %}
