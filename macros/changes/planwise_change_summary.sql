{#- The change report without its example rows: what the history keeps (the census's employee counts included). -#}
{% macro planwise_change_summary(changes) %}
  {%- set relations = {} -%}
  {%- for name, entry in (changes.get('relations') or {}).items() -%}
    {%- do relations.update({name: {'added': entry.added, 'removed': entry.removed, 'changed': entry.changed}}) -%}
  {%- endfor -%}
  {%- set measures = (changes.get('workforce') or []) | selectattr('bucket', 'equalto', 'all') | list -%}
  {%- set summary = {'first_setup': changes.get('first_setup', true), 'relations': relations, 'workforce': measures} -%}
  {%- if changes.get('census') -%}{%- do summary.update({'census': changes.census}) -%}{%- endif -%}
  {{ return(summary) }}
{% endmacro %}
