{#- The condition under which a row breaks `rule` (see planwise_column_rules).
    A rule names exactly one check; its bounds are numbers and its accepted
    values a non-empty list, else compiling stops naming the rule. -#}
{% macro planwise_rule_fails(rule) -%}
  {%- set column = rule.column -%}
  {%- set checks = [] -%}
  {%- for check in ['not_null', 'accepted_values', 'compare'] if rule[check] is defined -%}
    {%- do checks.append(check) -%}
  {%- endfor -%}
  {%- if rule.min_value is defined or rule.max_value is defined -%}
    {%- do checks.append('min_value/max_value') -%}
  {%- endif -%}
  {%- if checks | length != 1 -%}
    {{ exceptions.raise_compiler_error("planwise_column_rules: the rule on " ~ column ~ " names "
      ~ (checks | join(' and ') or 'no check') ~ "; give each check a rule of its own (not_null, min_value/max_value, accepted_values or compare)") }}
  {%- endif -%}
  {%- for bound in ['min_value', 'max_value'] if rule[bound] is defined and rule[bound] is not none -%}
    {%- if not modules.re.fullmatch('-?[0-9]+([.][0-9]+)?', rule[bound] | string | trim) -%}
      {{ exceptions.raise_compiler_error("planwise_column_rules: " ~ bound ~ " of the rule on " ~ column ~ " is not a number: " ~ rule[bound]) }}
    {%- endif -%}
  {%- endfor -%}
  {%- if rule.accepted_values is defined and (rule.accepted_values is string or rule.accepted_values | length == 0) -%}
    {{ exceptions.raise_compiler_error("planwise_column_rules: accepted_values of the rule on " ~ column ~ " must be a non-empty list") }}
  {%- endif -%}
  {%- if rule.not_null -%}
    {{ column }} is null
  {%- elif rule.accepted_values is defined -%}
    {%- set values = [] -%}
    {%- for value in rule.accepted_values -%}
      {%- do values.append(planwise_string_literal(value)) -%}
    {%- endfor -%}
    {{ column }} is not null and {{ column }} not in ({{ values | join(', ') }})
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
  {%- endif -%}
{%- endmacro %}
