{#- The seed materialization on postgres: the rows dbt read are checked (planwise_seed_table_problems) before dbt's own load (planwise_load_seed). -#}
{% materialization seed, adapter='postgres' %}
  {{ return(planwise_load_seed(none)) }}
{% endmaterialization %}
