/**
 * Generates the JSON Schemas the constructs and the environment loader check their input with,
 * from the TypeScript types themselves (ts-json-schema-generator), so the run-time check and the
 * types cannot disagree:
 *
 * - `constructs/validation/data/props.schema.json`: every construct's props (`SparkJobProps`, ...);
 *   each construct validates its props against it on construction (constructs/validation/props.ts).
 * - `schema/platform-config.schema.json`: an environment (`PlatformConfig`), published for editors
 *   (YAML environments in stacks/environments/*.yaml) and used by `parsePlatformConfig`.
 *
 * Typed values that are classes (`Memory`, `SparkImage`, ...) become `{ "instanceOf": "<class>" }`
 * and construct interfaces (`ISparkJobNamespace`, ...) `{ "implements": "<interface>" }`: they are
 * made by factories, not written as data, so the schema checks the instance, not its fields.
 *
 * `npm run schema` rewrites both files; `npm run schema -- --check` exits 1 when either differs from
 * what the types give (test/validation/props-schema.test.ts runs the same comparison).
 */
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import {
  BaseType, CompletedConfig, Context, DEFAULT_CONFIG, Definition, MutableParser, MutableTypeFormatter, SchemaGenerator, SubNodeParser,
  SubTypeFormatter, createFormatter, createParser,
} from 'ts-json-schema-generator';

const ROOT = path.resolve(__dirname, '..');

/** The construct props the library checks, by the file that declares them. */
export const PROPS_TYPES = [
  'SparkJobProps', 'SparkNamespaceProps', 'SparkOperatorProps', 'SparkOperatorWebhookProps', 'SparkOperatorCrdsProps', 'ApacheSparkOperatorCrdsProps', 'ApacheSparkOperatorProps', 'SparkClusterProps',
  'SparkHistoryServerProps', 'MinIOProps', 'ExternalObjectStoreProps', 'ObjectStoreConnectionProps', 'SparkImageProps',
  'SparkConnectServerProps', 'JupyterHubSparkProps', 'SparkNotebookProps', 'ClientModeDriverProps', 'DoctorOptions', 'OrchestratorAccessProps', 'KueueQueuesProps',
  'SparkJobsMonitoringProps', 'SparkDashboardProps',
] as const;

export const OUTPUTS = {
  props: path.join(ROOT, 'constructs/validation/data/props.schema.json'),
  platform: path.join(ROOT, 'schema/platform-config.schema.json'),
} as const;

/** A class or construct interface: checked as an instance, never expanded into fields. */
class InstanceType extends BaseType {
  constructor(readonly className: string, readonly kind: 'class' | 'interface', readonly members: readonly string[], readonly factories: readonly string[] = []) {
    super();
  }
  getId(): string {
    return `instance-${this.className}`;
  }
}

const CONSTRUCT_INTERFACE = /^I[A-Z]/;

class InstanceNodeParser implements SubNodeParser {
  constructor(private readonly checker: ts.TypeChecker) {}
  supportsNode(node: ts.Node): boolean {
    if (ts.isClassDeclaration(node)) return true;
    return ts.isInterfaceDeclaration(node) && CONSTRUCT_INTERFACE.test(node.name.text);
  }
  createType(node: ts.Node, _context: Context): BaseType {
    const decl = node as ts.ClassDeclaration | ts.InterfaceDeclaration;
    const name = decl.name?.text ?? 'anonymous class';
    if (ts.isClassDeclaration(decl)) {
      // Public static methods that return the class: the factories an error message points to.
      const factories = decl.members
        .filter((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name))
        .filter((m) => ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static)
        .filter((m) => !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)))
        .filter((m) => m.type !== undefined && m.type.getText() === name)
        .map((m) => `${name}.${(m.name as ts.Identifier).text}`);
      return new InstanceType(name, 'class', [], [...new Set(factories)]);
    }
    // Required, non-method members of the interface (and the ones it extends): what any implementation has.
    const type = this.checker.getTypeAtLocation(decl);
    const members = type.getProperties()
      .filter((p) => !(p.flags & ts.SymbolFlags.Optional) && !(p.flags & ts.SymbolFlags.Method))
      .map((p) => p.getName())
      .filter((n) => n !== 'node') // IConstruct's `node`: present on every construct, not worth listing
      .sort();
    return new InstanceType(name, 'interface', members);
  }
}

