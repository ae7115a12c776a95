{#-
  planwise_column_rules: the rules on a model's non-key columns, one test per
  model, severity and category. `rules` is a list; each rule names its
  `column` and one of:
    not_null: true                    the column is filled in
    min_value / max_value             a range, either bound optional;
      (min_inclusive / max_inclusive  false makes a bound strict)
    accepted_values: [...]            one of these values
    compare: {operator, other_column} column <operator> other_column
  and optionally `description` (documentation only). NULLs pass every rule
  but not_null, as in dbt's own tests.

  Fails with one row per failing cell: `failing_column`, `failing_rule` (the rule in
  words, e.g. `>= 0 and <= 1`), `failing_value` (as text) and the whole row.
-#}
{% test planwise_column_rules(model, rules) %}

with source_rows as (

    select * from {{ model }}

),

{% for rule in rules %}
rule_{{ loop.index }} as (

    select
        cast({{ planwise_string_literal(rule.column) }} as {{ dbt.type_string() }}) as failing_column,
        cast({{ planwise_string_literal(planwise_rule_text(rule)) }} as {{ dbt.type_string() }}) as failing_rule,
        cast({{ rule.column }} as {{ dbt.type_string() }}) as failing_value,
        source_rows.*
    from source_rows
    where {{ planwise_rule_fails(rule) }}

),

{% endfor %}
final as (

    {% for rule in rules %}
    select * from rule_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final

{% endtest %}
