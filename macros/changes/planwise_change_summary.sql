{#-
  The change report as the history keeps it: counts per relation, the census's
  employee counts, and the changed cells of seeds only (at most the report's
  examples: seeds are small, and `planwise-run diff` shows their values).
-#}
{% macro planwise_change_summary(changes) %}
  {%- set relations = {} -%}
  {%- for name, entry in (changes.get('relations') or {}).items() -%}
    {%- set kept = {'added': entry.added, 'removed': entry.removed, 'changed': entry.changed} -%}
    {%- if entry.get('resource_type') == 'seed' -%}
      {%- do kept.update({'examples': entry.examples | selectattr('change', 'equalto', 'changed') | list}) -%}
    {%- endif -%}
    {%- do relations.update({name: kept}) -%}
  {%- endfor -%}
  {%- set measures = (changes.get('workforce') or []) | selectattr('bucket', 'equalto', 'all') | list -%}
  {%- set summary = {'first_setup': changes.get('first_setup', true), 'relations': relations, 'workforce': measures} -%}
  {%- if changes.get('census') -%}{%- do summary.update({'census': changes.census}) -%}{%- endif -%}
  {{ return(summary) }}
{% endmacro %}
