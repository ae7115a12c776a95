{#-
  The owned relations that exist now, as a list of Relation objects: never one
  whose name matches a pattern of var clear_keep (shell-style: * any text, ?
  one character; compared in lower case), e.g. ['stg_my_*'] for a user's own
  stg_ tables.
-#}
{% macro planwise_owned_relations() %}
  {%- set prefixes = planwise_owned_prefixes() -%}
  {%- set keep = [] -%}
  {%- for pattern in var('clear_keep', []) -%}
    {%- set escaped = modules.re.escape(pattern | string | lower) -%}
    {%- do keep.append(escaped.replace('\\*', '.*').replace('\\?', '.') ~ '$') -%}
  {%- endfor -%}
  {%- set failures_schema = planwise_failures_schema() -%}
  {%- set owned = [] -%}
  {%- for schema_name in [target.schema, failures_schema] -%}
    {%- if adapter.check_schema_exists(target.get('database'), schema_name) -%}
      {%- set schema_relation = api.Relation.create(database=target.get('database'), schema=schema_name) -%}
      {%- for row in list_relations_without_caching(schema_relation) -%}
        {%- set relation = api.Relation.create(database=row['database'], schema=row['schema'],
                                               identifier=row['name'], type=row['type']) -%}
        {%- set name = row['name'] | lower -%}
        {%- set ns = namespace(matches=(schema_name == failures_schema)) -%}
        {%- for prefix in prefixes -%}
          {%- if name.startswith(prefix) -%}{%- set ns.matches = true -%}{%- endif -%}
        {%- endfor -%}
        {%- for pattern in keep -%}
          {%- if modules.re.match(pattern, name) -%}{%- set ns.matches = false -%}{%- endif -%}
        {%- endfor -%}
        {%- if ns.matches -%}{%- do owned.append(relation) -%}{%- endif -%}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(owned) }}
{% endmacro %}
