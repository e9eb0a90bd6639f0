import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import {
  ApacheSparkOperator, SparkJob, SparkJobMode, SparkJobProps, SparkNamespace, SparkOperator, TEMPLATE_ANNOTATION, attachDoctor, fillTemplate,
  isJobTemplate, renderJobTemplate, safeExpression,
} from '../../constructs';
import * as validation from '../../constructs/validation';
import { ManifestValidator } from '../../constructs/validation';
import { dev } from '../../stacks/environments';
import { KubeObject, SYNC_WAVE_ANNOTATION, SparkPlatformApp, renderApp } from '../../stacks/gitops';
import { PLATFORM_COMPONENT_TYPE, SparkPlatform } from '../../stacks/pulumi';
import { chartManifests } from '../../stacks/pulumi/component';
import { planResources } from '../../stacks/pulumi/plan';
import { renderPlatform } from '../../stacks/pulumi/render';
import { buildPlatform } from '../../stacks/platform';
import { renderEnvironment } from '../../stacks/synth';
import { SPARK_PI_JOB } from '../helpers/jobs';
import { buildLibraryExample } from '../helpers/library-app';
import { installPulumiMocks, setStackConfig, valueOf } from '../helpers/pulumi-mocks';
import { RbacEvaluator } from '../helpers/rbac';

/**
 * SparkJob templates (issue 18): a SparkApplication an orchestrator (Airflow's
 * SparkKubernetesOperator) submits per run, written to templates/, applied by no one, checked
 * like any job with its parameters' defaults.
 */

const FILE = 'dev/templates/spark-jobs-spark-pi-airflow.yaml';
const rendered = renderEnvironment(dev);
const text = rendered.files.get(FILE)!;
const DEFAULTS = { 'params.slices': '100', 'params.shuffle_partitions': '8' };

/** A template job in the library example's tenant (spark-analytics, watched by its operator). */
function libraryAppWithTemplate(props: Partial<SparkJobProps> = {}, app: App = new App()): App {
  const charts = buildLibraryExample(app);
  const ns = SparkNamespace.fromName('spark-analytics');
  new SparkJob(charts.jobs, 'daily', {
    ...SPARK_PI_JOB,
    name: 'spark-pi-daily',
    namespace: ns,
    mode: SparkJobMode.OPERATOR,
    arguments: ['{{ slices }}', '--tag={{APP_ID}}/{{ day }}'],
    template: {
      parameters: {
        slices: { description: 'slices', default: '10' },
        day: { description: 'the logical date', default: '2024-01-01', expression: 'ds' },
      },
    },
    ...props,
  });
  return app;
}

