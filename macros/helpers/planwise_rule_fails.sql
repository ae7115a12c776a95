{#- The condition under which a row breaks `rule` (see planwise_column_rules). -#}
{% macro planwise_rule_fails(rule) -%}
  {%- set column = rule.column -%}
  {%- if rule.not_null -%}
    {{ column }} is null
  {%- elif rule.accepted_values is defined -%}
    {%- set values = [] -%}
    {%- for value in rule.accepted_values -%}
      {%- do values.append(planwise_string_literal(value)) -%}
    {%- endfor -%}
    {{ column }} is not null and {{ column }} not in ({{ values | join(', ') if values else 'null' }})
  {%- elif rule.compare is defined -%}
    {%- set operator = rule.compare.operator -%}
    {%- if operator not in ['<', '<=', '=', '>=', '>', '<>'] -%}
      {{ exceptions.raise_compiler_error("planwise_column_rules: unsupported operator '" ~ operator ~ "' on " ~ column) }}
    {%- endif -%}
    {{ column }} is not null and {{ rule.compare.other_column }} is not null
    and not ({{ column }} {{ operator }} {{ rule.compare.other_column }})
  {%- elif rule.min_value is defined or rule.max_value is defined -%}
    {{ column }} is not null and (1 = 0
    {%- if rule.min_value is defined and rule.min_value is not none %}
      or {{ column }} {{ '<' if rule.get('min_inclusive', true) else '<=' }} {{ rule.min_value }}
    {%- endif %}
    {%- if rule.max_value is defined and rule.max_value is not none %}
      or {{ column }} {{ '>' if rule.get('max_inclusive', true) else '>=' }} {{ rule.max_value }}
    {%- endif %})
  {%- else -%}
    {{ exceptions.raise_compiler_error("planwise_column_rules: the rule on " ~ column ~ " names no check (not_null, min_value/max_value, accepted_values or compare)") }}
  {%- endif -%}
{%- endmacro %}
