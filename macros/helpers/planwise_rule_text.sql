{#- A rule in words, for the failing rows: `not null`, `> 0 and <= 5.0`, `one of a, b`, `>= base_limit`. -#}
{% macro planwise_rule_text(rule) -%}
  {%- if rule.not_null -%}
    not null
  {%- elif rule.accepted_values is defined -%}
    one of {{ rule.accepted_values | join(', ') }}
  {%- elif rule.compare is defined -%}
    {{ rule.compare.operator }} {{ rule.compare.other_column }}
  {%- else -%}
    {%- set parts = [] -%}
    {%- if rule.min_value is defined and rule.min_value is not none -%}
      {%- do parts.append(('>= ' if rule.get('min_inclusive', true) else '> ') ~ rule.min_value) -%}
    {%- endif -%}
    {%- if rule.max_value is defined and rule.max_value is not none -%}
      {%- do parts.append(('<= ' if rule.get('max_inclusive', true) else '< ') ~ rule.max_value) -%}
    {%- endif -%}
    {{ parts | join(' and ') }}
  {%- endif -%}
{%- endmacro %}
