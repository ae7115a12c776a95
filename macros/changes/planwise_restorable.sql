{#-
  planwise_check_restorable(previous, live): whether the DuckDB file
  `previous` is a database a setup of this project published, so that
  `planwise-run rollback` may make it the live database. Run by the runner
  against a throwaway database: each file is attached read-only
  (planwise_attach_live), one at a time, so the check never writes to either.
  `previous` must hold every seed and stored model of the project
  (planwise_missing_owned) and a history table with a setup it was built by
  (planwise_held_setup); otherwise a compiler error says what is missing (a
  few names, then a count). Logs one JSON line per file,
  {"planwise_restorable": {"file": "previous" or "live", "path": ...,
  "setup": {"run_id", "started_at"} or null}}, the previous first;
  the live file (optional, it may hold anything) is read last, so a live file
  that cannot be read fails the run only after the verdict on `previous`.
  `trusted`: the runner recorded `previous` as the very file the last publish
  or rollback replaced (for example the database a first setup was built
  over): it is restorable whatever it holds, as long as DuckDB can read it.
-#}
{% macro planwise_check_restorable(previous, live=none, trusted=false) %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set attached = planwise_attach_live({'path': previous}) -%}
  {%- set missing = planwise_missing_owned(attached.database) -%}
  {%- set held = planwise_held_setup(attached.database) -%}
  {%- do planwise_detach_live(attached) -%}
  {%- set history = planwise_history_relation() -%}
  {%- set history_name = history.schema ~ '.' ~ history.identifier -%}
  {%- set not_published = ": it is not a database a setup of this project published" -%}
  {%- if trusted -%}
    {#- the very file the last publish or rollback replaced: whatever it holds -#}
  {%- elif missing -%}
    {{ exceptions.raise_compiler_error("it lacks " ~ missing | length ~ " of the project's seeds and models ("
      ~ missing[:5] | join(', ') ~ (', ...' if missing | length > 5 else '') ~ ")" ~ not_published) }}
  {%- elif held is none -%}
    {{ exceptions.raise_compiler_error("it has no history table " ~ history_name ~ not_published) }}
  {%- elif held.run_id is none -%}
    {{ exceptions.raise_compiler_error("its history table " ~ history_name
      ~ " records no setup it was built by" ~ not_published) }}
  {%- endif -%}
  {%- do log(tojson({'planwise_restorable': {'file': 'previous', 'path': previous, 'setup': held}}), info=true) -%}
  {%- if live -%}
    {%- set attached = planwise_attach_live({'path': live}) -%}
    {%- set held = planwise_held_setup(attached.database) -%}
    {%- do planwise_detach_live(attached) -%}
    {%- do log(tojson({'planwise_restorable': {'file': 'live', 'path': live, 'setup': held}}), info=true) -%}
  {%- endif -%}
{% endmacro %}
