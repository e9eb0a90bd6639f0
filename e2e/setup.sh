#!/usr/bin/env bash
# Installs and builds the end-to-end toolchain (see e2e/README.md) into a cache outside the repo:
#   ${SPARK_E2E_CACHE:-$HOME/.cache/spark-platform-e2e}
#     bin/<component>-<version>/   binaries (a `.complete` marker says the step finished)
#     src/<component>-<version>/   generated wrapper Go modules
#     venv/pyspark-<version>/      Python venv with pyspark
#     pulumi-home/                 PULUMI_HOME with the Kubernetes provider plugin installed
#     logs/                        one log per step, setup-history.log
#     env.sh                       exports the binary paths (source it)
# Versions come from e2e/versions.json only. Idempotent: a finished step is skipped.
#
# Usage: e2e/setup.sh [step ...]
#   steps: apt etcd kubernetes kwok spark-operator pyspark pulumi node coredns netpol images (default: all)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSIONS_FILE="${HERE}/versions.json"
CACHE="${SPARK_E2E_CACHE:-$HOME/.cache/spark-platform-e2e}"
BIN="${CACHE}/bin"
SRC="${CACHE}/src"
LOGS="${CACHE}/logs"
mkdir -p "${BIN}" "${SRC}" "${LOGS}"
# one setup at a time per cache (a second one waits, then finds the steps done and skips them)
exec 9>"${CACHE}/.setup.lock"
flock 9

# GOMODCACHE/GOCACHE keep their defaults (warm across runs); the toolchain is the machine's Go.
export GOTOOLCHAIN=local
export CGO_ENABLED=0
GO_BUILD_FLAGS=(-trimpath)

# kwok v0.8.0 declares `go 1.26.0`; GOTOOLCHAIN=local means the machine's Go must be that new.
GO_VERSION="$(go env GOVERSION 2>/dev/null || true)"
if ! python3 -c 'import re,sys; m=re.match(r"go(\d+)\.(\d+)", sys.argv[1]); sys.exit(0 if m and (int(m[1]), int(m[2])) >= (1, 26) else 1)' "${GO_VERSION}"; then
  echo "e2e/setup.sh needs Go >= 1.26 on PATH (found: ${GO_VERSION:-none})" >&2
  exit 1
fi

# ---------------------------------------------------------------------------------------------
# helpers

