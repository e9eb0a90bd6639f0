#!/usr/bin/env bash
# ENTRYPOINT of the e2e Spark image (e2e/images/build.sh), written for this project from the
# contract Spark's Kubernetes backend documents for custom images
# (https://spark.apache.org/docs/latest/running-on-kubernetes.html#docker-images): the driver
# pod runs `<entrypoint> driver <spark-submit args>`, executor pods run `<entrypoint> executor`
# with everything else in SPARK_* environment variables
# (resource-managers/kubernetes/core/.../Constants.scala, BasicExecutorFeatureStep.scala).
# Any other command is executed as is. It writes no file, so it works on a read-only root.
set -eo pipefail

export SPARK_HOME="${SPARK_HOME:-/opt/spark}"
if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  export JAVA_HOME
fi

# The JVM classpath of an executor, most specific first:
#   configuration dir (SPARK_CONF_DIR, which Spark sets to the mounted /opt/spark/conf; else
#   $SPARK_HOME/conf), HADOOP_CONF_DIR, spark.executor.extraClassPath (Spark passes it as
#   SPARK_CLASSPATH), Spark's jars, SPARK_EXTRA_CLASSPATH, then the working directory, where
#   executors put the jars added with spark.jars / addJar.
executor_classpath() {
  local cp="${SPARK_HOME}/jars/*"
  [[ -n "${SPARK_CLASSPATH:-}" ]] && cp="${SPARK_CLASSPATH}:${cp}"
  [[ -n "${SPARK_EXTRA_CLASSPATH:-}" ]] && cp="${cp}:${SPARK_EXTRA_CLASSPATH}"
  [[ -n "${HADOOP_CONF_DIR:-}" ]] && cp="${HADOOP_CONF_DIR}:${cp}"
  if [[ -n "${SPARK_CONF_DIR:-}" ]]; then
    cp="${SPARK_CONF_DIR}:${cp}"
  else
    cp="${SPARK_HOME}/conf:${cp}"
  fi
  printf '%s:%s' "${cp}" "${PWD}"
}

# JVM options of an executor: Spark passes each one in its own SPARK_JAVA_OPT_<n> variable
# (n = 0, 1, ...), in order. SPARK_EXECUTOR_JAVA_OPTS, when set, adds whitespace-separated
# options in front (a convenience of this image, for running an executor by hand).
executor_java_opts() {
  local n name
  java_opts=()
  if [[ -n "${SPARK_EXECUTOR_JAVA_OPTS:-}" ]]; then
    read -r -a java_opts <<<"${SPARK_EXECUTOR_JAVA_OPTS}"
  fi
  while read -r n; do
    [[ -n "${n}" ]] || continue
    name="SPARK_JAVA_OPT_${n}"
    java_opts+=("${!name}")
  done < <(compgen -e | sed -n 's/^SPARK_JAVA_OPT_\([0-9][0-9]*\)$/\1/p' | sort -n)
}

# Python interpreters chosen by the submitter reach spark-submit and the python workers.
[[ -n "${PYSPARK_PYTHON+set}" ]] && export PYSPARK_PYTHON
[[ -n "${PYSPARK_DRIVER_PYTHON+set}" ]] && export PYSPARK_DRIVER_PYTHON

# "Hadoop free" setups: take Hadoop's jars from a HADOOP_HOME unless SPARK_DIST_CLASSPATH is given.
if [[ -n "${HADOOP_HOME:-}" && -z "${SPARK_DIST_CLASSPATH:-}" ]]; then
  SPARK_DIST_CLASSPATH="$("${HADOOP_HOME}/bin/hadoop" classpath)"
  export SPARK_DIST_CLASSPATH
fi

case "${1:-}" in
  driver)
    shift
    # Client mode inside the driver pod: bind to the pod IP Spark put in
    # SPARK_DRIVER_BIND_ADDRESS and hand it to the executors as SPARK_DRIVER_POD_IP.
    exec /usr/bin/tini -s -- "${SPARK_HOME}/bin/spark-submit" \
      --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS}" \
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=${SPARK_DRIVER_BIND_ADDRESS}" \
      --deploy-mode client \
      "$@"
    ;;
  executor)
    shift
    executor_java_opts
    exec /usr/bin/tini -s -- "${JAVA_HOME}/bin/java" \
      "${java_opts[@]}" \
      "-Xms${SPARK_EXECUTOR_MEMORY}" \
      "-Xmx${SPARK_EXECUTOR_MEMORY}" \
      -cp "$(executor_classpath)${SPARK_DIST_CLASSPATH:+:${SPARK_DIST_CLASSPATH}}" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "${SPARK_DRIVER_URL}" \
      --executor-id "${SPARK_EXECUTOR_ID}" \
      --cores "${SPARK_EXECUTOR_CORES}" \
      --app-id "${SPARK_APPLICATION_ID}" \
      --hostname "${SPARK_EXECUTOR_POD_IP}" \
      --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID}" \
      --podName "${SPARK_EXECUTOR_POD_NAME}"
    ;;
  *)
    exec "$@"
    ;;
esac
