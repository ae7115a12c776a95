{#-
  planwise_restorable(path, check=true): the setup the DuckDB file `path`
  holds ({"run_id", "started_at"}, or none), read with the file attached
  read-only (planwise_attach_live) to a throwaway database, so it never writes
  to it. With `check`, the file must be a database a setup of this project
  published, so that `planwise-run rollback` may make it the live database:
  it must hold every seed and stored model of the project
  (planwise_missing_owned) and a history table with a setup it was built by
  (planwise_held_setup); otherwise a compiler error says what is missing (a
  few names, then a count). The runner has dbt render it, as JSON:
  dbt compile --inline "{{ tojson(planwise_restorable('/data/sim.duckdb.previous')) }}"
  for the previous file (check false when the runner recorded it as the very
  file the last publish or rollback replaced: restorable whatever it holds),
  then, on its own, for the live file (check false: it may hold anything).
-#}
{% macro planwise_restorable(path, check=true) %}
  {%- if not execute -%}{{ return(none) }}{%- endif -%}
  {%- set attached = planwise_attach_live({'path': path}) -%}
  {%- set missing = planwise_missing_owned(attached.database) if check else [] -%}
  {%- set held = planwise_held_setup(attached.database) -%}
  {%- do planwise_detach_live(attached) -%}
  {%- set history = planwise_history_relation() -%}
  {%- set history_name = history.schema ~ '.' ~ history.identifier -%}
  {%- set not_published = ": it is not a database a setup of this project published" -%}
  {%- if not check -%}
    {#- the live file, or the very file the last publish or rollback replaced -#}
  {%- elif missing -%}
    {{ exceptions.raise_compiler_error("it lacks " ~ missing | length ~ " of the project's seeds and models ("
      ~ missing[:5] | join(', ') ~ (', ...' if missing | length > 5 else '') ~ ")" ~ not_published) }}
  {%- elif held is none -%}
    {{ exceptions.raise_compiler_error("it has no history table " ~ history_name ~ not_published) }}
  {%- elif held.run_id is none -%}
    {{ exceptions.raise_compiler_error("its history table " ~ history_name
      ~ " records no setup it was built by" ~ not_published) }}
  {%- endif -%}
  {{ return(held) }}
{% endmacro %}
