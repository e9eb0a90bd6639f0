import type { PlatformConfig } from '../config';
import { dev } from './dev';
import { prod } from './prod';

/** Every environment `npm run synth` writes to `dist/<name>/`. The first is the default. */
export const ENVIRONMENTS: readonly PlatformConfig[] = [dev, prod];

export { dev, prod };
