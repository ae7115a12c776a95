{#- The history table: schema <target schema>_history, which clearing never touches. -#}
{% macro planwise_history_relation() %}
  {{ return(api.Relation.create(database=target.get('database'), schema=target.schema ~ '_history',
                                identifier='planwise_setup_runs', type='table')) }}
{% endmacro %}
