import { SparkPlatformError, show } from '../errors';
import { SizedSparkJob } from '../spark-sizing';
import { Cpu } from '../units';
import type { ResolvedContainerDefaults, ResolvedQuota } from './resources';

/**
 * Checks that a tenant's quota and LimitRange admit its smallest job, and that the LimitRange is
 * consistent. Each row is one rule; the first broken rule throws, naming the prop and the fix.
 *
 * These are the admission failures that otherwise surface as `exceeded quota`, `must be less
 * than or equal to cpu limit` or pods that stay Pending, found only once a job runs.
 */
export function checkTenantResources(q: ResolvedQuota, d: ResolvedContainerDefaults, job: SizedSparkJob, where: string): void {
  const biggestCpu = maxCpu(job.driver.cpu, job.executor.cpu);
  const biggestMemory = job.driver.memory.max(job.executor.memory);
  const jobText = `one driver and ${job.executors} executor(s): ${job.totalCpu} CPU, ${job.totalMemory} memory, ${job.pods} pods`;

  const rules: Array<[broken: boolean, field: string, problem: string, fix: string]> = [
    ...countRules(q),
    [q.cpu.compare(job.totalCpu) < 0, 'quota.cpu',
      `${q.cpu} is below what the smallest job needs (${jobText})`,
      `raise quota.cpu to at least ${job.totalCpu}, or shrink minimumJob`],
    [q.memory.compare(job.totalMemory) < 0, 'quota.memory',
      `${q.memory} is below what the smallest job needs (${jobText}; Spark adds max(10%, 384Mi) overhead per pod)`,
      `raise quota.memory to at least ${job.totalMemory}, or shrink minimumJob`],
    [q.limitsMemory.compare(job.totalMemory) < 0, 'quota.limitsMemory',
      `${q.limitsMemory} is below what the smallest job needs (Spark sets each pod's memory limit to its request; ${jobText})`,
      `raise quota.limitsMemory to at least ${job.totalMemory}`],
    [q.pods < job.pods, 'quota.pods',
      `${q.pods} is below the ${job.pods} pods the smallest job runs at once (${jobText})`,
      `raise quota.pods to at least ${job.pods}`],
    [q.limitsCpu !== undefined && d.cpuLimit === undefined, 'containerDefaults.cpuLimit',
      'is not set, but quota.limitsCpu is: Spark sets no CPU limit, so every Spark pod would be rejected ("must specify limits.cpu")',
      `set containerDefaults.cpuLimit to at least ${biggestCpu}, or drop quota.limitsCpu`],
    [d.cpuLimit !== undefined && d.cpuLimit.compare(biggestCpu) < 0, 'containerDefaults.cpuLimit',
      `${d.cpuLimit} is below the ${biggestCpu} CPU a Spark pod requests; Spark sets no CPU limit, so this default applies and the pod is rejected (request above limit)`,
      `raise containerDefaults.cpuLimit to at least ${biggestCpu}, or leave it unset`],
    [q.limitsCpu !== undefined && d.cpuLimit !== undefined && q.limitsCpu.compare(d.cpuLimit.times(job.pods)) < 0, 'quota.limitsCpu',
      `${q.limitsCpu} is below the CPU limits of the smallest job (${job.pods} pods × containerDefaults.cpuLimit ${d.cpuLimit})`,
      `raise quota.limitsCpu to at least ${d.cpuLimit?.times(job.pods)}`],
    [d.cpuLimit !== undefined && d.cpuRequest.compare(d.cpuLimit) > 0, 'containerDefaults.cpuRequest',
      `${d.cpuRequest} is above containerDefaults.cpuLimit ${d.cpuLimit}; the API server rejects such a LimitRange`,
      'make the default request at most the default limit'],
    [d.memoryRequest.compare(d.memoryLimit) > 0, 'containerDefaults.memoryRequest',
      `${d.memoryRequest} is above containerDefaults.memoryLimit ${d.memoryLimit}; the API server rejects such a LimitRange`,
      'make the default request at most the default limit'],
    [d.maxCpu !== undefined && d.maxCpu.compare(biggestCpu) < 0, 'containerDefaults.maxCpu',
      `${d.maxCpu} is below the ${biggestCpu} CPU the smallest job's largest pod requests`,
      `raise containerDefaults.maxCpu to at least ${biggestCpu}`],
    [d.maxMemory !== undefined && d.maxMemory.compare(biggestMemory) < 0, 'containerDefaults.maxMemory',
      `${d.maxMemory} is below the ${biggestMemory} the smallest job's largest pod requests (heap + overhead)`,
      `raise containerDefaults.maxMemory to at least ${biggestMemory}`],
    [d.maxMemory !== undefined && d.maxMemory.compare(d.memoryLimit) < 0, 'containerDefaults.maxMemory',
      `${d.maxMemory} is below containerDefaults.memoryLimit ${d.memoryLimit}`,
      'make maxMemory at least the default limit'],
    [d.maxCpu !== undefined && d.cpuLimit !== undefined && d.maxCpu.compare(d.cpuLimit) < 0, 'containerDefaults.maxCpu',
      `${d.maxCpu} is below containerDefaults.cpuLimit ${d.cpuLimit}`,
      'make maxCpu at least the default limit'],
  ];
  for (const [broken, field, problem, fix] of rules) {
    if (broken) throw new SparkPlatformError(field, problem, fix, where);
  }
}

function countRules(q: ResolvedQuota): Array<[boolean, string, string, string]> {
  const counts = ['pods', 'persistentVolumeClaims', 'configMaps', 'services', 'secrets'] as const;
  return counts.map((key) => [
    !Number.isInteger(q[key]) || q[key] < 0,
    `quota.${key}`,
    `${show(q[key])} is not a whole number of objects`,
    `set quota.${key} to a whole number, 0 or more`,
  ]);
}

function maxCpu(a: Cpu, b: Cpu): Cpu {
  return a.compare(b) >= 0 ? a : b;
}
