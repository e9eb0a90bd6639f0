/**
 * SparkApplication fields the operator applies only through its mutating pod webhook. With the
 * webhook off they are silently ignored, so the platform refuses them at synth and asks for a
 * pod template (`driver.template` / `executor.template`), which Spark >= 3 applies itself.
 * @see ../shared/reference/spark-operator.md section 3 ("The pod mutator ... adds")
 */
const POD_FIELDS = [
  'env', 'envFrom', 'configMaps', 'volumeMounts', 'ports', 'hostNetwork', 'hostAliases', 'initContainers',
  'sidecars', 'dnsConfig', 'priorityClassName', 'schedulerName', 'nodeSelector', 'affinity', 'tolerations',
  'memoryLimit', 'gpu', 'securityContext', 'podSecurityContext', 'terminationGracePeriodSeconds', 'lifecycle',
  'shareProcessNamespace',
] as const;

const APP_FIELDS = ['volumes', 'nodeSelector', 'sparkConfigMap', 'hadoopConfigMap'] as const;

/** Spec paths (e.g. `spec.driver.tolerations`) a SparkApplication spec sets that only the webhook applies. */
export function webhookOnlyFields(spec: unknown, prefix = 'spec'): string[] {
  if (!isRecord(spec)) return [];
  const found: string[] = [];
  for (const f of APP_FIELDS) if (isSet(spec[f])) found.push(`${prefix}.${f}`);
  for (const role of ['driver', 'executor'] as const) {
    const pod = spec[role];
    if (!isRecord(pod)) continue;
    for (const f of POD_FIELDS) if (isSet(pod[f])) found.push(`${prefix}.${role}.${f}`);
  }
  const prometheus = isRecord(spec.monitoring) ? spec.monitoring.prometheus : undefined;
  // The webhook mounts the operator's JMX exporter ConfigMap unless both files are in the image
  // (metricsPropertiesFile and prometheus.configFile: sparkpod_defaulter.go addPrometheusConfig returns early).
  const inImage = isRecord(spec.monitoring) && isSet(spec.monitoring.metricsPropertiesFile) && isRecord(prometheus) && isSet(prometheus.configFile);
  if (isSet(prometheus) && !inImage) found.push(`${prefix}.monitoring.prometheus`);
  return found;
}

function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return true;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