describe('the dev environment\'s template job', () => {
  test('is written under templates/, and is in no chart, no kustomization and no applied object', () => {
    expect(text).toBeDefined();
    const kustomization = YAML.parse(rendered.files.get('dev/kustomization.yaml')!);
    expect(kustomization.resources).toEqual(rendered.charts.map((c) => c.file));
    expect(kustomization.resources.some((f: string) => f.includes('templates'))).toBe(false);
    expect(rendered.objects.filter((o) => o.metadata.name === 'spark-pi-airflow')).toEqual([]);
    for (const [file, content] of rendered.files) {
      if (file !== FILE) expect({ file, mentions: content.includes('spark-pi-airflow') }).toEqual({ file, mentions: false });
    }
    // the jobs chart still has the applied jobs
    expect(rendered.objects.filter((o) => o.kind === 'SparkApplication').map((o) => o.metadata.name)).toEqual(['spark-pi']);
  });

  test('is valid YAML before templating, with the parameters in place and documented, and no marker or sync wave', () => {
    const o = YAML.parse(text);
    expect(o.apiVersion).toBe('sparkoperator.k8s.io/v1beta2');
    expect(o.kind).toBe('SparkApplication');
    expect(o.metadata).toMatchObject({ name: 'spark-pi-airflow', namespace: 'spark-jobs' });
    expect(o.spec.arguments).toEqual([`{{ ${safeExpression('params.slices')} }}`]);
    expect(o.spec.sparkConf['spark.sql.shuffle.partitions']).toBe(`{{ ${safeExpression('params.shuffle_partitions')} }}`);
    expect(Object.keys(o.metadata.annotations)).toEqual(['spark-platform.io/source']);
    expect(text).not.toContain(TEMPLATE_ANNOTATION);
    expect(text).not.toContain(SYNC_WAVE_ANNOTATION);
    expect(text).toMatch(/^# {3}slices: params\.slices, default "100": SparkPi's number of slices$/m);
    expect(text).toMatch(/^# {3}shuffle_partitions: params\.shuffle_partitions, default "8": /m);
    expect(text).toMatch(/namespace="spark-jobs"/);
    // every Jinja expression in the file is a parameter's
    expect([...text.matchAll(/\{\{(.*?)\}\}/g)].map((m) => m[1].trim()).sort()).toEqual(['params.shuffle_partitions', 'params.slices'].map(safeExpression));
  });

  test('rendered with its defaults, it validates against the SparkApplication CRD and is the job the doctor checked', () => {
    const filled = YAML.parse(fillTemplate(text, DEFAULTS));
    expect(filled.spec.arguments).toEqual(['100']);
    expect(filled.spec.sparkConf['spark.sql.shuffle.partitions']).toBe('8');
    const crds = rendered.objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(new ManifestValidator({ crds }).validateAll([filled])).toEqual([]);
    // a value of the wrong type is caught by the same check (it can fail)
    const broken = YAML.parse(fillTemplate(text.replace('cores: 1', 'cores: "{{ params.slices }}"'), DEFAULTS));
    expect(new ManifestValidator({ crds }).validateAll([broken]).map((i) => i.path)).toContain('/spec/driver/cores');
  });

  test('the doctor saw it as a job: the tree\'s SparkApplication, at the defaults', () => {
    const app = new SparkPlatformApp({ name: 'dev' });
    const platform = buildPlatform(app, dev);
    const job = platform.sparkJobs.get('spark-jobs/spark-pi-airflow')!;
    const json = job.resource.toJson() as KubeObject;
    expect(isJobTemplate(json)).toBe(true);
    expect((json.spec as { arguments: string[] }).arguments).toEqual(['100']);
    const filled = YAML.parse(fillTemplate(text, DEFAULTS));
    const { [TEMPLATE_ANNOTATION]: _marker, ...annotations } = json.metadata.annotations!;
    expect(filled).toEqual({ ...json, metadata: { ...json.metadata, annotations: { ...annotations, 'spark-platform.io/source': 'dev/jobs/spark-jobs-spark-pi-airflow/Resource' } } });
  });

  test('the airflow orchestrator\'s Role allows what submitting and following it takes', () => {
    const o = YAML.parse(text);
    const [group] = o.apiVersion.split('/');
    // CustomObjectLauncher: plural = kind.lower() + "s", namespace = the operator's namespace
    const plural = `${o.kind.toLowerCase()}s`;
    const namespace = o.metadata.namespace;
    const rbac = new RbacEvaluator(rendered.objects);
    const airflow = { kind: 'ServiceAccount' as const, namespace: 'airflow', name: 'airflow-worker' };
    const needs = [
      { verb: 'create', group, resource: plural },
      { verb: 'get', group, resource: plural, subresource: 'status' },
      { verb: 'delete', group, resource: plural },
      { verb: 'list', resource: 'pods' },
      { verb: 'get', resource: 'pods' },
      { verb: 'get', resource: 'pods', subresource: 'log' },
      { verb: 'list', resource: 'events' },
    ];
    expect(needs.filter((r) => !rbac.can(airflow, { ...r, namespace }))).toEqual([]);
    // and nothing in a namespace the orchestrator does not serve
    expect(rbac.can(airflow, { verb: 'create', group, resource: plural, namespace: 'spark-platform' })).toBe(false);
  });
});

describe('Pulumi', () => {
  test('the Pulumi program\'s render and plan leave the template out', () => {
    const { charts, secretRefs } = renderPlatform(dev);
    const plan = planResources('dev', charts, secretRefs);
    expect(plan.filter((p) => p.object.metadata.name === 'spark-pi-airflow')).toEqual([]);
    expect(plan.some((p) => p.name === 'dev:spark-jobs/SparkApplication/spark-pi')).toBe(true);
  });

  test('chartManifests drops a marked object even when a chart holds one', () => {
    const marked: KubeObject = { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 't', namespace: 'n', annotations: { [TEMPLATE_ANNOTATION]: '{}' } } };
    const plain: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
    const [chart] = chartManifests([{ chart: 'jobs', file: '00-jobs.yaml', wave: 0, dependsOn: [], objects: [marked, plain] }]);
    expect(chart.objects.map((o) => o.metadata.name)).toEqual(['c']);
  });

  describe('SparkPlatform (mocked engine)', () => {
    const recorder = installPulumiMocks('templates', 'test');
    const config = setStackConfig('templates', {});
    test('registers every object but the template', async () => {
      recorder.clear();
      const platform = new SparkPlatform('analytics', { app: libraryAppWithTemplate(), config });
      await Promise.all([platform.urn, ...[...platform.resources.values()].map((r) => r.urn)].map((o) => valueOf(o)));
      const names = [...recorder.registrations.values()].filter((r) => r.type !== PLATFORM_COMPONENT_TYPE).map((r) => r.name);
      expect(names).toContain('analytics:spark-analytics/SparkApplication/spark-pi');
      expect(names.filter((n) => n.includes('spark-pi-daily'))).toEqual([]);
      expect(platform.rendered.templates.map((t) => t.file)).toEqual(['templates/spark-analytics-spark-pi-daily.yaml']);
    });
  });
});

describe('the writer', () => {
  test('Jinja expressions for parameters, Spark\'s own {{APP_ID}} kept literal, the default-rendered file schema-checked', () => {
    const spy = jest.spyOn(validation.ManifestValidator.prototype, 'validate');
    try {
      const { templates } = renderApp(libraryAppWithTemplate());
      expect(templates).toHaveLength(1);
      const t = templates[0];
      const o = YAML.parse(t.yaml);
      expect(o.spec.arguments).toEqual([`{{ ${safeExpression('params.slices')} }}`, `{% raw %}--tag={{APP_ID}}/{% endraw %}{{ ${safeExpression('ds')} }}`]);
      expect(t.withDefaults.spec).toMatchObject({ arguments: ['10', '--tag={{APP_ID}}/2024-01-01'] });
      expect(fillTemplate(t.yaml, { 'params.slices': '10', ds: '2024-01-01' })).toContain('"--tag={{APP_ID}}/2024-01-01"');
      const checked = spy.mock.calls.map(([object]) => object as KubeObject);
      expect(checked).toContain(t.withDefaults);
    } finally {
      spy.mockRestore();
    }
  });

  test('nameSuffix goes into the file\'s name only; the tree keeps the job\'s name', () => {
    const app = libraryAppWithTemplate({ arguments: ['{{ slices }}'], template: { parameters: { slices: { description: 's', default: '10' }, day: { description: 'day', default: '20240101', expression: 'ds_nodash' } }, nameSuffix: '-{{ day }}' } });
    const { templates, objects } = renderApp(app);
    expect(YAML.parse(templates[0].yaml).metadata.name).toBe(`spark-pi-daily-{{ ${safeExpression('ds_nodash')} }}`);
    expect(templates[0].withDefaults.metadata).toMatchObject({ name: 'spark-pi-daily-20240101' });
    expect(templates[0].file).toBe('templates/spark-analytics-spark-pi-daily.yaml');
    expect(objects.some((o) => String(o.metadata.name).startsWith('spark-pi-daily'))).toBe(false);
  });

  test('an object changed after the job was built is refused, not written with stale placeholders', () => {
    const o = { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'x', namespace: 'n', annotations: { [TEMPLATE_ANNOTATION]: JSON.stringify({ parameters: [{ name: 'a', description: 'a', default: '1', expression: 'params.a' }], fields: [{ path: ['spec', 'arguments', 0], value: '{{ a }}' }] }) } }, spec: { arguments: ['2'] } };
    expect(() => renderJobTemplate(o)).toThrow(/template \(spec\.arguments\.0\): holds "2", not the parameter defaults "1"/);
  });

  test('a run-time value cannot leave its string: quotes, backslashes, line breaks and YAML syntax arrive as the value', () => {
    const hostile = 'x"\n  - --conf\n  - spark.driver.extraJavaOptions=-Devil \\" <&\' {{ y }}';
    const filled = YAML.parse(fillTemplate(text, { ...DEFAULTS, 'params.slices': hostile }));
    expect(filled.spec.arguments).toEqual([hostile]);
    expect(Object.keys(filled.spec.sparkConf).filter((k) => k.includes('extraJavaOptions'))).toEqual([]);
    // ... where the bare expression (what the file used to write) breaks out of its string
    const bare = text.replace(new RegExp(safeExpression('params.slices').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), 'params.slices');
    expect(() => YAML.parse(fillTemplate(bare, { ...DEFAULTS, 'params.slices': hostile }))).toThrow();
  });

  test('fillTemplate refuses what it cannot evaluate', () => {
    expect(() => fillTemplate('a: "{{ ds }}"', {})).toThrow(/no value for the Jinja expression "\{\{ ds \}\}"/);
    expect(() => fillTemplate('a: "{% if x %}"', {})).toThrow(/unexpected Jinja tag/);
    expect(fillTemplate('a: "{% raw %}{{X}}{% endraw %}-{{ ds }}"', { ds: 'd' })).toBe('a: "{{X}}-d"');
  });
});

