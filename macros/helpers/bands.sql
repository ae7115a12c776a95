{#-
  Age and tenure bands: the single definition of the band labels shared by the
  multiplier seeds, the baseline workforce and the hazard grids. Each band is
  [min, max) in whole years; `max: none` is open-ended.
-#}
{% macro planwise_age_bands() %}
  {{ return([
    {'label': '< 25', 'min': 0, 'max': 25},
    {'label': '25-34', 'min': 25, 'max': 35},
    {'label': '35-44', 'min': 35, 'max': 45},
    {'label': '45-54', 'min': 45, 'max': 55},
    {'label': '55-64', 'min': 55, 'max': 65},
    {'label': '65+', 'min': 65, 'max': none},
  ]) }}
{% endmacro %}

{% macro planwise_tenure_bands() %}
  {{ return([
    {'label': '< 2', 'min': 0, 'max': 2},
    {'label': '2-4', 'min': 2, 'max': 5},
    {'label': '5-9', 'min': 5, 'max': 10},
    {'label': '10-19', 'min': 10, 'max': 20},
    {'label': '20+', 'min': 20, 'max': none},
  ]) }}
{% endmacro %}

{#- A `case` expression giving the label of the band that holds `expression`. -#}
{% macro planwise_band_label(expression, bands) -%}
  case
    {%- for band in bands %}
    {%- if band['max'] is not none %}
    when {{ expression }} < {{ band['max'] }} then '{{ band["label"] }}'
    {%- else %}
    else '{{ band["label"] }}'
    {%- endif %}
    {%- endfor %}
  end
{%- endmacro %}

{#- The band labels as a SQL relation with one column, `band_label`. -#}
{% macro planwise_band_labels_relation(bands) -%}
  {%- for band in bands %}
  select '{{ band["label"] }}' as band_label{{ " union all" if not loop.last }}
  {%- endfor %}
{%- endmacro %}
