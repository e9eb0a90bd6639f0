#!/usr/bin/env bash
# Builds the container images of the real-node end-to-end test as OCI image archives, without a
# Docker engine or a registry: a Debian root filesystem from debootstrap, layers packed with GNU
# tar, image config and manifests written with umoci.
#
# Usage: bash e2e/images/build.sh [image ...]     images: spark operator notebook (default: all)
#   (needs root, and on PATH: debootstrap umoci tar jq curl unshare node python3 sha256sum flock)
#
# Output, in ${SPARK_E2E_CACHE:-$HOME/.cache/spark-platform-e2e}/images/:
#   <name>.oci.tar            OCI image layout archive (one linux/amd64 manifest, no names in
#                             index.json); import it once per ref listed in manifest.json:
#                             `ctr -n k8s.io images import --index-name <ref> <name>.oci.tar`
#   <name>.packages.txt       what went in: Debian packages (dpkg), Spark, pip and Maven artifacts
#   <name>.meta.json          this image's entry of manifest.json
#   manifest.json             {"images": [{"name", "archive", "refs", "key", "sizeBytes",
#                             "manifestDigest", "packages", "builtAt", "buildSeconds"}...]}:
#                             every image whose archive is current
#   work/                     caches: base root filesystem, layer trees, OCI layouts
# Downloads (debootstrap .debs, pip wheels, Maven jars) stay in ${CACHE}/downloads; logs go to
# ${CACHE}/logs/images-<step>.log (the tail is shown on failure).
#
# Idempotent: every image has a key, the hash of its inputs (versions from e2e/versions.json and
# constructs/versions.ts, this script and the image's own directory under e2e/images/, the Spark
# and operator inputs, and the key of the image below it); an image whose archive was built with
# the current key is skipped. The base root filesystem has its own key (suite, packages,
# BASE_REVISION), so editing this script does not re-run debootstrap; bump BASE_REVISION to
# force that. Downloads are never repeated.
#
# Inputs made by e2e/setup.sh (steps pyspark, spark-operator): the pyspark wheel installed in
# ${CACHE}/venv/pyspark-<v> (Spark's jars, bin, sbin, python/lib, examples) and
# ${CACHE}/bin/spark-operator-v<v>/spark-operator.
#
# Images (layouts follow the official apache/spark images: /opt/spark, uid/gid 185 `spark` with
# home /nonexistent, WORKDIR /opt/spark/work-dir, ENTRYPOINT /opt/entrypoint.sh; all work with
# a read-only root filesystem):
#   spark     Debian bookworm + OpenJDK 17 JRE + python3 + tini, Spark from the pyspark wheel, a
#             SparkPi of our own (spark/SparkPi.scala) in examples/jars/spark-examples.jar
#   operator  spark + the Kubeflow spark-operator binary, entrypoint operator/entrypoint.sh
#   notebook  spark + JupyterLab (PyPI, for the image's python3), spark.pth, the s3a jars
#             (images/spark-notebook/Dockerfile's result), HOME/WORKDIR /home/spark
#   spark-s3a spark + the s3a jars in /opt/spark/jars (an image for `storage.jars: "image"`),
#             the suite's object-store job, /opt/spark-e2e/s3a_roundtrip.py (spark-s3a/), and the
#             Prometheus JMX exporter's agent (JMX_EXPORTER in constructs/versions.ts). Differences
#             from that Dockerfile: pip comes from PyPI (PIP_VERSION, installed under /usr/local)
#             instead of Debian's python3-pip, and spark-hadoop-cloud is 4.0.2 (see below).
# Like the official images they expect the runtime to provide /etc/hosts resolving the
# container's hostname (kubelet does); Spark fails at start-up without it.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "${HERE}/../.." && pwd)"
CACHE="${SPARK_E2E_CACHE:-$HOME/.cache/spark-platform-e2e}"
OUT="${CACHE}/images"
WORK="${OUT}/work"
DL="${CACHE}/downloads"
LOGS="${CACHE}/logs"

ALL_IMAGES=(spark operator notebook spark-s3a)

# --- pins -------------------------------------------------------------------------------------
ARCH=amd64
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The base root filesystem: what Spark's JVM, PySpark's workers and the entrypoints need.
BASE_PACKAGES=(openjdk-17-jre-headless python3 tini bash procps netbase ca-certificates)
BASE_REVISION=2 # bump to rebuild the base root filesystem (recipe changes in build_base)
IMAGE_JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
IMAGE_PATH="${IMAGE_JAVA_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SPARK_UID=185 # OFFICIAL_SPARK_IMAGE_LAYOUT (constructs/versions.ts)
# pip itself (PyPI), installed into the notebook image with JupyterLab. The resolved
# JupyterLab dependency set is pinned by notebook/constraints.txt.
PIP_VERSION=26.3
# spark-hadoop-cloud (the S3A magic committer glue) should match Spark (4.0.3), but the Maven
# repository reachable here answers 404 for org.apache.spark:spark-hadoop-cloud_2.13:4.0.3
# (checked 2026-12); 4.0.2 is the nearest release it serves. The artifact only holds committer
# bindings compiled against Spark 4.0's internal API, which does not change within a 4.0.x line.
SPARK_HADOOP_CLOUD_VERSION=4.0.2
MAVEN_REPOSITORY="${MAVEN_REPOSITORY:-https://repo1.maven.org/maven2}"
HOST_CA_BUNDLE="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" # pip in the chroot trusts these

