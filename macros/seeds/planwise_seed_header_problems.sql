{#-
  planwise_seed_header_problems: what is wrong with a seed's header line
  against its declared column_types: another separator, spaces around a name,
  a duplicated, missing or undeclared column, and a likely rename (same name in
  another case, or at most a third of its letters different). A missing
  column listed in `optional` is no problem (the table gets it as NULLs).
-#}
{% macro planwise_seed_header_problems(shown, header, delimiter, declared, optional=[]) %}
  {%- set problems = [] -%}
  {%- set where = shown ~ " line 1" -%}
  {%- if delimiter not in header and declared | length > 1 -%}
    {%- for mark in [';', '\t', '|'] if mark in header -%}
      {%- do problems.append(where ~ ": fields are separated by '" ~ mark ~ "', not '" ~ delimiter
        ~ "' (a spreadsheet export with another list separator?). Save the file as CSV with '" ~ delimiter ~ "' between fields.") -%}
    {%- endfor -%}
    {%- if problems -%}{{ return(problems[:1]) }}{%- endif -%}
  {%- endif -%}
  {%- set names = [] -%}
  {%- for raw in header.split(delimiter) -%}
    {%- set name = raw | trim | trim('"') -%}
    {%- if raw | trim('"') != name -%}
      {%- do problems.append(where ~ ", column " ~ name ~ ": header name '" ~ raw ~ "' has spaces around it. Remove them so it reads '" ~ name ~ "'.") -%}
    {%- endif -%}
    {%- if name in names and names.count(name) == 1 -%}
      {%- do problems.append(where ~ ", column " ~ name ~ ": the header has '" ~ name ~ "' more than once. Keep one column of that name.") -%}
    {%- endif -%}
    {%- do names.append(name) -%}
  {%- endfor -%}
  {%- if not declared -%}{{ return(problems) }}{%- endif -%}
  {%- set missing = [] -%}
  {%- for name in declared if name not in names -%}{%- do missing.append(name) -%}{%- endfor -%}
  {%- for name in names | unique if name not in declared -%}
    {%- set ns = namespace(best=none, distance=999) -%}
    {%- for candidate in missing -%}
      {%- set distance = 0 if candidate | lower == name | lower else planwise_text_distance(name, candidate) -%}
      {%- if distance < ns.distance -%}{%- set ns.best, ns.distance = candidate, distance -%}{%- endif -%}
    {%- endfor -%}
    {%- if ns.best is not none and ns.distance * 3 <= [name | length, ns.best | length] | max -%}
      {%- do missing.remove(ns.best) -%}
      {%- do problems.append(where ~ ", column " ~ name ~ ": '" ~ name ~ "' is not declared; expected '" ~ ns.best ~ "' (renamed?). Rename the header to '" ~ ns.best ~ "'.") -%}
    {%- else -%}
      {%- do problems.append(where ~ ", column " ~ (name or '(empty)') ~ ": '" ~ name ~ "' is not a declared column of this seed. Remove the column, or declare it in the seed's YAML.") -%}
    {%- endif -%}
  {%- endfor -%}
  {%- for name in missing if name not in optional -%}
    {%- do problems.append(where ~ ", column " ~ name ~ ": declared column '" ~ name ~ "' is missing from the header. Add it (columns may come in any order).") -%}
  {%- endfor -%}
  {{ return(problems) }}
{% endmacro %}
