/**
 * The real-node jest project: run by `npm run e2e` (e2e/run.ts) against the cluster it starts
 * with one real node (E2E_REAL=1). Files run one at a time: they share the node's 2 cores.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config.js'),
  roots: ['<rootDir>/e2e/real'],
  testTimeout: 600000,
};
