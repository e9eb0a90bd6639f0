import type { PlatformConfig } from '../../stacks/config';
import { e2eJobs } from './e2e-jobs';

/**
 * The same jobs with the operator's admission webhook on (self-signed certificates, the
 * default): the operator-mode job goes through the real mutating and validating webhooks.
 */
export const e2eWebhook: PlatformConfig = {
  ...e2eJobs,
  name: 'e2e-webhook',
  description: 'End-to-end suite: the e2e jobs with the operator webhook.',
  operator: { ...e2eJobs.operator, webhook: { certificate: 'self-signed' } },
  notebooks: undefined,
};
