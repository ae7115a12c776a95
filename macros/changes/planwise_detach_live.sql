{#- planwise_detach_live(live_at): let go of what planwise_attach_live attached. -#}
{% macro planwise_detach_live(live_at) %}
  {{ return(adapter.dispatch('planwise_detach_live', 'planwise')(live_at)) }}
{% endmacro %}


{% macro default__planwise_detach_live(live_at) %}
  {%- if live_at.attached -%}{%- do run_query('detach database if exists ' ~ live_at.database) -%}{%- endif -%}
{% endmacro %}
