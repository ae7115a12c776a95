{#- Stop the seed with one error listing its problems (nothing when there are none). -#}
{% macro planwise_refuse_seed(problems) %}
  {%- if problems -%}
    {{ exceptions.raise_compiler_error(
      model.original_file_path ~ " cannot be loaded (" ~ problems | length ~ " problem"
      ~ ("s" if problems | length > 1) ~ "):\n" ~ problems | join("\n")) }}
  {%- endif -%}
{% endmacro %}
