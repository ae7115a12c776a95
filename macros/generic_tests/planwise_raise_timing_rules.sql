{#-
  planwise_raise_timing_rules: applies the rules of
  config_timing_validation_rules (`rules`, a ref) to the raise-timing
  distribution (`model`) and fails with one row per violation whose rule has
  the given `enforcement_level` ('error' or 'warning'). Instantiate it twice,
  once with severity error for enforcement_level 'error' and once with
  severity warn for 'warning': the seed, not the YAML, decides how serious a
  violation is. Any enforcement level other than 'warning' counts as 'error'
  (fail safe), except for the rules named in `accepted_rules` (comma
  separated): their violations count as 'warning' whatever the seed says, as
  the user accepted them knowingly (var validation_raise_timing_sum_severity
  set to warn names monthly_distribution_sum).
  Known rules (by rule_name):
    monthly_distribution_sum  - each profile's monthly shares sum to
                                target_value within tolerance;
    minimum_month_percentage  - no month below target_value - tolerance;
    maximum_month_percentage  - no month above target_value + tolerance.
  A rule with any other name cannot be applied and is reported as a violation
  (`unknown_rule`) instead of being ignored.
  Failing rows: rule_name, enforcement_level, industry_profile, month_number
  (NULL for whole-profile rules), observed_value, target_value, tolerance.
-#}
{% test planwise_raise_timing_rules(model, rules, enforcement_level, accepted_rules='') %}

{%- set known_rules = ['monthly_distribution_sum', 'minimum_month_percentage', 'maximum_month_percentage'] -%}
{%- set accepted = [] -%}
{%- for name in ((accepted_rules or '') | string | replace("'", '')).split(',') if name | trim -%}
  {%- do accepted.append(name | trim) -%}
{%- endfor -%}

with distribution as (

    select * from {{ model }}

),

rules as (

    select
        rule_name,
        target_value,
        coalesce(tolerance, 0) as tolerance,
        case
            when lower(enforcement_level) = 'warning' then 'warning'
            {%- if accepted %}
            when rule_name in ('{{ accepted | join("', '") }}') then 'warning'
            {%- endif %}
            else 'error'
        end as enforcement_level
    from {{ rules }}

),

profile_sums as (

    select
        industry_profile,
        sum(raise_percentage) as observed_value
    from distribution
    group by industry_profile

),

sum_violations as (

    select
        rules.rule_name,
        rules.enforcement_level,
        profile_sums.industry_profile,
        cast(null as integer) as month_number,
        profile_sums.observed_value,
        rules.target_value,
        rules.tolerance
    from rules
    cross join profile_sums
    where
        rules.rule_name = 'monthly_distribution_sum'
        and abs(profile_sums.observed_value - rules.target_value) > rules.tolerance

),

month_violations as (

    select
        rules.rule_name,
        rules.enforcement_level,
        distribution.industry_profile,
        distribution.month_number,
        distribution.raise_percentage as observed_value,
        rules.target_value,
        rules.tolerance
    from rules
    cross join distribution
    where
        (
            rules.rule_name = 'minimum_month_percentage'
            and distribution.raise_percentage < rules.target_value - rules.tolerance
        )
        or (
            rules.rule_name = 'maximum_month_percentage'
            and distribution.raise_percentage > rules.target_value + rules.tolerance
        )

),

unknown_rules as (

    select
        rules.rule_name,
        rules.enforcement_level,
        cast('unknown_rule' as {{ dbt.type_string() }}) as industry_profile,
        cast(null as integer) as month_number,
        cast(null as {{ dbt.type_numeric() }}) as observed_value,
        rules.target_value,
        rules.tolerance
    from rules
    where
        rules.rule_name is null
        or rules.rule_name not in ('{{ known_rules | join("', '") }}')

),

violations as (

    select * from sum_violations
    union all
    select * from month_violations
    union all
    select * from unknown_rules

),

final as (

    select * from violations
    where enforcement_level = '{{ enforcement_level }}'

)

select * from final

{% endtest %}
