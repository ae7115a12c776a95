{#-
  The census contract: required and optional columns with the SQL type each
  is cast to. Integer pay and timestamp dates cast cleanly. Columns the
  contract does not know are carried through to stg_census_data unchanged.
-#}
{% macro census_required_columns() %}
  {{ return({
    'employee_id': dbt.type_string(),
    'employee_birth_date': 'date',
    'employee_hire_date': 'date',
    'employee_gross_compensation': 'double',
    'active': 'boolean',
  }) }}
{% endmacro %}

{% macro census_optional_columns() %}
  {{ return({
    'employee_ssn': dbt.type_string(),
    'employee_termination_date': 'date',
    'employee_capped_compensation': 'double',
    'employee_deferral_rate': 'double',
    'employee_contribution': 'double',
    'pre_tax_contribution': 'double',
    'roth_contribution': 'double',
    'after_tax_contribution': 'double',
    'employer_core_contribution': 'double',
    'employer_match_contribution': 'double',
    'eligibility_entry_date': 'date',
    'scheduled_hours_per_week': 'double',
    'auto_escalation_opt_out': 'boolean',
    'eligibility_override': 'boolean',
  }) }}
{% endmacro %}

{#-
  census_typed_columns: the select list that casts every census column to its
  contract type. A missing required column stops the build with an error that
  names the file and the column(s); a missing optional column becomes a typed
  NULL; a column the contract does not know follows, unchanged, under its own
  name. Columns are discovered with dbt's portable get_columns_in_query.
-#}
{% macro census_typed_columns(census_relation) %}
  {%- set required = census_required_columns() -%}
  {%- set optional = census_optional_columns() -%}
  {%- set present = [] -%}
  {%- if execute -%}
    {%- for column in get_columns_in_query('select * from ' ~ census_relation) -%}
      {%- do present.append(column | lower) -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for column in required -%}
      {%- if column not in present -%}{%- do missing.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
      {{ exceptions.raise_compiler_error(
        "Census file '" ~ var('census_path') ~ "' is missing required column(s): "
        ~ missing | join(', ') ~ ". Required columns are: " ~ required.keys() | join(', ')
        ~ ". Add the column(s) to the census export, or point the census_path var at the right file.") }}
    {%- endif -%}
  {%- else -%}
    {%- set present = (required.keys() | list) + (optional.keys() | list) -%}
  {%- endif -%}
  {%- for column, data_type in required.items() %}
    cast({{ column }} as {{ data_type }}) as {{ column }},
  {%- endfor %}
  {%- for column, data_type in optional.items() %}
    {%- if column in present %}
    cast({{ column }} as {{ data_type }}) as {{ column }}{{ "," if not loop.last }}
    {%- else %}
    cast(null as {{ data_type }}) as {{ column }}{{ "," if not loop.last }}
    {%- endif %}
  {%- endfor %}
  {%- for column in census_extra_columns(census_relation) %},
    {{ adapter.quote(column) }}
  {%- endfor %}
{% endmacro %}

{#-
  census_extra_columns: the census columns the contract does not know, as
  they are spelled in the file (empty while parsing).
-#}
{% macro census_extra_columns(census_relation) %}
  {%- set known = (census_required_columns().keys() | list) + (census_optional_columns().keys() | list) -%}
  {%- set extra = [] -%}
  {%- if execute and model.resource_type != 'unit_test' -%}
    {%- for column in get_columns_in_query('select * from ' ~ census_relation) -%}
      {%- if column | lower not in known -%}{%- do extra.append(column) -%}{%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(extra) }}
{% endmacro %}

{#- Order that picks the row kept for a duplicated employee_id: latest hire
    date, then highest pay, then SSN for a deterministic tie-break. -#}
{% macro census_duplicate_order() -%}
  employee_hire_date desc nulls last,
  employee_gross_compensation desc nulls last,
  employee_ssn
{%- endmacro %}
