{#-
  planwise_prepare_engine: what an engine needs before any node runs (called
  by on-run-start). DuckDB and Spark have every function the project uses.
  PostgreSQL gets levenshtein (the fuzzystrmatch extension in schema public,
  trusted, so the database owner may create it) and one planwise_try_cast_<type> function per
  type the census converts to: PostgreSQL has no try_cast.
-#}
{% macro planwise_prepare_engine() -%}
  {%- if execute -%}{%- do adapter.dispatch('planwise_prepare_engine', 'planwise')() -%}{%- endif -%}
  {{- return('') -}}
{%- endmacro %}

{% macro default__planwise_prepare_engine() -%}
{%- endmacro %}

{% macro postgres__planwise_prepare_engine() -%}
  {%- call statement('planwise_prepare_engine') -%}
  create extension if not exists fuzzystrmatch schema public;
  create schema if not exists {{ adapter.quote(target.schema) }};
  {%- for type in ['date', 'boolean', 'integer', 'bigint', 'timestamp', planwise_type('double')] %}
  create or replace function {{ planwise_try_cast_function(type) }}(value text)
  returns {{ type }} language plpgsql stable as $$
  declare
    converted {{ type }};
  begin
    converted := value::{{ type }};
    {%- if planwise_can_be_infinite(type) %}
    -- infinity, -infinity and NaN (which sorts above infinity) do not convert
    if not (converted > '-infinity'::{{ type }} and converted < 'infinity'::{{ type }}) then
      return null;
    end if;
    {%- endif %}
    return converted;
  exception when others then
    return null;
  end
  $$;
  {%- endfor %}
  {%- endcall -%}
  {%- do adapter.commit() -%}
{%- endmacro %}
