#!/usr/bin/env bash
# Graceful executor decommissioning for the e2e Spark image (written for this project). Spark
# runs it as the executor container's preStop hook when spark.decommission.enabled is true
# (spark.kubernetes.decommission.script, default /opt/decom.sh): it sends the executor JVM the
# decommission signal (PWR, Spark's spark.executor.decommission.signal default) and waits for
# it to exit, so Kubernetes' grace period covers the block migration.
set -u
pid="$(pgrep -o -f 'org\.apache\.spark\.scheduler\.cluster\.k8s\.KubernetesExecutorBackend' || true)"
if [[ -z "${pid}" ]]; then
  echo "decom: no executor process found" >&2
  exit 0
fi
echo "decom: asking executor ${pid} to decommission" >&2
kill -s PWR "${pid}" || exit 0
while kill -0 "${pid}" 2>/dev/null; do sleep 1; done
echo "decom: executor ${pid} exited" >&2
