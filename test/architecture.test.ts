import * as fs from 'fs';
import * as path from 'path';

/**
 * The house rules of the library's module graph (issue 20): the constructs never import the doctor
 * (the doctor reads the constructs; shared contracts such as client-mode-driver.ts sit beside
 * both), and no two modules import each other, directly or through others.
 */
const CONSTRUCTS = path.resolve(__dirname, '../constructs');
const DOCTOR = path.join(CONSTRUCTS, 'doctor');

function modules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return modules(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of a module, resolved to files. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']*)'/gm)].map((m) => m[1]);
  return specs.flatMap((spec) => {
    const base = path.resolve(path.dirname(file), spec);
    const hit = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    return hit ? [hit] : [];
  });
}

const files = modules(CONSTRUCTS);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(CONSTRUCTS, f);

test('the module graph was read (a test that reads nothing cannot fail)', () => {
  expect(files.length).toBeGreaterThan(80);
  expect(graph.get(path.join(CONSTRUCTS, 'notebook/client-mode.ts'))).toContain(path.join(CONSTRUCTS, 'client-mode-driver.ts'));
});

test('no construct module imports the doctor (constructs/index.ts only re-exports it)', () => {
  const offenders = files
    .filter((f) => !f.startsWith(DOCTOR + path.sep) && f !== path.join(CONSTRUCTS, 'index.ts'))
    .flatMap((f) => graph.get(f)!.filter((t) => t.startsWith(DOCTOR + path.sep)).map((t) => `${rel(f)} -> ${rel(t)}`));
  expect(offenders).toEqual([]);
});

test('no import cycles between modules', () => {
  // Tarjan's strongly connected components: any component of more than one module is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(rel(w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  expect(cycles).toEqual([]);
});
