{#-
  Clearing the relations the PlanWise setup owns.

  Owned = (a) tables and views in the target schema whose names START with one
  of the owned prefixes (stg_, int_, fct_, dim_; a prefix, not a substring:
  `xstg_foo` is not owned), and (b) every relation in the stored-failures
  schema `<target schema>_validation_failures`, which holds nothing but dbt's
  stored test failures (the schema is dropped with everything in it and
  recreated empty, two statements instead of one per table). Nothing else is ever touched: seeds are replaced by the
  build itself, and user tables (e.g. `my_notes`) stay.

  Relations are discovered with the adapter's own catalog methods
  (`adapter.check_schema_exists`, `adapter.list_relations`: Relation objects
  with their type on every engine), so no engine-specific SQL lives here. Works on an empty or brand-new database.
-#}

{#- The owned name prefixes, lower case. -#}
{% macro planwise_owned_prefixes() -%}
  {{ return(['stg_', 'int_', 'fct_', 'dim_']) }}
{%- endmacro %}
