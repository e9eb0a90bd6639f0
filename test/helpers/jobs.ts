import { SparkJobProps, SparkJobType } from '../../constructs';

/** The plain Scala SparkPi job the job tests start from (no namespace, no arguments). */
export const SPARK_PI_JOB: Omit<SparkJobProps, 'namespace'> = {
  name: 'spark-pi',
  type: SparkJobType.SCALA,
  mainClass: 'org.apache.spark.examples.SparkPi',
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
};
