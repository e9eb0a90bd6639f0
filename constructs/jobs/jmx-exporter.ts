/** The JMX exporter of a job, checked and with its defaults (resolved by monitoring.ts, read by the renderers). */
export interface ResolvedJmxExporter {
  /** The agent jar's path in the image (without `local://`). */
  readonly jarPath: string;
  /** The port the agent serves `/metrics` on. */
  readonly port: number;
  /** The exporter's YAML configuration. */
  readonly config: string;
  /** Whether the driver runs the agent. */
  readonly driver: boolean;
  /** Whether the executors run the agent. */
  readonly executors: boolean;
  /** Name of the ConfigMap. */
  readonly configMap: string;
}
