#!/usr/bin/env bash
# ENTRYPOINT of the e2e Spark operator image (e2e/images/build.sh), written for this project.
# The operator's Deployment sets only `args` (`controller start ...` or `webhook start ...`),
# so the image's entrypoint must start the operator binary with them. tini reaps the
# spark-submit processes the controller starts for each SparkApplication.
set -eo pipefail
exec /usr/bin/tini -s -- /usr/bin/spark-operator "$@"