class InstanceTypeFormatter implements SubTypeFormatter {
  supportsType(type: BaseType): boolean {
    return type instanceof InstanceType;
  }
  getDefinition(type: InstanceType): Definition {
    return type.kind === 'class'
      ? ({ instanceOf: type.className, ...(type.factories.length ? { factories: [...type.factories] } : {}) } as Definition)
      : ({ implements: type.className, ...(type.members.length ? { members: [...type.members] } : {}) } as Definition);
  }
  getChildren(): BaseType[] {
    return [];
  }
}

function generator(entry: string): SchemaGenerator {
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    path: path.join(ROOT, entry),
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    skipTypeCheck: true,
    expose: 'export',
    topRef: false,
    jsDoc: 'extended',
    sortProps: true,
    additionalProperties: false,
    functions: 'fail',
  };
  const program = ts.createProgram([config.path!], { ...readCompilerOptions(config.tsconfig!), noEmit: true });
  const parser = createParser(program, config, (chain: MutableParser) => {
    chain.addNodeParser(new InstanceNodeParser(program.getTypeChecker()));
  });
  const formatter = createFormatter(config, (fmt: MutableTypeFormatter) => {
    fmt.addTypeFormatter(new InstanceTypeFormatter());
  });
  return new SchemaGenerator(program, parser, formatter, config);
}

function readCompilerOptions(tsconfig: string): ts.CompilerOptions {
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfig)).options;
}

type Schema = Record<string, unknown> & { definitions?: Record<string, unknown> };

/** Free-text `@default - none` tags are documentation, not values: drop them from the schema. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'default' && typeof v === 'string' && /^-|\s/.test(v)) continue;
    out[k] = k === 'properties' || k === 'definitions' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, tidy(s)])) : tidy(v);
  }
  return out;
}

/** Both schemas, as the files hold them (stable key order, trailing newline). */
export function generateSchemas(): { props: string; platform: string } {
  const lib = generator('constructs/index.ts');
  const definitions: Record<string, unknown> = {};
  for (const type of PROPS_TYPES) {
    const s = lib.createSchema(type) as Schema;
    const { definitions: defs, $schema: _s, ...root } = s;
    for (const [name, def] of Object.entries(defs ?? {})) definitions[name] = def;
    definitions[type] = root;
  }
  const props = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: 'Generated by scripts/props-schema.ts from the TypeScript types; do not edit (npm run schema).',
    definitions: sortKeys(definitions),
  };
  const platformSchema = generator('stacks/config.ts').createSchema('PlatformConfig') as Schema;
  const platform = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://spark-platform.dev/schema/platform-config.schema.json',
    $comment: 'Generated by scripts/props-schema.ts from PlatformConfig (stacks/config.ts); do not edit (npm run schema).',
    title: 'spark-platform environment',
    ...Object.fromEntries(Object.entries(platformSchema).filter(([k]) => k !== '$schema')),
  };
  return { props: `${JSON.stringify(tidy(props), null, 1)}\n`, platform: `${JSON.stringify(tidy(platform), null, 1)}\n` };
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const generated = generateSchemas();
  let stale = false;
  for (const key of ['props', 'platform'] as const) {
    const file = OUTPUTS[key];
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current === generated[key]) continue;
    if (check) {
      console.error(`${path.relative(ROOT, file)} is stale: run npm run schema`);
      stale = true;
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, generated[key]);
      console.log(`wrote ${path.relative(ROOT, file)} (${generated[key].length} bytes)`);
    }
  }
  if (stale) process.exit(1);
}
