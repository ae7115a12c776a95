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
    {%- for relation in planwise_schema_relations(schema_name) -%}
      {%- set name = relation.identifier | lower -%}
      {%- set ns = namespace(matches=(schema_name == failures_schema)) -%}
      {%- for prefix in prefixes -%}
        {%- if name.startswith(prefix) -%}{%- set ns.matches = true -%}{%- endif -%}
      {%- endfor -%}
      {%- for pattern in keep -%}
        {%- if modules.re.match(pattern, name) -%}{%- set ns.matches = false -%}{%- endif -%}
      {%- endfor -%}
      {%- if ns.matches -%}{%- do owned.append(relation) -%}{%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(owned) }}
{% endmacro %}