# --- helpers ----------------------------------------------------------------------------------
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[images %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
sha() { sha256sum | cut -c1-16; }

SUMMARY=()
summary() { # summary <what> <status> <seconds> [detail]
  local line
  line="$(printf '%-10s %-8s %8ss  %s' "$1" "$2" "$3" "${4:-}")"
  SUMMARY+=("${line}")
  log "${line}"
}

LOGFILE=/dev/null
# run <cmd...>: runs a command with its output appended to LOGFILE; on failure shows the tail.
run() {
  printf '+ %s\n' "$*" >>"${LOGFILE}"
  if ! "$@" >>"${LOGFILE}" 2>&1; then
    log "FAILED: $* (log: ${LOGFILE})"
    tail -n 40 "${LOGFILE}" >&2
    return 1
  fi
}

# in_root <lowerdirs> [--bind host:guest[:ro]]... [--user uid:gid] [--env K=V]... -- <cmd...>
# Runs a command chrooted into an overlay of <lowerdirs> (colon separated, top first) in a
# private mount namespace: writes land in a throwaway upper directory, so cached trees are
# never modified. /dev, /proc and the host's resolv.conf are available (pip reaches PyPI).
in_root() {
  local lower="$1"; shift
  local binds=() envs=() user=""
  while (($#)); do
    case "$1" in
      --bind) binds+=("$2"); shift 2 ;;
      --user) user="$2"; shift 2 ;;
      --env) envs+=("$2"); shift 2 ;;
      --) shift; break ;;
      *) die "in_root: unexpected $1" ;;
    esac
  done
  local ns rc=0
  ns="$(mktemp -d "${WORK}/tmp/ns.XXXXXX")"
  mkdir -p "${ns}/upper" "${ns}/work" "${ns}/merged"
  unshare --mount --propagation private -- bash -euo pipefail -c '
    ns="$1" lower="$2" user="$3" nbinds="$4" nenvs="$5"; shift 5
    binds=("${@:1:nbinds}"); shift "${nbinds}"
    envs=("${@:1:nenvs}"); shift "${nenvs}"
    m="${ns}/merged"
    mount -t overlay overlay -o "lowerdir=${lower},upperdir=${ns}/upper,workdir=${ns}/work" "${m}"
    mount --rbind /dev "${m}/dev"
    mount -t proc proc "${m}/proc"
    rm -f "${m}/etc/resolv.conf"; : >"${m}/etc/resolv.conf"
    mount --bind /etc/resolv.conf "${m}/etc/resolv.conf"
    for b in "${binds[@]}"; do
      IFS=: read -r host guest mode <<<"${b}"
      if [[ -d "${host}" ]]; then mkdir -p "${m}${guest}"; else mkdir -p "$(dirname "${m}${guest}")"; : >"${m}${guest}"; fi
      mount --bind "${host}" "${m}${guest}"
      if [[ "${mode}" == ro ]]; then mount -o remount,bind,ro "${m}${guest}"; fi
    done
    exec chroot ${user:+--userspec="${user}"} "${m}" /usr/bin/env -i \
      PATH="'"${IMAGE_PATH}"'" HOME=/root LANG=C.UTF-8 JAVA_HOME="'"${IMAGE_JAVA_HOME}"'" \
      "${envs[@]}" "$@"
  ' in_root "${ns}" "${lower}" "${user}" "${#binds[@]}" "${#envs[@]}" \
    ${binds[@]+"${binds[@]}"} ${envs[@]+"${envs[@]}"} "$@" || rc=$?
  rm -rf --one-file-system "${ns}"
  return "${rc}"
}

# tar_layer <dir> <out.tar>: an uncompressed layer tarball of a tree (numeric owners, sorted,
# no atime/ctime), without the contents of dev/, proc/ and sys/ (the runtime provides those).
tar_layer() {
  tar --create --file "$2" --directory "$1" --numeric-owner --sort=name \
    --format=posix --pax-option=delete=atime,delete=ctime \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' .
}

# add_layer <layout:tag> <new tag> <tree> <created_by>: appends <tree> as a layer.
add_layer() {
  local tarfile
  tarfile="$(mktemp "${WORK}/tmp/layer.XXXXXX.tar")"
  run tar_layer "$3" "${tarfile}"
  run umoci raw add-layer --image "$1" --tag "$2" --history.created_by "$4" "${tarfile}"
  rm -f "${tarfile}"
}

# copy_layout <from> <to>: a new OCI layout sharing the blobs (hard links) of another.
copy_layout() {
  rm -rf "$2"; mkdir -p "$2/blobs"
  cp -al "$1/blobs/sha256" "$2/blobs/sha256"
  cp "$1/oci-layout" "$1/index.json" "$2/"
}

# match_dirs <tree> <lower...>: gives the directories of a layer tree the owner and mode they
# already have in the lower trees, so the layer does not change e.g. /opt/spark's owner.
match_dirs() {
  local tree="$1"; shift
  local d l
  while IFS= read -r -d '' d; do
    for l in "$@"; do
      if [[ -d "${l}/${d}" && ! -L "${l}/${d}" ]]; then
        chown --reference="${l}/${d}" "${tree}/${d}"
        chmod --reference="${l}/${d}" "${tree}/${d}"
        break
      fi
    done
  done < <(cd "${tree}" && find . -mindepth 1 -type d -print0)
}

