{#- Drop a candidate schema and its failures schema, with everything in them. -#}
{% macro planwise_drop_candidate(candidate) -%}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- for new, old in planwise_schema_pairs(candidate, candidate) -%}
    {%- do adapter.drop_schema(api.Relation.create(database=target.get('database'), schema=new)) -%}
  {%- endfor -%}
  {%- do adapter.commit() if target.type != 'spark' -%}
{%- endmacro %}