# versions.json, read once into CFG: dotted path -> value (arrays: items joined by spaces).
declare -A CFG=()
while IFS=$'\t' read -r key value; do CFG["${key}"]="${value}"; done < <(python3 - "${VERSIONS_FILE}" <<'PY'
import json, sys
def walk(prefix, d):
    if isinstance(d, dict):
        for k, v in d.items():
            walk(f"{prefix}.{k}" if prefix else k, v)
    elif isinstance(d, list):
        print(f"{prefix}\t{' '.join(d)}")
    else:
        print(f"{prefix}\t{d}")
walk("", json.load(open(sys.argv[1])))
PY
)
((${#CFG[@]})) || { echo "could not read ${VERSIONS_FILE}" >&2; exit 1; }

# cfg <dotted.path>: prints a value of versions.json (arrays: one item per line).
cfg() {
  [[ -v CFG["$1"] ]] || { echo "versions.json has no $1" >&2; return 1; }
  printf '%s\n' ${CFG["$1"]}
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

SUMMARY=()
# summary <step> <status> <seconds> [detail]
summary() {
  local line
  line="$(printf '%-28s %-8s %8ss  %s' "$1" "$2" "$3" "${4:-}")"
  SUMMARY+=("${line}")
  log "${line}"
}

# run_logged <logfile> <cmd...>: runs a command with its output in a log; on failure shows the tail.
run_logged() {
  local logfile="$1"; shift
  if ! "$@" >>"${logfile}" 2>&1; then
    log "FAILED: $* (log: ${logfile})"
    tail -n 40 "${logfile}" >&2
    return 1
  fi
}

# publish <tmpdir> <dir>: atomically moves a finished build into place and marks it complete.
publish() {
  touch "$1/.complete"
  rm -rf "$2"
  mv "$1" "$2"
}

go_mod_dir() { # go_mod_dir <module>@<version>: downloads a module, prints its directory
  go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'
}

# ---------------------------------------------------------------------------------------------
# steps

step_apt() {
  local t0 missing=() pkgs=(openssl)
  t0="$(now)"
  [[ "$(cfg etcd.source)" == debian ]] && pkgs+=(etcd-server)
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    summary apt skipped "$(elapsed "${t0}" "$(now)")" "present: ${pkgs[*]}"
    return
  fi
  local logfile="${LOGS}/apt.log"
  : >"${logfile}"
  run_logged "${logfile}" apt-get update
  # etcd-server's maintainer script would start a system etcd on :2379; the suite runs its own.
  run_logged "${logfile}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y --no-install-recommends "${missing[@]}"
  summary apt done "$(elapsed "${t0}" "$(now)")" "installed: ${missing[*]}"
}

step_etcd() {
  local source version t0 out
  source="$(cfg etcd.source)"; version="$(cfg etcd.version)"
  out="${BIN}/etcd-${version}"
  t0="$(now)"
  if [[ -f "${out}/.complete" ]]; then summary "etcd ${version}" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  local tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  case "${source}" in
    debian)
      # Debian's etcd-server (installed by the apt step): link it so every binary has one layout.
      local have
      have="$(dpkg-query -W -f='${Version}' etcd-server)"
      [[ "${have}" == "${version}"* ]] || { log "etcd-server is ${have}, versions.json wants ${version}"; return 1; }
      ln -s /usr/bin/etcd "${tmp}/etcd"
      publish "${tmp}" "${out}"
      summary "etcd ${version}" done "$(elapsed "${t0}" "$(now)")" "debian etcd-server ${have}"
      ;;
    go)
      # go.etcd.io/etcd/server/v3 as a library: a wrapper main calling etcdmain.Main.
      local mod="${SRC}/etcd-${version}" logfile="${LOGS}/etcd-${version}.log" t1 t2
      : >"${logfile}"
      mkdir -p "${mod}"
      cat >"${mod}/go.mod" <<EOF
module spark-platform.local/e2e/etcd

go 1.24

require go.etcd.io/etcd/server/v3 ${version}
EOF
      cat >"${mod}/main.go" <<'EOF'
// etcd built from the go.etcd.io/etcd/server/v3 module (generated by e2e/setup.sh).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
      (cd "${mod}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go mod tidy)
      t1="$(now)"
      (cd "${mod}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go build "${GO_BUILD_FLAGS[@]}" \
        -ldflags=-s\ -w -o "${tmp}/etcd" .)
      t2="$(now)"
      publish "${tmp}" "${out}"
      summary "etcd ${version}" done "$(elapsed "${t0}" "${t2}")" \
        "download $(elapsed "${t0}" "${t1}")s, compile $(elapsed "${t1}" "${t2}")s"
      ;;
    *) log "versions.json: etcd.source must be debian or go"; return 1 ;;
  esac
}

K8S_PKGS=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)

# apply_staging_overrides <vX.Y.Z>: filter on replace lines; versions.json's
# kubernetesStagingOverrides[<vX.Y.Z>] pins a staging module to another version, for the rare one
# whose v0.Y.Z the module proxy refuses (each override is logged).
apply_staging_overrides() {
  python3 -c '
import json, re, sys
over = json.load(open(sys.argv[1])).get("kubernetesStagingOverrides", {}).get(sys.argv[2], {})
for line in sys.stdin:
    m = re.match(r"\t(\S+) => (\S+) (\S+)$", line.rstrip("\n"))
    if m and m.group(1) in over:
        sys.stderr.write("[setup] %s: %s %s -> %s (kubernetesStagingOverrides)\n" % (sys.argv[2], m.group(1), m.group(3), over[m.group(1)]))
        line = "\t%s => %s %s\n" % (m.group(1), m.group(2), over[m.group(1)])
    sys.stdout.write(line)
' "${VERSIONS_FILE}" "$1"
}

# k8s_ldflags <vX.Y.Z> <major> <minor>: the version stamp of hack/lib/version.sh, so that
# `--version` and /version report the release.
k8s_ldflags() {
  local ldflags="-s -w" kv key val
  for kv in "gitVersion=$1" "gitMajor=$2" "gitMinor=$3" "gitTreeState=clean" \
    "buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; do
    key="${kv%%=*}"; val="${kv#*=}"
    ldflags+=" -X k8s.io/component-base/version.${key}=${val} -X k8s.io/client-go/pkg/version.${key}=${val}"
  done
  printf '%s' "${ldflags}"
}

# step_kubernetes_one <vX.Y.Z>: builds kube-apiserver, kube-controller-manager, kube-scheduler.
step_kubernetes_one() {
  local ver="$1" t0 t1 t2 out mod logfile dir staging_ver major minor
  out="${BIN}/kubernetes-${ver}"
  t0="$(now)"
  if [[ -f "${out}/.complete" ]]; then summary "kubernetes ${ver}" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  mod="${SRC}/kubernetes-${ver}"; logfile="${LOGS}/kubernetes-${ver}.log"
  : >"${logfile}"
  mkdir -p "${mod}"
  dir="$(go_mod_dir "k8s.io/kubernetes@${ver}")"
  # k8s.io/kubernetes replaces its staging modules (k8s.io/api, ...) with ./staging paths, which a
  # dependent module cannot use: the wrapper pins each one to its published v0.<minor>.<patch>.
  staging_ver="v0.${ver#v1.}"
  major=1; minor="$(cut -d. -f2 <<<"${ver}")"
  {
    echo "// Generated by e2e/setup.sh: builds k8s.io/kubernetes ${ver} from the module proxy."
    echo "module spark-platform.local/e2e/kubernetes"
    echo
    grep -E '^go [0-9]' "${dir}/go.mod"
    grep -E '^godebug [a-z]' "${dir}/go.mod" || true
    echo
    echo "require k8s.io/kubernetes ${ver}"
    echo
    echo "replace ("
    sed -nE 's#^[[:space:]]*(k8s\.io/[^ ]+) => \./staging/src/k8s\.io/.*#\t\1 => \1 '"${staging_ver}"'#p' "${dir}/go.mod" |
      apply_staging_overrides "${ver}"
    echo ")"
  } >"${mod}/go.mod"
  log "kubernetes ${ver}: resolving and downloading modules (log: ${logfile})"
  (cd "${mod}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go list -deps "${K8S_PKGS[@]}" >/dev/null)
  t1="$(now)"
  log "kubernetes ${ver}: compiling $(printf '%s ' "${K8S_PKGS[@]##*/}")"
  local ldflags
  ldflags="$(k8s_ldflags "${ver}" "${major}" "${minor}")"
  local tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  (cd "${mod}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go build "${GO_BUILD_FLAGS[@]}" \
    -ldflags "${ldflags}" -o "${tmp}/" "${K8S_PKGS[@]}")
  t2="$(now)"
  "${tmp}/kube-apiserver" --version >>"${logfile}"
  publish "${tmp}" "${out}"
  summary "kubernetes ${ver}" done "$(elapsed "${t0}" "${t2}")" \
    "download $(elapsed "${t0}" "${t1}")s, compile $(elapsed "${t1}" "${t2}")s"
}

# step_node: the real node's host side. Debian's containerd/runc/CNI plugins/iptables (only if
# missing), then kubelet and kube-proxy from the same wrapper module as the control plane of
# node.kubernetes (step kubernetes must have written it).
step_node() {
  local t0 missing=() p
  t0="$(now)"
  for p in $(cfg node.debianPackages); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    local logfile="${LOGS}/node-apt.log"
    : >"${logfile}"
    run_logged "${logfile}" apt-get update
    # no init system starts containerd here; the suite runs its own instance (own root/state/socket)
    run_logged "${logfile}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
      apt-get install -y --no-install-recommends "${missing[@]}"
    summary "node packages" done "$(elapsed "${t0}" "$(now)")" "installed: ${missing[*]}"
  else
    summary "node packages" skipped "$(elapsed "${t0}" "$(now)")" "present"
  fi
  step_node_binaries "$(cfg node.kubernetes)"
  step_pause_image
}

# binary_image <tmp dir> <name> <binary> <uid:gid> <logfile>: <tmp dir>/<name>.oci.tar, an OCI
# image (umoci) holding only /<name> (the binary) as its entrypoint, run as <uid:gid>.
binary_image() {
  local dir="$1" name="$2" binary="$3" user="$4" logfile="$5"
  (
    cd "${dir}"
    run_logged "${logfile}" umoci init --layout oci
    run_logged "${logfile}" umoci new --image "oci:${name}"
    run_logged "${logfile}" umoci unpack --rootless --image "oci:${name}" bundle
    install -m 0755 "${binary}" "bundle/rootfs/${name}"
    run_logged "${logfile}" umoci repack --image "oci:${name}" bundle
    run_logged "${logfile}" umoci config --image "oci:${name}" --config.entrypoint "/${name}" \
      --config.user "${user}" --architecture amd64 --os linux
    run_logged "${logfile}" umoci gc --layout oci
    (cd oci && tar -cf "../${name}.oci.tar" .)
    rm -rf bundle oci
  )
}

# step_pause_image: the pods' sandbox image, our own pause (e2e/node/pause.go) packed with umoci.
step_pause_image() {
  local t0 out key tmp logfile
  t0="$(now)"
  key="$(cat "${HERE}/node/pause.go" "${HERE}/node/go.mod" | sha256sum | cut -c1-12)"
  out="${CACHE}/node/pause-${key}"
  if [[ -f "${out}/.complete" ]]; then summary "pause image" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  logfile="${LOGS}/pause-image.log"
  : >"${logfile}"
  tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  (cd "${HERE}/node" && run_logged "${logfile}" go build "${GO_BUILD_FLAGS[@]}" -ldflags '-s -w' -o "${tmp}/pause.bin" .)
  binary_image "${tmp}" pause "${tmp}/pause.bin" 65535:65535 "${logfile}"
  rm -f "${tmp}/pause.bin"
  publish "${tmp}" "${out}"
  rm -rf $(ls -d "${CACHE}"/node/pause-* 2>/dev/null | grep -v -- "${out}\$" || true)
  summary "pause image" done "$(elapsed "${t0}" "$(now)")" "${out}/pause.oci.tar"
}

step_node_binaries() {
  local ver="$1" t0 t1 out mod logfile major minor
  out="${BIN}/kubernetes-node-${ver}"
  t0="$(now)"
  if [[ -f "${out}/.complete" ]]; then summary "kubelet+kube-proxy ${ver}" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  mod="${SRC}/kubernetes-${ver}"; logfile="${LOGS}/kubernetes-node-${ver}.log"
  [[ -f "${mod}/go.mod" ]] || step_kubernetes_one "${ver}"
  : >"${logfile}"
  major=1; minor="$(cut -d. -f2 <<<"${ver}")"
  local ldflags
  ldflags="$(k8s_ldflags "${ver}" "${major}" "${minor}")"
  local tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  log "kubernetes ${ver}: compiling kubelet kube-proxy (log: ${logfile})"
  (cd "${mod}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go build "${GO_BUILD_FLAGS[@]}" \
    -ldflags "${ldflags}" -o "${tmp}/" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  t1="$(now)"
  "${tmp}/kubelet" --version >>"${logfile}"
  publish "${tmp}" "${out}"
  summary "kubelet+kube-proxy ${ver}" done "$(elapsed "${t0}" "${t1}")"
}

# step_images: the real node's images (e2e/images/build.sh: spark, operator, notebook, spark-s3a;
# e2e/images/build-minio.sh: minio, mc), OCI archives the node imports at start. Needs the
# pyspark and spark-operator steps.
step_images() {
  local t0
  t0="$(now)"
  bash "${HERE}/images/build.sh" || { log "FAILED: e2e/images/build.sh"; return 1; }
  if [[ -f "${HERE}/images/build-minio.sh" ]]; then
    bash "${HERE}/images/build-minio.sh" || { log "FAILED: e2e/images/build-minio.sh"; return 1; }
  fi
  summary images done "$(elapsed "${t0}" "$(now)")" "${CACHE}/images/*.oci.tar"
}

step_netpol() {
  # the NetworkPolicy engine of the real node (kube-router, firewall only)
  build_in_module "$(cfg node.networkPolicy.binary)" "$(cfg node.networkPolicy.module)" "$(cfg node.networkPolicy.version)" \
    "$(cfg node.networkPolicy.package)" "$(cfg node.networkPolicy.binary)"
}

step_coredns() {
  # CoreDNS's version variable is set by its Makefile from git; -X stamps the module version
  build_in_module coredns "$(cfg node.coredns.module)" "$(cfg node.coredns.version)" . coredns \
    "-X github.com/coredns/coredns/coremain.GitCommit=$(cfg node.coredns.version)"
  # the cluster DNS runs as pods (kube-system, k8s-app=kube-dns) from this image: the binary alone
  local ver t0 out tmp logfile
  ver="$(cfg node.coredns.version)"
  t0="$(now)"
  out="${CACHE}/node/coredns-${ver}"
  if [[ -f "${out}/.complete" ]]; then summary "coredns image" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  logfile="${LOGS}/coredns-image.log"
  : >"${logfile}"
  tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  binary_image "${tmp}" coredns "${BIN}/coredns-${ver}/coredns" 65532:65532 "${logfile}"
  publish "${tmp}" "${out}"
  summary "coredns image" done "$(elapsed "${t0}" "$(now)")" "${out}/coredns.oci.tar"
}

step_kubernetes() {
  local v
  for v in $(cfg kubernetes); do step_kubernetes_one "$v"; done
}

# build_in_module <name> <module> <version> <pkg> <binary> [ldflags]: `go build` inside the
# downloaded module so that its own go.mod (replace lines included) decides every dependency.
build_in_module() {
  local name="$1" module="$2" ver="$3" pkg="$4" binary="$5" ldflags="${6:-}" t0 t1 t2 out dir logfile
  out="${BIN}/${name}-${ver}"
  t0="$(now)"
  if [[ -f "${out}/.complete" ]]; then summary "${name} ${ver}" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  logfile="${LOGS}/${name}-${ver}.log"
  : >"${logfile}"
  dir="$(go_mod_dir "${module}@${ver}")"
  log "${name} ${ver}: downloading dependencies (log: ${logfile})"
  (cd "${dir}" && run_logged "${logfile}" env GOFLAGS=-mod=readonly go mod download)
  t1="$(now)"
  log "${name} ${ver}: compiling ${pkg}"
  local tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  (cd "${dir}" && run_logged "${logfile}" env GOFLAGS=-mod=readonly go build "${GO_BUILD_FLAGS[@]}" \
    -ldflags "-s -w ${ldflags}" -o "${tmp}/${binary}" "${pkg}")
  t2="$(now)"
  publish "${tmp}" "${out}"
  summary "${name} ${ver}" done "$(elapsed "${t0}" "${t2}")" \
    "download $(elapsed "${t0}" "${t1}")s, compile $(elapsed "${t1}" "${t2}")s"
}

step_kwok() {
  local ver
  ver="$(cfg kwok)"
  # kwok's version is a constant in its source (pkg/consts), no -X needed
  build_in_module kwok sigs.k8s.io/kwok "${ver}" ./cmd/kwok kwok
}

step_spark_operator() {
  local ver
  ver="$(cfg sparkOperator.version)"
  # same version stamp as the operator's Makefile (build-operator)
  build_in_module spark-operator "$(cfg sparkOperator.module)" "${ver}" ./cmd/operator spark-operator \
    "-X k8s.io/component-base/version.gitVersion=${ver} -X k8s.io/component-base/version.gitTreeState=clean"
}

step_pyspark() {
  local ver t0 venv logfile
  ver="$(cfg pyspark)"
  venv="${CACHE}/venv/pyspark-${ver}"
  t0="$(now)"
  if [[ -f "${venv}/.complete" ]]; then summary "pyspark ${ver}" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  logfile="${LOGS}/pyspark-${ver}.log"
  : >"${logfile}"
  rm -rf "${venv}"
  run_logged "${logfile}" python3 -m venv "${venv}"
  run_logged "${logfile}" "${venv}/bin/pip" install --disable-pip-version-check --no-input "pyspark==${ver}"
  "${venv}/bin/python" -c 'import pyspark, sys; sys.exit(pyspark.__version__ != sys.argv[1])' "${ver}"
  touch "${venv}/.complete"
  summary "pyspark ${ver}" done "$(elapsed "${t0}" "$(now)")" "venv ${venv}"
}

# step_pulumi: the Pulumi CLI and the Kubernetes resource provider, both from the module proxy.
# No Node.js language host: its module is refused at every version, so programs run through the
# Automation API's inline programs (the Node.js process serves the language runtime itself).
# The provider is also installed as a plugin into ${CACHE}/pulumi-home (PULUMI_HOME for tests).
step_pulumi() {
  step_pulumi_cli
  step_pulumi_kubernetes
}

step_pulumi_cli() {
  local module ver t0 t1 t2 out mod dir logfile
  module="$(cfg pulumi.cli.module)"; ver="$(cfg pulumi.cli.version)"
  out="${BIN}/pulumi-${ver}"
  t0="$(now)"
  if [[ -f "${out}/.complete" ]]; then summary "pulumi ${ver}" skipped "$(elapsed "${t0}" "$(now)")"; return; fi
  mod="${SRC}/pulumi-${ver}"; logfile="${LOGS}/pulumi-${ver}.log"
  : >"${logfile}"
  mkdir -p "${mod}"
  dir="$(go_mod_dir "${module}@${ver}")"
  # pkg/v3 replaces sdk/v3 with ../sdk (a sibling dir, not in its zip): a wrapper module requires
  # the published sdk/v3 of the same version and keeps pkg's other `replace M => M' vX` lines.
  {
    echo "// Generated by e2e/setup.sh: builds the Pulumi CLI ${ver} from the module proxy."
    echo "module spark-platform.local/e2e/pulumi"
    echo
    grep -E '^go [0-9]' "${dir}/go.mod"
    echo
    echo "require ("
    printf '\t%s %s\n' "${module}" "${ver}" "github.com/pulumi/pulumi/sdk/v3" "${ver}"
    echo ")"
    echo
    grep -E '^replace [^ ]+ => [^./][^ ]* v[0-9][^ ]*$' "${dir}/go.mod" || true
  } >"${mod}/go.mod"
  log "pulumi ${ver}: resolving and downloading modules (log: ${logfile})"
  (cd "${mod}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go list -deps "${module}/cmd/pulumi" >/dev/null)
  t1="$(now)"
  log "pulumi ${ver}: compiling ${module}/cmd/pulumi"
  local tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  (cd "${mod}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go build "${GO_BUILD_FLAGS[@]}" \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${ver}" \
    -o "${tmp}/pulumi" "${module}/cmd/pulumi")
  t2="$(now)"
  [[ "$("${tmp}/pulumi" version)" == "${ver}" ]] || { log "pulumi ${ver}: the binary reports another version"; return 1; }
  publish "${tmp}" "${out}"
  summary "pulumi ${ver}" done "$(elapsed "${t0}" "${t2}")" \
    "download $(elapsed "${t0}" "${t1}")s, compile $(elapsed "${t1}" "${t2}")s"
}

# pulumi_k8s_generate <cmd dir> <version>: what cmd/pulumi-resource-kubernetes/generate.go
# (`go generate`) does: schema.json stamped with the version -> schema-embed.json, and
# terraform-mapping.json -> terraform-mapping-embed.json, both compacted.
pulumi_k8s_generate() {
  python3 -c '
import json, os, sys
d, version = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(d, "schema.json")))
schema["version"] = version
json.dump(schema, open(os.path.join(d, "schema-embed.json"), "w"), separators=(",", ":"))
mapping = json.load(open(os.path.join(d, "terraform-mapping.json")))
json.dump(mapping, open(os.path.join(d, "terraform-mapping-embed.json"), "w"), separators=(",", ":"))
' "$1" "$2"
}

step_pulumi_kubernetes() {
  local module ver rel t0 t1 t2 t3 out src dir logfile cli home
  module="$(cfg pulumi.kubernetesProvider.module)"; ver="$(cfg pulumi.kubernetesProvider.version)"
  rel="$(cfg pulumi.kubernetesProvider.release)"
  cli="${BIN}/pulumi-$(cfg pulumi.cli.version)/pulumi"
  home="${CACHE}/pulumi-home"
  out="${BIN}/pulumi-resource-kubernetes-v${rel}"
  logfile="${LOGS}/pulumi-resource-kubernetes-v${rel}.log"
  t0="$(now)"
  if [[ -f "${out}/.complete" ]]; then
    summary "pulumi-kubernetes ${rel}" skipped "$(elapsed "${t0}" "$(now)")"
  else
    src="${SRC}/pulumi-resource-kubernetes-v${rel}"
    : >"${logfile}"
    dir="$(go_mod_dir "${module}@${ver}")"
    # a writable copy: its go.mod replaces sdk/v4 with ../sdk (not in the zip: the published sdk/v4
    # of the same tag instead), and main.go embeds files that `go generate` writes.
    rm -rf "${src}"; cp -r "${dir}" "${src}"; chmod -R u+w "${src}"
    (cd "${src}" && go mod edit -dropreplace github.com/pulumi/pulumi-kubernetes/sdk/v4 \
      -require "github.com/pulumi/pulumi-kubernetes/sdk/v4@v${rel}")
    pulumi_k8s_generate "${src}/cmd/pulumi-resource-kubernetes" "${rel}"
    log "pulumi-kubernetes ${rel}: resolving and downloading modules (log: ${logfile})"
    (cd "${src}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go list -deps ./cmd/pulumi-resource-kubernetes >/dev/null)
    t1="$(now)"
    log "pulumi-kubernetes ${rel}: compiling ./cmd/pulumi-resource-kubernetes"
    local tmp="${out}.tmp.$$"
    rm -rf "${tmp}"; mkdir -p "${tmp}"
    (cd "${src}" && run_logged "${logfile}" env GOFLAGS=-mod=mod go build "${GO_BUILD_FLAGS[@]}" \
      -ldflags "-s -w -X ${module}/pkg/version.Version=${rel}" \
      -o "${tmp}/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes)
    t2="$(now)"
    publish "${tmp}" "${out}"
    summary "pulumi-kubernetes ${rel}" done "$(elapsed "${t0}" "${t2}")" \
      "download $(elapsed "${t0}" "${t1}")s, compile $(elapsed "${t1}" "${t2}")s"
  fi
  # the plugin at its own version in the tests' PULUMI_HOME (automatic plugin download cannot work)
  t3="$(now)"
  if [[ -f "${home}/plugins/resource-kubernetes-v${rel}/pulumi-resource-kubernetes" &&
    ! -e "${home}/plugins/resource-kubernetes-v${rel}.partial" ]]; then
    summary "pulumi-k8s plugin ${rel}" skipped "$(elapsed "${t3}" "$(now)")"
    return
  fi
  [[ -x "${cli}" ]] || { log "installing the kubernetes plugin needs the CLI (${cli})"; return 1; }
  mkdir -p "${home}"
  run_logged "${logfile}" env PULUMI_HOME="${home}" PULUMI_SKIP_UPDATE_CHECK=true \
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
    "${cli}" plugin install resource kubernetes "${rel}" --file "${out}/pulumi-resource-kubernetes"
  summary "pulumi-k8s plugin ${rel}" done "$(elapsed "${t3}" "$(now)")" "PULUMI_HOME ${home}"
}

write_env() {
  local envfile="${CACHE}/env.sh" tmp v minor
  tmp="${envfile}.tmp.$$"
  {
    echo "# Generated by e2e/setup.sh from e2e/versions.json; source it."
    echo "export SPARK_E2E_CACHE='${CACHE}'"
    echo "export E2E_BIN_ETCD='${BIN}/etcd-$(cfg etcd.version)/etcd'"
    echo "export E2E_KUBERNETES_VERSIONS='$(cfg kubernetes | tr '\n' ' ' | sed 's/ $//')'"
    for v in $(cfg kubernetes); do
      minor="$(cut -d. -f1,2 <<<"${v#v}" | tr . _)"
      echo "export E2E_BIN_KUBERNETES_${minor}='${BIN}/kubernetes-${v}'"
    done
    echo "export E2E_BIN_KWOK='${BIN}/kwok-$(cfg kwok)/kwok'"
    echo "export E2E_BIN_SPARK_OPERATOR='${BIN}/spark-operator-$(cfg sparkOperator.version)/spark-operator'"
    echo "export E2E_PYSPARK_VENV='${CACHE}/venv/pyspark-$(cfg pyspark)'"
    # spark-submit from the venv finds its home only with the venv first on PATH: give it directly
    echo "export E2E_SPARK_HOME='$(ls -d "${CACHE}/venv/pyspark-$(cfg pyspark)"/lib/python3*/site-packages/pyspark 2>/dev/null | head -n 1)'"
    # the Pulumi CLI's dir (first on PATH), the provider binary, and a PULUMI_HOME with the plugin
    echo "export E2E_BIN_PULUMI='${BIN}/pulumi-$(cfg pulumi.cli.version)'"
    echo "export E2E_BIN_PULUMI_KUBERNETES='${BIN}/pulumi-resource-kubernetes-v$(cfg pulumi.kubernetesProvider.release)/pulumi-resource-kubernetes'"
    echo "export E2E_PULUMI_HOME='${CACHE}/pulumi-home'"
    echo "export E2E_NODE_KUBERNETES='$(cfg node.kubernetes)'"
    echo "export E2E_BIN_NODE='${BIN}/kubernetes-node-$(cfg node.kubernetes)'"
    echo "export E2E_PAUSE_IMAGE='$(ls -d "${CACHE}"/node/pause-*/pause.oci.tar 2>/dev/null | head -n 1)'"
    echo "export E2E_BIN_NETPOL='${BIN}/$(cfg node.networkPolicy.binary)-$(cfg node.networkPolicy.version)/$(cfg node.networkPolicy.binary)'"
    echo "export E2E_BIN_COREDNS='${BIN}/coredns-$(cfg node.coredns.version)/coredns'"
  } >"${tmp}"
  mv "${tmp}" "${envfile}"
  echo "${envfile}"
}

# ---------------------------------------------------------------------------------------------

ALL_STEPS=(apt etcd kubernetes kwok spark-operator pyspark pulumi node coredns netpol images)
STEPS=("$@")
((${#STEPS[@]})) || STEPS=("${ALL_STEPS[@]}")

T_START="$(now)"
for s in "${STEPS[@]}"; do
  case "$s" in
    apt) step_apt ;;
    etcd) step_etcd ;;
    kubernetes) step_kubernetes ;;
    kwok) step_kwok ;;
    spark-operator) step_spark_operator ;;
    pyspark) step_pyspark ;;
    pulumi) step_pulumi ;;
    node) step_node ;;
    coredns) step_coredns ;;
    netpol) step_netpol ;;
    images) step_images ;;
    *) log "unknown step '$s' (steps: ${ALL_STEPS[*]})"; exit 2 ;;
  esac
done
ENV_FILE="$(write_env)"
TOTAL="$(elapsed "${T_START}" "$(now)")"

{
  echo "== e2e setup summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), ${TOTAL}s total, cache ${CACHE})"
  printf '%s\n' "${SUMMARY[@]}"
} | tee -a "${LOGS}/setup-history.log"
echo "env file: ${ENV_FILE}"
