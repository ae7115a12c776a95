{#- Whether the history row goes into the database being built (DuckDB: the candidate is a copy of the live file). -#}
{% macro planwise_history_in_build() %}
  {{ return(adapter.dispatch('planwise_history_in_build', 'planwise')()) }}
{% endmacro %}


{% macro default__planwise_history_in_build() %}{{ return(false) }}{% endmacro %}

{% macro duckdb__planwise_history_in_build() %}{{ return(true) }}{% endmacro %}
