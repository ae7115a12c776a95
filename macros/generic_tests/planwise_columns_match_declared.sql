{#-
  planwise_columns_match_declared: an open contract. Every column declared in
  the model's YAML (with a data_type) exists in the built relation with that
  type; columns the YAML does not declare are allowed. Fails with one row per
  declared column that is missing (`column_issue` = 'missing') or has another
  type ('type'), with the declared and the actual type.
-#}
{% test planwise_columns_match_declared(model) %}

{%- set problems = [] -%}
{%- if execute -%}
  {%- set node = graph.nodes.values()
      | selectattr('resource_type', 'equalto', 'model')
      | selectattr('alias', 'equalto', model.identifier)
      | first -%}
  {%- set actual = {} -%}
  {%- for column in adapter.get_columns_in_relation(model) -%}
    {%- do actual.update({column.name | lower: column.dtype | lower}) -%}
  {%- endfor -%}
  {%- for name, column in node.columns.items() if column.data_type -%}
    {%- set declared = planwise_type(column.data_type | lower) | lower -%}
    {%- if name | lower not in actual -%}
      {%- do problems.append((name, declared, none, 'missing')) -%}
    {%- elif actual[name | lower] != declared -%}
      {%- do problems.append((name, declared, actual[name | lower], 'type')) -%}
    {%- endif -%}
  {%- endfor -%}
{%- endif -%}

with problems as (

    {% for name, declared, found, issue in problems %}
    select
        cast('{{ name }}' as {{ dbt.type_string() }}) as column_name,
        cast('{{ declared }}' as {{ dbt.type_string() }}) as declared_type,
        cast({{ ("'" ~ found ~ "'") if found else 'null' }} as {{ dbt.type_string() }}) as actual_type,
        cast('{{ issue }}' as {{ dbt.type_string() }}) as column_issue
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as declared_type,
        cast(null as {{ dbt.type_string() }}) as actual_type,
        cast(null as {{ dbt.type_string() }}) as column_issue
    where 1 = 0
    {% endfor %}

),

final as (

    select * from problems

)

select * from final

{% endtest %}
