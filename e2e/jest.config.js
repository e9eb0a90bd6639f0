/**
 * The end-to-end jest project: run by `npm run e2e` (e2e/run.ts), which starts the cluster and
 * sets E2E_KUBECONFIG / E2E_DIST. Files run one at a time: they share one cluster.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  roots: ['<rootDir>/e2e/tests'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  maxWorkers: 1,
  testTimeout: 180000,
  verbose: true,
};