# maven_jar <group:artifact:version> <dest dir>: a jar from Maven, cached in downloads/maven and
# checked against the repository's .sha1. Prints "<coordinates> sha1=<sum>" for the record.
maven_jar() {
  local group artifact version path file sum want
  IFS=: read -r group artifact version <<<"$1"
  path="${group//.//}/${artifact}/${version}/${artifact}-${version}.jar"
  file="${DL}/maven/${path}"
  if [[ ! -f "${file}" ]]; then
    mkdir -p "$(dirname "${file}")"
    run curl -fsSL --retry 3 --connect-timeout 30 -o "${file}.part" "${MAVEN_REPOSITORY}/${path}"
    run curl -fsSL --retry 3 --connect-timeout 30 -o "${file}.sha1" "${MAVEN_REPOSITORY}/${path}.sha1"
    want="$(cut -c1-40 "${file}.sha1")"
    sum="$(sha1sum "${file}.part" | cut -c1-40)"
    [[ "${sum}" == "${want}" ]] || die "checksum mismatch for ${path}: ${sum} != ${want}"
    mv "${file}.part" "${file}"
  fi
  cp "${file}" "$2/"
  printf '%s sha1=%s\n' "$1" "$(sha1sum "${file}" | cut -c1-40)"
}

debian_packages() { # debian_packages <rootfs>: installed packages as name=version
  dpkg-query --admindir="$1/var/lib/dpkg" -W -f '${binary:Package}=${Version}\n' | sort
}

# --- versions and inputs ----------------------------------------------------------------------
[[ "$(id -u)" == 0 ]] || die "must run as root (debootstrap, chroot, mount)"
for tool in debootstrap umoci tar jq curl unshare chroot node python3 sha256sum sha1sum flock dpkg-query; do
  command -v "${tool}" >/dev/null || die "missing tool: ${tool}"
done

mkdir -p "${OUT}" "${WORK}/tmp" "${WORK}/rootfs" "${WORK}/layout" "${DL}" "${LOGS}"
exec 8>"${OUT}/.lock"
flock 8 # one build per cache at a time
rm -rf "${WORK}/tmp" && mkdir -p "${WORK}/tmp"

PYSPARK_VERSION="$(jq -er .pyspark "${REPO}/e2e/versions.json")"
OPERATOR_VERSION="$(jq -er .sparkOperator.version "${REPO}/e2e/versions.json")" # v2.5.2
# The platform's own version matrix (constructs/versions.ts): image refs, s3a jars, JupyterLab.
VERSIONS_JSON="$(cd "${REPO}" && node -e '
  require("ts-node").register({ transpileOnly: true });
  const v = require("./constructs/versions.ts");
  const line = v.sparkLineOf(process.argv[1]);
  if (!line) throw new Error("no Spark line for " + process.argv[1]);
  console.log(JSON.stringify({ line, operator: v.SPARK_OPERATOR, jupyterlab: v.JUPYTERLAB.version,
    layout: v.OFFICIAL_SPARK_IMAGE_LAYOUT, jmxExporter: v.JMX_EXPORTER }));' "${PYSPARK_VERSION}")"
v() { jq -er "$1" <<<"${VERSIONS_JSON}"; }
SPARK_VERSION="$(v .line.version)"
SCALA_VERSION="$(v .line.scala)"
[[ "$(v .layout.uid)" == "${SPARK_UID}" && "$(v .layout.sparkHome)" == /opt/spark ]] ||
  die "constructs/versions.ts OFFICIAL_SPARK_IMAGE_LAYOUT changed: update build.sh"
[[ "v$(v .operator.version)" == "${OPERATOR_VERSION}" ]] ||
  die "e2e/versions.json sparkOperator ${OPERATOR_VERSION} != constructs/versions.ts SPARK_OPERATOR $(v .operator.version)"
JUPYTERLAB_VERSION="$(v .jupyterlab)"
HADOOP_AWS_VERSION="$(v .line.hadoopAws)"
AWS_SDK_BUNDLE="$(v .line.awsSdkBundle)"
# the Prometheus JMX exporter's agent (spark-s3a: the suite's monitored job loads it)
JMX_EXPORTER_MAVEN="$(v .jmxExporter.maven)"
JMX_EXPORTER_JAR="$(v .jmxExporter.jarPath)"

declare -A REFS=(
  [spark]="$(v .line.image) localhost/spark-platform-e2e/spark:${SPARK_VERSION}"
  [operator]="$(v .operator.image)"
  # stacks/environments/dev.ts and e2e/environments/e2e-jobs.ts
  [notebook]="localhost:5001/spark-notebook:${SPARK_VERSION}-jupyterlab${JUPYTERLAB_VERSION}"
  # e2e/environments/e2e-real.ts E2E_S3A_IMAGE
  [spark-s3a]="localhost/spark-platform-e2e/spark-s3a:${SPARK_VERSION}"
)

PYSPARK_DIR="$(ls -d "${CACHE}/venv/pyspark-${PYSPARK_VERSION}"/lib/python3*/site-packages/pyspark 2>/dev/null | head -n1 || true)"
OPERATOR_BIN="${CACHE}/bin/spark-operator-${OPERATOR_VERSION}/spark-operator"

# --- keys -------------------------------------------------------------------------------------
# files_hash <path...>: the hash of this script's own inputs under e2e/images/ (other files there,
# e.g. other images' recipes, do not invalidate these images).
files_hash() { (cd "${HERE}" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha); }
BASE_KEY="$(printf '%s\n' "${DEBIAN_SUITE}" "${ARCH}" minbase "${DEBIAN_MIRROR}" "${BASE_PACKAGES[*]}" \
  "${BASE_REVISION}" "${SPARK_UID}" | sha)"
