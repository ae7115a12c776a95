{#-
  The measures of one census and its baseline, one row each (part, measure,
  bucket, measure_value): headcount, hires and terminations in the plan year,
  active employees, total and median pay, the baseline's headcount by
  level, age band and tenure band, and its total pay by level.
-#}
{% macro planwise_workforce_measures(census, baseline) %}
  {%- set text, number = planwise_type('varchar'), planwise_type('double') -%}
  {%- set plan_start = "cast(" ~ planwise_string_literal(var('plan_year_start_date')) ~ " as date)" -%}
  {%- set plan_end = "cast(" ~ planwise_string_literal(var('plan_year_end_date')) ~ " as date)" -%}
  {%- set sides = [
        ('census', census, 'employee_gross_compensation', 'employee_termination_date', 'active'),
        ('baseline', baseline, 'current_compensation', 'termination_date', "employment_status = 'active'"),
      ] -%}
  {%- for part, relation, pay, terminated, active in sides %}
    {{ 'union all' if not loop.first }}
    select
      '{{ part }}' as part,
      measure,
      cast('all' as {{ text }}) as bucket,
      measure_value
    from (
      select 'headcount' as measure, cast(count(*) as {{ number }}) as measure_value from {{ relation }}
      union all
      select 'hires' as measure, cast(count(*) as {{ number }}) as measure_value from {{ relation }}
      where employee_hire_date between {{ plan_start }} and {{ plan_end }}
      union all
      select 'terminations' as measure, cast(count(*) as {{ number }}) as measure_value from {{ relation }}
      where {{ terminated }} between {{ plan_start }} and {{ plan_end }}
      union all
      select 'active' as measure, cast(count(*) as {{ number }}) as measure_value from {{ relation }}
      where {{ active }}
      union all
      select 'total_pay' as measure, cast({{ planwise_round('sum(' ~ pay ~ ')', 2) }} as {{ number }}) as measure_value
      from {{ relation }}
      union all
      select 'median_pay' as measure, cast({{ planwise_median(pay) }} as {{ number }}) as measure_value
      from {{ relation }}
    ) as measures_{{ part }}
  {%- endfor %}
  {%- for measure, column in [('by_level', 'level_id'), ('by_age_band', 'age_band'), ('by_tenure_band', 'tenure_band')] %}
    union all
    select
      'baseline' as part,
      '{{ measure }}' as measure,
      cast({{ column }} as {{ text }}) as bucket,
      cast(count(*) as {{ number }}) as measure_value
    from {{ baseline }}
    group by {{ column }}
  {%- endfor %}
    union all
    select
      'baseline' as part,
      'pay_by_level' as measure,
      cast(level_id as {{ text }}) as bucket,
      cast({{ planwise_round('sum(current_compensation)', 2) }} as {{ number }}) as measure_value
    from {{ baseline }}
    group by level_id
{% endmacro %}
