{#- A bound of a rule: a number as it is, anything else as a literal cast to a number. -#}
{% macro planwise_rule_bound(value) -%}
  {%- if modules.re.fullmatch('-?[0-9]+([.][0-9]+)?', value | string | trim) -%}
    {{ value | string | trim }}
  {%- else -%}
    cast({{ planwise_string_literal(value) }} as {{ var('planwise_types')[target.type].double }})
  {%- endif -%}
{%- endmacro %}