BASE_ROOTFS="${WORK}/rootfs/base-${BASE_KEY}"
BASE_LAYOUT="${WORK}/layout/base-${BASE_KEY}"

declare -A KEY=()
compute_keys() {
  if [[ -n "${PYSPARK_DIR}" && -d "${PYSPARK_DIR}/jars" ]]; then
    KEY[spark]="$( { echo "${BASE_KEY} $(files_hash build.sh spark) ${PYSPARK_VERSION} ${REFS[spark]}";
      (cd "${PYSPARK_DIR}" && find jars bin sbin python/lib examples/src -type f ! -path '*__pycache__*' -printf '%p %s\n' | sort); } | sha)"
  fi
  if [[ -n "${KEY[spark]:-}" && -x "${OPERATOR_BIN}" ]]; then
    KEY[operator]="$(echo "${KEY[spark]} $(files_hash operator) ${OPERATOR_VERSION} $(sha256sum <"${OPERATOR_BIN}" | cut -c1-64) ${REFS[operator]}" | sha)"
  fi
  if [[ -n "${KEY[spark]:-}" ]]; then
    KEY[notebook]="$(echo "${KEY[spark]} $(files_hash notebook) ${JUPYTERLAB_VERSION} ${PIP_VERSION} ${HADOOP_AWS_VERSION} ${AWS_SDK_BUNDLE} ${SPARK_HADOOP_CLOUD_VERSION} ${MAVEN_REPOSITORY} ${REFS[notebook]}" | sha)"
    KEY[spark-s3a]="$(echo "${KEY[spark]} $(files_hash spark-s3a) ${HADOOP_AWS_VERSION} ${AWS_SDK_BUNDLE} ${SPARK_HADOOP_CLOUD_VERSION} ${JMX_EXPORTER_MAVEN} ${JMX_EXPORTER_JAR} ${MAVEN_REPOSITORY} ${REFS[spark-s3a]}" | sha)"
  fi
}
compute_keys

is_current() { # is_current <image>: its archive exists and was built with the current key
  [[ -n "${KEY[$1]:-}" && -f "${OUT}/$1.oci.tar" && -f "${OUT}/$1.meta.json" &&
     -d "${WORK}/layout/$1-${KEY[$1]}" ]] &&
    [[ "$(jq -r .key "${OUT}/$1.meta.json")" == "${KEY[$1]}" ]]
}

