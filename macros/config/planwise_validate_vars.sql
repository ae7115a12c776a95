{#-
  planwise_validate_vars: stops the run before any node when a var passed on
  the command line is not a var of the project, or any var has the wrong kind
  of value (planwise_var_kinds), or the plan year or simulation years are the
  wrong way round, or census_path and census_parquet_path (PlanWise's name
  for it) are both given with different files, or a value holds Jinja (dbt
  would run it as code). One error lists every problem, each naming the var.
  Runs first in the on-run-start hook, so a plain `dbt build` is checked too;
  `planwise-run` passes its configuration file's vars and PLANWISE_* env vars
  with --vars, so they get the same messages.
-#}
{% macro planwise_validate_vars() %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set kinds = planwise_var_kinds() -%}
  {%- set problems = [] -%}
  {%- set given = invocation_args_dict.get('vars') or {} -%}
  {%- set given = fromyaml(given) if given is string else given -%}
  {#- Values are data: dbt renders Jinja inside a var's value each time var() reads
      it, so a value holding Jinja would run as code. Refused before any var() call;
      a file path may hold braces inside one raw block, which renders as itself. -#}
  {%- for name, value in given.items()
      if ('{{' in value | string or '{%' in value | string or '{#' in value | string)
        and not planwise_is_raw_path(name, value) -%}
    {%- do problems.append("var `" ~ name ~ "` holds Jinja (" ~ (value | string)[:80]
      ~ "): configuration values are data, not code; remove the braces") -%}
  {%- endfor -%}
  {%- if problems -%}
    {{ exceptions.raise_compiler_error("Invalid vars (" ~ problems | length ~ "):\n  " ~ problems | join("\n  ")) }}
  {%- endif -%}
  {%- for name in given if name not in kinds -%}
    {%- set ns = namespace(best='', distance=999) -%}
    {%- for known in kinds -%}
      {%- set distance = planwise_text_distance(name, known) -%}
      {%- if distance < ns.distance -%}{%- set ns.best, ns.distance = known, distance -%}{%- endif -%}
    {%- endfor -%}
    {%- do problems.append("unknown var `" ~ name ~ "`"
      ~ (" (did you mean `" ~ ns.best ~ "`?)" if ns.distance <= 3 else "")
      ~ ": the project's vars are those in dbt_project.yml's `vars:`") -%}
  {%- endfor -%}
  {%- for name, kind in kinds.items() -%}
    {%- set problem = planwise_var_problem(var(name, none), kind) -%}
    {%- if problem -%}
      {%- do problems.append("var `" ~ name ~ "` " ~ problem ~ ", got " ~ (var(name, none) | string if var(name, none) is not string else "'" ~ var(name) ~ "'")) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if not problems -%}
    {%- for first, last in [('plan_year_start_date', 'plan_year_end_date'), ('simulation_start_year', 'simulation_end_year')]
        if var(first) | string > var(last) | string -%}
      {%- do problems.append("var `" ~ first ~ "` (" ~ var(first) ~ ") is after `" ~ last ~ "` (" ~ var(last) ~ ")") -%}
    {%- endfor -%}
    {#- census_parquet_path is PlanWise's name for census_path: both given must agree -#}
    {%- if 'census_path' in given and var('census_parquet_path', none) is not none
        and var('census_path') | string != var('census_parquet_path') | string -%}
      {%- do problems.append("vars `census_path` ('" ~ var('census_path') ~ "') and `census_parquet_path` ('"
        ~ var('census_parquet_path') ~ "') name different census files: census_parquet_path is PlanWise's name for census_path; give one of them") -%}
    {%- endif -%}
  {%- endif -%}
  {%- if problems -%}
    {{ exceptions.raise_compiler_error("Invalid vars (" ~ problems | length ~ "):\n  " ~ problems | join("\n  ")
      ~ "\nFix them where they are set: --vars, the `vars:` of config/planwise.yml, PLANWISE_<VAR> env vars or dbt_project.yml.") }}
  {%- endif -%}
  {{ return('') }}
{% endmacro %}
