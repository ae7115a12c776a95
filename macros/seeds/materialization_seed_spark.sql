{#- The seed materialization on spark: the rows dbt read are checked (planwise_seed_table_problems) before dbt's own load (planwise_load_seed). -#}
{% materialization seed, adapter='spark' %}
  {{ return(planwise_load_seed(none)) }}
{% endmaterialization %}
