{#- The condition under which a row breaks `rule` (see planwise_column_rules).
    A rule names exactly one check and its accepted values are a non-empty list,
    else compiling stops naming the rule. A bound is pasted as a number only
    when it is one; anything else (a var's value) is a quoted literal cast to a
    number, so it is data, never SQL: a var dbt refuses at the start of the run
    is named there, and a bound that is no number fails converting, quoted. -#}
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
      or {{ column }} {{ '<' if rule.get('min_inclusive', true) else '<=' }} {{ planwise_rule_bound(rule.min_value) }}
    {%- endif %}
    {%- if rule.max_value is defined and rule.max_value is not none %}
      or {{ column }} {{ '>' if rule.get('max_inclusive', true) else '>=' }} {{ planwise_rule_bound(rule.max_value) }}
    {%- endif %})
  {%- endif -%}
{%- endmacro %}
