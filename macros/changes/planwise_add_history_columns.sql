{#- The columns of planwise_history_columns that the history table `relation` lacks (written by an older release), added. -#}
{% macro planwise_add_history_columns(relation) %}
  {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
  {%- for name, type in planwise_history_columns() if name not in present -%}
    {%- call statement('planwise_history_column_' ~ name) -%}
      alter table {{ relation }} add {{ 'columns (' if target.type == 'spark' else 'column ' }}{{ name }} {{ type }}{{ ')' if target.type == 'spark' }}
    {%- endcall -%}
  {%- endfor -%}
{% endmacro %}