describe('the doctor checks a template like an applied job', () => {
  const build = (namespace: string) => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new SparkOperator(chart, 'Op', { jobNamespaces: [SparkNamespace.fromName('team-a')] });
    new SparkJob(chart, 'T', {
      ...SPARK_PI_JOB, namespace: SparkNamespace.fromName(namespace), mode: SparkJobMode.OPERATOR,
      arguments: ['{{ n }}'], template: { parameters: { n: { description: 'n', default: '5' } } },
    });
    return app;
  };

  test('a template in a namespace no operator watches is an error on its path, and fails the render', () => {
    const findings = attachDoctor(build('team-b')).report().errors.filter((f) => f.rule === 'namespace-not-watched');
    expect(findings.map((f) => f.path)).toEqual(['c/T/Resource']);
    expect(findings[0].message).toMatch(/namespace team-b is not watched/);
    expect(() => renderApp(build('team-b'))).toThrow(/namespace-not-watched c\/T\/Resource/);
  });

  test('in a watched namespace, no finding', () => {
    expect(attachDoctor(build('team-a')).report().errors.filter((f) => f.rule === 'namespace-not-watched')).toEqual([]);
  });
});

describe('refused at construction, with the field and the fix', () => {
  const ns = SparkNamespace.fromName('team-a');
  const base: SparkJobProps = { ...SPARK_PI_JOB, namespace: ns, mode: SparkJobMode.OPERATOR, arguments: ['{{ n }}'], template: { parameters: { n: { description: 'n', default: '5' } } } };
  const param = { n: { description: 'n', default: '5' } };
  test.each<[string, (chart: Chart) => Partial<SparkJobProps>, RegExp]>([
    ['submit mode', () => ({ mode: SparkJobMode.SUBMIT }), /SparkJob "spark-pi" template: is set on a submit-mode job.*Fix: use SparkJobMode\.OPERATOR/],
    ['Apache-operator mode', (c) => ({ mode: SparkJobMode.APACHE_OPERATOR, operator: new ApacheSparkOperator(c, 'Apache', { jobNamespaces: [ns] }) }), /template: is set on an Apache-operator job, but Airflow's launcher reads spec\.driver/],
    ['a schedule', () => ({ schedule: { cron: '@daily' } }), /SparkJob "spark-pi" schedule: is set on a template.*Fix: leave schedule out/],
    ['an undeclared placeholder', () => ({ arguments: ['{{ n }}', '{{ m }}'] }), /SparkJob "spark-pi" arguments\[1\]: "\{\{ m \}\}" is not a parameter of the template\. Fix: declare "m" in template\.parameters/],
    ['an undeclared placeholder in sparkConf', () => ({ sparkConf: { 'spark.sql.shuffle.partitions': '{{ p }}' } }), /sparkConf\["spark\.sql\.shuffle\.partitions"\]: "\{\{ p \}\}" is not a parameter/],
    ['an unused parameter', () => ({ template: { parameters: { ...param, m: { description: 'm', default: '1' } } } }), /template\.parameters\["m"\]: is used nowhere\. Fix: write "\{\{ m \}\}" in arguments/],
    ['a default with a line break', () => ({ template: { parameters: { n: { description: 'n', default: 'a\nb' } } } }), /template\.parameters\["n"\]\.default: "a\\nb" has a line break/],
    ['a parameter name that is not snake_case', () => ({ arguments: ['x'], template: { parameters: { Run: { description: 'r', default: '1' } } } }), /template\.parameters\["Run"\]: is not a lower-case snake_case name/],
    ['an expression with braces', () => ({ template: { parameters: { n: { description: 'n', default: '5', expression: '{{ ds }}' } } } }), /template\.parameters\["n"\]\.expression: "\{\{ ds \}\}" is empty or has braces/],
    ['two parameters with one expression', () => ({ arguments: ['{{ n }}', '{{ m }}'], template: { parameters: { n: { description: 'n', default: '5', expression: 'ds' }, m: { description: 'm', default: '6', expression: 'ds' } } } }), /template\.parameters\["m"\]\.expression: "ds" is also the expression of "n"/],
    ['a name suffix that breaks the name', () => ({ template: { parameters: param, nameSuffix: '_{{ n }}' } }), /template\.nameSuffix: with the defaults the name is "spark-pi_5"/],
  ])('%s', (_, extra, message) => {
    const chart = new Chart(new App(), 'c');
    expect(() => new SparkJob(chart, 'J', { ...base, ...extra(chart) })).toThrow(message);
  });

  test('the same job without template is an applied SparkApplication (the prop is what switches)', () => {
    const chart = new Chart(new App(), 'c');
    const job = new SparkJob(chart, 'J', { ...base, arguments: ['5'], template: undefined });
    expect(isJobTemplate(job.resource.toJson() as KubeObject)).toBe(false);
  });
});
