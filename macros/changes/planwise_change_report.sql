{#-
  planwise_change_report(live): what this build changes against the live
  database, as a dict for the runner's report. `live` names it: {'path': file}
  on DuckDB (attached read-only for the comparison), {'schema': name} on
  engines where the candidate is a schema beside the live one; none (or a live
  database without the setup's relations) is a first setup. One query compares
  every seed and every model with meta change_report: rows, keyed by its
  uniqueness test (a relation without one is compared as whole rows); a second
  compares the employees of the model with meta change_report: census by
  employee_id (planwise_employee_changes: added, removed, changed, the columns
  that changed most; as `census` {'employees': ...}); a third compares the
  measures (planwise_workforce_measures) of the models with meta
  change_report: census and change_report: baseline. `live_figures` holds the
  live database's grids and pay by level (planwise_report_figures), which the
  visual report draws against this build's.
  `built`: the unique ids of the seeds and models this invocation built (none:
  all). A relation it did not build is the live one's copy in the candidate
  (a --quick or a selection), so it is counted unchanged without a query, and
  the census and baseline parts it did not build are listed in not_rebuilt.
  Plain dbt runs it too:
  dbt run-operation planwise_change_report --args "{live: {path: other.duckdb}}"
-#}
{% macro planwise_change_report(live=none, examples=10, built=none) %}
  {%- if not execute -%}{{ return({}) }}{%- endif -%}
  {%- if not live -%}{{ return({'first_setup': true}) }}{%- endif -%}
  {%- set live_at = planwise_attach_live(live) -%}
  {%- set existing = {} -%}
  {%- for relation in planwise_schema_relations(live_at.schema, live_at.database) -%}
    {%- do existing.update({relation.identifier | lower: relation}) -%}
  {%- endfor -%}
  {%- set report = {'first_setup': false, 'compared_with': live.path or live.schema,
                    'relations': {}, 'missing_in_live': [], 'workforce': []} -%}
  {%- set compared, kept = [], [] -%}
  {%- for node in graph.nodes.values() | sort(attribute='name')
      if node.package_name == project_name
        and (node.resource_type == 'seed' or node.config.meta.get('change_report') == 'rows') -%}
    {%- set old = existing.get(node.alias | lower) -%}
    {%- set new = adapter.get_relation(node.database, node.schema, node.alias) -%}
    {%- if built is not none and node.unique_id not in built -%}
      {%- if old is not none -%}{%- do kept.append(node.name) -%}{%- endif -%}
    {%- elif new is none -%}
    {%- elif old is none -%}
      {%- do report.missing_in_live.append(node.name) -%}
    {%- else -%}
      {%- do compared.append(planwise_relation_pair(node, old, new)) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if compared -%}
    {%- for row in run_query(planwise_row_changes_sql(compared, examples)).rows -%}
      {%- set entry = report.relations.setdefault(row['relation_name'], {'added': 0, 'removed': 0, 'changed': 0, 'examples': []}) -%}
      {%- if row['kind'] == 'count' -%}
        {%- do entry.update({row['change']: row['magnitude'] | int}) -%}
      {%- else -%}
        {%- do entry.examples.append({'change': row['change'], 'key': row['row_key'], 'column': row['column_name'],
                                      'old': row['old_value'], 'new': row['new_value']}) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- for pair in compared -%}
      {%- set entry = report.relations.get(pair.name) -%}
      {%- if entry or pair.columns_added or pair.columns_removed -%}
        {%- do report.relations.setdefault(pair.name, {'added': 0, 'removed': 0, 'changed': 0, 'examples': []}).update(
              {'key': pair.key, 'resource_type': pair.resource_type,
               'columns_added': pair.columns_added, 'columns_removed': pair.columns_removed}) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if compared or kept -%}
    {%- do report.update({'unchanged': compared | length - report.relations | length + kept | length}) -%}
  {%- endif -%}
  {%- set sides = {} -%}
  {%- set not_rebuilt = [] -%}
  {%- for node in graph.nodes.values()
      if node.package_name == project_name and node.config.meta.get('change_report') in ('census', 'baseline') -%}
    {%- if built is not none and node.unique_id not in built -%}
      {%- do not_rebuilt.append(node.config.meta.change_report) -%}
    {%- else -%}
      {%- do sides.update({node.config.meta.change_report: (existing.get(node.alias | lower),
                           adapter.get_relation(node.database, node.schema, node.alias))}) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if not_rebuilt -%}{%- do report.update({'not_rebuilt': not_rebuilt | sort}) -%}{%- endif -%}
  {%- set old_census, census = sides.get('census', (none, none)) -%}
  {%- set old_baseline, baseline = sides.get('baseline', (none, none)) -%}
  {%- if none not in (old_census, census) -%}
    {%- set employees = planwise_employee_changes(old_census, census) -%}
    {%- if employees is not none -%}{%- do report.update({'census': {'employees': employees}}) -%}{%- endif -%}
  {%- endif -%}
  {%- if none not in (old_census, census, old_baseline, baseline) -%}
    {%- for row in run_query(planwise_workforce_changes_sql(old_census, old_baseline, census, baseline)).rows -%}
      {%- do report.workforce.append({'part': row['part'], 'measure': row['measure'], 'bucket': row['bucket'],
                                      'old': none if row['old_value'] is none else row['old_value'] | float,
                                      'new': none if row['new_value'] is none else row['new_value'] | float}) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if compared -%}{#- the live grids and pay, for the visual report's before/after -#}
    {%- set live_relations = {} -%}
    {%- for node in graph.nodes.values()
        if node.package_name == project_name and existing.get(node.alias | lower) is not none -%}
      {%- do live_relations.update({node.name: existing.get(node.alias | lower)}) -%}
    {%- endfor -%}
    {%- do report.update({'live_figures': planwise_report_figures(relations=live_relations,
                                                                  sections=['grids', 'levels'])}) -%}
  {%- endif -%}
  {%- do planwise_detach_live(live_at) -%}
  {%- if not compared and not kept and not report.workforce and 'census' not in report -%}{#- the live database holds none of the setup's relations -#}
    {%- set report = {'first_setup': true} -%}
  {%- endif -%}
  {%- if invocation_args_dict.get('which') == 'run-operation' -%}
    {%- do log(tojson(report), info=true) -%}
  {%- endif -%}
  {{ return(report) }}
{% endmacro %}