# --- base root filesystem ---------------------------------------------------------------------
build_base() {
  local t0 tmp
  t0="$(now)"
  if [[ -f "${BASE_ROOTFS}.complete" && -f "${BASE_LAYOUT}.complete" ]]; then
    summary base skipped "$(elapsed "${t0}" "$(now)")" "base-${BASE_KEY}"
    return
  fi
  LOGFILE="${LOGS}/images-base.log"; : >"${LOGFILE}"
  if [[ ! -f "${BASE_ROOTFS}.complete" ]]; then
    log "base: debootstrap ${DEBIAN_SUITE} (${BASE_PACKAGES[*]}), log ${LOGFILE}"
    tmp="${BASE_ROOTFS}.tmp"
    rm -rf "${tmp}" "${WORK}"/rootfs/base-*; mkdir -p "${DL}/debootstrap"
    run debootstrap --arch="${ARCH}" --variant=minbase --components=main \
      --include="$(IFS=,; echo "${BASE_PACKAGES[*]}")" --cache-dir="${DL}/debootstrap" \
      "${DEBIAN_SUITE}" "${tmp}" "${DEBIAN_MIRROR}"
    [[ -x "${tmp}${IMAGE_JAVA_HOME}/bin/java" ]] || die "no java at ${IMAGE_JAVA_HOME} in the base"
    # The spark user and group of the official images: uid/gid 185, home /nonexistent (so
    # Java's user.home is /nonexistent whatever $HOME says).
    run chroot "${tmp}" groupadd --system --gid "${SPARK_UID}" spark
    run chroot "${tmp}" useradd --system --uid "${SPARK_UID}" --gid spark \
      --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin spark
    # Keep it small and free of this machine's identity: no apt lists, .debs, logs, man pages.
    rm -rf "${tmp}"/var/lib/apt/lists/* "${tmp}"/var/cache/apt/*.bin \
      "${tmp}"/var/cache/apt/archives/*.deb "${tmp}"/var/cache/debconf/*-old \
      "${tmp}"/usr/share/man/* "${tmp}"/usr/share/info/* "${tmp}"/var/log/*.log \
      "${tmp}"/var/log/apt/* "${tmp}"/root/.cache "${tmp}"/debootstrap
    find "${tmp}/usr/share/doc" -type f ! -name copyright -delete
    find "${tmp}/usr/share/doc" -type d -empty -delete
    # Runtimes provide resolv.conf, hosts and hostname; keep neutral placeholders (bind targets).
    : >"${tmp}/etc/resolv.conf"; chmod 0644 "${tmp}/etc/resolv.conf"
    : >"${tmp}/etc/machine-id"; echo localhost >"${tmp}/etc/hostname"
    rm -f "${tmp}"/etc/*- "${tmp}"/etc/ssh/ssh_host_* # passwd-/group-/shadow- backups
    debian_packages "${tmp}" >"${BASE_ROOTFS}.packages.txt"
    mv "${tmp}" "${BASE_ROOTFS}"
    touch "${BASE_ROOTFS}.complete"
  fi
  log "base: packing layer"
  rm -rf "${BASE_LAYOUT}" "${BASE_LAYOUT}.complete" "${WORK}"/layout/base-*
  run umoci init --layout "${BASE_LAYOUT}"
  run umoci new --image "${BASE_LAYOUT}:empty"
  add_layer "${BASE_LAYOUT}:empty" base "${BASE_ROOTFS}" \
    "debootstrap --variant=minbase --include=$(IFS=,; echo "${BASE_PACKAGES[*]}") ${DEBIAN_SUITE}; spark user ${SPARK_UID}"
  run umoci rm --image "${BASE_LAYOUT}:empty"
  touch "${BASE_LAYOUT}.complete"
  summary base done "$(elapsed "${t0}" "$(now)")" "base-${BASE_KEY}: $(du -sh "${BASE_ROOTFS}" | cut -f1) rootfs"
}

# --- image steps: each fills a layer tree ($1), the layout is done by build_image ------------
# SparkPi: compiled with the wheel's scala-compiler against the wheel's jars, on the base's JRE.
sparkpi_jar() { # sparkpi_jar <dest.jar>
  local hash dir
  hash="$( { sha256sum <"${HERE}/spark/SparkPi.scala"; ls "${PYSPARK_DIR}/jars"; } | sha)"
  dir="${WORK}/sparkpi-${hash}"
  if [[ ! -f "${dir}/spark-examples.jar" ]]; then
    rm -rf "${WORK}"/sparkpi-*; mkdir -p "${dir}/classes"
    log "spark: compiling SparkPi.scala (scalac $(cd "${PYSPARK_DIR}/jars" && ls scala-compiler-*.jar))"
    run in_root "${BASE_ROOTFS}" --bind "${PYSPARK_DIR}/jars:/mnt/jars:ro" \
      --bind "${HERE}/spark:/mnt/src:ro" --bind "${dir}:/mnt/out" -- \
      java -Xss4m -cp '/mnt/jars/*' scala.tools.nsc.Main -usejavacp -deprecation \
      -d /mnt/out/classes /mnt/src/SparkPi.scala
    run in_root "${BASE_ROOTFS}" --bind "${dir}:/mnt/out" -- python3 -c '
import os, zipfile
root = "/mnt/out/classes"
with zipfile.ZipFile("/mnt/out/spark-examples.jar.part", "w", zipfile.ZIP_DEFLATED) as jar:
    jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: spark-platform e2e/images/build.sh\r\n\r\n")
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            p = os.path.join(d, f)
            jar.write(p, os.path.relpath(p, root))'
    mv "${dir}/spark-examples.jar.part" "${dir}/spark-examples.jar"
  fi
  cp "${dir}/spark-examples.jar" "$1"
}

tree_spark() {
  local t="$1" s="$1/opt/spark"
  mkdir -p "${s}/python" "${s}/examples/jars" "${s}/examples/src/main" "${s}/work-dir"
  cp -r "${PYSPARK_DIR}/jars" "${PYSPARK_DIR}/bin" "${PYSPARK_DIR}/sbin" "${PYSPARK_DIR}/data" \
    "${PYSPARK_DIR}/licenses" "${s}/"
  cp -r "${PYSPARK_DIR}/python/lib" "${s}/python/"
  # /opt/spark/python/pyspark: the sources of pyspark.zip, as in a Spark distribution.
  python3 -m zipfile -e "${s}/python/lib/pyspark.zip" "${s}/python/"
  cp -r "${PYSPARK_DIR}/examples/src/main/python" "${s}/examples/src/main/"
  find "${s}" -name __pycache__ -prune -exec rm -rf {} +
  sparkpi_jar "${s}/examples/jars/spark-examples.jar"
  printf 'Spark %s (Scala %s, %s): jars, bin, sbin, python/lib and examples from the pyspark %s wheel (PyPI); assembled by spark-platform e2e/images/build.sh\n' \
    "${SPARK_VERSION}" "${SCALA_VERSION}" "$(cd "${s}/jars" && ls hadoop-client-api-*.jar | sed 's/hadoop-client-api-\(.*\)\.jar/Hadoop \1/')" \
    "${PYSPARK_VERSION}" >"${s}/RELEASE"
  chown -R "${SPARK_UID}:${SPARK_UID}" "${s}"
  chmod 0775 "${s}/work-dir" # group-writable, like the official image
  install -m 0755 "${HERE}/spark/entrypoint.sh" "${t}/opt/entrypoint.sh"
  install -m 0755 "${HERE}/spark/decom.sh" "${t}/opt/decom.sh"
  match_dirs "${t}" "${BASE_ROOTFS}"
  { echo "# debian ${DEBIAN_SUITE} (${DEBIAN_MIRROR}), dpkg"; cat "${BASE_ROOTFS}.packages.txt"
    echo "# spark: pyspark ${PYSPARK_VERSION} wheel (PyPI), /opt/spark/jars"; ls "${s}/jars"
    echo "# /opt/spark/examples/jars/spark-examples.jar: e2e/images/spark/SparkPi.scala, $(cd "${s}/jars" && ls scala-compiler-*.jar)"
  } >"${t}.packages.txt"
}
config_spark() { # config_spark <layout:tag>
  run umoci config --image "$1" --os linux --architecture "${ARCH}" \
    --config.user "${SPARK_UID}" --config.workingdir /opt/spark/work-dir \
    --config.env SPARK_HOME=/opt/spark --config.env "JAVA_HOME=${IMAGE_JAVA_HOME}" \
    --config.env "PATH=${IMAGE_PATH}" --config.env LANG=C.UTF-8 \
    --clear=config.entrypoint --config.entrypoint /opt/entrypoint.sh --clear=config.cmd \
    --config.label "org.opencontainers.image.version=${SPARK_VERSION}" \
    --config.label "org.opencontainers.image.description=Apache Spark ${SPARK_VERSION} (pyspark wheel) on Debian ${DEBIAN_SUITE}, layout of apache/spark, e2e build" \
    --history.created_by "umoci config (spark: user ${SPARK_UID}, workdir, env, entrypoint)"
}

tree_operator() {
  local t="$1"
  install -D -m 0755 "${OPERATOR_BIN}" "${t}/usr/bin/spark-operator"
  install -D -m 0755 "${HERE}/operator/entrypoint.sh" "${t}/usr/bin/entrypoint.sh"
  match_dirs "${t}" "${BASE_ROOTFS}"
  { cat "${WORK}/layout/spark-${KEY[spark]}.packages.txt"
    echo "# operator: /usr/bin/spark-operator (github.com/kubeflow/spark-operator/v2 ${OPERATOR_VERSION}, e2e/setup.sh)"
    echo "spark-operator=${OPERATOR_VERSION} sha256=$(sha256sum <"${OPERATOR_BIN}" | cut -c1-64)"
  } >"${t}.packages.txt"
}
config_operator() {
  run umoci config --image "$1" \
    --clear=config.entrypoint --config.entrypoint /usr/bin/entrypoint.sh --clear=config.cmd \
    --config.label "org.opencontainers.image.version=${OPERATOR_VERSION#v}" \
    --config.label "org.opencontainers.image.description=Kubeflow Spark operator ${OPERATOR_VERSION} on the e2e Spark ${SPARK_VERSION} image" \
    --history.created_by "umoci config (operator: entrypoint)"
}

tree_notebook() {
  local t="$1" spark_tree="${WORK}/rootfs/spark-${KEY[spark]}" pipdir="${DL}/pip"
  local wheel="pip-${PIP_VERSION}-py3-none-any.whl" constraints=() chash wheels
  mkdir -p "${pipdir}" "${t}/opt/spark/jars" "${t}/home/spark"
  # pip: the wheel runs as a zip application with the image's own python3.
  if [[ ! -f "${pipdir}/${wheel}" ]]; then
    run python3 -m pip download --no-deps --only-binary=:all: --no-cache-dir \
      -d "${pipdir}" "pip==${PIP_VERSION}"
  fi
  [[ -f "${pipdir}/${wheel}" ]] || die "pip download did not produce ${wheel}"
  chash=none
  if [[ -f "${HERE}/notebook/constraints.txt" ]]; then
    constraints=(-c /mnt/ctx/constraints.txt)
    chash="$(sha <"${HERE}/notebook/constraints.txt")"
  fi
  wheels="${pipdir}/jupyterlab-${JUPYTERLAB_VERSION}-${chash}"
  if [[ ! -f "${wheels}/.complete" ]]; then
    log "notebook: downloading JupyterLab ${JUPYTERLAB_VERSION} wheels (PyPI)"
    rm -rf "${wheels}"; mkdir -p "${wheels}"
    # The host's CA bundle: it is the one that validates this machine's route to PyPI.
    run in_root "${BASE_ROOTFS}" --bind "${pipdir}:/mnt/dl" --bind "${HERE}/notebook:/mnt/ctx:ro" \
      --bind "${HOST_CA_BUNDLE}:/mnt/host-ca.pem:ro" --env PIP_CERT=/mnt/host-ca.pem -- \
      python3 "/mnt/dl/${wheel}/pip" download --only-binary=:all: --no-cache-dir \
      -d "/mnt/dl/$(basename "${wheels}")" ${constraints[@]+"${constraints[@]}"} \
      "jupyterlab==${JUPYTERLAB_VERSION}" "pip==${PIP_VERSION}"
    touch "${wheels}/.complete"
  fi
  # Installed for the image's python3 (Debian's 3.11, the executors' interpreter) under
  # /usr/local, offline from the downloaded wheels, into the layer tree (--root).
  run in_root "${BASE_ROOTFS}" --bind "${pipdir}:/mnt/dl:ro" --bind "${HERE}/notebook:/mnt/ctx:ro" \
    --bind "${t}:/mnt/out" -- \
    python3 "/mnt/dl/${wheel}/pip" install --no-index --find-links "/mnt/dl/$(basename "${wheels}")" \
    --root /mnt/out --break-system-packages --no-warn-script-location --no-cache-dir --root-user-action=ignore \
    ${constraints[@]+"${constraints[@]}"} "jupyterlab==${JUPYTERLAB_VERSION}" "pip==${PIP_VERSION}"
  local site
  site="$(in_root "${BASE_ROOTFS}" -- python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  [[ -d "${t}${site}/jupyterlab" ]] || die "jupyterlab did not land in ${site} (pip scheme?)"
  # The image's own PySpark and py4j, importable by the kernel (no second Spark from PyPI).
  { echo /opt/spark/python
    (cd "${spark_tree}" && ls -d opt/spark/python/lib/py4j-*-src.zip) | sed 's|^|/|'
  } >"${t}${site}/spark.pth"
  # s3a: hadoop-aws matching Spark's Hadoop, the SDK bundle it was built against, spark-hadoop-cloud.
  local jars_record
  jars_record="$(for c in "org.apache.hadoop:hadoop-aws:${HADOOP_AWS_VERSION}" "${AWS_SDK_BUNDLE}" \
      "org.apache.spark:spark-hadoop-cloud_${SCALA_VERSION}:${SPARK_HADOOP_CLOUD_VERSION}"; do
      maven_jar "${c}" "${t}/opt/spark/jars"; done)"
  chmod 0644 "${t}"/opt/spark/jars/*.jar
  chown "${SPARK_UID}:${SPARK_UID}" "${t}/home/spark"
  match_dirs "${t}" "${spark_tree}" "${BASE_ROOTFS}"
  chown "${SPARK_UID}:${SPARK_UID}" "${t}/home/spark"; chmod 0755 "${t}/home/spark"
  log "notebook: checking python3 -c 'import pyspark, jupyterlab' as uid ${SPARK_UID}"
  run in_root "${t}:${spark_tree}:${BASE_ROOTFS}" --user "${SPARK_UID}:${SPARK_UID}" --env HOME=/home/spark -- \
    python3 -c 'import pyspark, jupyterlab, sys; print("pyspark", pyspark.__version__, "jupyterlab", jupyterlab.__version__, "python", sys.version.split()[0])'
  { cat "${WORK}/layout/spark-${KEY[spark]}.packages.txt"
    echo "# notebook: pip (PyPI) into /usr/local, python3 $(in_root "${BASE_ROOTFS}" -- python3 -c 'import platform; print(platform.python_version())')"
    in_root "${t}:${BASE_ROOTFS}" -- python3 "/usr/local/bin/pip" list --format=freeze --path "${site}"
    echo "# notebook: /opt/spark/jars (Maven: ${MAVEN_REPOSITORY})"
    echo "${jars_record}"
  } >"${t}.packages.txt"
}
config_notebook() {
  run umoci config --image "$1" \
    --config.env HOME=/home/spark --config.workingdir /home/spark --config.user "${SPARK_UID}" \
    --config.exposedports 8888/tcp --config.exposedports 7078/tcp \
    --config.exposedports 7079/tcp --config.exposedports 4040/tcp \
    --config.label "org.opencontainers.image.description=JupyterLab ${JUPYTERLAB_VERSION} on the e2e Spark ${SPARK_VERSION} image (images/spark-notebook/Dockerfile)" \
    --history.created_by "umoci config (notebook: HOME, workdir /home/spark, ports)"
}

# s3a_jars <tree>: hadoop-aws matching Spark's Hadoop, the SDK bundle it was built against and
# spark-hadoop-cloud into <tree>/opt/spark/jars; prints the record lines.
s3a_jars() {
  local c
  mkdir -p "$1/opt/spark/jars"
  for c in "org.apache.hadoop:hadoop-aws:${HADOOP_AWS_VERSION}" "${AWS_SDK_BUNDLE}" \
    "org.apache.spark:spark-hadoop-cloud_${SCALA_VERSION}:${SPARK_HADOOP_CLOUD_VERSION}"; do
    maven_jar "${c}" "$1/opt/spark/jars"
  done
  chmod 0644 "$1"/opt/spark/jars/*.jar
}

tree_spark-s3a() {
  local t="$1" spark_tree="${WORK}/rootfs/spark-${KEY[spark]}" jars_record
  jars_record="$(s3a_jars "${t}")"
  install -D -m 0644 "${HERE}/spark-s3a/s3a_roundtrip.py" "${t}/opt/spark-e2e/s3a_roundtrip.py"
  # the JMX exporter's agent at JMX_EXPORTER.jarPath (constructs/versions.ts)
  local agent_dir
  agent_dir="$(mktemp -d)"
  jars_record+=$'\n'"$(maven_jar "${JMX_EXPORTER_MAVEN}" "${agent_dir}")"
  install -D -m 0644 "${agent_dir}"/*.jar "${t}${JMX_EXPORTER_JAR}"
  rm -rf "${agent_dir}"
  match_dirs "${t}" "${spark_tree}" "${BASE_ROOTFS}"
  { cat "${WORK}/layout/spark-${KEY[spark]}.packages.txt"
    echo "# spark-s3a: /opt/spark/jars (Maven: ${MAVEN_REPOSITORY})"
    echo "${jars_record}"
    echo "# spark-s3a: /opt/spark-e2e/s3a_roundtrip.py sha256=$(sha256sum <"${HERE}/spark-s3a/s3a_roundtrip.py" | cut -c1-64)"
  } >"${t}.packages.txt"
}
config_spark-s3a() {
  run umoci config --image "$1" \
    --config.label "org.opencontainers.image.description=the e2e Spark ${SPARK_VERSION} image with the s3a jars" \
    --history.created_by "umoci config (spark-s3a)"
}

# build_image <name> <parent layout> <parent tag>
build_image() {
  local name="$1" parent="$2" ptag="$3" key="${KEY[$1]}" t0 t1 tree layout
  t0="$(now)"
  if is_current "${name}"; then
    summary "${name}" skipped "$(elapsed "${t0}" "$(now)")" "key ${key}, ${OUT}/${name}.oci.tar"
    return
  fi
  LOGFILE="${LOGS}/images-${name}.log"; : >"${LOGFILE}"
  log "${name}: building (key ${key}), log ${LOGFILE}"
  tree="${WORK}/rootfs/${name}-${key}"
  layout="${WORK}/layout/${name}-${key}"
  rm -rf "${WORK}/rootfs/${name}"-* "${WORK}/layout/${name}"-* "${OUT}/${name}.meta.json"
  mkdir -p "${tree}"
  "tree_${name}" "${tree}"
  mv "${tree}.packages.txt" "${layout}.packages.txt"
  t1="$(now)"
  copy_layout "${parent}" "${layout}"
  add_layer "${layout}:${ptag}" "${name}" "${tree}" "e2e/images/build.sh ${name} layer"
  "config_${name}" "${layout}:${name}"
  run umoci rm --image "${layout}:${ptag}"
  run umoci gc --layout "${layout}"
  export_archive "${name}" "${layout}"
  summary "${name}" done "$(elapsed "${t0}" "$(now)")" \
    "tree $(elapsed "${t0}" "${t1}")s, pack $(elapsed "${t1}" "$(now)")s, $(du -h "${OUT}/${name}.oci.tar" | cut -f1)"
}

# export_archive <name> <layout>: <name>.oci.tar with an index.json naming every ref.
export_archive() {
  local name="$1" layout="$2" ex desc refs_json size
  ex="${WORK}/tmp/export-${name}"
  rm -rf "${ex}"; mkdir -p "${ex}/blobs"
  cp -al "${layout}/blobs/sha256" "${ex}/blobs/sha256"
  cp "${layout}/oci-layout" "${ex}/"
  desc="$(jq -ce --arg t "${name}" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)' "${layout}/index.json")"
  refs_json="$(printf '%s\n' ${REFS[${name}]} | jq -Rsc 'split("\n") | map(select(. != ""))')"
  # One manifest, with its platform and WITHOUT name annotations: containerd 1.6's import also
  # stores every io.containerd.image.name / org.opencontainers.image.ref.name as an image, and
  # when one equals --index-name it replaces the index image, whose content is then collected
  # ("content digest ...: not found" while unpacking). The refs are in manifest.json instead.
  jq -n --argjson d "${desc}" --arg arch "${ARCH}" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [ $d | del(.annotations) | . + { platform: { architecture: $arch, os: "linux" } } ] }' \
    >"${ex}/index.json"
  run tar --create --file "${OUT}/${name}.oci.tar.part" --directory "${ex}" --sort=name \
    --owner=0 --group=0 --numeric-owner oci-layout index.json blobs
  mv "${OUT}/${name}.oci.tar.part" "${OUT}/${name}.oci.tar"
  rm -rf "${ex}"
  cp "${layout}.packages.txt" "${OUT}/${name}.packages.txt"
  size="$(stat -c %s "${OUT}/${name}.oci.tar")"
  jq -n --arg name "${name}" --arg archive "${OUT}/${name}.oci.tar" --argjson refs "${refs_json}" \
    --arg key "${KEY[${name}]}" --argjson size "${size}" --arg digest "$(jq -r .digest <<<"${desc}")" \
    --arg packages "${OUT}/${name}.packages.txt" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --argjson secs "$(elapsed "${t0}" "$(now)")" \
    '{name: $name, archive: $archive, refs: $refs, key: $key, sizeBytes: $size,
      manifestDigest: $digest, packages: $packages, builtAt: $at, buildSeconds: $secs}' \
    >"${OUT}/${name}.meta.json"
}

write_manifest() {
  local metas=() n
  for n in "${ALL_IMAGES[@]}"; do is_current "${n}" && metas+=("${OUT}/${n}.meta.json"); done
  if ((${#metas[@]})); then
    jq -s --arg cache "${CACHE}" '{cache: $cache, images: .}' "${metas[@]}" >"${OUT}/manifest.json.part"
  else
    jq -n --arg cache "${CACHE}" '{cache: $cache, images: []}' >"${OUT}/manifest.json.part"
  fi
  mv "${OUT}/manifest.json.part" "${OUT}/manifest.json"
}

# --- main -------------------------------------------------------------------------------------
WANT=("$@")
((${#WANT[@]})) || WANT=("${ALL_IMAGES[@]}")
for w in "${WANT[@]}"; do
  [[ " ${ALL_IMAGES[*]} " == *" ${w} "* ]] || die "unknown image ${w} (images: ${ALL_IMAGES[*]})"
done
[[ -n "${KEY[spark]:-}" ]] || die "no pyspark ${PYSPARK_VERSION} in ${CACHE}/venv: run e2e/setup.sh pyspark"
if [[ " ${WANT[*]} " == *" operator "* && -z "${KEY[operator]:-}" ]]; then
  die "no ${OPERATOR_BIN}: run e2e/setup.sh spark-operator"
fi

T_START="$(now)"
FAILED_REPORTED=
on_error() { # once, with the failing command (the log tail is shown by run)
  [[ -n "${FAILED_REPORTED}" ]] && return
  FAILED_REPORTED=1
  log "FAILED (line $1: $2) after $(elapsed "${T_START}" "$(now)")s; log: ${LOGFILE}"
}
trap 'on_error "${LINENO}" "${BASH_COMMAND}"' ERR
build_base
build_image spark "${BASE_LAYOUT}" base
for w in "${WANT[@]}"; do
  [[ "${w}" == spark ]] || build_image "${w}" "${WORK}/layout/spark-${KEY[spark]}" spark
done
write_manifest
rm -rf "${WORK}/tmp" && mkdir -p "${WORK}/tmp"
log "summary (total $(elapsed "${T_START}" "$(now)")s):"
printf '  %s\n' "${SUMMARY[@]}" >&2
log "manifest: ${OUT}/manifest.json"
