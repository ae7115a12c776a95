{#- The owned relations that exist now, as a list of Relation objects. -#}
{% macro planwise_owned_relations() %}
  {%- set prefixes = planwise_owned_prefixes() -%}
  {%- set failures_schema = planwise_failures_schema() -%}
  {%- set owned = [] -%}
  {%- for schema_name in [target.schema, failures_schema] -%}
    {%- if adapter.check_schema_exists(target.database, schema_name) -%}
      {%- set schema_relation = api.Relation.create(database=target.database, schema=schema_name) -%}
      {%- for row in list_relations_without_caching(schema_relation) -%}
        {%- set relation = api.Relation.create(database=row['database'], schema=row['schema'],
                                               identifier=row['name'], type=row['type']) -%}
        {%- set name = row['name'] | lower -%}
        {%- set ns = namespace(matches=(schema_name == failures_schema)) -%}
        {%- for prefix in prefixes -%}
          {%- if name.startswith(prefix) -%}{%- set ns.matches = true -%}{%- endif -%}
        {%- endfor -%}
        {%- if ns.matches -%}{%- do owned.append(relation) -%}{%- endif -%}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(owned) }}
{% endmacro %}
