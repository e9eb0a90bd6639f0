/**
 * The platform's Grafana dashboard (issue 18) queries only series something exposes: every metric
 * name in every panel's PromQL is in EXPOSED_METRICS (constructs/monitoring/metric-names.ts, each
 * with its source), every servlet panel has a name for each supported Spark line, and the JMX
 * exporter names come from rules whose patterns match the MBean names Spark's JmxSink registers.
 */
import { parse } from 'yaml';
import {
  DASHBOARD_PANELS, DashboardPanel, EXPOSED_METRICS, JMX_RULES, SPARK_LINES, SparkDashboard, jmxExporterConfig, jmxRulePattern, sparkDashboard,
} from '../../constructs';
import { expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';

/** PromQL words that are not metric names: operators, grouping modifiers, `bool`, `offset`. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'or', 'and', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names of a PromQL expression: identifiers left after removing string literals,
 * label matchers `{...}`, range and subquery selectors `[...]` and label lists of grouping
 * modifiers, that are not function calls (followed by `(`), keywords or numbers.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of stripped.matchAll(/(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(?![A-Za-z0-9_:]|\s*\()/g)) {
    if (!KEYWORDS.has(m[1].toLowerCase())) names.push(m[1]);
  }
  return [...new Set(names)];
}

/** Names of `panels` that EXPOSED_METRICS does not list, as `panel: name`. */
function unknownNames(panels: readonly DashboardPanel[]): string[] {
  const known = new Set(EXPOSED_METRICS.map((m) => m.name));
  return panels.flatMap((p) => p.queries.flatMap((q) => metricNames(q.expr).filter((n) => !known.has(n)).map((n) => `${p.title}: ${n}`)));
}

describe('metric-name extraction from PromQL', () => {
  test.each([
    ['a plain name', 'up', ['up']],
    ['matchers, ranges and functions', 'sum(rate(foo_total{job="a", path=~"/x{1}"}[5m]))', ['foo_total']],
    ['grouping labels are not names', 'sum by (application_name, le) (bar) / ignoring(pod) group_left(node) baz', ['bar', 'baz']],
    ['or / and / unless between names', 'a or b and c unless d', ['a', 'b', 'c', 'd']],
    ['numbers and scientific notation', '1e3 * x + 0.5 - 2', ['x']],
    ['histogram_quantile', 'histogram_quantile(0.95, sum by (le) (rate(h_bucket[15m])))', ['h_bucket']],
    ['offset and subqueries', 'max_over_time(m[1h:5m] offset 1d)', ['m']],
    ['a colon-named recording rule', 'job:requests:rate5m > bool 1', ['job:requests:rate5m']],
  ])('%s', (_what, expr, expected) => {
    expect(metricNames(expr)).toEqual(expected);
  });
});

describe('the dashboard queries only exposed metrics', () => {
  test('every name of every panel is listed, with its source', () => {
    expect(unknownNames(DASHBOARD_PANELS)).toEqual([]);
    for (const m of EXPOSED_METRICS) expect(m.source.length).toBeGreaterThan(10);
  });

  test('the check fails for a name nothing exposes (a misspelled servlet name, a JMX name no rule makes)', () => {
    const bad: DashboardPanel[] = [
      { row: 'Spark jobs (servlet)', title: 'typo', unit: 'short', queries: [{ expr: 'sum(metrics_executor_activeTask)', legend: '' }] },
      { row: 'Spark JVMs (JMX exporter)', title: 'made up', unit: 'short', queries: [{ expr: 'rate(spark_jvm_heap_allocated_bytes[5m])', legend: '' }] },
    ];
    expect(unknownNames(bad)).toEqual(['typo: metrics_executor_activeTask', 'made up: spark_jvm_heap_allocated_bytes']);
  });

  test('every query names at least one metric, and the list has no duplicates', () => {
    for (const p of DASHBOARD_PANELS) for (const q of p.queries) expect(metricNames(q.expr).length).toBeGreaterThan(0);
    const names = EXPOSED_METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each(Object.keys(SPARK_LINES))('Spark %s: every servlet query has a name its pods expose', (line) => {
    const byName = new Map(EXPOSED_METRICS.map((m) => [m.name, m]));
    for (const p of DASHBOARD_PANELS.filter((x) => x.row === 'Spark jobs (servlet)')) {
      for (const q of p.queries) {
        const names = metricNames(q.expr);
        // each `or` pair must have one name for the line: count names of this line
        const forLine = names.filter((n) => byName.get(n)!.sparkLines?.includes(line) ?? true);
        expect({ panel: p.title, forLine: forLine.length > 0 }).toEqual({ panel: p.title, forLine: true });
      }
    }
  });

  test('the JMX names listed are exactly the rules\' names, and the config the jobs mount has those rules', () => {
    const listed = EXPOSED_METRICS.filter((m) => m.source.includes('jmx-rules.ts')).map((m) => m.name);
    expect(listed).toEqual(JMX_RULES.map((r) => r.name));
    const config = parse(jmxExporterConfig()) as { rules: Array<{ name: string; pattern: string }> };
    expect(config.rules.map((r) => r.name)).toEqual(JMX_RULES.map((r) => r.name));
    for (const r of config.rules) expect(r.name).not.toContain('$');
  });
});

describe('the JMX rules match the MBeans Spark\'s JmxSink registers', () => {
  const rule = (name: string) => new RegExp(jmxRulePattern(JMX_RULES.find((r) => r.name === name)!));
  // Dropwizard 4's JmxReporter: domain "metrics", keys name and type; either key order is accepted.
  test.each([
    ['spark_jvm_heap_used_bytes', 'metrics<name=spark-jobs.spark-pi.driver.jvm.heap.used, type=gauges><>Value', ['spark-jobs', 'spark-pi', 'driver']],
    ['spark_jvm_heap_used_bytes', 'metrics<type=gauges, name=spark-jobs.spark-pi.7.jvm.heap.used><>Value', ['spark-jobs', 'spark-pi', '7']],
    ['spark_jvm_gc_time_milliseconds', 'metrics<name=team-a.etl.3.jvm.G1-Young-Generation.time, type=gauges><>Value', ['team-a', 'etl', '3', 'G1-Young-Generation']],
    ['spark_executor_active_tasks', 'metrics<name=team-a.etl.12.executor.threadpool.activeTasks, type=gauges><>Value', ['team-a', 'etl', '12']],
    ['spark_driver_running_stages', 'metrics<name=team-a.etl.driver.DAGScheduler.stage.runningStages, type=gauges><>Value', ['team-a', 'etl', 'driver']],
  ])('%s matches %s', (name, mbean, groups) => {
    expect(rule(name).exec(mbean)?.slice(1).filter((g) => g !== undefined)).toEqual(groups);
  });

  test.each([
    ['spark_jvm_heap_used_bytes', 'metrics<name=spark-jobs.spark-pi.driver.jvm.heap.committed, type=gauges><>Value'],
    ['spark_executor_active_tasks', 'metrics<name=team-a.etl.driver.executor.threadpool.activeTasks, type=gauges><>Value'],
    ['spark_driver_running_stages', 'metrics<name=team-a.etl.4.DAGScheduler.stage.runningStages, type=gauges><>Value'],
    ['spark_jvm_heap_used_bytes', 'metrics<name=app-1234.driver.jvm.heap.used, type=gauges><>Value'], // the default namespace (app id): not the job's
  ])('%s does not match %s', (name, mbean) => {
    expect(rule(name).test(mbean)).toBe(false);
  });
});

describe('SparkDashboard', () => {
  const chart = testChart();
  new SparkDashboard(chart, 'Dashboard', { namespace: 'monitoring', folder: 'Spark' });
  const objects = synth(chart);
  const cm = findObject(objects, 'ConfigMap', 'spark-platform-dashboard', 'monitoring');

  test('a valid ConfigMap the Grafana sidecar discovers, holding the dashboard JSON', () => {
    expectValidManifests(objects);
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/managed-by': 'spark-platform' });
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Spark' });
    expect(JSON.parse(cm.data['spark-platform.json'])).toEqual(sparkDashboard());
  });

  test('the JSON: unique panel ids, panels inside the 24-column grid, every target on the datasource variable', () => {
    const dash = sparkDashboard() as { panels: Array<{ id: number; type: string; gridPos: { x: number; w: number }; targets?: Array<{ expr: string; datasource: { uid: string } }> }>; templating: { list: Array<{ query: unknown }> } };
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    const targets = dash.panels.flatMap((p) => p.targets ?? []);
    expect(targets.map((t) => t.expr)).toEqual(DASHBOARD_PANELS.flatMap((p) => p.queries.map((q) => q.expr)));
    for (const t of targets) expect(t.datasource.uid).toBe('${datasource}');
    // the variables' queries name no metric
    for (const v of dash.templating.list) {
      const query = typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
      if (query !== 'prometheus') expect(query).toBe('label_values(namespace)');
    }
  });

  test.each([
    ['a bad namespace', { namespace: 'Monitoring' }, /SparkDashboard "Monitoring" namespace/],
    ['a reserved label', { namespace: 'monitoring', labels: { 'app.kubernetes.io/managed-by': 'me' } }, /labels\["app\.kubernetes\.io\/managed-by"\]/],
    ['an unknown field', { namespace: 'monitoring', folders: 'x' }, /folders/],
  ])('refuses %s', (_what, props, message) => {
    expect(() => new SparkDashboard(testChart(), 'D', props as never)).toThrow(message);
  });
});
